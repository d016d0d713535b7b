"""DOCX builder: our sanitised section HTML as real Word structure.

Headings get Heading styles, every list its own numbering instance (so numbering restarts
for each list), links become hyperlink relationships, tables get a repeating header row. The
title page and the table of contents sit in block content controls, as Word's own cover
page and TOC building blocks do; a reader of the body (and our importer) sees only the text.

Document labels come through gettext; callers build under the workspace's locale.
"""
from __future__ import annotations

import copy
import io
import re
from datetime import date, datetime, timezone
from html import escape

import lxml.etree
import lxml.html
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.parser import oxml_parser
from docx.shared import Pt, RGBColor
from docx.oxml.table import CT_Tbl
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from flask_babel import gettext as _

from workspace.export.document import (
    CommentThread,
    DecisionPage,
    ExportDocument,
    PriorityListExport,
)
from workspace.export.template import open_template

BULLETS = ("•", "◦", "▪")
NUMBER_FORMATS = ("decimal", "lowerLetter", "lowerRoman")
TOC_INSTRUCTION = ' TOC \\o "1-3" \\h \\z \\u '
LINK_COLOR = RGBColor(0x05, 0x63, 0xC1)
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


class DocxWriter:
    """Writes blocks into a document opened from the template (or the default one)."""

    def __init__(self, template: bytes | None = None):
        self.doc = open_template(template)
        self.body = self.doc.element.body
        # Resolved once: python-docx looks a style name up by scanning every style, every time.
        self._style_ids = {s.name: s.style_id for s in self.doc.styles}
        self._styles = set(self._style_ids)
        self._sect_pr = self.body.find(qn("w:sectPr"))
        self._width = None
        self._numbering = None
        self._abstract_ids: dict[tuple[str, ...], int] = {}
        self._next_num_id: int | None = None
        self._next_abstract_id: int | None = None
        self._bookmark_id = 0

    # --- styles -------------------------------------------------------------------------

    def style(self, *names: str) -> str | None:
        for name in names:
            if name in self._styles:
                return name
        return None

    def new_paragraph(self, style: str | None = None) -> Paragraph:
        """An empty body paragraph in `style` (a style name, or None for Normal)."""
        p = _el("w:p")
        if style:
            ppr = _el("w:pPr")
            ps = _el("w:pStyle")
            ps.set(qn("w:val"), self._style_ids[style])
            ppr.append(ps)
            p.append(ppr)
        self._insert(p)
        return Paragraph(p, self.doc._body)

    def _insert(self, el) -> None:
        if self._sect_pr is not None:
            self._sect_pr.addprevious(el)
        else:
            self.body.append(el)

    def paragraph(self, text: str = "", style: str | None = None) -> Paragraph:
        p = self.new_paragraph(style)
        if text:
            p._p.append(_run(text))
        return p

    def heading(self, text: str, level: int) -> Paragraph:
        return self.paragraph(text, self.style(f"Heading {level}"))

    # --- HTML ---------------------------------------------------------------------------

    def write_html(self, html: str, *, heading_offset: int = 0) -> list[Paragraph]:
        """Write section HTML; returns the paragraphs made (for anchoring comments)."""
        made: list[Paragraph] = []
        if not html or not html.strip():
            return made
        root = lxml.html.fragment_fromstring(html, create_parent="div")
        loose = root.text if root.text and root.text.strip() else None
        if loose:
            made.append(self._inline_paragraph_from_text(loose))
        for el in root:
            self._block(el, made, heading_offset)
            if el.tail and el.tail.strip():
                made.append(self._inline_paragraph_from_text(el.tail))
        return made

    def _inline_paragraph_from_text(self, text: str) -> Paragraph:
        return self.paragraph(_norm(text))

    def _block(self, el, made: list[Paragraph], heading_offset: int, style: str | None = None) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            level = min(max(int(tag[1]) + heading_offset, 2), 9)  # section titles are Heading 1
            p = self.new_paragraph(self.style(f"Heading {level}"))
            self._inline(el, p._p, {})
            made.append(p)
        elif tag in ("ul", "ol"):
            self._list(el, made)
        elif tag == "table":
            self._table(el)
        elif tag == "blockquote":
            quote_style = self.style("Quote", "Intense Quote")
            has_blocks = any(isinstance(c.tag, str) and c.tag in ("p", "ul", "ol", "h2", "h3", "h4") for c in el)
            if has_blocks:
                for child in el:
                    self._block(child, made, heading_offset, style=quote_style)
            else:
                p = self.new_paragraph(quote_style)
                self._inline(el, p._p, {})
                made.append(p)
        elif tag == "br":
            return
        else:  # p, and anything inline that slipped to the top level
            p = self.new_paragraph(style)
            if tag == "p":
                self._inline(el, p._p, {})
            else:
                self._inline_element(el, p._p, {})
            if not _paragraph_text(p._p).strip():
                self.body.remove(p._p)
                return
            made.append(p)

    def _inline(self, el, target, fmt: dict) -> None:
        """The text and inline children of `el`, appended to `target` (w:p or w:hyperlink)."""
        if el.text:
            target.append(_run(_collapse(el.text), fmt))
        for child in el:
            self._inline_element(child, target, fmt)
            if child.tail:
                target.append(_run(_collapse(child.tail), fmt))

    def _inline_element(self, child, target, fmt: dict) -> None:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "br":
            r = _el("w:r")
            r.append(_el("w:br"))
            target.append(r)
            return
        if tag == "a" and target.tag == qn("w:p"):
            href = (child.get("href") or "").strip()
            if href:
                target.append(self._hyperlink(child, href, fmt))
                return
        new = dict(fmt)
        if tag in ("strong", "b", "th"):
            new["b"] = True
        elif tag in ("em", "i"):
            new["i"] = True
        elif tag in ("u", "ins"):
            new["u"] = True
        elif tag in ("s", "del"):
            new["strike"] = True
        elif tag == "sub":
            new["valign"] = "subscript"
        elif tag == "sup":
            new["valign"] = "superscript"
        self._inline(child, target, new)

    def _hyperlink(self, a, href: str, fmt: dict):
        rid = self.doc.part.relate_to(href, RT.HYPERLINK, is_external=True)
        link = _el("w:hyperlink")
        link.set(qn("r:id"), rid)
        link.set(qn("w:history"), "1")
        style = self.style("Hyperlink")
        link_fmt = dict(fmt, link_style=style) if style else dict(fmt, color=LINK_COLOR, u=True)
        self._inline(a, link, link_fmt)
        return link

    # --- lists: a w:num per list, so numbering restarts ----------------------------------

    def _list(self, el, made: list[Paragraph]) -> None:
        shape = _list_shape(el)
        num_id = self._new_num(shape)
        self._list_items(el, 0, num_id, made)

    def _list_items(self, el, depth: int, num_id: int, made: list[Paragraph]) -> None:
        style = self.style("List Paragraph", "List Number" if el.tag == "ol" else "List Bullet")
        for li in el:
            if not isinstance(li.tag, str) or li.tag != "li":
                continue
            p = self.new_paragraph(style)
            ppr = p._p.get_or_add_pPr()
            numpr = _el("w:numPr")
            ilvl = _el("w:ilvl")
            ilvl.set(qn("w:val"), str(min(depth, 8)))
            num = _el("w:numId")
            num.set(qn("w:val"), str(num_id))
            numpr.append(ilvl)
            numpr.append(num)
            ppr.append(numpr)
            nested = []
            if li.text:
                p._p.append(_run(_collapse(li.text), {}))
            for child in li:
                if isinstance(child.tag, str) and child.tag in ("ul", "ol"):
                    nested.append(child)
                elif isinstance(child.tag, str) and child.tag == "p":
                    if _paragraph_text(p._p):
                        r = _el("w:r")
                        r.append(_el("w:br"))
                        p._p.append(r)
                    self._inline(child, p._p, {})
                else:
                    self._inline_element(child, p._p, {})
                if child.tail and child.tail.strip():
                    p._p.append(_run(_collapse(child.tail), {}))
            made.append(p)
            for sub in nested:
                self._list_items(sub, depth + 1, num_id, made)

    def _numbering_el(self):
        if self._numbering is None:
            self._numbering = self.doc.part.numbering_part.element
            nums = [int(n.get(qn("w:numId"))) for n in self._numbering.findall(qn("w:num"))]
            abstracts = [int(a.get(qn("w:abstractNumId"))) for a in self._numbering.findall(qn("w:abstractNum"))]
            self._next_num_id = max(nums, default=0) + 1
            self._next_abstract_id = max(abstracts, default=-1) + 1
        return self._numbering

    def _abstract_for(self, shape: tuple[str, ...]) -> int:
        if shape in self._abstract_ids:
            return self._abstract_ids[shape]
        numbering = self._numbering_el()
        aid = self._next_abstract_id
        self._next_abstract_id += 1
        absn = _el("w:abstractNum")
        absn.set(qn("w:abstractNumId"), str(aid))
        mlt = _el("w:multiLevelType")
        mlt.set(qn("w:val"), "hybridMultilevel")
        absn.append(mlt)
        for level in range(9):
            kind = shape[min(level, len(shape) - 1)]
            absn.append(_level(level, kind))
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:  # the schema wants every abstractNum before the nums
            first_num.addprevious(absn)
        else:
            numbering.append(absn)
        self._abstract_ids[shape] = aid
        return aid

    def _new_num(self, shape: tuple[str, ...]) -> int:
        aid = self._abstract_for(shape)
        numbering = self._numbering_el()
        num_id = self._next_num_id
        self._next_num_id += 1
        num = _el("w:num")
        num.set(qn("w:numId"), str(num_id))
        ref = _el("w:abstractNumId")
        ref.set(qn("w:val"), str(aid))
        num.append(ref)
        override = _el("w:lvlOverride")
        override.set(qn("w:ilvl"), "0")
        start = _el("w:startOverride")
        start.set(qn("w:val"), "1")
        override.append(start)
        num.append(override)
        numbering.append(num)
        return num_id

    # --- tables ---------------------------------------------------------------------------

    def _table(self, el) -> None:
        rows = [tr for tr in el.iter("tr")]
        if not rows:
            return
        # Lay the cells on a grid so that colspan and rowspan become merged cells.
        grid: dict[tuple[int, int], object] = {}
        spans = []
        for r, tr in enumerate(rows):
            c = 0
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                    continue
                while (r, c) in grid:
                    c += 1
                cs, rs = _span(cell.get("colspan")), _span(cell.get("rowspan"))
                rs = min(rs, len(rows) - r)
                for dr in range(rs):
                    for dc in range(cs):
                        grid[(r + dr, c + dc)] = cell if (dr, dc) == (0, 0) else None
                spans.append((r, c, rs, cs, cell))
                c += cs
        n_cols = max((c for _, c in grid), default=0) + 1
        if self._width is None:
            self._width = self.doc._block_width
        width = self._width
        tbl = CT_Tbl.new_tbl(len(rows), n_cols, width)
        style = self.style("Table Grid")
        if style:
            ts = _el("w:tblStyle")
            ts.set(qn("w:val"), self._style_ids[style])
            tbl.tblPr.insert(0, ts)
        self._insert(tbl)
        table = Table(tbl, self.doc._body)
        header = rows[0].getparent().tag == "thead" or all(
            isinstance(c.tag, str) and c.tag == "th" for c in rows[0] if isinstance(c.tag, str))
        merged = any(rs > 1 or cs > 1 for _r, _c, rs, cs, _cell in spans)
        trs = tbl.tr_lst
        for r, c, rs, cs, cell in spans:
            if merged:
                target = table.cell(r, c)
                if rs > 1 or cs > 1:
                    target = target.merge(table.cell(r + rs - 1, c + cs - 1))
                p_el = target._tc.p_lst[0]
            else:  # the common case: straight to the cell, without python-docx's grid walk
                p_el = trs[r].tc_lst[c].p_lst[0]
            self._inline(cell, p_el, {"b": True} if cell.tag == "th" else {})
        if header:
            trpr = table.rows[0]._tr.get_or_add_trPr()
            trpr.append(_el("w:tblHeader"))

    # --- fields, content controls, page parts ---------------------------------------------

    def content_control(self, paragraphs_and_tables: list, gallery: str) -> None:
        """Move blocks into a block-level content control (w:sdt) like Word's building blocks."""
        sdt = _el("w:sdt")
        pr = _el("w:sdtPr")
        obj = _el("w:docPartObj")
        gal = _el("w:docPartGallery")
        gal.set(qn("w:val"), gallery)
        obj.append(gal)
        obj.append(_el("w:docPartUnique"))
        pr.append(obj)
        sdt.append(pr)
        content = _el("w:sdtContent")
        sdt.append(content)
        first = paragraphs_and_tables[0]
        first.addprevious(sdt)
        for el in paragraphs_and_tables:
            content.append(el)

    def page_break(self) -> Paragraph:
        p = self.new_paragraph()
        r = _el("w:r")
        br = _el("w:br")
        br.set(qn("w:type"), "page")
        r.append(br)
        p._p.append(r)
        return p

    def toc(self, entries: list[tuple[int, str]]) -> list:
        """A TOC field Word updates on opening; its cached result already lists the headings,
        so a reader that does not update fields (or a PDF made without Word) shows them too."""
        heading_style = self.style("TOC Heading")
        head = self.paragraph(_("Innehåll"), heading_style)
        if heading_style is None:
            for r in head.runs:
                r.bold = True
                r.font.size = Pt(16)
        blocks = [head._p]
        if not entries:
            entries = [(1, _("Uppdatera innehållsförteckningen (F9 i Word)."))]
        for i, (level, text) in enumerate(entries):
            p = self.new_paragraph(self.style(f"TOC {level}", f"toc {level}"))
            if i == 0:
                p._p.append(_fld_char("begin", dirty=True))
                p._p.append(_instr(TOC_INSTRUCTION))
                p._p.append(_fld_char("separate"))
            if self.style(f"TOC {level}") is None:
                p.paragraph_format.left_indent = Pt(14 * (level - 1))
            p._p.append(_run(text))
            if i == len(entries) - 1:
                p._p.append(_fld_char("end"))
            blocks.append(p._p)
        blocks.append(self.page_break()._p)
        settings = self.doc.settings.element
        if settings.find(qn("w:updateFields")) is None:
            upd = _el("w:updateFields")
            upd.set(qn("w:val"), "true")
            settings.append(upd)
        return blocks

    def page_numbers(self) -> None:
        """A PAGE field in every footer that does not have one (a template's own footer kept)."""
        for section in self.doc.sections:
            footer = section.footer
            if _has_page_field(footer._element):
                continue
            p = footer.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p._p.append(_run(_("Sida") + " "))
            p._p.append(_fld_char("begin"))
            p._p.append(_instr(" PAGE "))
            p._p.append(_fld_char("separate"))
            p._p.append(_run("1"))
            p._p.append(_fld_char("end"))
            p._p.append(_run(" " + _("av") + " "))
            p._p.append(_fld_char("begin"))
            p._p.append(_instr(" NUMPAGES "))
            p._p.append(_fld_char("separate"))
            p._p.append(_run("1"))
            p._p.append(_fld_char("end"))

    def properties(self, *, title: str, organisation: str, subject: str = "", author: str = "",
                   created: datetime | None = None, modified: datetime | None = None,
                   identifier: str = "", status: str = "") -> None:
        cp = self.doc.core_properties
        cp.title = title[:255]
        cp.subject = subject[:255]
        cp.author = (author or organisation)[:255]
        cp.last_modified_by = (author or organisation)[:255]
        cp.category = subject[:255]
        cp.identifier = identifier[:255]
        cp.content_status = status[:255]
        cp.language = "sv-SE"
        cp.keywords = ""
        cp.comments = ""
        cp.revision = 1
        now = datetime.now(timezone.utc)
        cp.created = _naive_utc(created or now)
        cp.modified = _naive_utc(modified or now)
        _set_company(self.doc, organisation)

    # --- comments -------------------------------------------------------------------------

    def comment(self, paragraphs: list[Paragraph], fallback: Paragraph, thread: CommentThread) -> None:
        """Anchor a thread on its quoted passage, or on the section heading if not found."""
        if not thread.comments:
            return
        runs = None
        quote = _norm(thread.quote or "")
        if quote:
            for p in paragraphs:
                runs = _isolate(p, quote)
                if runs:
                    break
        prefix = ""
        if not runs:
            runs = [Run(r, fallback) for r in fallback._p.iter(qn("w:r")) if _run_text(r)]
            if quote:
                prefix = _("Om texten: ”%(q)s”", q=quote[:300])
        if not runs:
            return
        first, *replies = thread.comments
        c = self.doc.add_comment(runs, text="", author=first.author[:100] or "–",
                                 initials=(first.initials or _initials(first.author))[:9])
        if first.created_at is not None:
            c._comment_elm.set(qn("w:date"), _naive_utc(first.created_at).strftime("%Y-%m-%dT%H:%M:%SZ"))
        para = c.paragraphs[0]
        if prefix:
            para.add_run(prefix)
            para = c.add_paragraph()
        para.add_run(first.text)
        for reply in replies:
            rp = c.add_paragraph()
            when = f" {_naive_utc(reply.created_at):%Y-%m-%d}" if reply.created_at else ""
            rp.add_run(f"{reply.author}{when}: ").bold = True
            rp.add_run(reply.text)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


# --- the documents we make --------------------------------------------------------------

def title_page(w: DocxWriter, *, body_name: str, title: str, kind: str, facts: list[tuple[str, str]],
               draft: bool) -> None:
    blocks = []
    p = w.paragraph(body_name, w.style("Subtitle"))
    blocks.append(p._p)
    if draft:
        p = w.paragraph()
        r = p.add_run(_("UTKAST"))
        r.bold = True
        r.font.size = Pt(28)
        r.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
        blocks.append(p._p)
    blocks.append(w.paragraph(title, w.style("Title"))._p)
    if kind:
        blocks.append(w.paragraph(kind, w.style("Subtitle"))._p)
    for label, value in facts:
        if not value:
            continue
        p = w.paragraph()
        p.add_run(f"{label}: ").bold = True
        p.add_run(value)
        blocks.append(p._p)
    blocks.append(w.page_break()._p)
    w.content_control(blocks, "Cover Pages")


def _toc_entries(sections: list[tuple[str, str]], appendix_titles: list[str]) -> list[tuple[int, str]]:
    entries = []
    for title, html in sections:
        entries.append((1, title))
        for m in re.finditer(r"<h([23])[^>]*>(.*?)</h\1>", html or "", re.S):
            text = _norm(lxml.html.fragment_fromstring(m.group(2), create_parent="div").text_content())
            if text:
                entries.append((int(m.group(1)), text))
    entries += [(1, t) for t in appendix_titles]
    return entries


def build_paper_docx(d: ExportDocument, template: bytes | None = None) -> bytes:
    w = DocxWriter(template)
    facts = [
        (_("Diarienummer"), d.registration_number),
        (_("Datum"), (d.document_date or date.today()).isoformat()),
        (_("Version"), d.version_label),
        (_("Status"), d.status_label),
        (_("Ansvarig organisation"), d.organisation),
    ]
    title_page(w, body_name=d.body_name, title=d.title, kind=d.kind_label, facts=facts, draft=not d.adopted)
    toc = w.toc(_toc_entries([(s.title, s.html) for s in d.sections], [a.title for a in d.appendices]))
    w.content_control(toc, "Table of Contents")
    threads: dict[int, list[CommentThread]] = {}
    for t in d.comment_threads:
        threads.setdefault(t.section_key, []).append(t)
    for s in d.sections:
        head = w.heading(s.title, 1)
        made = w.write_html(s.html, heading_offset=0)
        for t in threads.get(s.key, []):
            w.comment(made, head, t)
    for a in d.appendices:
        w.heading(a.title, 1).paragraph_format.page_break_before = True
        w.write_html(a.html, heading_offset=0)
    w.page_numbers()
    w.properties(title=d.title, organisation=d.body_name, subject=d.kind_label, author=d.author,
                 created=d.created, modified=d.modified, identifier=d.registration_number,
                 status=d.status_label)
    return w.save()


def decision_page_html(page: DecisionPage) -> str:
    """The decision page as section HTML: members × decision, then every statement in full."""
    e = escape
    out = []
    facts = [(_("Beslutsomgång"), page.round_name), (_("Version"), page.version_label),
             (_("Beslutsregel"), page.rule_label), (_("Utfall"), page.outcome_label),
             (_("Beslutsdatum"), _fmt_date(page.decided_at))]
    out.append("".join(f"<p><strong>{e(k)}:</strong> {e(v)}</p>" for k, v in facts if v))
    head = [_("Medlemsorganisation"), _("Ställningstagande"), _("Av"), _("Datum"), _("Ratificering")]
    rows = []
    for m in page.members:
        ratification = m.ratification
        if m.ratified_at:
            ratification += f" {_fmt_date(m.ratified_at)}"
        if m.ratification_reference:
            ratification += f" ({m.ratification_reference})"
        rows.append("<tr>" + "".join(f"<td>{e(v)}</td>" for v in (
            m.organization, m.decision, m.decided_by, _fmt_date(m.decided_at), ratification.strip() or "–")) + "</tr>")
    out.append("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>"
               + "".join(rows) + "</tbody></table>")
    kinds = [("reservation", _("Reservation")), ("special_statement", _("Särskilt yttrande")),
             ("minutes_note", _("Protokollsanteckning"))]
    for attr, label in kinds:
        for m in page.members:
            text = getattr(m, attr)
            if text and text.strip():
                out.append(f"<h2>{e(label)} – {e(m.organization)}</h2>")
                if m.decided_by:
                    out.append(f"<p><em>{e(m.decided_by)}</em></p>")
                out += [f"<p>{e(part.strip())}</p>" for part in re.split(r"\n\s*\n", text) if part.strip()]
    return "".join(out)


def build_priority_list_docx(data: PriorityListExport, template: bytes | None = None) -> bytes:
    """A priority list: the items by letter, who is responsible, the decision, the follow-ups."""
    e = escape
    w = DocxWriter(template)
    facts = [(_("År"), str(data.year)), (_("Diarienummer"), data.registration_number),
             (_("Datum"), (data.document_date or date.today()).isoformat()), (_("Status"), data.status_label)]
    title_page(w, body_name=data.body_name, title=data.title, kind=_("Prioriteringslista"), facts=facts,
               draft=not data.adopted)
    overview = _("Prioriteringar")
    parts: list[tuple[str, str]] = []
    table = ("<table><thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in
             (_("Bokstav"), _("Insats"), _("Ansvariga organisationer"))) + "</tr></thead><tbody>")
    for item in data.items:
        table += (f"<tr><td>{e(item.letter)}</td><td>{e(item.title)}</td>"
                  f"<td>{e(', '.join(item.responsible) or '–')}</td></tr>")
    table += "</tbody></table>"
    parts.append((overview, table))
    for item in data.items:
        html = item.description_html or ""
        if item.responsible:
            label = _("Ansvariga")
            html += f"<p><strong>{e(label)}:</strong> {e(', '.join(item.responsible))}</p>"
        if item.papers:
            label = _("Positionspapper")
            html += f"<p><strong>{e(label)}:</strong></p><ul>" + "".join(
                f"<li>{e(t)}</li>" for t in item.papers) + "</ul>"
        parts.append((f"{item.letter}. {item.title}", html))
    periods = data.periods or sorted({f.period for i in data.items for f in i.follow_ups})
    if periods:
        rows = []
        for item in data.items:
            by_period = {f.period: f for f in item.follow_ups}
            cells = []
            for period in periods:
                f = by_period.get(period)
                cells.append(f"<td>{e(f.status)}{(': ' + e(f.comment)) if f and f.comment else ''}</td>"
                             if f else "<td>–</td>")
            rows.append(f"<tr><td>{e(item.letter)}. {e(item.title)}</td>{''.join(cells)}</tr>")
        follow = ("<table><thead><tr>" + "<th>" + e(_("Insats")) + "</th>" + "".join(f"<th>{e(p)}</th>" for p in periods)
                  + "</tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
        parts.append((_("Uppföljning"), follow))
    appendix_titles = [_("Beslut")] if data.decision else []
    toc = w.toc(_toc_entries(parts, appendix_titles))
    w.content_control(toc, "Table of Contents")
    for title, html in parts:
        w.heading(title, 1)
        w.write_html(html)
    if data.decision:
        w.heading(_("Beslut"), 1).paragraph_format.page_break_before = True
        w.write_html(decision_page_html(data.decision))
    w.page_numbers()
    w.properties(title=data.title, organisation=data.body_name, subject=_("Prioriteringslista"),
                 modified=data.modified, identifier=data.registration_number, status=data.status_label)
    return w.save()


def changes_appendix_html(comparisons, since_label: str) -> str:
    """The list of changes since a version, from papers.services' comparisons."""
    e = escape
    labels = {"added": _("Nytt avsnitt"), "removed": _("Borttaget avsnitt"), "changed": _("Ändrat avsnitt")}
    intro = _("Ändringar jämfört med versionen ”%(v)s”. Struken text är borttagen, understruken text är ny.",
              v=since_label)
    out = [f"<p>{e(intro)}</p>"]
    changed = [c for c in comparisons if c.status != "same"]
    if not changed:
        out.append("<p>" + e(_("Inga ändringar.")) + "</p>")
    for c in changed:
        out.append(f"<h2>{e(c.title)} ({e(labels.get(c.status, c.status))})</h2>")
        diff = str(c.diff)
        if c.status == "changed":
            # Only the changed paragraphs: the unchanged ones are in the document already.
            diff = re.sub(r'<p class="diff-same">.*?</p>', "", diff, flags=re.S)
        diff = re.sub(r'<p class="diff-[a-z]+">', "<p>", diff)
        out.append(diff)
    return "".join(out)


# --- small XML helpers --------------------------------------------------------------------

_W_NSMAP = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
_CLARK: dict[str, str] = {}


def _el(tag: str):
    """OxmlElement without its per-call prefix parsing (the builder makes tens of thousands)."""
    clark = _CLARK.get(tag)
    if clark is None:
        clark = _CLARK[tag] = qn(tag)
    if tag.startswith("w:"):
        return oxml_parser.makeelement(clark, nsmap=_W_NSMAP)
    return OxmlElement(tag)


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text)


def _run(text: str, fmt: dict | None = None):
    r = _el("w:r")
    if fmt:
        rpr = _el("w:rPr")
        if fmt.get("link_style"):
            rs = _el("w:rStyle")
            rs.set(qn("w:val"), "Hyperlink")
            rpr.append(rs)
        for key, tag in (("b", "w:b"), ("i", "w:i"), ("strike", "w:strike")):
            if fmt.get(key):
                rpr.append(_el(tag))
        if fmt.get("color") is not None:
            col = _el("w:color")
            col.set(qn("w:val"), str(fmt["color"]))
            rpr.append(col)
        if fmt.get("u"):
            u = _el("w:u")
            u.set(qn("w:val"), "single")
            rpr.append(u)
        if fmt.get("valign"):
            va = _el("w:vertAlign")
            va.set(qn("w:val"), fmt["valign"])
            rpr.append(va)
        if len(rpr):
            r.append(rpr)
    t = _el("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    r.append(t)
    return r


def _run_text(r) -> str:
    return "".join(t.text or "" for t in r.iter(qn("w:t")))


def _paragraph_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def _fld_char(kind: str, dirty: bool = False):
    r = _el("w:r")
    fc = _el("w:fldChar")
    fc.set(qn("w:fldCharType"), kind)
    if dirty:
        fc.set(qn("w:dirty"), "true")
    r.append(fc)
    return r


def _instr(text: str):
    r = _el("w:r")
    it = _el("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = text
    r.append(it)
    return r


def _has_page_field(el) -> bool:
    for node in el.iter(qn("w:instrText"), qn("w:fldSimple")):
        text = node.text or node.get(qn("w:instr")) or ""
        if "PAGE" in text.upper():
            return True
    return False


def _level(level: int, kind: str):
    lvl = _el("w:lvl")
    lvl.set(qn("w:ilvl"), str(level))
    start = _el("w:start")
    start.set(qn("w:val"), "1")
    lvl.append(start)
    fmt = _el("w:numFmt")
    text = _el("w:lvlText")
    if kind == "ol":
        fmt.set(qn("w:val"), NUMBER_FORMATS[level % 3])
        text.set(qn("w:val"), f"%{level + 1}.")
    else:
        fmt.set(qn("w:val"), "bullet")
        text.set(qn("w:val"), BULLETS[level % 3])
    lvl.append(fmt)
    lvl.append(text)
    jc = _el("w:lvlJc")
    jc.set(qn("w:val"), "left")
    lvl.append(jc)
    ppr = _el("w:pPr")
    ind = _el("w:ind")
    ind.set(qn("w:left"), str(720 * (level + 1)))
    ind.set(qn("w:hanging"), "360")
    ppr.append(ind)
    lvl.append(ppr)
    return lvl


def _list_shape(el) -> tuple[str, ...]:
    """The list kind at each depth ("ul", "ol", …), the first one seen at that depth."""
    kinds: dict[int, str] = {}

    def walk(node, depth):
        kinds.setdefault(depth, node.tag)
        for li in node:
            for child in li:
                if isinstance(child.tag, str) and child.tag in ("ul", "ol"):
                    walk(child, depth + 1)

    walk(el, 0)
    return tuple(kinds[d] for d in sorted(kinds))


def _span(raw) -> int:
    try:
        return max(1, min(int(raw or 1), 50))
    except ValueError:
        return 1


def _isolate(paragraph: Paragraph, quote: str) -> list[Run] | None:
    """Split runs so that `quote` is exactly a run of runs; return them, or None."""
    runs = [r for r in paragraph._p.iter(qn("w:r")) if r.find(qn("w:t")) is not None]
    texts = [_run_text(r) for r in runs]
    full = "".join(texts)
    # Compare with collapsed whitespace but map back to the real offsets.
    index, collapsed = [], []
    prev_space = False
    for i, ch in enumerate(full):
        if ch.isspace():
            if prev_space:
                continue
            prev_space = True
            collapsed.append(" ")
        else:
            prev_space = False
            collapsed.append(ch)
        index.append(i)
    pos = "".join(collapsed).find(quote)
    if pos < 0:
        return None
    start, end = index[pos], index[pos + len(quote) - 1] + 1
    covered = []
    offset = 0
    for r, text in zip(runs, texts):
        r_start, r_end = offset, offset + len(text)
        offset = r_end
        if r_end <= start or r_start >= end:
            continue
        a, b = max(start, r_start) - r_start, min(end, r_end) - r_start
        if a > 0:
            before = copy.deepcopy(r)
            _set_run_text(before, text[:a])
            r.addprevious(before)
        if b < len(text):
            after = copy.deepcopy(r)
            _set_run_text(after, text[b:])
            r.addnext(after)
        _set_run_text(r, text[a:b])
        covered.append(Run(r, paragraph))
    return covered or None


def _set_run_text(r, text: str) -> None:
    ts = r.findall(qn("w:t"))
    ts[0].text = text
    ts[0].set(qn("xml:space"), "preserve")
    for extra in ts[1:]:
        r.remove(extra)


def _initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:3] if part).upper()


def _naive_utc(value: datetime) -> datetime:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _fmt_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    return value.isoformat()


APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
APP_CT = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
APP_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"


def _set_company(doc, organisation: str) -> None:
    """Company lives in the extended properties (docProps/app.xml), which python-docx does not model."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    package = doc.part.package
    part = next((p for p in package.iter_parts() if p.partname == "/docProps/app.xml"), None)
    if part is None:
        blob = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<Properties xmlns="{APP_NS}"><Application>Samverkan</Application></Properties>').encode()
        part = Part(PackURI("/docProps/app.xml"), APP_CT, blob, package)
        package.relate_to(part, APP_RT)
    root = lxml.etree.fromstring(part.blob)
    company = root.find(f"{{{APP_NS}}}Company")
    if company is None:
        company = lxml.etree.SubElement(root, f"{{{APP_NS}}}Company")
    company.text = organisation
    part._blob = lxml.etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
