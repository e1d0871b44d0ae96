"""Markdown to safe HTML, with in-text citations linked both ways."""

import pytest

from articles.markdown import Citations, render_markdown, text_of


def test_single_list_and_range_citations_link_to_references():
    citations = Citations()
    html = render_markdown("A [1]. B [1, 3]. C [2-4].", citations=citations)
    assert '<a href="#ref-1" id="cite-1" aria-label="Reference 1"' in html
    assert '<a href="#ref-1" id="cite-2"' in html and '<a href="#ref-3" aria-label="Reference 3"' in html
    assert '<a href="#ref-2" id="cite-3"' in html and '<a href="#ref-4" aria-label="Reference 4"' in html
    # Every number cited, including the inside of a range, knows where to link back to.
    assert citations.anchors == {
        1: ["cite-1", "cite-2"],
        3: ["cite-2", "cite-3"],
        2: ["cite-3"],
        4: ["cite-3"],
    }


def test_citation_numbering_continues_across_sections_of_one_page():
    citations = Citations()
    render_markdown("First [1].", citations=citations)
    html = render_markdown("Second [1].", citations=citations)
    assert 'id="cite-2"' in html and citations.anchors[1] == ["cite-1", "cite-2"]


@pytest.mark.parametrize(
    "text",
    ["`code [1]`", "[1](https://example.org)", "[see [1]](https://example.org)", "    indented [1]"],
)
def test_citations_are_not_made_inside_code_or_links(text):
    citations = Citations()
    html = render_markdown(text, citations=citations)
    assert citations.count == 0
    assert 'href="#ref-1"' not in html


def test_without_citations_brackets_stay_text():
    assert render_markdown("Text [1].") == "<p>Text [1].</p>\n"


def test_headings_sit_below_the_page_headings():
    assert render_markdown("# Top\n\n## Next").startswith("<h3>Top</h3>\n<h4>Next</h4>")
    assert render_markdown("# Top", heading_offset=1).startswith("<h2>Top</h2>")


def test_raw_html_is_shown_as_text_and_links_keep_safe_schemes_only():
    html = render_markdown('<b onclick="x()">hi</b> [ok](https://example.org) [bad](javascript:alert(1))')
    assert "<b" not in html and "&lt;b onclick" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in html
    assert 'href="javascript' not in html


def test_only_our_own_ids_and_classes_survive():
    # Even if some future change let markup through, ids that could clobber the page are dropped.
    from articles.markdown import sanitise

    html = sanitise('<a id="main" class="skip-link" href="#x">x</a><a id="cite-3" href="#ref-1">1</a>')
    assert 'id="main"' not in html and 'class="skip-link"' not in html
    assert 'id="cite-3"' in html


def test_text_of_gives_plain_unescaped_words_without_citations():
    assert text_of("**Tom & Jerry** <3 cats [1, 2].") == "Tom & Jerry <3 cats."
