"""Versions are frozen once submitted; editing afterwards starts version n+1."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.roles import REVIEWER
from articles.content import compute_content_hash
from articles.drafting import DraftContent, SectionInput, save_draft
from articles.models import Article, ArticleState, ArticleVersion, Audience, Reference, Section
from audit.models import AuditEvent
from core.errors import FrozenVersionError, StaleEditError
from reviews.workflow import Action, open_working_draft, perform
from tests.factories import approve_directly, make_user, reread, valid_content


def _snapshot(version: ArticleVersion) -> tuple:
    version = ArticleVersion.objects.get(pk=version.pk)
    return (version.title, version.content_hash, compute_content_hash(version), version.frozen_at)


@pytest.fixture
def frozen(submitted_article):
    version = submitted_article.latest_version()
    assert version.is_frozen
    return version


# --- every path that could change a frozen version --------------------------------------------


def test_model_save_of_a_frozen_version_is_refused(frozen):
    before = _snapshot(frozen)
    frozen.title = "Quietly retitled"
    with pytest.raises(FrozenVersionError, match="frozen"):
        frozen.save()
    assert _snapshot(frozen) == before


def test_clearing_the_freeze_mark_is_refused(frozen):
    frozen.frozen_at = None
    with pytest.raises(FrozenVersionError):
        frozen.save()
    with pytest.raises(FrozenVersionError):
        ArticleVersion.objects.filter(pk=frozen.pk).update(frozen_at=None)
    assert ArticleVersion.objects.get(pk=frozen.pk).is_frozen


def test_lifecycle_marks_may_still_be_set_on_a_frozen_version(frozen):
    ArticleVersion.objects.filter(pk=frozen.pk).update(superseded_at=frozen.frozen_at)
    assert ArticleVersion.objects.get(pk=frozen.pk).superseded_at == frozen.frozen_at


def test_queryset_update_and_delete_of_frozen_versions_are_refused(frozen):
    before = _snapshot(frozen)
    with pytest.raises(FrozenVersionError):
        ArticleVersion.objects.filter(pk=frozen.pk).update(summary="changed")
    with pytest.raises(FrozenVersionError):
        ArticleVersion.objects.filter(pk=frozen.pk).delete()
    with pytest.raises(FrozenVersionError):
        frozen.delete()
    assert _snapshot(frozen) == before


def test_deleting_a_submitted_article_is_refused(submitted_article):
    with pytest.raises(FrozenVersionError, match="archived, never deleted"):
        submitted_article.delete()
    with pytest.raises(FrozenVersionError):
        Article.objects.filter(pk=submitted_article.pk).delete()
    assert Article.objects.filter(pk=submitted_article.pk).exists()


def test_saving_or_deleting_a_section_of_a_frozen_version_is_refused(frozen):
    before = _snapshot(frozen)
    section = frozen.sections.get()
    section.body = "A different claim."
    with pytest.raises(FrozenVersionError):
        section.save()
    with pytest.raises(FrozenVersionError):
        section.delete()
    assert _snapshot(frozen) == before
    assert frozen.sections.count() == 1


def test_saving_or_deleting_a_reference_of_a_frozen_version_is_refused(frozen):
    before = _snapshot(frozen)
    reference = frozen.references.get(number=1)
    reference.year = 2020
    with pytest.raises(FrozenVersionError):
        reference.save()
    with pytest.raises(FrozenVersionError):
        reference.delete()
    assert _snapshot(frozen) == before
    assert frozen.references.count() == 2


def test_moving_a_section_out_of_a_frozen_version_is_refused(frozen, editor):
    Article.objects.filter(pk=frozen.article_id).update(state=ArticleState.CHANGES_REQUESTED)
    draft = open_working_draft(Article.objects.get(pk=frozen.article_id), editor)
    section = frozen.sections.get()
    section.version = draft
    with pytest.raises(FrozenVersionError):
        section.save()
    assert frozen.sections.count() == 1


@pytest.mark.parametrize("model", [Section, Reference])
def test_bulk_update_and_delete_of_a_frozen_versions_parts_are_refused(frozen, model):
    before = _snapshot(frozen)
    parts = model.objects.filter(version=frozen)
    field = "heading" if model is Section else "title"
    with pytest.raises(FrozenVersionError):
        parts.update(**{field: "changed"})
    with pytest.raises(FrozenVersionError):
        parts.delete()
    assert _snapshot(frozen) == before


def test_bulk_create_into_a_frozen_version_is_refused(frozen):
    before = _snapshot(frozen)
    with pytest.raises(FrozenVersionError):
        Section.objects.bulk_create(
            [Section(version=frozen, audience=Audience.PROFESSIONAL, position=1, heading="New", body="x")]
        )
    with pytest.raises(FrozenVersionError):
        Reference.objects.bulk_create(
            [Reference(version=frozen, number=3, kind="other", title="t", source="s", year=2020)]
        )
    assert _snapshot(frozen) == before
    assert frozen.sections.count() == 1


def test_posting_the_admin_change_form_of_a_frozen_version_is_refused_with_a_message(frozen, client):
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    before = _snapshot(frozen)
    url = reverse("admin:articles_articleversion_change", args=[frozen.pk])

    response = client.post(
        url,
        {"title": "Rewritten in the admin", "summary": "", "expected_revision": frozen.revision},
        follow=True,
    )

    assert response.status_code == 200
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("frozen" in m and "nothing was changed" in m for m in shown), shown
    assert _snapshot(frozen) == before
    assert frozen.sections.count() == 1


def test_save_draft_on_a_submitted_article_is_refused(submitted_article, editor):
    version = submitted_article.latest_version()
    before = _snapshot(version)
    with pytest.raises(FrozenVersionError, match="no working draft"):
        save_draft(
            submitted_article,
            valid_content(title="Changed after submission"),
            expected_revision=version.revision,
            actor=editor,
        )
    assert _snapshot(version) == before
    assert submitted_article.versions.count() == 1


# --- editing after submission ------------------------------------------------------------------


def test_opening_a_draft_while_changes_are_requested_copies_the_version_into_n_plus_1(
    submitted_article, editor
):
    Article.objects.filter(pk=submitted_article.pk).update(state=ArticleState.CHANGES_REQUESTED)
    article = Article.objects.get(pk=submitted_article.pk)
    v1 = article.latest_version()

    draft = open_working_draft(article, editor)

    assert draft.number == 2
    assert not draft.is_frozen
    assert Article.objects.get(pk=article.pk).state == ArticleState.CHANGES_REQUESTED
    assert [(s.audience, s.heading, s.body) for s in draft.sections.all()] == [
        (s.audience, s.heading, s.body) for s in v1.sections.all()
    ]
    assert [(r.number, r.title, r.doi) for r in draft.references.all()] == [
        (r.number, r.title, r.doi) for r in v1.references.all()
    ]
    assert AuditEvent.objects.filter(action="version.opened", article=article).count() == 1
    assert open_working_draft(article, editor) == draft  # opening again reuses it


def test_opening_a_draft_after_publishing_revises_and_keeps_what_readers_see(
    submitted_article, editor, managing
):
    article = approve_directly(submitted_article, make_user("reviewer", REVIEWER), managing)
    perform(article, Action.PUBLISH, editor)
    published = reread(article).published_version

    draft = open_working_draft(Article.objects.get(pk=article.pk), editor)

    article.refresh_from_db()
    assert draft.number == 2
    assert article.state == ArticleState.DRAFT
    assert article.published_version_id == published.pk
    assert AuditEvent.objects.filter(action="article.revise", article=article).count() == 1


def test_a_stale_save_is_refused_and_changes_nothing(draft_article, editor):
    version = draft_article.latest_version()
    save_draft(draft_article, valid_content(title="First save"), expected_revision=1, actor=editor)
    before = _snapshot(version)
    events = AuditEvent.objects.count()

    with pytest.raises(StaleEditError, match="Someone else saved"):
        save_draft(draft_article, valid_content(title="Overwrites"), expected_revision=1, actor=editor)

    assert _snapshot(version) == before
    assert ArticleVersion.objects.get(pk=version.pk).revision == 2
    assert AuditEvent.objects.count() == events


def test_save_draft_with_the_current_revision_replaces_content_and_bumps_the_revision(draft_article, editor):
    content = DraftContent(
        title="Retitled",
        sections=[SectionInput(Audience.PROFESSIONAL, "Management", "Cerclage is considered early.")],
    )
    version = save_draft(draft_article, content, expected_revision=1, actor=editor)
    assert version.revision == 2
    assert [s.heading for s in version.sections.all()] == ["Management"]
    assert version.references.count() == 0
    assert version.content_hash == compute_content_hash(version)


# --- discarding --------------------------------------------------------------------------------


def test_discarding_a_never_submitted_article_deletes_it_and_keeps_its_audit_events(draft_article, editor):
    pk = draft_article.pk
    created = list(AuditEvent.objects.filter(article_id=pk).values_list("pk", flat=True))

    perform(draft_article, Action.DISCARD, editor)

    assert not Article.objects.filter(pk=pk).exists()
    assert not ArticleVersion.objects.filter(article_id=pk).exists()
    actions = list(AuditEvent.objects.filter(article_id=pk).values_list("action", flat=True))
    assert actions == ["article.created", "article.discard"]
    assert set(created) <= set(AuditEvent.objects.filter(article_id=pk).values_list("pk", flat=True))


def test_discarding_a_revision_restores_the_state_it_was_opened_from(submitted_article, editor, managing):
    article = approve_directly(submitted_article, make_user("reviewer", REVIEWER), managing)
    perform(article, Action.PUBLISH, editor)
    open_working_draft(Article.objects.get(pk=article.pk), editor)

    result = perform(article, Action.DISCARD, editor)

    article.refresh_from_db()
    assert result.state_after == ArticleState.PUBLISHED
    assert article.state == ArticleState.PUBLISHED
    assert list(article.versions.values_list("number", flat=True)) == [1]
    assert reread(article).published_version.number == 1
