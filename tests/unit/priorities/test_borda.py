"""Borda aggregation is a pure function: no database needed."""
from fractions import Fraction

from workspace.priorities.models import letter_for
from workspace.priorities.services import borda


def table(rows):
    return [(r.item_id, r.points, r.place) for r in rows]


def test_full_rankings_add_up():
    # 3 items: first place 2 points, second 1, last 0.
    rows = borda([1, 2, 3], [[3, 1, 2], [3, 2, 1], [1, 3, 2]])
    assert table(rows) == [(3, 5, 1), (1, 3, 2), (2, 1, 3)]


def test_equal_totals_share_a_place_and_keep_list_order():
    rows = borda([1, 2, 3, 4], [[1, 2, 3, 4], [2, 1, 4, 3]])
    # 1: 3+2 = 5, 2: 2+3 = 5, 3: 1+0 = 1, 4: 0+1 = 1
    assert table(rows) == [(1, 5, 1), (2, 5, 1), (3, 1, 3), (4, 1, 3)]


def test_tie_order_follows_the_list_not_the_ids():
    rows = borda([9, 4], [[9, 4], [4, 9]])
    assert [r.item_id for r in rows] == [9, 4]
    assert [r.place for r in rows] == [1, 1]


def test_no_rankings_at_all_is_a_tie_of_everything():
    rows = borda([5, 6, 7], [])
    assert table(rows) == [(5, 0, 1), (6, 0, 1), (7, 0, 1)]


def test_missing_rankings_add_nothing():
    # Two organisations ranked, others did not: only their points count.
    assert table(borda([1, 2], [[2, 1]])) == [(2, 1, 1), (1, 0, 2)]


def test_a_partial_ranking_shares_the_open_places_equally():
    # 4 items; the ranking names only item 3 (3 points); 1, 2, 4 share 2+1+0 = 3 → 1 each.
    rows = borda([1, 2, 3, 4], [[3]])
    assert table(rows) == [(3, 3, 1), (1, 1, 2), (2, 1, 2), (4, 1, 2)]
    # The total handed out is the same as for a full ranking (6), so no one gains by omitting.
    assert sum(r.points for r in rows) == 6


def test_fractions_stay_exact():
    rows = borda([1, 2, 3], [[1]])  # 2 and 3 share 1+0 → ½ each
    assert {r.item_id: r.points for r in rows} == {1: 2, 2: Fraction(1, 2), 3: Fraction(1, 2)}


def test_unknown_items_and_repeats_are_ignored():
    # 99 was removed from the list after the ranking; 2 is named twice.
    rows = borda([1, 2], [[99, 2, 2, 1]])
    assert table(rows) == [(2, 1, 1), (1, 0, 2)]


def test_letters():
    assert [letter_for(i) for i in (0, 1, 2, 25, 26, 27, 51, 52)] == ["A", "B", "C", "Z", "AA", "AB", "AZ", "BA"]
