"""A row's name never costs a query (core.display): Django's delete confirmation and the admin
name rows from querysets that join nothing. With the related rows loaded, the name uses them."""

from __future__ import annotations

import pytest

from articles.models import Section
from reviews.models import ConflictKind, ConflictOfInterest, Review, ReviewAssignment, SectionComment
from tests.reviews.helpers import ready_to_review, request_changes

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(article, reviewer, managing):
    assignment = ready_to_review(article, reviewer, managing)
    review = request_changes(assignment)
    section = Section.objects.filter(version=review.version_id).order_by("pk").first()
    comment = SectionComment.objects.create(
        review=review, section=section, comment="Cite the 2024 guideline."
    )
    conflict = ConflictOfInterest.objects.create(member=reviewer, kind=ConflictKind.ARTICLE, article=article)
    return {"assignment": assignment, "review": review, "comment": comment, "conflict": conflict}


def name_without_queries(django_assert_num_queries, queryset, pk) -> str:
    row = queryset.get(pk=pk)
    with django_assert_num_queries(0):
        return str(row)


def test_names_of_rows_read_alone_use_keys(rows, django_assert_num_queries, reviewer):
    def name(model, key):
        return name_without_queries(django_assert_num_queries, model.objects.all(), rows[key].pk)

    version_id = rows["review"].version_id
    assert (
        name(ReviewAssignment, "assignment")
        == f"reviewer #{reviewer.pk} on version #{version_id} (Completed)"
    )
    assert name(Review, "review") == f"Request changes by reviewer #{reviewer.pk} on version #{version_id}"
    assert name(SectionComment, "comment") == (
        f"On section #{rows['comment'].section_id}: Cite the 2024 guideline."
    )
    assert name(ConflictOfInterest, "conflict") == (
        f"member #{reviewer.pk}: An article (article #{rows['conflict'].article_id})"
    )


def test_names_of_rows_read_with_their_relations_use_them(rows, django_assert_num_queries, reviewer, article):
    def name(model, key, *joins):
        return name_without_queries(
            django_assert_num_queries, model.objects.select_related(*joins), rows[key].pk
        )

    version = f"{article.slug} v1"
    assert name(ReviewAssignment, "assignment", "reviewer", "version__article") == (
        f"{reviewer.display_name} on {version} (Completed)"
    )
    assert name(Review, "review", "reviewer", "version__article") == (
        f"Request changes by {reviewer.display_name} on {version}"
    )
    assert name(SectionComment, "comment", "section").startswith(f"On {rows['comment'].section.heading}: ")
    assert name(ConflictOfInterest, "conflict", "member", "article") == (
        f"{reviewer.display_name}: An article ({article.title})"
    )
