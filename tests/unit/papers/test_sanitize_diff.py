import pytest

from workspace.papers.diff import diff_html, diff_stats
from workspace.papers.sanitize import html_to_text, sanitize_html


@pytest.mark.parametrize("dirty", [
    "<script>alert(1)</script><p>ok</p>",
    "<p onclick=\"alert(1)\">ok</p>",
    "<p>ok<img src=x onerror=alert(1)></p>",
    "<p><a href=\"javascript:alert(1)\">ok</a></p>",
    "<p><a href=\"data:text/html,<script>alert(1)</script>\">ok</a></p>",
    "<p style=\"background:url(javascript:alert(1))\">ok</p>",
    "<iframe src=\"https://evil.example\"></iframe><p>ok</p>",
    "<svg><script>alert(1)</script></svg><p>ok</p>",
    "<style>p{color:red}</style><p>ok</p>",
    "<p>ok</p><object data=x></object><embed src=x>",
    "<p>ok<!-- <script>alert(1)</script> --></p>",
])
def test_dangerous_things_are_removed(dirty):
    clean = sanitize_html(dirty)
    low = clean.lower()
    for bad in ("<script", "onclick", "onerror", "javascript:", "data:", "style", "<iframe", "<svg", "<object", "<embed", "alert"):
        assert bad not in low, (bad, clean)
    assert "ok" in clean


def test_allowed_formatting_is_kept():
    html = ("<h2>R</h2><h3>U</h3><p><strong>f</strong> <em>k</em> <a href=\"https://regionskane.se\">l</a></p>"
            "<ul><li>a</li></ul><ol><li>b</li></ol><table><tbody><tr><td colspan=\"2\">c</td></tr></tbody></table>")
    clean = sanitize_html(html)
    for kept in ("<h2>R</h2>", "<h3>U</h3>", "<strong>f</strong>", "<em>k</em>", "<ul><li>a</li></ul>",
                 "<ol><li>b</li></ol>", 'colspan="2"', 'href="https://regionskane.se"', 'rel="noopener noreferrer"'):
        assert kept in clean


def test_word_paste_comes_out_clean():
    word = ('<!--[if gte mso 9]><xml><w:WordDocument></w:WordDocument></xml><![endif]-->'
            '<p class="MsoNormal" style="margin:0cm;font-family:Calibri"><span lang="SV" style="font-size:11pt">'
            'Regionerna <b>kräver</b> <i>snabbare</i> besked<o:p></o:p></span></p>'
            '<p class="MsoNormal"><o:p>&nbsp;</o:p></p><h1>Rubrik</h1>')
    assert sanitize_html(word) == "<p>Regionerna <strong>kräver</strong> <em>snabbare</em> besked</p><h2>Rubrik</h2>"


def test_no_break_spaces_become_spaces():
    assert sanitize_html("<p>Ett&nbsp;två\xa0tre</p>") == "<p>Ett två tre</p>"


def test_loose_text_is_wrapped_and_empty_is_empty():
    assert sanitize_html("bara text") == "<p>bara text</p>"
    assert sanitize_html("") == "" and sanitize_html(None) == "" and sanitize_html("<p> </p>") == ""


def test_html_to_text():
    assert html_to_text("<h2>R</h2><p>Ett <strong>två</strong></p><ul><li>a</li></ul>") == "R\n\nEtt två\n\na"


def test_diff_marks_words_and_never_shows_tags():
    d = diff_html("<p>Vi vill satsa på tåg.</p><p>Gammalt.</p>", "<p>Vi vill satsa mer på tåg &amp; <b>buss</b>.</p>")
    assert "<ins>mer </ins>" in d
    assert "<del>" in d and "Gammalt" in d
    assert "&lt;b&gt;" not in d and "<b>" not in d  # text only
    assert diff_stats("<p>a b c</p>", "<p>a x c d</p>") == (2, 1)


def test_diff_escapes_text():
    d = diff_html("", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
    assert "<script>" not in d and "&lt;script&gt;" in d
