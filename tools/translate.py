"""Fill English translations into the catalogue: `python tools/translate.py FILE.json`.

FILE.json maps Swedish msgids to English (a plural msgid is keyed by its singular and
maps to a list [singular, plural]). Entries already translated are left alone unless
they are fuzzy. Prints what is still missing.
"""
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "workspace" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def main(path: str) -> None:
    table = json.loads(Path(path).read_text(encoding="utf-8"))
    with PO.open("rb") as fh:
        catalog = read_po(fh)
    missing = []
    for m in catalog:
        if not m.id:
            continue
        key = m.id[0] if isinstance(m.id, tuple) else m.id
        current = m.string if isinstance(m.string, str) else (m.string[0] if m.string else "")
        if current and not m.fuzzy:
            continue
        if key in table:
            value = table[key]
            m.string = tuple(value) if isinstance(m.id, tuple) else value
            m.flags.discard("fuzzy")
        else:
            missing.append(key)
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=100)
    for key in missing:
        print("missing:", key)


if __name__ == "__main__":
    main(sys.argv[1])
