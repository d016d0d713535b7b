"""English must be complete: every message in the code and templates has a translation."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "workspace" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}


def extracted() -> set[str]:
    ids = set()
    method_map = [("workspace/**.py", "python"), ("templates/**.html", "jinja2")]
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        ids.add(message[0] if isinstance(message, tuple) else message)
    return {i for i in ids if i}


def test_every_message_has_an_english_translation():
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    translated = {}
    for m in catalog:
        key = m.id[0] if isinstance(m.id, tuple) else m.id
        value = m.string if isinstance(m.string, str) else (m.string[0] if m.string else "")
        if key and value and not m.fuzzy:
            translated[key] = value
    missing = sorted(extracted() - set(translated))
    assert not missing, f"{len(missing)} messages lack English (make extract-messages):\n" + "\n".join(missing[:40])


def test_pages_are_english_for_english_users(client):
    client.get("/login")
    client.post("/language", {"locale": "en", "next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log in" in page and "Logga in" not in page
