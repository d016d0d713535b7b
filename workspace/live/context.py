"""Give every workspace page a live connection (the template decides by `live_url`)."""
from __future__ import annotations

from flask import Flask, url_for

from workspace.events import EVENT_LABELS

# Verbs that only the live stream cares about (never shown in the audit log).
LIVE_ONLY_VERBS = ("presence-changed",)


def live_verbs() -> list[str]:
    return sorted(set(EVENT_LABELS) | set(LIVE_ONLY_VERBS))


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_live():
        def live_url_for(ws, after: int | None = None) -> str:
            return url_for("live.stream", slug=ws.slug, after=after)

        return {"live_url_for": live_url_for, "live_verbs": live_verbs()}
