"""The DOCX builder: every file opened with python-docx and its structure checked; the same
files converted by LibreOffice headless and the PDF's text checked."""
import io
import re
import zipfile
from datetime import date, datetime, timezone

import pytest
from docx.oxml.ns import qn

from tests.unit.export.docx_check import (
    body_paragraphs,
    ilvl,
    needs_libreoffice,
    num_format,
    num_id,
    open_docx,
    pdf_text,
    start_override,
)
from workspace.export.builder import build_paper_docx, build_priority_list_docx, decision_page_html
from workspace.export.document import (
    Appendix,
    CommentItem,
    CommentThread,
    DecisionPage,
    ExportDocument,
    ExportSection,
    FollowUpEntry,
    MemberDecision,
    PriorityItem,
    PriorityListExport,
)

RICH = (
    "<p>Regionerna vill ha <strong>fler spår</strong> och <em>bättre kollektivtrafik</em> i hela "
    '<a href="https://www.example.se/sydsverige">Sydsverige</a>.</p>'
    "<ol><li>Södra stambanan</li><li>Västkustbanan<ul><li>dubbelspår</li><li>fler stationer</li></ul></li>"
    "<li>Kust till kust</li></ol>"
    "<p>Mellan listorna.</p>"
    "<ol><li>Första i andra listan</li><li>Andra i andra listan</li></ol>"
    "<h2>Finansiering</h2><p>Staten ska bära kostnaden.</p>"
    "<table><thead><tr><th>Objekt</th><th>Kostnad</th></tr></thead>"
    "<tbody><tr><td>Södra stambanan</td><td>40 mdkr</td></tr><tr><td colspan=\"2\">Summa saknas</td></tr></tbody></table>"
    "<blockquote>Tillsammans är vi starkare.</blockquote>"
)


def document(**kw) -> ExportDocument:
    fields = dict(
        title="Infrastruktur för hela Sydsverige",
        body_name="Regionsamverkan Sydsverige",
        kind_label="Positionspapper",
        status_label="Utkast",
        adopted=False,
        registration_number="RSS 2026/14",
        document_date=date(2026, 11, 25),
        version_label="Remissversion 1",
        organisation="Region Skåne",
        created=datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc),
        modified=datetime(2026, 11, 20, 15, 30, tzinfo=timezone.utc),
        sections=[ExportSection(1, "Bakgrund", RICH), ExportSection(2, "Våra krav", "<p>Ett krav.</p>")],
    )
    fields.update(kw)
    return ExportDocument(**fields)


@pytest.fixture
def built(ctx):
    return build_paper_docx(document())


def test_sections_are_heading_styles_with_their_text(built):
    doc = open_docx(built)
    paras = body_paragraphs(doc)
    headings = [(p.style.name, p.text) for p in paras if p.style.name.startswith("Heading")]
    assert headings == [("Heading 1", "Bakgrund"), ("Heading 2", "Finansiering"), ("Heading 1", "Våra krav")]
    first = next(p for p in paras if p.text.startswith("Regionerna"))
    bold = [r.text for r in first.runs if r.bold]
    italic = [r.text for r in first.runs if r.italic]
    assert bold == ["fler spår"] and italic == ["bättre kollektivtrafik"]


def test_each_list_restarts_its_numbering(built):
    doc = open_docx(built)
    items = [p for p in body_paragraphs(doc) if num_id(p) is not None]
    by_text = {p.text: p for p in items}
    first, second = by_text["Södra stambanan"], by_text["Första i andra listan"]
    assert num_id(first) != num_id(second)  # a w:num of its own per list …
    for p in (first, second):  # … that starts again at 1
        assert num_format(doc, num_id(p)) == "decimal"
        assert start_override(doc, num_id(p)) == 1
    assert num_id(by_text["Kust till kust"]) == num_id(first)
    nested = by_text["dubbelspår"]
    assert ilvl(nested) == 1 and num_id(nested) == num_id(first)
    assert num_format(doc, num_id(first), 1) == "bullet"
    # numbering.xml keeps the schema's order: every abstractNum before any num
    tags = [el.tag.split("}")[1] for el in doc.part.numbering_part.element]
    assert tags.index("num") > max(i for i, t in enumerate(tags) if t == "abstractNum")


def test_links_are_real_hyperlinks(built):
    doc = open_docx(built)
    links = doc.element.body.findall(f".//{qn('w:hyperlink')}")
    assert len(links) == 1
    rel = doc.part.rels[links[0].get(qn("r:id"))]
    assert rel.is_external and rel.target_ref == "https://www.example.se/sydsverige"
    assert "".join(t.text for t in links[0].iter(qn("w:t"))) == "Sydsverige"


def test_tables_have_a_header_row_and_their_contents(built):
    doc = open_docx(built)
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Objekt", "Kostnad"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in table.rows[1].cells] == ["Södra stambanan", "40 mdkr"]
    merged = table.rows[2].cells
    assert merged[0]._tc is merged[1]._tc and merged[0].text == "Summa saknas"
    assert all(r.bold for r in table.rows[0].cells[0].paragraphs[0].runs)


def test_title_page_toc_page_numbers_and_properties(built):
    doc = open_docx(built)
    sdts = doc.element.body.findall(qn("w:sdt"))
    galleries = [s.find(f".//{qn('w:docPartGallery')}").get(qn("w:val")) for s in sdts]
    assert galleries == ["Cover Pages", "Table of Contents"]
    cover = "".join(sdts[0].itertext())
    for text in ("Regionsamverkan Sydsverige", "UTKAST", "Infrastruktur för hela Sydsverige", "Positionspapper",
                 "RSS 2026/14", "2026-11-25", "Remissversion 1", "Utkast"):
        assert text in cover
    instr = "".join(t.text for t in sdts[1].iter(qn("w:instrText")))
    assert instr.strip().startswith("TOC")
    toc_text = "".join(sdts[1].itertext())
    assert "Bakgrund" in toc_text and "Finansiering" in toc_text
    assert doc.settings.element.find(qn("w:updateFields")) is not None
    footer = doc.sections[0].footer._element
    assert any("PAGE" in (t.text or "") for t in footer.iter(qn("w:instrText")))
    cp = doc.core_properties
    assert cp.title == "Infrastruktur för hela Sydsverige"
    assert cp.identifier == "RSS 2026/14"
    assert cp.created == datetime(2026, 10, 1, 9, 0, tzinfo=timezone.utc)
    assert cp.modified == datetime(2026, 11, 20, 15, 30, tzinfo=timezone.utc)
    app = zipfile.ZipFile(io.BytesIO(built)).read("docProps/app.xml").decode()
    assert "<Company>Regionsamverkan Sydsverige</Company>" in app


def test_adopted_paper_has_no_draft_mark(ctx):
    doc = open_docx(build_paper_docx(document(adopted=True, status_label="Fastställt")))
    cover = "".join(doc.element.body.find(qn("w:sdt")).itertext())
    assert "UTKAST" not in cover and "Fastställt" in cover


def test_comment_threads_become_word_comments_on_their_passage(ctx):
    threads = [
        CommentThread(1, "bättre  kollektivtrafik i", [
            CommentItem("Anna Berg", "Gäller det även buss?", datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)),
            CommentItem("Olle Ek", "Ja, all kollektivtrafik.")]),
        CommentThread(2, "", [CommentItem("Karin Lund", "Hela avsnittet behöver källor.")]),
        CommentThread(2, "text som inte finns", [CommentItem("Bo Ek", "Citatet är borta.")]),
    ]
    doc = open_docx(build_paper_docx(document(comment_threads=threads)))
    comments = list(doc.comments)
    assert [c.author for c in comments] == ["Anna Berg", "Karin Lund", "Bo Ek"]
    assert "Gäller det även buss?" in comments[0].text and "Olle Ek" in comments[0].text
    assert "Citatet är borta." in comments[2].text and "text som inte finns" in comments[2].text
    body = doc.element.body

    def anchored(cid):
        start = body.find(f".//{qn('w:commentRangeStart')}[@{qn('w:id')}='{cid}']")
        end = body.find(f".//{qn('w:commentRangeEnd')}[@{qn('w:id')}='{cid}']")
        p = start.getparent()
        assert end.getparent() is p
        text, inside = [], False
        for el in p.iter():
            if el is start:
                inside = True
            elif el is end:
                break
            elif inside and el.tag == qn("w:t"):
                text.append(el.text)
        return "".join(text)

    assert anchored(comments[0].comment_id) == "bättre kollektivtrafik i"
    assert anchored(comments[1].comment_id) == "Våra krav"  # no quote: the section heading
    assert anchored(comments[2].comment_id) == "Våra krav"
    # the split runs keep their formatting
    italic_runs = [r for r in body_paragraphs(doc) if r.text.startswith("Regionerna")][0].runs
    assert [r.text for r in italic_runs if r.italic] == ["bättre kollektivtrafik"]


def test_appendices_and_decision_page(ctx):
    page = DecisionPage("Beslutsomgång 1", version_label="Remissversion 1", outcome_label="Fastställt",
                        decided_at=date(2026, 11, 20), members=[
                            MemberDecision("Region Skåne", "Godkänner", "Politiker Skåne", date(2026, 11, 18),
                                           ratification="Ratificerat", ratified_at=date(2026, 12, 1),
                                           ratification_reference="RS 2026/99 § 12"),
                            MemberDecision("Region Blekinge", "Godkänner med reservation", "Politiker Blekinge",
                                           reservation="Vi anser att Sydostlänken ska prioriteras.\n\nDärför reserverar vi oss.",
                                           special_statement="Ett särskilt yttrande.", minutes_note="En anteckning."),
                        ])
    doc = open_docx(build_paper_docx(document(adopted=True, appendices=[Appendix("Beslut", decision_page_html(page))])))
    paras = body_paragraphs(doc)
    heading = next(p for p in paras if p.text == "Beslut")
    assert heading.style.name == "Heading 1" and heading.paragraph_format.page_break_before
    table = doc.tables[-1]
    assert [c.text for c in table.rows[0].cells] == ["Medlemsorganisation", "Ställningstagande", "Av", "Datum",
                                                     "Ratificering"]
    assert table.rows[1].cells[4].text == "Ratificerat 2026-12-01 (RS 2026/99 § 12)"
    texts = [p.text for p in paras]
    for t in ("Reservation – Region Blekinge", "Särskilt yttrande – Region Blekinge",
              "Protokollsanteckning – Region Blekinge", "Vi anser att Sydostlänken ska prioriteras.",
              "Därför reserverar vi oss.", "Ett särskilt yttrande.", "En anteckning."):
        assert t in texts


def test_priority_list(ctx):
    data = PriorityListExport(
        title="Prioriteringar för 2026", year=2026, body_name="Regionsamverkan Sydsverige", status_label="Fastställd",
        adopted=True, periods=["Delårsbokslut 2026", "Årsbokslut 2026"],
        items=[
            PriorityItem("A", "Södra stambanan", "<p>Nya stambanor <strong>nu</strong>.</p>", ["Region Skåne"],
                         ["Infrastruktur för hela Sydsverige"],
                         [FollowUpEntry("Delårsbokslut 2026", "Pågår", "Utredning klar i maj")]),
            PriorityItem("B", "Kompetensförsörjning", "", ["Region Kronoberg", "Region Kalmar län"]),
        ],
        decision=DecisionPage("Beslut om prioriteringar", [MemberDecision("Region Skåne", "Godkänner")]),
    )
    doc = open_docx(build_priority_list_docx(data))
    headings = [p.text for p in body_paragraphs(doc) if p.style.name == "Heading 1"]
    assert headings == ["Prioriteringar", "A. Södra stambanan", "B. Kompetensförsörjning", "Uppföljning", "Beslut"]
    overview, follow, decision = doc.tables
    assert [[c.text for c in r.cells] for r in overview.rows] == [
        ["Bokstav", "Insats", "Ansvariga organisationer"], ["A", "Södra stambanan", "Region Skåne"],
        ["B", "Kompetensförsörjning", "Region Kronoberg, Region Kalmar län"]]
    assert [c.text for c in follow.rows[0].cells] == ["Insats", "Delårsbokslut 2026", "Årsbokslut 2026"]
    assert [c.text for c in follow.rows[1].cells] == ["A. Södra stambanan", "Pågår: Utredning klar i maj", "–"]
    assert decision.rows[1].cells[0].text == "Region Skåne"
    assert doc.core_properties.title == "Prioriteringar för 2026"


def test_odd_html_does_not_break_the_document(ctx):
    html = ("loose text <strong>bold</strong><p></p><p> </p><ul><li><p>para in item</p><p>second</p></li></ul>"
            "<table><tr><td rowspan=\"9\">tall</td><td>x</td></tr><tr><td>y</td></tr></table>"
            "<blockquote><p>quoted para</p></blockquote><p>a<br>b<sub>2</sub><sup>3</sup><u>u</u><s>s</s></p>"
            '<p><a href="">empty link</a></p>')
    doc = open_docx(build_paper_docx(document(sections=[ExportSection(1, "Udda", html), ExportSection(2, "Tom", "")])))
    texts = [p.text for p in body_paragraphs(doc)]
    assert "loose text" in texts[1] or "loose text bold" in " ".join(texts)
    assert any("para in item" in t and "second" in t for t in texts)
    assert "quoted para" in texts
    assert doc.tables[0].cell(1, 0).text == "tall"  # the rowspan is clipped to the table
    assert "Tom" in texts


@needs_libreoffice
def test_libreoffice_opens_the_paper_and_the_pdf_has_the_text(ctx):
    threads = [CommentThread(1, "fler spår", [CommentItem("Anna Berg", "Hur många?")])]
    page = DecisionPage("Beslutsomgång 1", [MemberDecision("Region Blekinge", "Reservation",
                                                           reservation="Sydostlänken först.")])
    data = build_paper_docx(document(comment_threads=threads,
                                     appendices=[Appendix("Beslut", decision_page_html(page))]))
    text = pdf_text(data)
    flat = " ".join(text.split())
    for expected in ("UTKAST", "Infrastruktur för hela Sydsverige", "RSS 2026/14", "Innehåll", "Bakgrund",
                     "fler spår", "1. Södra stambanan", "3. Kust till kust", "1. Första i andra listan",
                     "Finansiering", "40 mdkr", "Sydostlänken först.", "Reservation – Region Blekinge"):
        assert expected in flat, expected
    assert re.search(r"Sida 1 av \d", flat)
    # the second list restarts at 1: no "4." or "5." numbering
    assert "4. Första" not in flat


@needs_libreoffice
def test_libreoffice_opens_the_priority_list(ctx):
    data = PriorityListExport(title="Prioriteringar för 2026", year=2026, body_name="SÖSK", status_label="Utkast",
                              adopted=False, items=[PriorityItem("A", "Ystadbanan", "<p>Fler turer.</p>",
                                                                 ["Ystads kommun"])])
    flat = " ".join(pdf_text(build_priority_list_docx(data)).split())
    for expected in ("UTKAST", "Prioriteringar för 2026", "A. Ystadbanan", "Fler turer.", "Ystads kommun"):
        assert expected in flat
