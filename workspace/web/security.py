"""Security headers for every response, and refusal of text that is not UTF-8."""
from urllib.parse import parse_qsl

from flask import Flask, request
from werkzeug.exceptions import UnprocessableEntity

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class InvalidText(UnprocessableEntity):
    """A form carried bytes that are not UTF-8 (browsers never send such; broken clients do)."""

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        # Style attributes only (set by the editor and drag-and-drop at run time); <style>
        # elements and all inline scripts stay forbidden. Stored text never carries styles.
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _form_is_valid_utf8() -> bool:
    if request.mimetype == "application/x-www-form-urlencoded":
        # Werkzeug drops undecodable fields without a word; look at the raw body instead.
        raw = request.get_data(cache=True)
        try:
            parse_qsl(raw.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            return False
        return True
    if request.mimetype == "multipart/form-data":
        # Undecodable bytes in text parts arrive as U+FFFD; files are not text and not checked.
        return not any("\ufffd" in v for v in request.form.values())
    return True


def init_app(app: Flask) -> None:
    def refuse_text_that_is_not_utf8():
        if request.method in WRITE_METHODS and not _form_is_valid_utf8():
            raise InvalidText()

    # First of all before-request hooks: the CSRF check parses the form, after which the
    # raw body can no longer be read.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_text_that_is_not_utf8)

    @app.after_request
    def headers(resp):
        h = resp.headers
        h.setdefault("Content-Security-Policy", CSP)
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if resp.mimetype == "text/html":
            h.setdefault("Cache-Control", "no-store")
        return resp
