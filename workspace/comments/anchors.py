"""Keeping a comment on its passage while others edit the section.

A thread stores the quoted text, and the text and index of the block (paragraph, list
item, heading …, as `papers.merge.split_blocks` cuts them) it started in. On every render
the quote is looked up in the current text: in the same block if that block is still
there, else in the block nearest to where it was. When the quote is gone the thread is
"changed": still shown, with the quote, never lost.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

import lxml.html
from markupsafe import Markup, escape

from workspace.papers.merge import Block, join_blocks, split_blocks


def normalize(text: str | None) -> str:
    return " ".join((text or "").split())


def block_texts(html: str) -> list[str]:
    out = []
    for b in split_blocks(html or ""):
        el = lxml.html.fragment_fromstring(b.html, create_parent="div")
        out.append(normalize(el.text_content()))
    return out


@dataclass(frozen=True)
class Anchor:
    state: str  # "section" (no quote) | "attached" | "changed"
    index: int | None = None  # the block the passage is in now


def _find(texts: list[str], quote: str) -> list[int]:
    """Blocks whose text holds the quote; a quote across blocks gives its first block."""
    hits = [i for i, t in enumerate(texts) if quote in t]
    if hits:
        return hits
    joined, starts, pos = "", [], 0
    for t in texts:
        starts.append(pos)
        joined += t + " "
        pos += len(t) + 1
    out, at = [], joined.find(quote)
    while at != -1:
        out.append(max(i for i, s in enumerate(starts) if s <= at))
        at = joined.find(quote, at + 1)
    return out


def locate(html: str, quote: str | None, anchor_text: str | None, anchor_index: int | None,
           old_html: str | None = None) -> Anchor:
    """Where the quote is now. `old_html` (the text when the thread started) lets us follow
    the block through the edits since, so that a repeated phrase never jumps blocks."""
    q = normalize(quote)
    if not q:
        return Anchor("section")
    texts = block_texts(html)
    hits = _find(texts, q)
    if not hits:
        return Anchor("changed")
    where = anchor_index or 0
    if old_html is not None and anchor_index is not None:
        mapped = _follow(block_texts(old_html), texts, anchor_index)
        if mapped:
            near = [i for i in hits if mapped[0] <= i < mapped[1]]
            if near:
                return Anchor("attached", near[0])
            where = mapped[0]
    same = [i for i in hits if texts[i] == anchor_text]
    pool = same or hits
    return Anchor("attached", min(pool, key=lambda i: (abs(i - where), i)))


def _follow(old: list[str], new: list[str], index: int) -> tuple[int, int] | None:
    """The range of new blocks that block `index` of the old text became."""
    sm = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if i1 <= index < i2:
            if tag == "equal":
                return j1 + index - i1, j1 + index - i1 + 1
            return (j1, j2) if j2 > j1 else (j1, j1 + 1)
    return None


def new_anchor(html: str, quote: str | None, hint_index: int | None = None) -> tuple[int, str] | None:
    """Where a new quote sits now: (block index, block text), or None if not in the text."""
    q = normalize(quote)
    texts = block_texts(html)
    hits = _find(texts, q) if q else []
    if not hits:
        return None
    where = hint_index if hint_index is not None else hits[0]
    index = min(hits, key=lambda i: (abs(i - where), i))
    return index, texts[index]


def annotate(html: str, marks: dict[int, list[int]], section_id: int, label: str) -> Markup:
    """The section's HTML with each commented block marked and linked to its threads.

    `html` is stored, sanitised HTML; only attributes and links we make are added."""
    if not marks:
        return Markup(html)
    blocks = split_blocks(html)
    out: list[Block] = []
    for i, b in enumerate(blocks):
        thread_ids = marks.get(i)
        if not thread_ids:
            out.append(b)
            continue
        el = lxml.html.fragment_fromstring(b.html)
        el.set("class", "commented")
        el.set("id", f"section-{section_id}-block-{i}")
        for tid in thread_ids:
            a = lxml.html.Element("a", {"class": "comment-marker", "href": f"#thread-{tid}",
                                        "aria-label": f"{label} {tid}"})
            el.append(a)
        out.append(Block(lxml.html.tostring(el, encoding="unicode"), b.container))
    return Markup(join_blocks(out))


def quote_markup(quote: str) -> Markup:
    return Markup("”{}”").format(escape(quote))
