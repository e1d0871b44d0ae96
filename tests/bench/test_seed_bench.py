"""seed_bench writes data in the shapes the real workflow produces, with a sealed review log that verifies."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Max, Min

from articles.content import check_version, compute_content_hash
from articles.models import Article, ArticleState, ArticleVersion, Audience, Section
from audit.log import latest_checkpoint
from audit.models import AuditEvent, LogLeaf
from audit.trail import record
from audit.verify import verify
from reviews.decisions import approvals_binding
from reviews.models import AssignmentStatus, Decision, Review, ReviewAssignment

S = ArticleState


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_bench", articles=30, seed=3, batch_size=7, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)  # the COPY writer uses a second connection
def test_articles_cover_every_state_with_two_to_five_versions():
    seed()
    articles = Article.objects.annotate(n=Count("versions"))
    assert articles.count() == 30
    assert set(articles.values_list("state", flat=True)) == set(S.values)
    assert all(2 <= a.n <= 5 for a in articles)


@pytest.mark.django_db(transaction=True)  # the COPY writer uses a second connection
def test_versions_are_valid_frozen_content_with_their_hash():
    seed()
    versions = ArticleVersion.objects.select_related("article").prefetch_related("sections", "references")
    for version in versions:
        refs = [r.number for r in version.references.all()]
        assert 5 <= len(refs) <= 30
        assert sorted(refs) == list(range(1, len(refs) + 1))
        assert {s.audience for s in version.sections.all()} == {Audience.PATIENT, Audience.PROFESSIONAL}
        # The stored hash is what the real function computes from the stored rows.
        assert version.content_hash == compute_content_hash(version)
        latest = version.number == max(v.number for v in version.article.versions.all())
        if not latest or version.article.state != S.DRAFT:
            assert version.frozen_at is not None
            assert check_version(version).ok, check_version(version).errors
        else:
            assert version.frozen_at is None  # the working draft
    # Dates are spread over the past years, not all "now".
    span = ArticleVersion.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert (span["last"] - span["first"]).days > 180


@pytest.mark.django_db(transaction=True)  # the COPY writer uses a second connection
def test_published_and_approved_versions_carry_signed_approvals_that_bind():
    seed()
    for article in Article.objects.filter(state__in=[S.PUBLISHED, S.ARCHIVED]).select_related(
        "published_version", "specialty"
    ):
        assert article.published_version.frozen_at is not None
        assert article.published_version.published_at is not None
        # What publishing checks: enough signatures, each over exactly this text.
        assert len(approvals_binding(article.published_version)) >= article.approvals_needed
        assert article.next_review_due is not None
    for article in Article.objects.filter(state=S.APPROVED).select_related("specialty"):
        latest = article.latest_version()
        assert len(approvals_binding(latest)) >= article.approvals_needed
    signed = Review.objects.filter(decision=Decision.APPROVE)
    assert signed.exists()
    assert not signed.filter(signer__isnull=True).exists()
    assert set(ReviewAssignment.objects.filter(review__isnull=False).values_list("status", flat=True)) == {
        AssignmentStatus.COMPLETED
    }


@pytest.mark.django_db(transaction=True)  # the COPY writer uses a second connection
def test_rows_refer_only_to_rows_that_exist():
    seed()
    # The seed writes below the ORM; SQLite checks every foreign key here.
    connection.check_constraints()
    assert not Section.objects.filter(version__isnull=True).exists()


@pytest.mark.django_db(transaction=True)  # the COPY writer uses a second connection
def test_events_are_log_entries_sealed_after_the_existing_ones_and_verify():
    first = record("bench.before_seed", target_type="test", target_id="1")
    seed()
    report = verify()
    assert report.ok, report.problem
    events = AuditEvent.objects.count()
    assert events > 30
    # Every event, the one written before and all the seeded ones, is in the log and signed for.
    assert report.entries == events
    assert report.unsealed == 0
    assert latest_checkpoint().size == events
    leaves = LogLeaf.objects.order_by("index")
    assert leaves.first().event_id == first.pk
    # Written as record() writes them: id == seq, no old chain fields, the stored leaf hash.
    assert not AuditEvent.objects.exclude(seq=F("id")).exists()
    assert not AuditEvent.objects.filter(prev_hash__isnull=False).exists()
    assert len(set(AuditEvent.objects.values_list("request_salt", flat=True))) == events
    for leaf in leaves.select_related("event")[:50]:
        assert bytes(leaf.hash).hex() == leaf.event.leaf_hash
    # Sealed in the order of time: the log's order is the order the workflow wrote them in.
    times = list(leaves.values_list("event__created_at", flat=True))
    assert times[1:] == sorted(times[1:])


@pytest.mark.django_db(transaction=True)  # the COPY writer uses a second connection
def test_full_audit_has_each_article_s_whole_history():
    seed(full_audit=True)
    report = verify()
    assert report.ok, report.problem
    assert report.entries == AuditEvent.objects.count()
    created = AuditEvent.objects.filter(action="article.created").values_list("article_id", flat=True)
    assert set(created) == set(Article.objects.values_list("pk", flat=True))
    assert not AuditEvent.objects.filter(action="article.imported").exists()
    # Every signed review has its audit event, with the signature in it.
    signed = AuditEvent.objects.filter(action="review.signed")
    assert signed.count() == Review.objects.filter(decision=Decision.APPROVE).count()
    assert {e.payload["signed_content_hash"] for e in signed} <= set(
        ArticleVersion.objects.values_list("content_hash", flat=True)
    )
