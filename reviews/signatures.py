"""What the board's signed reviews decide, read from the reviews alone.

Below the workflow (``reviews.workflow.perform`` asks it before approving or publishing) and
below the modules that record reviews (``reviews.decisions``) and close assignments
(``reviews.assignments``), which ask it too: one decision policy, no import circle.
"""

from __future__ import annotations

from collections.abc import Iterable

from articles.content import compute_content_hash
from articles.models import Article, ArticleVersion
from core.errors import DomainError

from .models import AssignmentStatus, Decision, Review, ReviewAssignment


class SignatureMismatch(DomainError):
    code = "signature_mismatch"
    http_status = 409


def approvals_binding(version: ArticleVersion) -> list[Review]:
    """The signed approvals of ``version``, after checking each still matches its text.

    Publishing calls this: if the version's content hash (recomputed from the
    stored rows, not read from a column) differs from what a reviewer signed,
    the text was changed after approval and publishing is refused.
    """
    approvals = one_per_person(
        Review.objects.filter(version=version, decision=Decision.APPROVE).order_by("signed_at", "pk")
    )
    current = compute_content_hash(version)
    for approval in approvals:
        if approval.signed_content_hash != current:
            raise SignatureMismatch(
                f"Version {version.number} no longer matches the text {approval.signer_name} signed on "
                f"{approval.signed_at:%Y-%m-%d}; it cannot be published. Submit a new version for review."
            )
    if current != version.content_hash:
        raise SignatureMismatch(
            f"Version {version.number}'s text differs from what was submitted; it cannot be published."
        )
    return approvals


def one_per_person(approvals: Iterable[Review]) -> list[Review]:
    """Each board member's first approval only: a person counts once, and is listed once.

    The database refuses a second review of a version by the same member
    (``review_one_per_member_per_version``); this keeps the count honest for any row that
    predates that constraint."""
    seen: set[int] = set()
    kept = []
    for approval in approvals:
        if approval.reviewer_id not in seen:
            seen.add(approval.reviewer_id)
            kept.append(approval)
    return kept


def quorum_reached(
    article: Article, version: ArticleVersion, *, deciding: ReviewAssignment | None = None
) -> bool:
    """The decision policy: do the reviews of ``version`` approve the article now?

    Yes when its approvals come from at least ``article.approvals_needed`` distinct board members
    (a person counts once), nobody recommended rejection (that is for the managing editor), and
    no accepted assignment is still without its review (``deciding``, the one being completed,
    aside). Call with the article row locked.
    """
    reviews = list(Review.objects.filter(version=version).values_list("reviewer_id", "decision"))
    if any(decision == Decision.RECOMMEND_REJECT for _member, decision in reviews):
        return False
    outstanding = ReviewAssignment.objects.filter(version=version, status=AssignmentStatus.ACCEPTED)
    if deciding is not None:
        outstanding = outstanding.exclude(pk=deciding.pk)
    approvers = {member for member, decision in reviews if decision == Decision.APPROVE}
    return len(approvers) >= article.approvals_needed and not outstanding.exists()
