"""Demo: Regionsamverkan Sydsverige's own Word template, so `make run` exports in house style."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from sqlalchemy import select

from workspace.accounts.models import User
from workspace.db import db

HOUSE_BLUE = RGBColor(0x00, 0x3B, 0x6F)


def demo_template_docx(body_name: str) -> bytes:
    """A plain house template made here (no third-party file): blue headings, the body's name
    in the header, a line in the footer."""
    doc = Document()
    styles = doc.styles
    styles["Normal"].font.name = "Calibri"
    styles["Normal"].font.size = Pt(11)
    for name, size in (("Title", 30), ("Heading 1", 18), ("Heading 2", 14), ("Heading 3", 12)):
        styles[name].font.color.rgb = HOUSE_BLUE
        styles[name].font.size = Pt(size)
    header = doc.sections[0].header.paragraphs[0]
    run = header.add_run(body_name.upper())
    run.bold = True
    run.font.color.rgb = HOUSE_BLUE
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.sections[0].footer.paragraphs[0].text = body_name
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def load_export_demo(by_slug) -> int:
    """Give Sydsverige a template (once); returns how many were made."""
    from workspace.export.services import current_template, upload_template

    ws = by_slug.get("sydsverige")
    if ws is None or current_template(ws) is not None:
        return 0
    kansli = db.session.scalar(select(User).where(User.email == "kansli@demo.example"))
    if kansli is None:
        return 0
    upload_template(kansli, ws, demo_template_docx(ws.name), "Regionsamverkan Sydsverige.docx")
    return 1
