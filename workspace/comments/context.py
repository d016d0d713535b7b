"""What paper templates need to show comments: each section's panel and permissions."""
from flask import Flask
from flask_babel import lazy_gettext as _l

from workspace.comments import permissions as comment_perm
from workspace.comments.services import section_panel

SUGGESTION_STATUS = {"open": _l("öppet"), "accepted": _l("godtaget"), "rejected": _l("avslaget")}


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_comments():
        return {"comment_panel": section_panel, "comment_perm": comment_perm,
                "SUGGESTION_STATUS": SUGGESTION_STATUS}
