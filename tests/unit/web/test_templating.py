"""The cheap template gettext and CSRF field give what Flask-Babel and Flask-WTF give."""
from __future__ import annotations

from flask import g, render_template_string
from flask_babel import force_locale
from flask_wtf.csrf import generate_csrf

from workspace.web.templating import csrf, csrf_token


def test_template_gettext_follows_the_request_locale_and_force_locale(app):
    tpl = "{{ _('Kommentarer') }}|{{ ngettext('%(num)d öppen', '%(num)d öppna', 2) }}"
    with app.test_request_context("/", headers={"Accept-Language": "sv"}):
        assert render_template_string(tpl) == "Kommentarer|2 öppna"
        # E-mail to someone who reads English, inside a Swedish request: the cached
        # translations of the request must not leak into the forced block, nor back out.
        with force_locale("en"):
            assert render_template_string(tpl) == "Comments|2 open"
        assert render_template_string(tpl) == "Kommentarer|2 öppna"


def test_template_gettext_outside_a_request_uses_the_default(app):
    with app.app_context():
        assert render_template_string("{{ _('Kommentarer') }}") == "Kommentarer"


def test_csrf_field_carries_flask_wtf_token(app):
    with app.test_request_context("/"):
        first = csrf_token()
        assert first == generate_csrf() == g.csrf_token
        assert str(csrf()) == f'<input type="hidden" name="csrf_token" value="{first}">'
        assert render_template_string("{{ csrf() }}") == str(csrf())


def test_lazy_list_computes_only_when_drawn_and_only_once():
    from workspace.web.templating import LazyList

    calls = []

    def compute():
        calls.append(1)
        return iter(["a", "b"])

    lazy = LazyList(compute)
    assert calls == []  # made, not drawn: no query
    assert bool(lazy) and len(lazy) == 2 and list(lazy) == ["a", "b"] and lazy[-1] == "b"
    assert calls == [1]
    assert not LazyList(list)


def test_lazy_object_is_made_only_when_drawn_and_only_once():
    from workspace.web.templating import Lazy

    made = []

    class Form:
        title = "t"

        def __init__(self):
            made.append(1)

    lazy = Lazy(Form)
    assert made == []  # handed to the template, not drawn: not built
    assert lazy.title == "t" and lazy.title == "t"
    assert made == [1]


def test_template_url_for_is_flasks_url_for_remembered(app, monkeypatch):
    from flask import url_for

    from workspace.web import templating

    monkeypatch.setattr(templating, "_URLS", {})
    cases = [("papers.detail", {"slug": "sydsverige", "paper_id": 4}),
             ("papers.detail", {"slug": "sydsverige", "paper_id": 4, "part": "header"}),
             ("papers.index", {"slug": "sydsverige", "status": True}),
             ("papers.index", {"slug": "sydsverige", "status": 1}),  # equal to True, another URL
             ("papers.index", {"slug": "sydsverige", "status": None}),
             ("static", {"filename": "css/app.css"})]
    with app.test_request_context("/"):
        for endpoint, values in cases * 2:
            assert templating.template_url_for(endpoint, **values) == url_for(endpoint, **values)
        assert len(templating._URLS) == len(cases)
        # Not remembered: other app roots' answers, external URLs, unhashable values.
        assert templating.template_url_for("web.home", _external=True) == url_for("web.home", _external=True)
        assert templating.template_url_for("papers.index", slug="s", kind=["a", "b"]) == \
            url_for("papers.index", slug="s", kind=["a", "b"])
        assert render_template_string("{{ url_for('static', filename='css/app.css') }}") == \
            url_for("static", filename="css/app.css")
    with app.test_request_context("/", base_url="http://localhost/samverkan"):  # served under a prefix
        assert templating.template_url_for("static", filename="css/app.css") == "/samverkan/static/css/app.css"
    assert len(templating._URLS) == len(cases) + 1
    monkeypatch.setattr(templating, "_URLS_MAX", len(templating._URLS))
    with app.test_request_context("/"):
        templating.template_url_for("web.home")
    assert len(templating._URLS) == 1  # full: cleared, then the new one kept
