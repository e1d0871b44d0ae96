"""The less obvious ways into a frozen version: re-pointing parts at it, and bulk updates."""

import pytest
from django.db import transaction

from articles.errors import FrozenVersionError
from articles.models import Article, ArticleState, ArticleVersion, Reference, Section
from reviews.workflow import open_working_draft


@pytest.fixture
def frozen_and_draft(submitted_article, editor):
    """Version 1 frozen, version 2 the working draft opened after a change request."""
    Article.objects.filter(pk=submitted_article.pk).update(state=ArticleState.CHANGES_REQUESTED)
    draft = open_working_draft(Article.objects.get(pk=submitted_article.pk), editor)
    return submitted_article.versions.get(number=1), draft


@pytest.mark.parametrize("model", [Section, Reference])
@pytest.mark.parametrize("key", ["version", "version_id"])
def test_moving_a_drafts_parts_into_a_frozen_version_is_refused(frozen_and_draft, model, key):
    frozen, draft = frozen_and_draft
    frozen_parts = set(model.objects.filter(version=frozen).values_list("pk", flat=True))

    with pytest.raises(FrozenVersionError):
        model.objects.filter(version=draft).update(**{key: frozen if key == "version" else frozen.pk})

    assert set(model.objects.filter(version=frozen).values_list("pk", flat=True)) == frozen_parts
    assert model.objects.filter(version=draft).exists()


def test_re_pointing_a_drafts_parts_at_another_draft_is_allowed(submitted_article, editor, frozen_and_draft):
    _frozen, draft = frozen_and_draft
    other = ArticleVersion.objects.create(
        article_id=draft.article_id,
        number=3,
        title="Scratch",
        specialty_id=draft.specialty_id,
        author=editor,
        last_edited_by=editor,
    )

    moved = Section.objects.filter(version=draft).update(version=other)

    assert moved == 1
    assert other.sections.count() == 1


def test_deleting_a_part_still_stored_under_a_frozen_version_is_refused(frozen_and_draft):
    frozen, draft = frozen_and_draft
    section = frozen.sections.get()
    section.version = draft  # only in memory: the row still belongs to the frozen version

    with pytest.raises(FrozenVersionError):
        section.delete()

    assert frozen.sections.count() == 1


def test_bulk_update_of_a_frozen_version_is_refused(frozen_and_draft):
    frozen, _draft = frozen_and_draft
    frozen.title = "Retitled in bulk"

    # bulk_update runs in its own atomic block without a savepoint; give the refusal one.
    with pytest.raises(FrozenVersionError), transaction.atomic():
        ArticleVersion.objects.bulk_update([frozen], ["title"])

    assert ArticleVersion.objects.get(pk=frozen.pk).title != "Retitled in bulk"
