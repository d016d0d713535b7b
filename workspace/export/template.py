"""The workspace's Word template: checked on upload, opened as the start of every export.

A .dotx is a document whose main part has the template content type; Word and python-docx
open it as a document once that content type is changed. The template's body (sample
text) is dropped; its styles, headers, footers, logo and page setup are kept.
"""
from __future__ import annotations

import io
import zipfile

from docx import Document
from docx.oxml.ns import qn
from flask_babel import gettext as _

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_RATIO = 100  # real templates (XML and images) compress far less than a zip bomb
MAX_ENTRIES = 2000
REQUIRED_STYLES = ("Heading 1", "Heading 2", "Heading 3")

CT_DOCUMENT = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CT_TEMPLATE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
CT_MACRO = b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml"
CT_MACRO_DOC = b"application/vnd.ms-word.document.macroEnabled.main+xml"


class TemplateError(ValueError):
    """The template cannot be used; the message is for the user."""


def normalise_template(data: bytes, filename: str = "") -> bytes:
    """Check an uploaded template and return it as plain .docx bytes, or raise TemplateError."""
    name = (filename or "").lower()
    if name and not name.endswith((".docx", ".dotx")):
        raise TemplateError(_("Välj en Word-mall som slutar på .dotx eller .docx."))
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateError(_("Mallen är för stor (högst %(mb)d MB).", mb=MAX_TEMPLATE_BYTES // 1024 // 1024))
    if not data.startswith(b"PK"):
        raise TemplateError(_("Filen är inte en Word-mall. Spara mallen som .dotx eller .docx i Word."))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TemplateError(_("Filen är skadad eller inte en Word-mall."))
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if len(infos) > MAX_ENTRIES or total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_RATIO:
            raise TemplateError(_("Filen packas upp till orimligt mycket data och kan inte användas som mall."))
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names or "word/document.xml" not in names:
            raise TemplateError(_("Filen är inte en Word-mall (.dotx eller .docx)."))
        if any(i.filename.lower().endswith("vbaproject.bin") for i in infos):
            raise TemplateError(_("Mallen innehåller makron. Spara den utan makron (.dotx) och försök igen."))
        out = io.BytesIO()
        try:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in infos:
                    # Read with a limit: the sizes in the directory can lie.
                    with zf.open(info) as src:
                        blob = src.read(MAX_UNCOMPRESSED_BYTES + 1)
                    if len(blob) > MAX_UNCOMPRESSED_BYTES:
                        raise TemplateError(_("Filen packas upp till orimligt mycket data och kan inte användas som mall."))
                    if info.filename == "[Content_Types].xml":
                        if CT_MACRO in blob or CT_MACRO_DOC in blob:
                            raise TemplateError(_("Mallen innehåller makron. Spara den utan makron (.dotx) och försök igen."))
                        blob = blob.replace(CT_TEMPLATE, CT_DOCUMENT)
                    dst.writestr(info.filename, blob)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError):
            raise TemplateError(_("Filen är skadad och kan inte läsas."))
    clean = out.getvalue()
    try:
        doc = Document(io.BytesIO(clean))
        names = {s.name for s in doc.styles}
    except Exception:  # python-docx raises many kinds for broken packages
        raise TemplateError(_("Filen kunde inte läsas som en Word-mall."))
    missing = [s for s in REQUIRED_STYLES if s not in names]
    if missing:
        raise TemplateError(_("Mallen saknar formatmallarna %(styles)s. Lägg till rubrikformaten i Word och "
                              "ladda upp mallen igen.", styles=", ".join(f"”{m}”" for m in missing)))
    return clean


def open_template(template: bytes | None):
    """A new document from the template with an empty body (its last sectPr kept)."""
    doc = Document(io.BytesIO(template)) if template else Document()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    # A template may have its own comments or people parts; they belong to the template.
    return doc
