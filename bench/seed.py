"""A realistic data set for the benchmarks, seeded fast.

The real texts of ../shared/corpus, varied (paragraphs and sentences shuffled, place names and
topics swapped) so that search meets realistic, non-identical text: one workspace
(`sydsverige`, 6 member regions) with 60 people, 500 papers × 20 sections and 50 comments per
paper (once the comments domain is installed).

Rows go in with SQLAlchemy Core bulk inserts in one transaction, but they are what the
services would have written: every section has revision 1 ("import") and `current_revision_id`
pointing at its newest revision; the first MERGE_PAPERS papers have a second revision of every
section by another official (the "someone else changed it" side of a merge); every paper has its
`paper-imported` event, every second revision its `section-saved` event, every comment its
`thread-started`/`comment-added` event, with the payloads the services write.

    .venv/bin/python -m bench.seed          # into the app's configured database
"""
from __future__ import annotations

import hashlib
import os
import random
import re
import time
from datetime import timedelta
from html import escape

from sqlalchemy import func, insert, select, text, update

PAPERS = 500
SECTIONS = 20
COMMENTS_PER_PAPER = 50
COMMENTS_PER_THREAD = 5
PEOPLE = 60
MERGE_PAPERS = 100  # papers whose sections all have a newer revision by someone else
WS = "sydsverige"
MARK = "Fortsatt ändrat av en annan tjänsteperson."  # the other official's change (last paragraph)

PLACES = ["Skåne", "Blekinge", "Kronoberg", "Kalmar", "Halland", "Jönköping", "Ystad", "Simrishamn",
          "Tomelilla", "Sjöbo", "Växjö", "Karlskrona", "Halmstad", "Västervik", "Ljungby", "Trelleborg",
          "Hässleholm", "Karlshamn", "Värnamo", "Falkenberg", "Oskarshamn", "Kristianstad", "Helsingborg"]
TOPICS = ["kollektivtrafiken", "infrastrukturen", "bredbandsutbyggnaden", "kompetensförsörjningen",
          "energiförsörjningen", "kulturlivet", "godstrafiken", "stambanorna", "hamnarna",
          "besöksnäringen", "landsbygdsutvecklingen", "digitaliseringen", "vårdens kompetensbehov"]
FIRST = ["Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Per", "Sara", "Nils", "Ingrid", "Olof",
         "Lena", "Mats", "Kerstin", "Gustav", "Helena", "Magnus", "Sofia", "Henrik"]
LAST = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
        "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Lindberg"]
COMMENT_TEXTS = [
    "Bra formulering, men vi behöver en källa för siffrorna i stycket.",
    "Kan vi skriva tydligare vad regionerna förväntar sig av staten här?",
    "Instämmer. Region {place} ställer sig bakom skrivningen.",
    "Jag föreslår att vi lägger till {topic} som ett eget exempel.",
    "Oppositionen i {place} vill att vi nämner finansieringen.",
    "Stämmer årtalet? Jag hittar en annan uppgift i underlaget.",
    "Kortare, tack. Stycket upprepar det som står i inledningen.",
]


def _paragraphs() -> tuple[list[str], list[str]]:
    from workspace.demo.corpus import CORPUS_DIR, FALLBACK

    texts = [p.read_text("utf-8") for p in sorted(CORPUS_DIR.glob("*.txt"))] if CORPUS_DIR.is_dir() \
        else list(FALLBACK.values())
    paras, headings = [], []
    for t in texts:
        for block in re.split(r"\n\s*\n", t):
            block = " ".join(block.split())
            if len(block) > 80:
                paras.append(block)
            elif 3 < len(block) < 70 and not block.endswith((".", ":", ",")) and not block[0].isdigit():
                headings.append(block)
    return paras, sorted(set(headings)) or ["Inledning", "Bakgrund", "Ställningstagande"]


def _varied(rng: random.Random, paras: list[str]) -> list[str]:
    out = []
    for _ in range(rng.randint(2, 4)):
        sentences = re.split(r"(?<=[.!?])\s+", rng.choice(paras))
        rng.shuffle(sentences)
        t = " ".join(sentences)
        for old in ("Skåne", "Ystad", "Sörmland", "Södertörn", "Kalmar", "Blekinge"):
            if old in t:
                t = t.replace(old, rng.choice(PLACES))
        t += f" Här spelar {rng.choice(TOPICS)} i {rng.choice(PLACES)} en central roll för {rng.choice(TOPICS)}."
        out.append(t)
    return out


def _html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def _hash(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()


def _next_id(table) -> int:
    from workspace.db import db

    return (db.session.scalar(select(func.max(table.c.id))) or 0) + 1


def seed(*, papers: int = PAPERS, sections: int = SECTIONS, comments_per_paper: int = COMMENTS_PER_PAPER,
         people: int = PEOPLE, merge_papers: int = MERGE_PAPERS, seed_value: int = 10) -> dict:
    """Seed into the current app's database (demo already loaded). Commits once at the end."""
    from workspace.accounts.models import User
    from workspace.accounts.passwords import hash_password
    from workspace.db import db, utcnow
    from workspace.papers import services as papers_services
    from workspace.papers.models import PAPER_KINDS, PAPER_STATUSES, Paper, Revision, Section
    from workspace.events import Event
    from workspace.workspaces.models import Membership, Workspace, WorkspaceOrganization
    from workspace.workspaces.services import find_or_create_organization
    import workspace.models  # noqa: F401  every domain's tables, comments included once merged

    t0 = time.perf_counter()
    rng = random.Random(seed_value)
    ws = db.session.scalar(select(Workspace).where(Workspace.slug == WS))
    areas = papers_services.ensure_policy_areas(ws)
    orgs = [link.organization for link in ws.member_links]
    now = utcnow()

    # --- people: members of the 6 regions, up to `people` members in all -----------------
    present = db.session.scalar(select(func.count()).select_from(Membership).where(Membership.workspace_id == ws.id))
    pw = hash_password("bench-password-1")
    user_t, mem_t = User.__table__, Membership.__table__
    new_users = []
    for i in range(max(0, people - present)):
        org = orgs[i % len(orgs)]
        new_users.append(dict(email=f"person{i:03d}@bench.example", name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                              organization_id=org.id, password_hash=pw, locale="sv", is_enabled=True,
                              session_version=1, created_at=now))
    if new_users:
        db.session.execute(insert(user_t), new_users)
        ids = db.session.scalars(select(User.id).where(User.email.like("person%@bench.example"))
                                 .order_by(User.id)).all()
        mems = []
        for k, uid in enumerate(ids):
            role = ("official", "politician", "politician", "reader")[k % 4]
            side = ("ruling", "opposition")[k % 2] if role == "politician" else None
            mems.append(dict(workspace_id=ws.id, user_id=uid, role=role, political_side=side, active=True,
                             created_at=now))
        db.session.execute(insert(mem_t), mems)
    writers = db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == ws.id, Membership.role.in_(("official", "secretariat")))
        .order_by(User.id)).all()
    members = db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == ws.id, Membership.role != "reader").order_by(User.id)).all()

    # --- papers, sections, revisions ---------------------------------------------------
    paras, headings = _paragraphs()
    paper_t, sec_t, rev_t, ev_t = Paper.__table__, Section.__table__, Revision.__table__, Event.__table__
    pid, sid, rid = _next_id(paper_t), _next_id(sec_t), _next_id(rev_t)
    paper_rows, sec_rows, rev_rows, events, current = [], [], [], [], []
    statuses = [s for s in PAPER_STATUSES if s != "adopted"]
    for n in range(papers):
        author = rng.choice(writers)
        created = now - timedelta(days=rng.randint(1, 700), minutes=n)
        title = f"{rng.choice(headings)} – {rng.choice(TOPICS)} i {rng.choice(PLACES)} ({n + 1})"
        area = rng.choice(areas)
        paper_rows.append(dict(id=pid, workspace_id=ws.id, title=title[:300], kind=rng.choice(PAPER_KINDS),
                               policy_area_id=area.id, lead_organization_id=rng.choice(orgs).id,
                               registration_number=f"RSS {2026 - n % 3}/{n + 1:04d}" if n % 3 else None,
                               deadline=(created + timedelta(days=rng.randint(30, 400))).date() if n % 2 else None,
                               status=rng.choice(statuses), created_by_id=author.id, created_at=created,
                               updated_at=created))
        for i in range(sections):
            ps = _varied(rng, paras)
            html = _html(ps)
            sec_rows.append(dict(id=sid, paper_id=pid, title=rng.choice(headings)[:300], position=i,
                                 current_revision_id=None, revision_count=1, created_at=created))
            rev_rows.append(dict(id=rid, section_id=sid, number=1, base_revision_id=None, html=html,
                                 content_hash=_hash(html), kind="import", author_id=author.id,
                                 created_at=created, note=None))
            newest = rid
            rid += 1
            if n < merge_papers:
                other = rng.choice([w for w in writers if w.id != author.id] or writers)
                changed = _html(ps[:-1] + [ps[-1] + " " + MARK])
                rev_rows.append(dict(id=rid, section_id=sid, number=2, base_revision_id=newest, html=changed,
                                     content_hash=_hash(changed), kind="save", author_id=other.id,
                                     created_at=created + timedelta(hours=1), note=None))
                sec_rows[-1]["revision_count"] = 2
                events.append(dict(created_at=created + timedelta(hours=1), workspace_id=ws.id, actor_id=other.id,
                                   verb="section-saved", object_type="section", object_id=sid,
                                   payload=dict(paper_id=pid, section_id=sid, title=sec_rows[-1]["title"],
                                                revision_id=rid, status="saved")))
                newest = rid
                rid += 1
            current.append(dict(b_id=sid, b_rev=newest))
            sid += 1
        events.append(dict(created_at=created, workspace_id=ws.id, actor_id=author.id, verb="paper-imported",
                           object_type="paper", object_id=pid, payload=dict(paper_id=pid, title=title[:300])))
        pid += 1
    db.session.execute(insert(paper_t), paper_rows)
    db.session.execute(insert(sec_t), sec_rows)
    db.session.execute(insert(rev_t), rev_rows)
    from sqlalchemy import bindparam

    db.session.execute(update(sec_t).where(sec_t.c.id == bindparam("b_id"))
                       .values(current_revision_id=bindparam("b_rev")).execution_options(synchronize_session=False),
                       current)

    # --- comments (when the comments domain is installed) -------------------------------
    n_comments = 0
    thread_t = db.metadata.tables.get("comment_thread")
    comment_t = db.metadata.tables.get("comment")
    if thread_t is not None and comment_t is not None and comments_per_paper:
        tid, cid = _next_id(thread_t), _next_id(comment_t)
        threads, comments = [], []
        by_paper: dict[int, list[dict]] = {}
        for s in sec_rows:
            by_paper.setdefault(s["paper_id"], []).append(s)
        newest_rev = {c["b_id"]: c["b_rev"] for c in current}
        for p in paper_rows:
            for t in range(comments_per_paper // COMMENTS_PER_THREAD):
                s = rng.choice(by_paper[p["id"]])
                starter = rng.choice(members)
                at = p["created_at"] + timedelta(days=1, minutes=t)
                threads.append(dict(id=tid, workspace_id=ws.id, paper_id=p["id"], section_id=s["id"], quote=None,
                                    anchor_text=None, anchor_index=None, revision_id=newest_rev[s["id"]],
                                    status="open", created_by_id=starter.id, created_at=at))
                for c in range(COMMENTS_PER_THREAD):
                    who = starter if c == 0 else rng.choice(members)
                    body = "<p>" + escape(rng.choice(COMMENT_TEXTS).format(place=rng.choice(PLACES),
                                                                           topic=rng.choice(TOPICS))) + "</p>"
                    comments.append(dict(id=cid, thread_id=tid, author_id=who.id, html=body,
                                         created_at=at + timedelta(minutes=c)))
                    events.append(dict(created_at=at + timedelta(minutes=c), workspace_id=ws.id, actor_id=who.id,
                                       verb="thread-started" if c == 0 else "comment-added",
                                       object_type="comment_thread" if c == 0 else "comment",
                                       object_id=tid if c == 0 else cid,
                                       payload=dict(paper_id=p["id"], section_id=s["id"], thread_id=tid,
                                                    comment_id=cid, mentioned_ids=[])))
                    cid += 1
                    n_comments += 1
                tid += 1
        keep = lambda rows, t: [{k: v for k, v in r.items() if k in t.c} for r in rows]  # noqa: E731
        db.session.execute(insert(thread_t), keep(threads, thread_t))
        db.session.execute(insert(comment_t), keep(comments, comment_t))

    # Events in time order, as the services would have appended them.
    events.sort(key=lambda e: e["created_at"])
    for e in events:  # as record_event() fills it in
        e["paper_id"] = e["payload"].get("paper_id")
    db.session.execute(insert(ev_t), events)
    if db.session.get_bind().dialect.name == "postgresql":
        # Explicit ids bypass the sequences; move them past what we wrote.
        for t in ("paper", "section", "revision", "comment_thread", "comment", "user", "membership"):
            if t in db.metadata.tables:
                db.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{t}\"', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM \"{t}\"))"))
    db.session.commit()
    seconds = time.perf_counter() - t0
    return dict(papers=len(paper_rows), sections=len(sec_rows), revisions=len(rev_rows), comments=n_comments,
                events=len(events), people=present + len(new_users), seconds=seconds)


def main() -> None:
    from workspace import create_app

    app = create_app()
    papers = int(os.environ.get("BENCH_PAPERS", PAPERS))  # smaller only to try the bench out quickly
    with app.app_context():
        out = seed(papers=papers, merge_papers=min(MERGE_PAPERS, papers // 5 or 1))
    print("seeded {papers} papers, {sections} sections, {revisions} revisions, {comments} comments, "
          "{events} events, {people} members in {seconds:.1f} s".format(**out))


if __name__ == "__main__":
    main()
