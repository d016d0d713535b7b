"""Real .docx files built for the tests with python-docx."""
import io
import zipfile

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn


def add_link(paragraph, url: str, text: str) -> None:
    rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def position_paper_docx(title="Godstrafik i Sydsverige") -> bytes:
    d = Document()
    d.add_heading(title, 0)
    d.add_heading("Bakgrund", 1)
    p = d.add_paragraph("Sydsverige är ")
    p.add_run("Sveriges port").bold = True
    p.add_run(" mot ")
    p.add_run("kontinenten").italic = True
    p.add_run(". Läs mer hos ")
    add_link(p, "https://www.trafikverket.se", "Trafikverket")
    d.add_paragraph("Stambanor", style="List Bullet")
    d.add_paragraph("Hamnar", style="List Bullet")
    d.add_paragraph("Först", style="List Number")
    d.add_paragraph("Sedan", style="List Number")
    d.add_heading("Ställningstagande", 1)
    d.add_paragraph("Regionerna kräver en utbyggd godsinfrastruktur.")
    d.add_heading("Delfråga", 3)
    d.add_paragraph("Mer text.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def empty_docx() -> bytes:
    buf = io.BytesIO()
    Document().save(buf)
    return buf.getvalue()


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<" + b"a" * (120 * 1024 * 1024) + b">")
    return buf.getvalue()


def broken_zip() -> bytes:
    return position_paper_docx()[:2000]
