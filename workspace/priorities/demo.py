"""Demo priority lists for Regionsamverkan Sydsverige, from its real "Prioriteringar för 2023":
2023 adopted and followed up, 2024 carried over from it and being ranked."""
from __future__ import annotations

import re

from sqlalchemy import select

from workspace.accounts.models import User
from workspace.db import db
from workspace.papers.models import Paper
from workspace.priorities import services
from workspace.workspaces.models import Organization, Workspace

# Short titles for the board's lettered items, in the corpus's order; the corpus's own
# wording becomes each item's description.
SHORT_TITLES = [
    ("Påverkansarbete för södra Sveriges utveckling", "Region Skåne"),
    ("Energiförsörjning", "Region Kalmar län"),
    ("Bredbandsinfrastruktur och digitalisering", "Region Kronoberg"),
    ("Kultursamverkansmodellen", "Region Jönköpings län"),
    ("Nya stambanor", "Region Blekinge"),
]
FALLBACK = [
    "påverkansarbete inom samtliga Regionsamverkan Sydsveriges verksamhetsområden för att nå bästa utveckling "
    "för södra Sverige",
    "samordning och genomförande av insatser samt påverkansarbete gällande energiförsörjning",
    "samordning och genomförande av insatser samt påverkansarbete gällande bredbandsinfrastruktur och digitalisering",
    "aktivt påverkansarbete i utredningen om kultursamverkansmodellen",
    "ställningstagande kring Regionsamverkan Sydsveriges eventuella samarbete kring utbyggnaden av nya stambanor",
]


def corpus_items() -> list[str]:
    """The lettered lines under "Prioriteringar för 2023" in the corpus (or their copy here)."""
    from workspace.demo.corpus import corpus_texts

    for text in corpus_texts().values():
        if "Prioriteringar för 2023" not in text:
            continue
        tail = text.split("Prioriteringar för 2023", 1)[1]
        lines = re.findall(r"^[A-Z]\. (.+)$", tail, flags=re.M)
        if len(lines) >= len(SHORT_TITLES):
            return lines[:len(SHORT_TITLES)]
    return FALLBACK


def _user(email):
    return db.session.scalar(select(User).where(User.email == email))


def load_priorities(by_slug: dict[str, Workspace]) -> int:
    ws = by_slug.get("sydsverige")
    if ws is None or services.list_for_year(ws, 2023) is not None:
        return 0
    kansli, skane, kronoberg = (_user("kansli@demo.example"), _user("tjansteman.skane@demo.example"),
                                _user("tjansteman.kronoberg@demo.example"))
    orgs = {o.name: o.id for o in db.session.scalars(select(Organization))}
    about = db.session.scalar(select(Paper).where(Paper.workspace_id == ws.id,
                                                  Paper.title == "Om Regionsamverkan Sydsverige"))
    y2023 = services.create_list(kansli, ws, 2023)
    for (title, org), line in zip(SHORT_TITLES, corpus_items()):
        services.add_item(skane, y2023, title=title, description=line[0].upper() + line[1:] + ".",
                          responsible_organization_id=orgs.get(org), paper_ids=[about.id] if about else [])
    services.adopt(y2023, services.submit_for_decision(kansli, y2023))
    a, b, c, d, e = y2023.ordered_items
    for item, state, comment in (
        (a, "ongoing", "Gemensamma inspel till regeringen och riksdagen om södra Sveriges utveckling."),
        (b, "ongoing", "Energiberedningen har kartlagt behoven av elnät och produktion i de sex regionerna."),
        (c, "done", "Gemensam bredbandsstrategi antagen; uppföljning sker i digitaliseringsnätverket."),
        (d, "ongoing", "Remissvar till utredningen om kultursamverkansmodellen är under arbete."),
        (e, "not_started", "Frågan tas upp i styrelsen under hösten."),
    ):
        services.record_follow_up(skane, item, "delarsbokslut", state, comment)
    for item, state, comment in (
        (a, "done", "Påverkansarbetet har genomförts enligt plan."),
        (b, "ongoing", "Arbetet fortsätter 2024."),
        (d, "done", "Remissvar lämnat."),
        (e, "cancelled", "Ställningstagandet skjuts till 2024 års prioriteringar."),
    ):
        services.record_follow_up(kansli, item, "arsbokslut", state, comment)

    y2024 = services.carry_over(kronoberg, y2023, 2024)
    services.add_item(kronoberg, y2024, title="Kompetensförsörjning och arbetsmarknad",
                      description="Samordning av insatser för kompetensförsörjning i södra Sverige.",
                      responsible_organization_id=orgs.get("Region Halland"))
    a, b, c, d, e, f = y2024.ordered_items
    services.reorder_items(kronoberg, y2024, [b.id, e.id, c.id, a.id, f.id, d.id])
    services.open_ranking(kansli, y2024)
    for email, order in (("politiker.skane@demo.example", [b, e, a, c, f, d]),
                         ("politiker.blekinge@demo.example", [e, b, c, f, a, d]),
                         ("politiker.kronoberg@demo.example", [c, b, e, f, d, a])):
        services.save_ranking(_user(email), y2024, [i.id for i in order])
    return 2
