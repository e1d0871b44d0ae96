"""A process's memory of rendered pages: only ever returned for the stamp it was rendered for,
and never more bytes than its budget."""

from public.local_pages import LocalPages


def test_a_page_is_returned_only_for_the_stamp_it_was_rendered_for():
    pages = LocalPages(1000)
    pages.put("page:a", ("pointer", 1), b"version one")
    assert pages.get("page:a", ("pointer", 1)) == b"version one"
    assert pages.get("page:a", ("pointer", 2)) is None
    assert pages.holds("page:a")  # held, though only good for the old stamp
    assert pages.get("page:b", ("pointer", 1)) is None


def test_a_new_rendering_replaces_the_old_one_and_its_size():
    pages = LocalPages(1000)
    pages.put("page:a", 1, b"x" * 400)
    pages.put("page:a", 2, b"y" * 100)
    assert pages.get("page:a", 2) == b"y" * 100 and pages.get("page:a", 1) is None
    assert pages.size == 100 and len(pages) == 1


def test_the_least_recently_read_pages_go_first_when_over_budget():
    pages = LocalPages(1000)
    for name in "abc":
        pages.put(name, 0, b"." * 300)
    pages.get("a", 0)  # read: now the most recent
    pages.put("d", 0, b"." * 300)
    assert [pages.holds(name) for name in "abcd"] == [True, False, True, True]
    assert pages.size == 900


def test_a_page_larger_than_the_budget_is_not_kept_and_a_zero_budget_keeps_nothing():
    pages = LocalPages(100)
    pages.put("small", 0, b"." * 50)
    pages.put("huge", 0, b"." * 101)
    assert pages.holds("small") and not pages.holds("huge")
    off = LocalPages(0)
    off.put("any", 0, b".")
    assert len(off) == 0


def test_clear_forgets_everything():
    pages = LocalPages(1000)
    pages.put("a", 0, b"...")
    pages.clear()
    assert len(pages) == 0 and pages.size == 0 and pages.get("a", 0) is None
