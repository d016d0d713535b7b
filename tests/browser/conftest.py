"""Browser tests in Debian's Chromium, driven by Playwright, against a live server.

Skipped with a clear reason where Chromium or Playwright is missing, so `make test`
passes on a laptop without them.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.conftest import DEMO_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(config, items):
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"Debian chromium not installed at {CHROMIUM} (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "playwright is not importable (pip install playwright)"
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def live_server(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-quic", "--disable-sync"],
        )
        yield b
        b.close()


class Pages:
    """Makes pages in fresh browser contexts (one per person) and checks their consoles."""

    def __init__(self, browser, base_url):
        self.browser, self.base = browser, base_url
        self.contexts = []
        self.problems: list[str] = []

    def new(self, email: str | None = None, *, width: int = 1280):
        ctx = self.browser.new_context(viewport={"width": width, "height": 900}, base_url=self.base)
        ctx.set_default_timeout(10_000)
        self.contexts.append(ctx)
        page = ctx.new_page()
        page.on("console", lambda m: self._console(page, m))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        if email:
            login(page, email)
        return page

    def _console(self, page, msg):
        # Failed requests we provoke on purpose (4xx answers to htmx) are logged as errors
        # by the browser too; CSP violations and script errors are what we look for.
        if msg.type == "error" and ("Content Security Policy" in msg.text or "Uncaught" in msg.text
                                    or "Refused" in msg.text):
            self.problems.append(f"console: {msg.text}")

    def close(self):
        for ctx in self.contexts:
            ctx.close()


@pytest.fixture
def pages(browser, live_server, demo):
    p = Pages(browser, live_server)
    yield p
    p.close()
    assert not p.problems, "\n".join(p.problems)


def login(page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_url("**/w/**")


def axe_check(page, *, exclude: list[str] | None = None) -> None:
    """No WCAG 2.1 A/AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe.min.js")  # served by us: allowed by the CSP
    result = page.evaluate(
        """([tags, exclude]) => axe.run({exclude: exclude.map(s => [s])}, {runOnly: {type: 'tag', values: tags}})
             .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' — ' + n.failureSummary)})))""",
        [AXE_TAGS, exclude or []],
    )
    assert result == [], f"axe violations on {page.url}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in result)


def save_section_as(app, demo, email: str, section_id: int, html: str) -> None:
    """Someone else saves a section, as from another browser (the real save, with its event)."""
    from workspace.db import db
    from workspace.papers import services
    from workspace.papers.models import Section

    with app.test_request_context(method="POST"):
        section = db.session.get(Section, section_id)
        services.save_section(demo.user(email), section, html, section.current_revision_id)
        db.session.commit()


def requests_of(page) -> list[str]:
    """The URLs the page requests from now on."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    return seen
