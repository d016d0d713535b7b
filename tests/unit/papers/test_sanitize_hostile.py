"""Every hostile payload comes out of the sanitiser with nothing that can run."""
from __future__ import annotations

import lxml.html
import pytest

from tests.hostile import payloads
from workspace.papers.sanitize import SECTION_ATTRIBUTES, SECTION_TAGS, sanitize_html

SAFE_SCHEMES = ("http:", "https:", "mailto:")


def assert_harmless(html: str, tags=SECTION_TAGS, attributes=SECTION_ATTRIBUTES) -> None:
    if not html:
        return
    for el in lxml.html.fragments_fromstring(html, no_leading_text=False):
        if isinstance(el, str):
            continue
        for node in el.iter():
            if not isinstance(node.tag, str):
                continue  # comments are stripped; processing instructions never come out
            assert node.tag in tags, f"tag {node.tag} in {html!r}"
            for name, value in node.attrib.items():
                assert name in attributes.get(node.tag, set()) or (node.tag == "a" and name == "rel"), \
                    f"attribute {name} in {html!r}"
                if name == "href":
                    v = "".join(value.split()).lower()
                    assert ":" not in v.split("/")[0] or v.startswith(SAFE_SCHEMES), f"href {value!r}"


def test_there_are_at_least_a_hundred_payloads():
    assert len(payloads()) >= 100


@pytest.mark.parametrize("payload", payloads())
def test_section_html_is_harmless(payload):
    assert_harmless(sanitize_html(payload))
    # Wrapped in a paragraph, nested in a list, doubled: still harmless.
    assert_harmless(sanitize_html(f"<p>före {payload} efter</p><ul><li>{payload}</li></ul>{payload}"))


@pytest.mark.parametrize("payload", payloads())
def test_sanitising_twice_changes_nothing(payload):
    once = sanitize_html(payload)
    assert sanitize_html(once) == once
