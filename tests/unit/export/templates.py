"""Word templates for tests, made here: a .dotx with a header and sample text, broken ones."""
from __future__ import annotations

import io
import re
import zipfile

from docx import Document

CT_DOC = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
CT_TEMPLATE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"


def _rezip(data: bytes, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = change(info.filename, src.read(info.filename))
            if blob is not None:
                dst.writestr(info.filename, blob)
    return out.getvalue()


def house_docx(header_text: str = "SYDSVERIGE-SIDHUVUD") -> bytes:
    doc = Document()
    doc.sections[0].header.paragraphs[0].text = header_text
    doc.add_paragraph("Mallens exempeltext som inte ska följa med")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def house_dotx(header_text: str = "SYDSVERIGE-SIDHUVUD") -> bytes:
    return _rezip(house_docx(header_text),
                  lambda name, blob: blob.replace(CT_DOC, CT_TEMPLATE) if name == "[Content_Types].xml" else blob)


def without_headings() -> bytes:
    def change(name, blob):
        if name == "word/styles.xml":
            return re.sub(rb'<w:style [^>]*w:styleId="Heading[123]".*?</w:style>', b"", blob, flags=re.S)
        return blob

    return _rezip(house_docx(), change)


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
        zf.writestr("word/media/huge.bin", b"\0" * (80 * 1024 * 1024))
    return out.getvalue()


def with_macros() -> bytes:
    def change(name, blob):
        return blob

    data = _rezip(house_dotx(), change)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst, zipfile.ZipFile(io.BytesIO(data)) as src:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("word/vbaProject.bin", b"macro")
    return out.getvalue()


def not_word_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "hej")
    return out.getvalue()


def with_page_number_footer() -> bytes:
    """A template whose own footer already numbers the pages (a simple PAGE field)."""
    from docx.oxml import parse_xml

    doc = Document()
    p = doc.sections[0].footer.paragraphs[0]
    p._p.append(parse_xml('<w:fldSimple xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
                          'w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>'))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
