"""Word (.docx) import: headings split the document into sections; paragraphs, bold,
italic, lists and links are kept. Nothing is created here — this only reads."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from html import escape

from docx import Document
from docx.oxml.ns import qn
from flask_babel import gettext as _

from workspace.papers.sanitize import sanitize_html

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # a zip bomb compresses far better than any real document


class DocxImportError(ValueError):
    """The file cannot be imported; the message is for the user."""


@dataclass
class ImportedSection:
    title: str
    html: str


@dataclass
class ImportPreview:
    title: str
    sections: list[ImportedSection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _check_zip(data: bytes) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        raise DocxImportError(_("Filen är för stor (högst %(mb)d MB).", mb=MAX_UPLOAD_BYTES // 1024 // 1024))
    if not data.startswith(b"PK"):
        raise DocxImportError(_("Filen är inte ett Word-dokument (.docx). Spara den som .docx i Word och försök igen."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > MAX_UNCOMPRESSED_BYTES or total / packed > MAX_RATIO:
                raise DocxImportError(_("Filen packas upp till orimligt mycket data och kan inte läsas."))
            if "word/document.xml" not in {i.filename for i in infos}:
                raise DocxImportError(_("Filen är inte ett Word-dokument (.docx)."))
            bad = zf.testzip()
            if bad is not None:
                raise DocxImportError(_("Filen är skadad och kan inte läsas."))
    except zipfile.BadZipFile:
        raise DocxImportError(_("Filen är skadad eller inte ett Word-dokument (.docx)."))


def _heading_level(paragraph) -> int | None:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    lower = name.lower()
    if lower == "title":
        return 0
    for prefix in ("heading ", "rubrik "):
        if lower.startswith(prefix):
            try:
                return int(lower[len(prefix):])
            except ValueError:
                return None
    return None


def _list_kind(paragraph) -> str | None:
    ppr = paragraph._p.pPr
    style = ((paragraph.style.name if paragraph.style is not None else "") or "").lower()
    if ppr is not None and ppr.numPr is not None or "list" in style or "lista" in style:
        if "number" in style or "numrerad" in style:
            return "ol"
        numpr = ppr.numPr if ppr is not None else None
        if numpr is not None and numpr.numId is not None:
            fmt = _numbering_format(paragraph, numpr)
            if fmt and fmt not in ("bullet", "none"):
                return "ol"
        return "ul"
    return None


def _numbering_format(paragraph, numpr) -> str | None:
    try:
        numbering = paragraph.part.numbering_part.element
    except (NotImplementedError, AttributeError, KeyError):
        return None
    num_id = numpr.numId.val
    ilvl = numpr.ilvl.val if numpr.ilvl is not None else 0
    for num in numbering.findall(qn("w:num")):
        if num.get(qn("w:numId")) == str(num_id):
            abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
            for absn in numbering.findall(qn("w:abstractNum")):
                if absn.get(qn("w:abstractNumId")) == abstract_id:
                    for lvl in absn.findall(qn("w:lvl")):
                        if lvl.get(qn("w:ilvl")) == str(ilvl):
                            fmt = lvl.find(qn("w:numFmt"))
                            return fmt.get(qn("w:val")) if fmt is not None else None
    return None


def _runs_html(paragraph) -> str:
    out = []
    for child in paragraph._p.iterchildren():
        if child.tag == qn("w:r"):
            out.append(_run_html(child))
        elif child.tag == qn("w:hyperlink"):
            rid = child.get(qn("r:id"))
            href = ""
            if rid and rid in paragraph.part.rels:
                href = paragraph.part.rels[rid].target_ref
            inner = "".join(_run_html(r) for r in child.iter(qn("w:r")))
            out.append(f'<a href="{escape(href)}">{inner}</a>' if href else inner)
    return "".join(out)


def _run_html(r) -> str:
    text = []
    for node in r.iterchildren():
        if node.tag == qn("w:t"):
            text.append(escape(node.text or ""))
        elif node.tag == qn("w:tab"):
            text.append(" ")
        elif node.tag in (qn("w:br"), qn("w:cr")):
            text.append("<br>")
    html = "".join(text)
    if not html:
        return ""
    rpr = r.find(qn("w:rPr"))
    if rpr is not None:
        def on(tag):
            el = rpr.find(qn(tag))
            return el is not None and el.get(qn("w:val")) not in ("0", "false")
        if on("w:b"):
            html = f"<strong>{html}</strong>"
        if on("w:i"):
            html = f"<em>{html}</em>"
    return html


def _table_html(table) -> str:
    rows = []
    for r_i, row in enumerate(table.rows):
        cells = []
        for cell in row.cells:
            tag = "th" if r_i == 0 else "td"
            text = "<br>".join(_runs_html(p) for p in cell.paragraphs if p.text.strip())
            cells.append(f"<{tag}>{text}</{tag}>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table><tbody>" + "".join(rows) + "</tbody></table>"


def parse_docx(stream, filename: str = "") -> ImportPreview:
    data = stream.read() if hasattr(stream, "read") else bytes(stream)
    if filename and not filename.lower().endswith((".docx", ".docm")):
        raise DocxImportError(_("Välj en Word-fil som slutar på .docx."))
    _check_zip(data)
    try:
        doc = Document(io.BytesIO(data))
    except Exception:  # python-docx raises many kinds for broken packages
        raise DocxImportError(_("Filen kunde inte läsas som ett Word-dokument."))

    title = (doc.core_properties.title or "").strip()
    sections: list[ImportedSection] = []
    current_title: str | None = None
    body: list[str] = []
    open_list: str | None = None
    warnings: list[str] = []

    def close_list():
        nonlocal open_list
        if open_list:
            body.append(f"</{open_list}>")
            open_list = None

    def flush():
        close_list()
        html = sanitize_html("".join(body))
        if current_title is not None or html:
            sections.append(ImportedSection(current_title or _("Inledning"), html))
        body.clear()

    from docx.table import Table
    from docx.text.paragraph import Paragraph

    # A document with a Title and Heading 1 chapters (as our Word export writes them) keeps
    # its Heading 2 subheadings inside the chapter; otherwise Heading 1 and 2 both start one.
    levels = {_heading_level(Paragraph(p, doc)) for p in doc.element.body.iter(qn("w:p"))}
    split_level = 1 if {0, 1} <= levels else 2

    for block in doc.element.body.iterchildren():
        if block.tag == qn("w:p"):
            p = Paragraph(block, doc)
            level = _heading_level(p)
            text = p.text.strip()
            if level is not None and text:
                if level == 0 or (level == 1 and not title and not sections and current_title is None and not body):
                    if not title:
                        title = text
                        continue
                if level <= split_level:
                    flush()
                    current_title = text
                    continue
                close_list()
                tag = "h2" if level == 2 else "h3"
                body.append(f"<{tag}>{_runs_html(p)}</{tag}>")
                continue
            kind = _list_kind(p)
            html = _runs_html(p)
            if kind:
                if open_list != kind:
                    close_list()
                    body.append(f"<{kind}>")
                    open_list = kind
                body.append(f"<li>{html}</li>")
            else:
                close_list()
                if html.strip():
                    body.append(f"<p>{html}</p>")
        elif block.tag == qn("w:tbl"):
            close_list()
            body.append(_table_html(Table(block, doc)))
    flush()
    sections = [s for s in sections if s.title or s.html]
    if not sections or not any(s.html for s in sections) and not title:
        raise DocxImportError(_("Dokumentet innehåller ingen text."))
    if not title:
        title = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0] or _("Importerat papper")
    for s in sections:
        if len(s.title) > 300:
            s.title = s.title[:297] + "…"
            warnings.append(_("En rubrik var för lång och har kortats."))
    return ImportPreview(title[:300], sections, warnings)


def import_paper(actor, ws, preview: ImportPreview, **fields):
    from workspace.papers.services import create_paper

    fields.setdefault("title", preview.title)
    return create_paper(actor, ws, sections=[(s.title, s.html) for s in preview.sections], source="import", **fields)
