"""Helpers that open exported files the way Word-compatible tools do and read them back."""
from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and pdftotext are installed by .ci/run",
)


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def body_paragraphs(doc):
    """Paragraphs of the body outside content controls (the title page and TOC are in sdt)."""
    from docx.text.paragraph import Paragraph

    return [Paragraph(p, doc) for p in doc.element.body.iterchildren(qn("w:p"))]


def num_id(paragraph) -> int | None:
    ppr = paragraph._p.pPr
    if ppr is None or ppr.numPr is None or ppr.numPr.numId is None:
        return None
    return ppr.numPr.numId.val


def ilvl(paragraph) -> int:
    return paragraph._p.pPr.numPr.ilvl.val


def num_format(doc, nid: int, level: int = 0) -> str:
    numbering = doc.part.numbering_part.element
    num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == str(nid))
    aid = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    absn = next(a for a in numbering.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == aid)
    lvl = next(x for x in absn.findall(qn("w:lvl")) if x.get(qn("w:ilvl")) == str(level))
    return lvl.find(qn("w:numFmt")).get(qn("w:val"))


def start_override(doc, nid: int) -> int | None:
    numbering = doc.part.numbering_part.element
    num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == str(nid))
    so = num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
    return int(so.get(qn("w:val"))) if so is not None else None


def pdf_text(data: bytes, suffix: str = ".docx") -> str:
    """Convert with LibreOffice headless and return the PDF's text (pdftotext)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        src = work / f"doc{suffix}"
        src.write_bytes(data)
        subprocess.run(["soffice", f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(work), str(src)],
                       check=True, capture_output=True, timeout=180)
        pdf = work / "doc.pdf"
        assert pdf.exists(), "LibreOffice could not open the file"
        return pdf_bytes_text(pdf.read_bytes())


def pdf_bytes_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdftotext", "-layout", f.name, "-"], check=True, capture_output=True, timeout=60)
    return out.stdout.decode()
