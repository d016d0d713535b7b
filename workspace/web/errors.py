"""Error pages in the site's own look (and as fragments for htmx)."""
from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from workspace.db import db

log = logging.getLogger("samverkan")


def _page(status: int, title: str, message: str):
    try:
        html = render_template("errors/error.html", status=status, title=title, message=message)
    except Exception:  # a broken template must not hide the original error
        log.exception("error page failed")
        html = f"<h1>{status}</h1>"
    return html, status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _page(400, _("Formuläret har gått ut"),
                     _("Sidan var för gammal eller saknade sin säkerhetstoken. Ladda om sidan och försök igen — inget har sparats."))

    @app.errorhandler(403)
    def forbidden(e):
        return _page(403, _("Du saknar behörighet"),
                     _("Din roll i samverkansorganet räcker inte för detta. Kontakta kansliet om du behöver göra det."))

    @app.errorhandler(404)
    def not_found(e):
        return _page(404, _("Sidan finns inte"),
                     _("Adressen finns inte, eller så har du inte tillgång till den."))

    @app.errorhandler(405)
    def not_allowed(e):
        return _page(405, _("Otillåten metod"), _("Sidan kan inte användas på det sättet."))

    @app.errorhandler(429)
    def too_many(e):
        return _page(429, _("För många försök"),
                     _("Du har försökt för många gånger. Vänta en minut och försök igen."))

    @app.errorhandler(413)
    def too_large(e):
        return _page(413, _("Filen är för stor"), _("Det du skickade var för stort."))

    @app.errorhandler(422)
    def unprocessable(e):
        from workspace.web.security import InvalidText

        if isinstance(e, InvalidText):
            return _page(422, _("Texten kunde inte läsas"),
                         _("Det du skickade innehöll tecken som inte är giltig text (UTF-8). Inget har sparats; "
                           "klistra in texten på nytt eller skriv den för hand."))
        return _page(422, _("Uppgifterna kunde inte användas"),
                     _("Något i det du skickade var ogiltigt. Inget har sparats; gå tillbaka och försök igen."))

    @app.errorhandler(400)
    def bad_request(e):
        return _page(400, _("Felaktig begäran"), _("Begäran kunde inte tolkas."))

    @app.errorhandler(500)
    def server_error(e):
        db.session.rollback()
        return _page(500, _("Något gick fel"),
                     _("Ett oväntat fel inträffade. Inget av det du skickade har sparats halvvägs; försök igen om en stund."))

    @app.errorhandler(HTTPException)
    def other_http(e: HTTPException):
        return _page(e.code or 500, e.name, e.description or "")
