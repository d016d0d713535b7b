"""In-process helpers for the profilers: the app, a query counter, a logged-in client."""
from __future__ import annotations

import re

from bench.harness import PASSWORD

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def app_with_query_counter():
    """The app configured from the environment, and a dict whose "n" counts its queries."""
    from sqlalchemy import event

    from workspace import create_app
    from workspace.db import db

    app = create_app()
    queries = {"n": 0}
    with app.app_context():
        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(*_a, **_k):
            queries["n"] += 1

    return app, queries


def logged_in(app, email: str, password: str = PASSWORD):
    """A test client logged in as `email`, and a CSRF token of its new session."""
    client = app.test_client()
    token = TOKEN_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    # Login begins a new session: its forms carry a new token.
    token = TOKEN_RE.search(client.get("/account").get_data(as_text=True)).group(1)
    return client, token


def print_profile(fn) -> None:
    """Run `fn` once under pyinstrument (the [bench] extra) and print where its time went."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("(install the [bench] extra for a profile)")
        return
    prof = Profiler(interval=0.001)
    prof.start()
    fn()
    prof.stop()
    print(prof.output_text(unicode=True, color=False))
