"""Hostile input in every field, rendered in Chromium: nothing runs.

The browser context bypasses the Content-Security-Policy on purpose, so these tests prove
the escaping and the sanitiser on their own; the CSP is a second wall behind them.
A dialog, a call to window.__xss, a request to /logout (htmx attributes smuggled in) or
anything in the DOM that could run script fails the test.
"""
from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import DEMO_PASSWORD
from tests.docx_factory import add_link
from tests.hostile import DOM_CHECK, payloads
from workspace.db import db

P = payloads()
OFFICIAL = "tjansteman.skane@demo.example"


class Watch:
    """A page in a CSP-bypassing context that records every sign of script running."""

    def __init__(self, browser, base_url):
        self.ctx = browser.new_context(base_url=base_url, bypass_csp=True, viewport={"width": 1280, "height": 900})
        self.ctx.set_default_timeout(15_000)
        self.ctx.add_init_script("window.__xssHits = []; window.__xss = (n) => window.__xssHits.push(n);")
        self.page = self.ctx.new_page()
        self.hits: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.hits.append("request " + r.url) if urlsplit(r.url).path == "/logout" else None)

    def _dialog(self, dialog):
        self.hits.append(f"dialog {dialog.type}: {dialog.message}")
        dialog.dismiss()

    def login(self, email):
        self.page.goto("/login")
        self.page.fill("#email", email)
        self.page.fill("#password", DEMO_PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url("**/w/**")

    def check(self, where: str):
        self.page.wait_for_timeout(150)  # onload/ontoggle/autofocus handlers would have fired
        js_hits = self.page.evaluate("window.__xssHits")
        dom = self.page.evaluate(DOM_CHECK)
        assert not self.hits and not js_hits and not dom, f"{where}: {self.hits} {js_hits} {dom[:10]}"

    def visit(self, url: str):
        resp = self.page.goto(url)
        assert resp.status < 500, url
        self.check(url)

    def close(self):
        self.ctx.close()


@pytest.fixture
def watch(browser, live_server, demo):
    w = Watch(browser, live_server)
    yield w
    w.close()


@pytest.fixture
def planted(app, demo):
    """Payloads in every field a person can fill: titles, sections, versions, names, areas."""
    from workspace.papers import services
    from workspace.papers.models import PolicyArea
    from workspace.search.indexer import rebuild

    with app.test_request_context(method="POST"):
        author = demo.user(OFFICIAL)
        ws = demo.workspace("sydsverige")
        for p in P:
            services.create_paper(author, ws, title=p[:300], sections=[(p[:300], p)])
        big = services.create_paper(author, ws, title="Samlade angrepp",
                                    sections=[(p[:300], p) for p in P])
        for i, section in enumerate(big.live_sections[:8]):
            services.save_section(author, section, P[-1 - i], section.current_revision_id)
        for p in P[:10]:
            services.create_snapshot(author, big, p[:200], note=p)
        kansli = demo.user("kansli@demo.example")
        for p in P[:10]:
            try:
                services.add_policy_area(kansli, ws, p[:120])
            except services.PaperError:
                pass  # two payloads the same after trimming
        ws.description = "\n".join(P)[:5000]
        # Comments, replies and suggestions (their own, smaller allow-list) on the big paper.
        from workspace.comments import services as comments

        reader = demo.user("lasare@demo.example")
        for i, section in enumerate(big.live_sections[:30]):
            # (a prefix, because some payloads are cleaned away to nothing, which is refused)
            thread = comments.start_thread(reader, section, f"Kommentar {i}: {P[i]} {P[-1 - i]}")
            comments.reply(author, thread, f"Svar {i}: {P[(i + 30) % len(P)]}")
            comments.make_suggestion(reader, section, f"<p>Förslag {i}</p>{P[(i + 60) % len(P)]}",
                                     f"Skäl {i}: {P[(i + 90) % len(P)]}"[:2000], section.current_revision_id)
        # Priority items: titles and descriptions.
        from workspace.priorities import services as priorities

        plist = priorities.create_list(kansli, ws, 2031)
        for p in P[:40]:
            priorities.add_item(author, plist, title=p[:300], description=p)
        # A decision with a reservation and a note for the record.
        from workspace.decisions import services as decisions
        from workspace.db import utcnow
        from datetime import timedelta

        round_ = decisions.open_paper_round(kansli, big, services.snapshots_of(big)[0],
                                            deadline=utcnow() + timedelta(days=3), registration_number=P[0][:60])
        for user, p in zip([demo.user(f"politiker.{r}@demo.example") for r in ("kalmar", "kronoberg")], P[10:]):
            decisions.record_decision(user, round_, "approve_reservation", statement=p, note=P[-5])
        for user, p in zip([demo.user(f"politiker.{r}@demo.example") for r in ("skane", "halland", "blekinge")], P):
            user.name = p[:120]
        db.session.commit()
        rebuild()
        return {"big": big.id, "sections": [s.id for s in big.live_sections[:8]], "round": round_.id,
                "suggestions": [sg.id for sg in _suggestions(big.id)[:3]], "year": plist.year,
                "areas": db.session.scalar(select(PolicyArea.id).where(PolicyArea.workspace_id == ws.id))}


def _suggestions(paper_id):
    from workspace.comments.models import Suggestion

    return db.session.scalars(select(Suggestion).where(Suggestion.paper_id == paper_id)).all()


def test_nothing_runs_on_any_page_showing_hostile_text(watch, planted):
    watch.login("kansli@demo.example")
    base = "/w/sydsverige"
    for n in range(1, 8):
        watch.visit(f"{base}/papers?page={n}")
    watch.visit(f"{base}/papers/{planted['big']}")
    watch.visit(f"{base}/papers/{planted['big']}/history")
    for sid in planted["sections"][:4]:
        watch.visit(f"{base}/papers/{planted['big']}/sections/{sid}/history")
    watch.visit(f"{base}/papers/{planted['big']}/versions/compare")
    for sid in planted["sections"][:3]:
        watch.visit(f"{base}/papers/{planted['big']}/sections/{sid}/comments")
    for sg in planted["suggestions"]:
        watch.visit(f"{base}/papers/{planted['big']}/suggestions/{sg}")
    watch.visit(f"{base}/rounds/{planted['round']}")
    watch.visit(f"{base}/rounds")
    watch.visit("/notifications")
    watch.visit(f"{base}/priorities/{planted['year']}")
    watch.visit(f"{base}/priorities")
    watch.visit(base)
    watch.visit(f"{base}/papers/areas")
    watch.visit(f"{base}/settings")
    for n in range(1, 5):
        watch.visit(f"{base}/events?verb=paper-created&page={n}")
    for word in ("alert", "klicka", "rubrik", "script", "text"):
        watch.visit(f"{base}/search?q={word}")
        watch.visit(f"/search?q={word}&sort=date")


def test_search_never_reflects_a_query_as_markup(watch, demo):
    from urllib.parse import quote

    watch.login("lasare@demo.example")
    for p in P:
        watch.visit(f"/w/sydsverige/search?q={quote(p)}")


def test_imported_word_file_with_hostile_content(watch, app, demo, tmp_path):
    from docx import Document

    d = Document()
    d.add_heading(P[0], 0)
    for p in P[:40]:
        d.add_heading(p[:200], 1)
        para = d.add_paragraph(p)
        add_link(para, "javascript:alert(1)", "länk")
    buf = io.BytesIO()
    d.save(buf)
    path = tmp_path / "angrepp.docx"
    path.write_bytes(buf.getvalue())
    watch.login(OFFICIAL)
    watch.page.goto("/w/sydsverige/papers/import")
    watch.page.set_input_files("input[type=file]", str(path))
    watch.page.click("main form button[type=submit]")
    watch.page.wait_for_selector("text=Förhandsgranskning", timeout=20_000)
    watch.check("import preview")
    watch.page.click("main form:has(input[name=token]) button[type=submit]")
    watch.page.wait_for_url("**/papers/*", timeout=20_000)
    watch.check("imported paper")


def test_conflict_view_with_hostile_text(watch, app, as_user, demo):
    from workspace.papers import services

    with app.test_request_context(method="POST"):
        author = demo.user(OFFICIAL)
        paper = services.create_paper(author, demo.workspace("sydsverige"), title="Konflikt",
                                      sections=[("Text", "<p>Gemensamt stycke.</p>")])
        section = paper.live_sections[0]
        base = section.current_revision_id
        services.save_section(author, section, f"<p>{P[4]} deras</p>", base)
        db.session.commit()
        ids = paper.id, section.id, base
    c = as_user("tjansteman.kronoberg@demo.example")
    resp = c.post(f"/w/sydsverige/papers/{ids[0]}/sections/{ids[1]}",
                  {"html": f"<p>{P[5]} mitt {P[61]}</p>", "base_revision_id": ids[2]}, htmx=True)
    assert resp.status_code == 409
    watch.page.goto("about:blank")
    watch.page.set_content(resp.get_data(as_text=True))
    watch.check("conflict view")


@pytest.mark.parametrize("html", ['<img src=x onerror="alert(1)">', "<p>x</p><script>window.__xss(2)</script>",
                                  '<a href="javascript:void(0)">x</a>'])
def test_the_watch_sees_script_that_runs(watch, html):
    watch.page.goto("about:blank")
    watch.page.set_content(html)
    with pytest.raises(AssertionError):
        watch.check("self-test")
