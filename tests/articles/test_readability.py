"""Reading grade: list items and headings are sentences of their own."""

from articles.content import reading_grade


def test_a_bulleted_list_reads_like_the_same_items_written_as_sentences():
    listed = "Get help now if you have:\n\n- a bad headache\n- blurred vision\n- pain under the ribs\n"
    written = "Get help now if you have:\n\nA bad headache.\n\nBlurred vision.\n\nPain under the ribs.\n"

    assert reading_grade(listed) == reading_grade(written)


def test_a_list_of_short_items_is_not_scored_as_one_long_sentence():
    items = "\n".join(f"- item number {n} is short" for n in range(12))

    assert reading_grade(items) < 4


def test_a_heading_ends_its_own_sentence():
    with_heading = "# Why it matters\n\nThe cervix can open early. A stitch can help."
    as_sentences = "Why it matters.\n\nThe cervix can open early. A stitch can help."

    assert reading_grade(with_heading) == reading_grade(as_sentences)


def test_items_already_ending_in_punctuation_are_left_as_they_are():
    assert reading_grade("- Call now.\n- Do not wait!\n- Is it urgent?") == reading_grade(
        "Call now. Do not wait! Is it urgent?"
    )


def test_long_words_in_long_sentences_still_score_high():
    text = (
        "Physical examination-indicated cerclage necessitates comprehensive exclusion of "
        "chorioamnionitis, placental abruption and established preterm labor, accompanied by "
        "individualized counseling regarding iatrogenic membrane rupture."
    )

    assert reading_grade(text) > 12
