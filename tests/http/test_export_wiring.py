"""The Word export with the real domains: comments, decisions, priority lists."""
from __future__ import annotations

import io

from docx import Document
from sqlalchemy import select

from tests.unit.export.docx_check import body_paragraphs
from workspace.db import db
from workspace.papers.models import Paper

WS = "/w/sydsverige"


def paper_id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Paper.id).where(Paper.title == title))


def doc_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_adopted_paper_has_its_decision_page(app, as_user):
    pid = paper_id(app, "Om Regionsamverkan Sydsverige")  # adopted in the demo, ratifications partly recorded
    resp = as_user("lasare@demo.example").get(f"{WS}/papers/{pid}/export.docx")
    assert resp.status_code == 200
    doc = Document(io.BytesIO(resp.data))
    headings = [p.text for p in body_paragraphs(doc) if p.style.name == "Heading 1"]
    assert headings[-1] == "Beslut"
    text = doc_text(doc)
    assert "Godkänner" in text and "Region Skåne" in text and "ratificerat" in text.lower()


def test_draft_paper_has_no_decision_page(app, as_user):
    pid = paper_id(app, "Toppmöte om Skånes regionala utveckling")  # a round in progress
    doc = Document(io.BytesIO(as_user("lasare@demo.example").get(f"{WS}/papers/{pid}/export.docx").data))
    assert "Beslut" not in [p.text for p in body_paragraphs(doc) if p.style.name == "Heading 1"]


def test_open_comment_threads_become_word_comments(app, as_user):
    from workspace.comments.models import CommentThread

    with app.app_context():
        thread = db.session.scalar(select(CommentThread).where(CommentThread.status == "open")
                                   .order_by(CommentThread.id))
        pid, first = thread.paper_id, thread.comments[0]
        first_text = first.html
    c = as_user("tjansteman.skane@demo.example")
    plain = Document(io.BytesIO(c.get(f"{WS}/papers/{pid}/export.docx").data))
    assert list(plain.comments) == []
    with_comments = Document(io.BytesIO(c.get(f"{WS}/papers/{pid}/export.docx?comments=1").data))
    texts = [cm.text for cm in with_comments.comments]
    assert texts and any(part in texts[0] for part in first_text.replace("<p>", "").split("</p>") if part)


def test_priority_list_exports_with_letters_and_follow_ups(app, as_user):
    resp = as_user("lasare@demo.example").get(f"{WS}/priorities/2023/export.docx")
    assert resp.status_code == 200 and "prioriteringar-2023.docx" in resp.headers["Content-Disposition"]
    doc = Document(io.BytesIO(resp.data))
    assert "Prioriteringar för 2023" in doc.element.xml  # the title page
    text = doc_text(doc)
    assert "A. " in text and "B. " in text and "Delårsbokslut 2023" in text


def test_another_workspace_priority_list_is_not_found(as_user):
    assert as_user("tjansteman.ystad@demo.example").get(f"{WS}/priorities/2023/export.docx").status_code == 404
