"""Labels every paper template uses."""
from flask import Flask
from flask_babel import lazy_gettext as _l

from workspace.papers.live_parts import header_live_verbs
from workspace.papers.services import KIND_LABELS, STATUS_LABELS

REVISION_KINDS = {
    "create": _l("Skapat"),
    "save": _l("Sparat"),
    "merge": _l("Sparat och sammanfogat"),
    "restore": _l("Återställt"),
    "import": _l("Importerat från Word"),
    "suggestion": _l("Ändringsförslag infört"),
}
COMPARE_LABELS = {
    "added": _l("nytt"),
    "removed": _l("borttaget"),
    "changed": _l("ändrat"),
    "same": _l("oförändrat"),
}


def init_app(app: Flask) -> None:
    @app.context_processor
    def inject_paper_labels():
        return {"STATUS_LABELS": STATUS_LABELS, "KIND_LABELS": KIND_LABELS,
                "REVISION_KINDS": REVISION_KINDS, "COMPARE_LABELS": COMPARE_LABELS,
                "header_live_verbs": header_live_verbs}
