"""The printable review record of an article: every version, every assignment,
every review and every signature, as plain text a managing editor downloads.

Who may download it is the caller's check (managing editors); this only reads.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from articles.content import compute_content_hash
from articles.models import Article

from .models import CHECKLIST_ITEMS, Review, ReviewAssignment


def _when(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z") if moment else "-"


def _assignment_lines(a: ReviewAssignment) -> list[str]:
    lines = [
        f"  Assignment #{a.pk}: {a.reviewer.display_name}, {a.reviewer.credentials} "
        f"(round {a.round}, {a.get_status_display().lower()})",
        f"    invited {_when(a.invited_at)} by {a.assigned_by.get_username()}, "
        f"answer by {_when(a.respond_by)}",
    ]
    if a.replaces_id:
        lines.append(f"    replaces assignment #{a.replaces_id}")
    if a.accepted_at:
        lines.append(f"    accepted {_when(a.accepted_at)}, due {_when(a.due_at)}")
    if a.declined_at:
        alternative = f"; suggested instead: {a.suggested_alternative}" if a.suggested_alternative else ""
        lines.append(f"    declined {_when(a.declined_at)}: {a.decline_reason}{alternative}")
    if a.expired_at:
        lines.append(f"    expired {_when(a.expired_at)} unanswered")
    if a.cancelled_at:
        lines.append(f"    cancelled {_when(a.cancelled_at)}: {a.cancel_reason}")
    if a.extension_status:
        lines.append(
            f"    more time asked until {_when(a.extension_requested_until)} ({a.extension_reason}): "
            f"{a.get_extension_status_display().lower()}"
        )
    if a.conflict_declared_at:
        details = f": {a.conflict_details}" if a.conflict_details else ""
        lines.append(
            f"    conflict declaration {_when(a.conflict_declared_at)}: "
            f"{a.get_conflict_category_display()}{details}"
        )
    if a.conflict_override_at:
        # No account named: the audit trail's word for work no person did.
        overrider = a.conflict_override_by.get_username() if a.conflict_override_by else "system"
        lines.append(
            f"    conflict overridden {_when(a.conflict_override_at)} by {overrider}: "
            f"{a.conflict_override_reason}"
        )
    review = getattr(a, "review", None)
    if review is not None:
        lines += _review_lines(review)
    return lines


def _review_lines(review: Review) -> list[str]:
    lines = [f"    REVIEW submitted {_when(review.submitted_at)}: {review.get_decision_display()}"]
    if review.comments:
        lines += ["      Comments:"] + [f"        {line}" for line in review.comments.splitlines()]
    lines.append("      Checklist:")
    for key, label in CHECKLIST_ITEMS.items():
        lines.append(f"        [{'x' if review.checklist.get(key) else ' '}] {label}")
    for comment in review.section_comments.all():
        quote = f' on "{comment.quote}"' if comment.quote else ""
        lines.append(f"      On {comment.section.get_audience_display()} / {comment.section.heading}{quote}:")
        lines.append(f"        {comment.comment}")
        response = getattr(comment, "response", None)
        if response is not None:
            reason = f": {response.reason}" if response.reason else ""
            lines.append(
                f"        Answer by {response.responded_by.get_username()} {_when(response.responded_at)}: "
                f"{response.get_status_display()}{reason}"
            )
    for note in review.notes.all():
        lines.append(f"      Later note {_when(note.created_at)}: {note.text}")
    if review.signed_at:
        lines += [
            "      SIGNATURE",
            f"        Printed name:  {review.signer_name}",
            f"        Credentials:   {review.signer_credentials}",
            f"        Signed at:     {_when(review.signed_at)}",
            f"        Meaning:       {review.signature_meaning}",
            f"        Content hash:  {review.signed_content_hash}",
        ]
    return lines


def review_record(article: Article) -> str:
    """Every version, assignment, review and signature of ``article``, oldest first."""
    lines = [
        f"REVIEW RECORD: {article.title}",
        f"Article: {article.slug} (#{article.pk}), specialty {article.specialty.name}, "
        f"owner {article.owner.get_username()}, state {article.get_state_display().lower()}",
        f"Approvals required: {article.approvals_needed}",
        f"Last reviewed: {_when(article.last_reviewed_at)}; "
        f"next review due: {article.next_review_due or '-'}",
        f"Printed {_when(timezone.now())}",
    ]
    assignments = (
        ReviewAssignment.objects.filter(article=article)
        .select_related("reviewer", "assigned_by", "conflict_override_by", "review")
        .prefetch_related(
            "review__section_comments__section",
            "review__section_comments__response__responded_by",
            "review__notes",
        )
        .order_by("invited_at", "pk")
    )
    by_version: dict[int, list[ReviewAssignment]] = {}
    for a in assignments:
        by_version.setdefault(a.version_id, []).append(a)
    versions = article.versions.order_by("number").select_related("author")
    for version in versions.prefetch_related("sections", "references"):
        lines += [
            "",
            f"VERSION {version.number}: {version.title}",
            f"  written by {version.author.get_username()}, origin {version.get_origin_display().lower()}"
            + (f" ({version.generator})" if version.generator else ""),
            f"  submitted {_when(version.frozen_at)}; published {_when(version.published_at)}",
            f"  content hash at submission: {version.content_hash or '-'}",
        ]
        if version.is_frozen and compute_content_hash(version) != version.content_hash:
            lines.append("  WARNING: the stored text no longer matches this hash.")
        if version.change_summary:
            lines.append(f"  change summary: {version.change_summary}")
        version_assignments = by_version.get(version.pk, [])
        if not version_assignments:
            lines.append("  (no review assignments)")
        for a in version_assignments:
            lines += _assignment_lines(a)
    return "\n".join(lines) + "\n"
