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
