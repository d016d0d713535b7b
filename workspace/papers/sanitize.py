"""The one allow-list for section text: what the editor can make, nothing more.

Everything a user writes or imports passes through `sanitize_html` before it is stored,
so stored HTML is safe to render as is.
"""
from __future__ import annotations

import re

import lxml.html
import nh3

SECTION_TAGS = {
    "p", "br", "h2", "h3", "h4", "strong", "em", "u", "s", "sub", "sup",
    "ul", "ol", "li", "a", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
}
SECTION_ATTRIBUTES = {"a": {"href"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
# Removed together with their content (not just unwrapped).
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
                     "head", "title", "xml"}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_HTML_LENGTH = 500_000

_RENAMES = [
    (re.compile(r"<(/?)b(\s|>)", re.I), r"<\1strong\2"),
    (re.compile(r"<(/?)i(\s|>)", re.I), r"<\1em\2"),
    (re.compile(r"<(/?)h1(\s|>)", re.I), r"<\1h2\2"),
    (re.compile(r"<(/?)h[56](\s|>)", re.I), r"<\1h4\2"),
]
_WORD_NS = re.compile(r"</?[a-z]+:[a-z]+[^>]*>", re.I)  # <o:p>, <w:sdt> … from Word
_COMMENTS = re.compile(r"<!--.*?-->", re.S)
_EMPTY_P = re.compile(r"<p>(\s|&nbsp;|<br>)*</p>")


def sanitize_html(html: str | None, *, tags=SECTION_TAGS, attributes=SECTION_ATTRIBUTES) -> str:
    """Clean `html` to the allow-list. Top-level text is wrapped in paragraphs."""
    if not html:
        return ""
    html = html[:MAX_HTML_LENGTH]
    html = _COMMENTS.sub("", html)  # Word's conditional comments carry markup
    html = _WORD_NS.sub("", html)
    for pattern, repl in _RENAMES:
        html = pattern.sub(repl, html)
    cleaned = nh3.clean(
        html,
        tags=set(tags),
        clean_content_tags=DROP_WITH_CONTENT,
        attributes={k: set(v) for k, v in attributes.items()},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # Editors (Quill's getSemanticHTML) and Word turn spaces into no-break spaces; kept,
    # they would make every paragraph differ from its base and break merging and search.
    cleaned = cleaned.replace("&nbsp;", " ").replace("\xa0", " ")
    cleaned = _wrap_loose_text(cleaned)
    cleaned = _EMPTY_P.sub("", cleaned)
    return cleaned.strip()


def _wrap_loose_text(html: str) -> str:
    """Inline content at the top level (text, <strong>, <a> …) goes into a <p>."""
    if not html.strip():
        return ""
    block = {"p", "h2", "h3", "h4", "ul", "ol", "blockquote", "table"}
    parts = lxml.html.fragments_fromstring(html)
    out: list[str] = []
    loose: list[str] = []

    def flush():
        text = "".join(loose).strip()
        if text:
            out.append(f"<p>{text}</p>")
        loose.clear()

    for part in parts:
        if isinstance(part, str):
            loose.append(_escape(part))
            continue
        tail = part.tail
        part.tail = None
        if part.tag in block:
            flush()
            out.append(lxml.html.tostring(part, encoding="unicode"))
        elif part.tag == "br":
            flush()
        else:
            loose.append(lxml.html.tostring(part, encoding="unicode"))
        if tail:
            loose.append(_escape(tail))
    flush()
    return "".join(out)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_to_text(html: str | None) -> str:
    """Plain text of stored HTML, blocks separated by blank lines."""
    if not html or not html.strip():
        return ""
    from workspace.papers.merge import split_blocks

    texts = []
    for block in split_blocks(html):
        el = lxml.html.fragment_fromstring(block.html, create_parent="div")
        text = " ".join(el.text_content().split())
        if text:
            texts.append(text)
    return "\n\n".join(texts)
