"""Demo comments: threads (one on a quoted passage), a reply with an @mention, a resolved
thread and an open suggestion on Sydsverige's first paper. Skipped if present."""
from __future__ import annotations

from sqlalchemy import select

from workspace.accounts.models import User
from workspace.comments import services
from workspace.comments.anchors import block_texts
from workspace.comments.models import CommentThread
from workspace.db import db
from workspace.notifications.services import without_mail
from workspace.papers.models import Paper

TITLE = "Om Regionsamverkan Sydsverige"


def load_comment_demo(by_slug) -> int:
    ws = by_slug.get("sydsverige")
    paper = ws and db.session.scalar(select(Paper).where(Paper.workspace_id == ws.id, Paper.title == TITLE))
    if paper is None or db.session.scalar(select(CommentThread.id).where(CommentThread.paper_id == paper.id).limit(1)):
        return 0

    def user(email: str) -> User:
        return db.session.scalar(select(User).where(User.email == email))

    sections = [s for s in paper.live_sections if block_texts(s.html)]
    if not sections:
        return 0
    first, second = sections[0], sections[1] if len(sections) > 1 else sections[0]
    words = block_texts(first.html)[0].split()
    quote = " ".join(words[:8])
    with without_mail():
        thread = services.start_thread(user("politiker.blekinge@demo.example"), first,
                                       "Kan vi förtydliga vilka frågor samarbetet omfattar här? "
                                       "Det är det första en läsare ser.", quote)
        services.reply(user("tjansteman.kronoberg@demo.example"), thread,
                       "Bra fråga. @Sara Lindqvist, kan du lägga till en mening om infrastruktur och "
                       "kollektivtrafik?")
        done = services.start_thread(user("lasare@demo.example"), second,
                                     "Finns det en källa till uppgifterna i det här avsnittet?")
        services.reply(user("tjansteman.skane@demo.example"), done,
                       "Ja, de kommer från regionernas gemensamma webbplats.")
        services.resolve_thread(user("tjansteman.skane@demo.example"), done)
        blocks = block_texts(second.html)
        proposed = second.html.replace(blocks[0][-40:], blocks[0][-40:] + " Samarbetet bygger på "
                                       "ömsesidig respekt för varje regions eget beslutsfattande.", 1) \
            if blocks and blocks[0][-40:] in second.html else second.html + (
                "<p>Samarbetet bygger på ömsesidig respekt för varje regions eget beslutsfattande.</p>")
        services.make_suggestion(user("politiker.skane@demo.example"), second, proposed,
                                 "Vi vill att det framgår att samverkan aldrig går före regionernas egna beslut.",
                                 second.current_revision_id)
    db.session.flush()
    return 3
