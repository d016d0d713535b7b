from workspace.papers.merge import join_blocks, merge_html, split_blocks

BASE = "<h2>Bakgrund</h2><p>Ett.</p><p>Två.</p><ul><li>a</li><li>b</li></ul><p>Tre.</p>"


def test_split_and_join_round_trip():
    blocks = split_blocks(BASE)
    assert [b.container for b in blocks] == ["", "", "", "ul", "ul", ""]
    assert join_blocks(blocks) == BASE


def test_different_blocks_merge_cleanly():
    mine = BASE.replace("Ett.", "Ett, ändrat av mig.")
    theirs = BASE.replace("Tre.", "Tre, ändrat av dem.")
    r = merge_html(BASE, mine, theirs)
    assert r.clean
    assert "Ett, ändrat av mig." in r.html and "Tre, ändrat av dem." in r.html


def test_neighbouring_blocks_merge_cleanly():
    r = merge_html(BASE, BASE.replace("Ett.", "Ett!"), BASE.replace("Två.", "Två!"))
    assert r.clean and "Ett!" in r.html and "Två!" in r.html


def test_list_items_are_blocks():
    r = merge_html(BASE, BASE.replace("<li>a</li>", "<li>a1</li>"), BASE.replace("<li>b</li>", "<li>b2</li>"))
    assert r.clean and "<ul><li>a1</li><li>b2</li></ul>" in r.html


def test_same_block_changed_differently_is_a_conflict():
    r = merge_html(BASE, BASE.replace("Två.", "Två enligt mig."), BASE.replace("Två.", "Två enligt dem."))
    assert not r.clean and r.html is None
    assert r.conflicts[0].mine == "<p>Två enligt mig.</p>"
    assert r.conflicts[0].theirs == "<p>Två enligt dem.</p>"
    both = r.resolve("both")
    assert "Två enligt mig." in both and "Två enligt dem." in both  # nothing lost
    assert "Två enligt mig." in r.resolve("mine") and "Två enligt dem." not in r.resolve("mine")


def test_delete_against_edit_is_a_conflict():
    r = merge_html(BASE, BASE.replace("<p>Två.</p>", ""), BASE.replace("Två.", "Två, utvecklat."))
    assert not r.clean
    assert r.conflicts[0].mine == "" and "utvecklat" in r.conflicts[0].theirs


def test_same_change_on_both_sides_is_no_conflict():
    changed = BASE.replace("Två.", "Två, samma.")
    r = merge_html(BASE, changed, changed)
    assert r.clean and r.html == changed


def test_both_insert_at_the_same_place_keeps_both():
    r = merge_html(BASE, BASE + "<p>Mitt tillägg.</p>", BASE + "<p>Deras tillägg.</p>")
    assert r.clean and "Mitt tillägg." in r.html and "Deras tillägg." in r.html


def test_heading_change_and_paragraph_change_merge():
    r = merge_html(BASE, BASE.replace("Bakgrund", "Bakgrund och syfte"), BASE.replace("Tre.", "Tre och fyra."))
    assert r.clean and "<h2>Bakgrund och syfte</h2>" in r.html and "Tre och fyra." in r.html


def test_one_change_on_both_sides_and_the_neighbour_on_one_merges():
    """The same save sent again after someone changed the next paragraph: no conflict."""
    two = "<p>Ett.</p><p>Två.</p>"
    mine = "<p>Ett, justerat.</p><p>Två.</p>"
    theirs = "<p>Ett, justerat.</p><p>Två, av en annan.</p>"  # my first save merged with their edit
    r = merge_html(two, mine, theirs)
    assert r.clean and r.html == theirs
    # Block by block, a block changed differently is still a conflict.
    r = merge_html(two, "<p>Ett, enligt mig.</p><p>Två.</p>", "<p>Ett, enligt dem.</p><p>Två, av en annan.</p>")
    assert not r.clean
    # And one side's changes of both blocks merge with the other's change of one of them alike.
    r = merge_html(two, "<p>Ett!</p><p>Två!</p>", "<p>Ett!</p><p>Två.</p>")
    assert r.clean and r.html == "<p>Ett!</p><p>Två!</p>"
