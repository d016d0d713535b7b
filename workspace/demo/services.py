"""Load the demo (idempotent): workspaces, members, people; resets demo passwords."""
from __future__ import annotations

from sqlalchemy import func, select

from workspace.accounts.models import User
from workspace.accounts.passwords import hash_password
from workspace.db import db
from workspace.events import record_event
from workspace.workspaces.models import Membership, Workspace, WorkspaceOrganization
from workspace.workspaces.services import find_or_create_organization
from workspace.demo.data import PEOPLE, WORKSPACES
from workspace.priorities.demo import load_priorities
from workspace.export.demo import load_export_demo


def database_is_empty() -> bool:
    return db.session.scalar(select(func.count()).select_from(Workspace)) == 0


def load_demo(password: str) -> dict[str, int]:
    counts = {"workspaces": 0, "people": 0}
    by_slug: dict[str, Workspace] = {}
    for spec in WORKSPACES:
        ws = db.session.scalar(select(Workspace).where(Workspace.slug == spec["slug"]))
        if ws is None:
            ws = Workspace(slug=spec["slug"], name=spec["name"], description=spec["description"],
                           decision_rule=spec["decision_rule"])
            db.session.add(ws)
            db.session.flush()
            record_event(None, "workspace-created", ws, workspace=ws, source="demo")
            counts["workspaces"] += 1
        by_slug[ws.slug] = ws
        present = {link.organization_id for link in ws.member_links}
        for name, kind in spec["members"]:
            org = find_or_create_organization(name, kind)
            if org.id not in present:
                ws.member_links.append(WorkspaceOrganization(organization=org))
                present.add(org.id)
    db.session.flush()
    pw_hash = hash_password(password)
    for email, name, org_name, roles in PEOPLE:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name, organization=find_or_create_organization(org_name))
            db.session.add(user)
            counts["people"] += 1
        user.password_hash = pw_hash
        user.is_enabled = True
        db.session.flush()
        for slug, role, side in roles:
            ws = by_slug[slug]
            m = db.session.scalar(
                select(Membership).where(Membership.workspace_id == ws.id, Membership.user_id == user.id))
            if m is None:
                db.session.add(Membership(workspace=ws, user=user, role=role, political_side=side))
            else:
                m.role, m.political_side, m.active = role, side, True
    db.session.flush()
    counts["papers"] = _load_papers(by_slug)
    # Comments first: the decisions demo adopts (freezes) a paper that the threads are on.
    counts["threads"] = _load_comments(by_slug)
    from workspace.decisions.demo import load_decisions_demo

    counts["rounds"] = load_decisions_demo()
    counts["priority_lists"] = load_priorities(by_slug)
    counts["export_templates"] = load_export_demo(by_slug)
    return counts


def _load_papers(by_slug) -> int:
    """Papers from the real texts, written by the demo officials; skipped if present."""
    from workspace.demo.corpus import PAPERS, corpus_texts, text_to_sections
    from workspace.papers import services as papers
    from workspace.papers.models import Paper, PolicyArea

    authors = {"sydsverige": "tjansteman.skane@demo.example", "sosk": "tjansteman.ystad@demo.example",
               "sodertorn": "kansli.sodertorn@demo.example", "sormland": "kansli.sormland@demo.example"}
    texts = corpus_texts()
    made = 0
    for key, (slug, title, kind, area_name) in PAPERS.items():
        ws = by_slug[slug]
        if db.session.scalar(select(Paper).where(Paper.workspace_id == ws.id, Paper.title == title)):
            continue
        author = db.session.scalar(select(User).where(User.email == authors[slug]))
        papers.ensure_policy_areas(ws)
        area = db.session.scalar(select(PolicyArea).where(PolicyArea.workspace_id == ws.id,
                                                          PolicyArea.name == area_name))
        lead = author.organization if author.organization in ws.member_organizations else None
        paper = papers.create_paper(author, ws, title=title, kind=kind,
                                    policy_area_id=area.id if area else None,
                                    lead_organization_id=lead.id if lead else None,
                                    sections=text_to_sections(texts[key]), source="import")
        if key == "001":
            papers.create_snapshot(author, paper, "Remissversion 1", "Skickad till regionernas tjänstepersoner.")
            first = paper.live_sections[0]
            papers.save_section(author, first, first.html + "<p>Regionerna vill gemensamt verka för "
                                "snabbare utbyggnad av nya stambanor och ett robust godsnät.</p>",
                                first.current_revision_id)
            papers.change_status(author, paper, "review")
        made += 1
    db.session.flush()
    return made


def _load_comments(by_slug) -> int:
    from workspace.comments.demo import load_comment_demo

    return load_comment_demo(by_slug)
