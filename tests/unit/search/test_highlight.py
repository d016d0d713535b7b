"""What a hit's snippet marks: the query's words in any inflection, and a phrase only where its
words stand together, as one mark."""
import pytest

from workspace.search import engine

from .test_segment_cache import ix  # noqa: F401  (ix: an index of 80 documents, for the reader)


@pytest.fixture
def mark(ix):  # noqa: F811
    def mark(query: str, text: str) -> str:
        with engine.searcher(ix) as s:
            return engine._Marker(engine.parse(s.schema, query), s.reader()).mark(text, whole=True)
    return mark


def test_words_are_marked_in_any_inflection(mark):
    assert mark("region", "Regionen och regionerna.") == (
        '<mark class="hit">Regionen</mark> och <mark class="hit">regionerna</mark>.')


def test_a_phrase_is_marked_where_its_words_stand_together_and_nowhere_else(mark):
    text = "Hållbar tillväxt ger utveckling. En hållbar utveckling för alla."
    assert mark('"hållbar utveckling"', text) == (
        'Hållbar tillväxt ger utveckling. En <mark class="hit">hållbar utveckling</mark> för alla.')


def test_a_phrase_is_marked_in_other_inflections_and_across_stop_words_and_punctuation(mark):
    # Inflections whose stems are the phrase's ("utvecklingen" → "utveckling"), as the index
    # matched them.
    # The index leaves stop words ("och") out and numbers positions without them, so the
    # phrase matched there too.
    assert mark('"hållbar utveckling"', "hållbar utvecklingen, hållbar och utveckling") == (
        '<mark class="hit">hållbar utvecklingen</mark>, <mark class="hit">hållbar och utveckling</mark>')
    assert mark('"hållbar utveckling"', "hållbar – utveckling") == '<mark class="hit">hållbar – utveckling</mark>'
    # Another word between them breaks the phrase.
    assert mark('"hållbar utveckling"', "hållbar regional utveckling") == ""


def test_words_beside_a_phrase_are_marked_on_their_own(mark):
    got = mark('hamn "hållbar utveckling"', "Ystads hamn står för hållbar utveckling.")
    assert got == ('Ystads <mark class="hit">hamn</mark> står för '
                   '<mark class="hit">hållbar utveckling</mark>.')
    # A word that is also in the phrase is marked once, inside the phrase's mark.
    got = mark('utveckling "hållbar utveckling"', "utveckling, hållbar utveckling")
    assert got == '<mark class="hit">utveckling</mark>, <mark class="hit">hållbar utveckling</mark>'


def test_a_phrase_of_three_words_needs_all_three_in_order(mark):
    q = '"kollektivtrafik och infrastruktur i regionen"'
    assert mark(q, "Kollektivtrafik och infrastruktur i regionen") == (
        '<mark class="hit">Kollektivtrafik och infrastruktur i regionen</mark>')
    assert mark(q, "infrastruktur och kollektivtrafik i regionen") == ""


def test_the_snippet_of_a_phrase_hit_shows_the_phrase(mark, ix):  # noqa: F811
    text = ("Utveckling " * 40) + "Här står det om hållbar utveckling i Skåne. " + ("Hållbar " * 40)
    with engine.searcher(ix) as s:
        snippet = engine._Marker(engine.parse(s.schema, '"hållbar utveckling"'), s.reader()).mark(text)
    assert '<mark class="hit">hållbar utveckling</mark>' in snippet
    assert snippet.count("<mark") == 1
