"""splice(): a big part kept as UTF-8 goes into the answer after the page is encoded."""
from __future__ import annotations

from flask import render_template_string

from workspace.web import rendering


def _render(app, monkeypatch, source: str, **context):
    monkeypatch.setattr(rendering, "render_template", lambda _t, **ctx: render_template_string(source, **ctx))
    with app.test_request_context("/"):
        return rendering.render("any.html", **context)


def test_parts_stand_where_they_were_drawn_in_order(app, monkeypatch):
    parts = ["<p>Första – delen</p>".encode(), "<p>Andra: åäö</p>".encode()]
    resp = _render(app, monkeypatch, "<h1>Rubrik – {{ t }}</h1>{{ a() }}<hr>{{ b() }}<p>Slut ✓</p>", t="Tänk",
                   a=lambda: rendering.splice(parts[0]), b=lambda: rendering.splice(parts[1]))
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert resp.get_data(as_text=True) == "<h1>Rubrik – Tänk</h1><p>Första – delen</p><hr><p>Andra: åäö</p><p>Slut ✓</p>"
    assert resp.headers["Content-Length"] == str(len(resp.get_data()))


def test_a_part_drawn_twice_and_text_that_looks_like_a_mark(app, monkeypatch):
    resp = _render(app, monkeypatch, "{{ text }}|{{ a() }}|{{ a() }}", text="splice-0.",
                   a=lambda: rendering.splice(b"<b>x</b>"))
    assert resp.get_data(as_text=True) == "splice-0.|<b>x</b>|<b>x</b>"


def test_without_parts_the_answer_is_rendered_as_before(app, monkeypatch):
    resp = _render(app, monkeypatch, "<p>{{ t }}</p>", t="Å")
    assert resp.get_data(as_text=True) == "<p>Å</p>"
    with app.test_request_context("/"):  # nothing left over from another render
        assert rendering._with_spliced_parts("plain") == "plain"
