import io

import pytest

from tests.docx_factory import broken_zip, empty_docx, position_paper_docx, zip_bomb
from workspace.papers.importer import DocxImportError, parse_docx


def test_headings_split_sections_and_formatting_is_kept(ctx):
    pv = parse_docx(io.BytesIO(position_paper_docx()), "gods.docx")
    assert pv.title == "Godstrafik i Sydsverige"
    assert [s.title for s in pv.sections] == ["Bakgrund", "Ställningstagande"]
    bg = pv.sections[0].html
    assert "<strong>Sveriges port</strong>" in bg and "<em>kontinenten</em>" in bg
    assert '<a href="https://www.trafikverket.se" rel="noopener noreferrer">Trafikverket</a>' in bg
    assert "<ul><li>Stambanor</li><li>Hamnar</li></ul>" in bg
    assert "<ol><li>Först</li><li>Sedan</li></ol>" in bg
    assert "<h3>Delfråga</h3>" in pv.sections[1].html


@pytest.mark.parametrize("data,name,message", [
    (b"%PDF-1.4 not a word file", "papper.docx", "inte ett Word-dokument"),
    (b"hello", "papper.txt", ".docx"),
    (broken_zip(), "papper.docx", "skadad"),
    (empty_docx(), "tomt.docx", "ingen text"),
])
def test_bad_files_get_a_clear_message(ctx, data, name, message):
    with pytest.raises(DocxImportError, match=message):
        parse_docx(io.BytesIO(data), name)


def test_zip_bomb_is_refused_before_unpacking(ctx):
    with pytest.raises(DocxImportError, match="orimligt"):
        parse_docx(io.BytesIO(zip_bomb()), "bomb.docx")
