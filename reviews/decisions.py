"""Reviews, signatures and what they decide."""

from __future__ import annotations

from articles.content import compute_content_hash
from articles.errors import DomainError
from articles.models import ArticleVersion

from .models import Decision, Review


class SignatureMismatch(DomainError):
    code = "signature_mismatch"
    http_status = 409


def approvals_binding(version: ArticleVersion) -> list[Review]:
    """The signed approvals of ``version``, after checking each still matches its text.

    Publishing calls this: if the version's content hash (recomputed from the
    stored rows, not read from a column) differs from what a reviewer signed,
    the text was changed after approval and publishing is refused.
    """
    approvals = list(Review.objects.filter(version=version, decision=Decision.APPROVE).order_by("signed_at"))
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
