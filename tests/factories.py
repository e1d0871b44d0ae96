"""Shared test helpers: plain functions that build the few things most tests need.

Articles are made and submitted through the real code paths (``create_article``,
``perform``). The review helpers at the end (``make_assignment``,
``sign_approval``, ``approve_directly``) write rows directly, for tests about
something else that only need an assignment or an approved version to exist.
"""

from __future__ import annotations

import datetime
import functools
import time
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import ensure_role_groups
from articles.drafting import DraftContent, ReferenceInput, SectionInput, create_article
from articles.models import Article, Audience, ReferenceKind, Specialty
from audit.log import seal
from audit.models import AuditEvent

PASSWORD = "vetted-demo"


def make_user(username: str, *groups: str, **fields: Any):
    """A user in the given role groups (accounts.roles names), password ``vetted-demo``.

    Returns a fresh instance read back from the database: ``has_perm`` caches
    permissions on the instance, so one fetched before the groups were added
    would answer with stale permissions.
    """
    if Group.objects.filter(name__in=groups).count() < len(set(groups)):
        ensure_role_groups()  # normally done by post_migrate; a test may have emptied the tables
    fields.setdefault("email", f"{username}@example.org")
    user = get_user_model().objects.create(username=username, password=_password_hash(), **fields)
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return get_user_model().objects.get(pk=user.pk)


@functools.cache
def _password_hash() -> str:
    # Hashing is deliberately slow; one real hash, reused, keeps logins working and tests fast.
    return make_password(PASSWORD)


def make_specialty(slug: str = "obstetrics", **fields: Any) -> Specialty:
    fields.setdefault("name", slug.replace("-", " ").capitalize())
    specialty, _ = Specialty.objects.get_or_create(slug=slug, defaults=fields)
    return specialty


def valid_content(**overrides: Any) -> DraftContent:
    """Content that passes every submit check: a patient section citing [1] and [2], two references."""
    values: dict[str, Any] = {
        "title": "Cervical insufficiency in pregnancy",
        "summary": "What cervical insufficiency is and how it is treated.",
        "sections": [
            SectionInput(
                audience=Audience.PATIENT,
                heading="What it is",
                body="The cervix can open too early in pregnancy [1]. A stitch can help some women [2].",
            )
        ],
        "references": [
            ReferenceInput(
                number=1,
                kind=ReferenceKind.GUIDELINE,
                title="Cerclage for the management of cervical insufficiency",
                source="American College of Obstetricians and Gynecologists",
                year=2014,
                doi="10.1097/01.AOG.0000444454.47626.ab",
            ),
            ReferenceInput(
                number=2,
                kind=ReferenceKind.SYSTEMATIC_REVIEW,
                title="Cervical stitch (cerclage) for preventing preterm birth",
                source="Cochrane Database of Systematic Reviews",
                year=2017,
                authors="Alfirevic Z, Stampalija T, Medley N",
                doi="10.1002/14651858.CD008991.pub3",
                pmid="28586127",
            ),
        ],
    }
    values.update(overrides)
    return DraftContent(**values)


def make_article(
    owner, specialty: Specialty | None = None, content: DraftContent | None = None, **kw: Any
) -> Article:
    """A new article (state draft) whose version 1 is a valid working draft."""
    return create_article(
        owner=owner,
        specialty=specialty or make_specialty(),
        content=content or valid_content(),
        **kw,
    )


def submit(article: Article, editor) -> Article:
    """Submit the article's working draft through the workflow; returns the article re-read."""
    from reviews.workflow import Action, perform

    perform(article, Action.SUBMIT, editor)
    return reread(article)


def reread(article: Article) -> Article:
    """The article as stored now, with the relations tests read off it joined in: the suite
    runs with lazy fetches blocked (tests/conftest.py)."""
    return Article.objects.select_related("specialty", "owner", "published_version").get(pk=article.pk)


def make_board_member(user, *specialties: Specialty, **fields: Any):
    """A board member with verified credentials that are current for another year."""
    from reviews.models import BoardMember

    verified_by = fields.pop("verified_by", None)
    fields.setdefault("display_name", f"Dr {user.get_username().capitalize()}")
    fields.setdefault("credentials", "MD")
    fields.setdefault("credentials_verified_by", verified_by)
    fields.setdefault("credentials_verified_at", timezone.now())
    fields.setdefault("credentials_expire_on", timezone.localdate() + datetime.timedelta(days=365))
    member = BoardMember.objects.create(user=user, **fields)
    if specialties:
        member.specialties.add(*specialties)
    return member


def make_assignment(version, user, assigned_by, status: str = "accepted", **fields: Any):
    """An assignment of ``version`` to ``user`` (made a board member if not one yet), created directly."""
    from reviews.models import BoardMember, ReviewAssignment

    article = Article.objects.select_related("specialty").get(pk=version.article_id)
    member = BoardMember.objects.filter(user=user).first() or make_board_member(user, article.specialty)
    now = timezone.now()
    fields.setdefault("respond_by", now + datetime.timedelta(days=3))
    fields.setdefault("accepted_at", now if status in ("accepted", "completed") else None)
    fields.setdefault("due_at", now + datetime.timedelta(days=14))
    return ReviewAssignment.objects.create(
        article=article,
        version=version,
        reviewer=member,
        assigned_by=assigned_by,
        status=status,
        **fields,
    )


def sign_approval(version, user, assigned_by):
    """A completed assignment and a signed approval of exactly ``version``'s text, created directly.

    For tests that need an approved version without going through the review pages.
    """
    from articles.content import compute_content_hash
    from reviews.models import Decision, Review

    assignment = make_assignment(version, user, assigned_by, status="completed", completed_at=timezone.now())
    return Review.objects.create(
        assignment=assignment,
        version=version,
        reviewer=assignment.reviewer,
        decision=Decision.APPROVE,
        signer=user,
        signer_name=assignment.reviewer.display_name,
        signer_credentials=assignment.reviewer.credentials,
        signed_at=timezone.now(),
        signature_meaning="I reviewed this version and approve it for publication.",
        signed_content_hash=compute_content_hash(version),
    )


def approve_directly(article: Article, approver, assigned_by) -> Article:
    """Put a submitted article in state approved, with a signed approval of its latest version."""
    sign_approval(article.latest_version(), approver, assigned_by)
    Article.objects.filter(pk=article.pk).update(state="approved")
    return reread(article)


def seal_log(timeout: float = 120.0):
    """Seal the review log as the beat would, until every event this test wrote is in it.

    On PostgreSQL the sealer waits for every older transaction on the server to finish (its
    rule: nothing sealed before an event that may still commit); another test run on the same
    server can hold one open for a moment, so this retries rather than fails.
    """
    deadline = time.monotonic() + timeout
    while True:
        done = seal()
        if done is not None and not AuditEvent.objects.filter(leaf__isnull=True).exists():
            return done
        if time.monotonic() > deadline:
            raise TimeoutError(
                "Events still unsealed: an older transaction on this PostgreSQL server stayed open "
                f"for {timeout:.0f} s (another test run?)."
            )
        time.sleep(0.05)
