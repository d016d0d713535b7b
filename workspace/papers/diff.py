"""Readable differences between two texts: words added and removed, never raw HTML."""
from __future__ import annotations

import difflib
import re

import lxml.html
from markupsafe import Markup, escape

from workspace.papers.merge import split_blocks

_WORDS = re.compile(r"\s+|[^\s]+")


def _block_texts(html: str) -> list[str]:
    out = []
    for b in split_blocks(html or ""):
        el = lxml.html.fragment_fromstring(b.html, create_parent="div")
        text = " ".join(el.text_content().split())
        prefix = "• " if b.container == "ul" else ("# " if b.container == "ol" else "")
        if text:
            out.append(prefix + text)
    return out


def _words_diff(old: str, new: str) -> str:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    out = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            out.append(str(escape("".join(a[i1:i2]))))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return "".join(out)


def diff_html(old_html: str, new_html: str) -> Markup:
    """Paragraph-by-paragraph diff; changed paragraphs get a word-level diff."""
    old, new = _block_texts(old_html), _block_texts(new_html)
    sm = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            out += [f'<p class="diff-same">{escape(t)}</p>' for t in old[i1:i2]]
        elif tag == "delete":
            out += [f'<p class="diff-removed"><del>{escape(t)}</del></p>' for t in old[i1:i2]]
        elif tag == "insert":
            out += [f'<p class="diff-added"><ins>{escape(t)}</ins></p>' for t in new[j1:j2]]
        else:
            olds, news = old[i1:i2], new[j1:j2]
            for k in range(max(len(olds), len(news))):
                if k < len(olds) and k < len(news):
                    out.append(f'<p class="diff-changed">{_words_diff(olds[k], news[k])}</p>')
                elif k < len(olds):
                    out.append(f'<p class="diff-removed"><del>{escape(olds[k])}</del></p>')
                else:
                    out.append(f'<p class="diff-added"><ins>{escape(news[k])}</ins></p>')
    return Markup("".join(out))


def diff_stats(old_html: str, new_html: str) -> tuple[int, int]:
    a = " ".join(_block_texts(old_html)).split()
    b = " ".join(_block_texts(new_html)).split()
    added = removed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            removed += i2 - i1
        if tag in ("insert", "replace"):
            added += j2 - j1
    return added, removed
