"""The reader's article page with the keyboard alone: Tab reaches the audience choice, the
citations and the reference list, focus is always visible, and a citation takes focus to its
reference and the reference's back-link brings it back."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.world import published_in_both_audiences

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAX_TABS = 80

# What the focused element is, and whether anything shows where focus is.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: el.getAttribute("name") || "",
    value: el.value || "",
    href: el.getAttribute("href") || "",
    inCitation: !!el.closest(".citation"),
    inReferences: !!el.closest(".references__list"),
    isBacklink: el.classList.contains("ref-backlink"),
    focusVisible: el.matches(":focus-visible"),
    styled: outline || shadow,
    text: (el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 60),
  };
}"""


def focused(page: Page) -> dict | None:
    return page.evaluate(FOCUSED)


def tab_until(page: Page, wanted, limit: int = MAX_TABS) -> tuple[dict, list[dict]]:
    """Press Tab until ``wanted(focused)`` holds; return that element and every one passed on the way."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if now is None:
            continue
        passed.append(now)
        if wanted(now):
            return now, passed
    raise AssertionError(f"Tab never reached it; focus went through: {[p['text'] for p in passed]}")


@pytest.fixture
def article(fast_passwords, transactional_db):
    return published_in_both_audiences()[0]


def test_tab_order_reaches_audience_citations_and_references_with_visible_focus(context, article, artifacts):
    page = context.new_page()
    page.goto(f"/articles/{article.slug}/?audience=patient")

    radio, before = tab_until(page, lambda f: f["tag"] == "input" and f["name"] == "reader")
    citation, between = tab_until(page, lambda f: f["inCitation"])
    reference, after = tab_until(page, lambda f: f["inReferences"])
    artifacts.shot(page, "focus-in-reference-list")

    # The order is the reading order: audience choice, then the text's citations, then the list.
    assert radio["value"] == "patient"
    assert any(f["tag"] == "button" and "Show my version" in f["text"] for f in between)
    assert citation["href"] == "#ref-1"
    assert reference["href"].startswith("https://")
    # Every stop showed where focus was, by the browser's keyboard heuristics and by a style.
    unstyled = [f["text"] for f in [*before, *between, *after] if not (f["focusVisible"] and f["styled"])]
    assert unstyled == []


def test_audience_choice_works_from_the_keyboard(context, article, artifacts):
    page = context.new_page()
    page.goto(f"/articles/{article.slug}/?audience=patient")
    tab_until(page, lambda f: f["tag"] == "input" and f["name"] == "reader")

    page.keyboard.press("ArrowDown")  # radio groups move with the arrow keys
    assert focused(page)["value"] == "professional"
    tab_until(page, lambda f: f["tag"] == "button")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Diagnosis")).to_be_visible()
    expect(page.get_by_text("You are reading the version for")).to_contain_text("professionals")
    artifacts.shot(page, "professional-chosen-by-keyboard")


def test_a_citation_moves_focus_to_its_reference_and_back(context, article, artifacts):
    page = context.new_page()
    page.goto(f"/articles/{article.slug}/?audience=patient")
    citation, _ = tab_until(page, lambda f: f["inCitation"] and f["href"] == "#ref-2")
    cited_at = citation["id"]

    page.keyboard.press("Enter")
    landed = focused(page)
    assert landed is not None and landed["id"] == "ref-2", landed
    expect(page.locator("#ref-2")).to_be_focused()
    expect(page.locator("#ref-2")).to_be_in_viewport()
    artifacts.shot(page, "focus-on-reference-2")

    backlink, _ = tab_until(page, lambda f: f["isBacklink"], limit=5)
    assert backlink["href"] == f"#{cited_at}"
    page.keyboard.press("Enter")

    expect(page.locator(f"#{cited_at}")).to_be_focused()
    expect(page.locator(f"#{cited_at}")).to_be_in_viewport()
    assert focused(page)["href"] == "#ref-2"
    artifacts.shot(page, "focus-back-on-citation")
