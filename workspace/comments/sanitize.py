"""Comments are rich text with a smaller allow-list than sections."""
from __future__ import annotations

import re

from markupsafe import escape

from workspace.papers.sanitize import sanitize_html

COMMENT_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li"}
COMMENT_ATTRIBUTES = {"a": {"href"}}
_HAS_BLOCKS = re.compile(r"<\s*(p|ul|ol|li|br)\b", re.I)
_URL = re.compile(r"(?<![\"'=>])\b(https?://[^\s<>\"']+[^\s<>\"'.,;:!?)])")


def sanitize_comment(raw: str | None) -> str:
    """Clean a comment. Text typed in a plain text box keeps its paragraphs and line
    breaks, and bare web addresses become links."""
    raw = (raw or "").replace("\r\n", "\n").strip()
    if not raw:
        return ""
    if not _HAS_BLOCKS.search(raw):
        raw = "".join(_paragraph(p.strip()) for p in re.split(r"\n\s*\n", raw) if p.strip())
    return sanitize_html(raw, tags=COMMENT_TAGS, attributes=COMMENT_ATTRIBUTES)


_BOLD = re.compile(r"\*\*(\S(?:.*?\S)?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(\S(?:.*?\S)?)\*(?![*\w])")


def _inline(text: str) -> str:
    text = _linkify(str(escape(text)))
    return _ITALIC.sub(r"<em>\1</em>", _BOLD.sub(r"<strong>\1</strong>", text))


def _paragraph(par: str) -> str:
    lines = par.split("\n")
    if all(re.match(r"\s*[-*•]\s+", line) for line in lines):
        return "<ul>" + "".join("<li>" + _inline(re.sub(r"^\s*[-*•]\s+", "", line)) + "</li>" for line in lines) + "</ul>"
    return "<p>" + "<br>".join(_inline(line) for line in lines) + "</p>"


def _linkify(text: str) -> str:
    return _URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', text)
