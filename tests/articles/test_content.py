"""Citations, references and the other content checks made on save and on submit."""

import dataclasses

import pytest
from django.utils import timezone

from articles.content import check_citations, cited_numbers
from articles.drafting import ReferenceInput, SectionInput, save_draft
from articles.models import Article, ArticleState, ArticleVersion, Audience
from audit.models import AuditEvent
from core.errors import ContentInvalid
from reviews.workflow import Action, open_working_draft, perform
from tests.factories import make_article, valid_content


def _reference(number: int, **overrides) -> ReferenceInput:
    values = {"number": number, "kind": "research", "title": f"Study {number}", "source": "J", "year": 2020}
    return ReferenceInput(**(values | overrides))


def _patient(body: str) -> list[SectionInput]:
    return [SectionInput(Audience.PATIENT, "What it is", body)]


# --- cited_numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A single claim [1].", {1}),
        ("Two sources [1, 3].", {1, 3}),
        ("A range [2-4].", {2, 3, 4}),
        ("An en-dash range [2\u20134].", {2, 3, 4}),
        ("Mixed [1, 3-5] and later [7].", {1, 3, 4, 5, 7}),
        ("No citations, and [not a number].", set()),
    ],
)
def test_cited_numbers_reads_single_lists_and_ranges(text, expected):
    assert cited_numbers(text) == expected


def test_check_citations_reports_missing_unused_and_gaps_together():
    check = check_citations(["Claims [1] and [4]."], "", [1, 2, 5])
    assert not check.ok
    assert any("[4]" in e for e in check.errors)
    assert any("without gaps" in e for e in check.errors)
    assert check.warnings == ["References nothing cites: [2], [5]."]


# --- on submit ---------------------------------------------------------------------------------


def test_submit_is_refused_listing_every_cited_number_without_a_reference(editor):
    article = make_article(
        editor, content=valid_content(sections=_patient("First [1], then [3] and [5-6]."), references=[])
    )
    article_state_events = AuditEvent.objects.count()
    with pytest.raises(ContentInvalid) as refused:
        perform(article, Action.SUBMIT, editor)
    assert "[1], [3], [5], [6]" in refused.value.message
    assert Article.objects.get(pk=article.pk).state == ArticleState.DRAFT
    assert not article.latest_version().is_frozen
    assert AuditEvent.objects.count() == article_state_events


def test_submit_warns_about_references_nothing_cites(editor):
    content = valid_content()
    content.references.append(_reference(3))
    article = make_article(editor, content=content)

    result = perform(article, Action.SUBMIT, editor)

    assert result.state_after == ArticleState.SUBMITTED
    assert "References nothing cites: [3]." in result.warnings


def test_submit_is_refused_when_reference_numbers_have_a_gap(editor):
    references = [_reference(1), _reference(3)]
    content = valid_content(sections=_patient("Cited [1] and [3]."), references=references)
    article = make_article(editor, content=content)
    with pytest.raises(ContentInvalid, match="1 to n without gaps"):
        perform(article, Action.SUBMIT, editor)
    assert Article.objects.get(pk=article.pk).state == ArticleState.DRAFT


def test_submit_is_refused_without_a_complete_audience(editor):
    article = make_article(
        editor, content=valid_content(sections=[SectionInput(Audience.PATIENT, "Empty", "")], references=[])
    )
    with pytest.raises(ContentInvalid, match="At least one audience"):
        perform(article, Action.SUBMIT, editor)


def test_a_second_version_without_a_change_summary_is_refused_on_submit(submitted_article, editor):
    Article.objects.filter(pk=submitted_article.pk).update(state=ArticleState.CHANGES_REQUESTED)
    article = Article.objects.get(pk=submitted_article.pk)
    draft = open_working_draft(article, editor)

    with pytest.raises(ContentInvalid, match="change summary"):
        perform(article, Action.SUBMIT, editor)
    assert not ArticleVersion.objects.get(pk=draft.pk).is_frozen

    save_draft(
        article,
        valid_content(change_summary="Clarified who is offered a cerclage."),
        expected_revision=draft.revision,
        actor=editor,
    )
    assert perform(article, Action.SUBMIT, editor).version.number == 2


def test_a_patient_section_above_the_target_grade_is_a_warning_not_an_error(editor, settings):
    settings.VETTED = {**settings.VETTED, "PATIENT_READING_GRADE_TARGET": 8}
    dense = (
        "Cervical insufficiency, characterised by painless progressive dilatation of the cervix during "
        "the second trimester, necessitates individualised consideration of transvaginal cerclage "
        "alongside vaginal progesterone supplementation in appropriately selected singleton "
        "pregnancies [1, 2]."
    )
    article = make_article(editor, content=valid_content(sections=_patient(dense)))
    grade = article.latest_version().sections.get().reading_grade
    assert grade > 8

    result = perform(article, Action.SUBMIT, editor)

    assert result.state_after == ArticleState.SUBMITTED
    assert any("reads at grade" in w and "above the target of 8" in w for w in result.warnings)


def test_plain_patient_text_gets_no_readability_warning(editor):
    result = perform(make_article(editor), Action.SUBMIT, editor)
    assert not any("reads at grade" in w for w in result.warnings)


# --- malformed references on save --------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"doi": "https://doi.org/10.1000/xyz"}, "doi", "A DOI looks like"),
        ({"doi": "doi:abc"}, "doi", "A DOI looks like"),
        ({"pmid": "PMID1234"}, "pmid", "digits only"),
        ({"year": 1850}, "year", "1900"),
        ({"year": timezone.now().year + 2}, "year", str(timezone.now().year + 1)),
    ],
)
def test_save_draft_refuses_a_malformed_reference_by_field_and_saves_nothing(
    draft_article, editor, overrides, field, fragment
):
    version = draft_article.latest_version()

    def stored():
        version.refresh_from_db()
        refs = list(version.references.values_list("doi", "pmid", "year"))
        return version.revision, version.content_hash, version.title, refs

    before = stored()
    content = valid_content(title="Would be the new title")
    content.references[1] = dataclasses.replace(content.references[1], **overrides)

    with pytest.raises(ContentInvalid) as refused:
        save_draft(draft_article, content, expected_revision=version.revision, actor=editor)

    messages = refused.value.fields[f"references[1].{field}"]
    assert any(fragment in m for m in messages)
    assert stored() == before


def test_every_malformed_reference_is_reported_at_once(draft_article, editor):
    content = valid_content(
        references=[_reference(1, doi="nope"), _reference(2, pmid="12a"), _reference(2, year=1850)]
    )
    with pytest.raises(ContentInvalid) as refused:
        save_draft(draft_article, content, expected_revision=1, actor=editor)
    assert {"references[0].doi", "references[1].pmid", "references[2].year", "references[2].number"} <= set(
        refused.value.fields
    )
