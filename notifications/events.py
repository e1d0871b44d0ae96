"""From audit events to notifications: who must learn about what.

Registered in ``audit.trail.LISTENERS``, so it runs inside the transaction
that writes the event: the inbox entries and outbox rows commit with it or not
at all. Each handler returns the people to tell and what to tell them; the
person who acted is never told about their own action.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.dateparse import parse_datetime

import core.audit_actions as audit_actions
from articles.models import Article, ArticleVersion
from audit.models import AuditEvent
from reviews.models import ReviewAssignment

from . import links
from .kinds import Kind
from .models import Notification
from .notify import Message, notify
from .recipients import managing_editors, managing_editors_for, previous_round_reviewers, reviewers_of_version


@dataclass(frozen=True)
class Notice:
    recipient: User | None  # None: nobody to tell (the person the event names is not found)
    message: Message
    dedupe_key: str | None = None


Handler = Callable[[AuditEvent], list[Notice]]
HANDLERS: dict[str, Handler] = {}


def handles(*actions: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for action in actions:
            HANDLERS[action] = fn
        return fn

    return register


def on_audit_event(event: AuditEvent) -> None:
    """The audit listener: write the notifications ``event`` calls for."""
    handler = HANDLERS.get(event.action)
    if handler is None:
        return
    for notice in handler(event):
        if (
            notice.recipient is None
            or notice.recipient.pk == event.actor_id
            or not notice.recipient.is_active
        ):
            continue
        notify(
            notice.recipient, notice.message, article=event.article, event=event, dedupe_key=notice.dedupe_key
        )


def when(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d %b %Y, %H:%M %Z") if moment else "no date set"


def _version(article: Article, number: int | None) -> ArticleVersion | None:
    if number is None:
        return None
    return ArticleVersion.objects.filter(article=article, number=number).first()


def _article_payload(article: Article, event: AuditEvent) -> dict[str, Any]:
    return {"article": article.slug, "version": event.payload.get("version"), "action": event.action}


# --- article transitions --------------------------------------------------------


@handles(audit_actions.ARTICLE_SUBMIT)
def _submitted(event: AuditEvent) -> list[Notice]:
    article, number = event.article, event.payload.get("version")
    if article is None:
        return []  # every article transition names its article; nothing to tell otherwise
    url = links.article_url(article)
    payload = _article_payload(article, event)
    notices = [
        Notice(
            me,
            Message(
                Kind.ARTICLE_SUBMITTED,
                f"Submitted for review: {article.title}",
                f"{event.actor_label} submitted version {number} of “{article.title}” ({article.specialty}). "
                "It needs reviewers.",
                url,
                payload,
            ),
        )
        for me in managing_editors_for(article.specialty_id)
    ]
    if number and number > 1:
        notices += [
            Notice(
                reviewer,
                Message(
                    Kind.VERSION_RESUBMITTED,
                    f"Revised and resubmitted: {article.title}",
                    f"You reviewed an earlier version of “{article.title}”. Version {number} answers the "
                    "review and has been submitted again.",
                    url,
                    payload,
                ),
                resubmitted_key(article, number, reviewer),
            )
            for reviewer in previous_round_reviewers(article, number)
        ]
    return notices


def resubmitted_key(article: Article, version: int, user: User) -> str:
    return f"resubmitted:{article.pk}:v{version}:{user.pk}"


def _changes_requested_key(article: Article, version: int, user: User) -> str:
    # A reviewer's "request changes" may arrive both as their review and as the
    # article's transition: the editor is told once per version.
    return f"changes-requested:{article.pk}:v{version}:{user.pk}"


@handles(audit_actions.ARTICLE_REQUEST_CHANGES, audit_actions.ARTICLE_RETURN)
def _changes_requested(event: AuditEvent) -> list[Notice]:
    article, number = event.article, event.payload.get("version")
    if article is None:
        return []  # every article transition names its article; nothing to tell otherwise
    reason = event.payload.get("reason", "")
    who = (
        "The managing editor returned it"
        if event.action == audit_actions.ARTICLE_RETURN
        else "The reviewers asked for changes"
    )
    body = f"{who}: version {number} of “{article.title}” needs a revision." + (
        f"\n\nReason: {reason}" if reason else ""
    )
    return [
        Notice(
            article.owner,
            Message(
                Kind.CHANGES_REQUESTED,
                f"Changes requested: {article.title}",
                body,
                links.article_url(article),
                _article_payload(article, event),
            ),
            _changes_requested_key(article, number, article.owner),
        )
    ]


@handles(audit_actions.ARTICLE_REJECT)
def _rejected(event: AuditEvent) -> list[Notice]:
    article = event.article
    if article is None:
        return []  # every article transition names its article; nothing to tell otherwise
    reason = event.payload.get("reason", "")
    return [
        Notice(
            article.owner,
            Message(
                Kind.ARTICLE_REJECTED,
                f"Rejected: {article.title}",
                f"“{article.title}” was rejected.\n\nReason: {reason}",
                links.article_url(article),
                _article_payload(article, event),
            ),
        )
    ]


@handles(audit_actions.ARTICLE_APPROVE)
def _approved(event: AuditEvent) -> list[Notice]:
    article, number = event.article, event.payload.get("version")
    if article is None:
        return []  # every article transition names its article; nothing to tell otherwise
    message = Message(
        Kind.ARTICLE_APPROVED,
        f"Approved: {article.title}",
        f"Version {number} of “{article.title}” has the board's approval and can be published.",
        links.article_url(article),
        _article_payload(article, event),
    )
    people = [article.owner, *reviewers_of_version(_version(article, number))]
    return [Notice(person, message) for person in _unique(people)]


@handles(audit_actions.ARTICLE_PUBLISH)
def _published(event: AuditEvent) -> list[Notice]:
    article, number = event.article, event.payload.get("version")
    if article is None:
        return []  # every article transition names its article; nothing to tell otherwise
    url = links.article_url(article)
    payload = _article_payload(article, event)
    published = Message(
        Kind.ARTICLE_PUBLISHED,
        f"Published: {article.title}",
        f"Version {number} of “{article.title}” is now what readers see.",
        url,
        payload,
    )
    # Nobody pressed the button: the periodic task published a scheduled version.
    scheduled = event.actor_id is None or bool(event.payload.get("scheduled"))
    owner_message = (
        Message(
            Kind.SCHEDULED_PUBLICATION_DONE,
            f"Scheduled publication done: {article.title}",
            f"Version {number} of “{article.title}” was published as scheduled.",
            url,
            payload,
        )
        if scheduled
        else published
    )
    notices = [Notice(article.owner, owner_message)]
    notices += [
        Notice(r, published)
        for r in reviewers_of_version(_version(article, number))
        if r.pk != article.owner_id
    ]
    return notices


@handles(audit_actions.ARTICLE_REREVIEW_FLAGGED)
def _rereview_flagged(event: AuditEvent) -> list[Notice]:
    article = event.article
    if article is None:
        return []  # every article transition names its article; nothing to tell otherwise
    reason = event.payload.get("reason", "")
    cited = event.payload.get("reference", "")
    return [
        Notice(
            article.owner,
            Message(
                Kind.REREVIEW_FLAGGED,
                f"Re-review needed: {article.title}",
                f"Evidence “{article.title}” cites has changed ({cited}). Readers keep seeing the published "
                f"version until a new one is approved.\n\nReason: {reason}",
                links.article_url(article),
                {**_article_payload(article, event), "flag_id": event.payload.get("flag_id")},
            ),
        )
    ]


# --- assignments and reviews -------------------------------------------------------


def _assignment(event: AuditEvent) -> ReviewAssignment | None:
    pk = event.payload.get("assignment_id") or (
        event.target_id if event.target_type == "reviewassignment" else None
    )
    if not pk:
        return None
    return (
        ReviewAssignment.objects.select_related(
            "reviewer__user", "assigned_by", "article__owner", "article__specialty", "version"
        )
        .filter(pk=pk)
        .first()
    )


def _assignment_payload(assignment: ReviewAssignment, event: AuditEvent) -> dict[str, Any]:
    return {
        "article": assignment.article.slug,
        "version": assignment.version.number,
        "round": assignment.round,
        "assignment_id": assignment.pk,
        "action": event.action,
    }


def _assignment_notice(
    recipient_of: str,
    kind: str,
    title: str,
    body: Callable[[ReviewAssignment, AuditEvent], str],
    only_if: Callable[[AuditEvent], bool] | None = None,
) -> Handler:
    """A handler telling one party of the assignment (``reviewer`` or ``assigned_by``)."""

    def handler(event: AuditEvent) -> list[Notice]:
        if only_if is not None and not only_if(event):
            return []
        a = _assignment(event)
        if a is None:
            return []
        recipient = a.reviewer.user if recipient_of == "reviewer" else a.assigned_by
        url = links.assignment_url(a.pk) if recipient_of == "reviewer" else links.article_url(a.article)
        return [
            Notice(
                recipient,
                Message(
                    kind,
                    title.format(title=a.article.title, reviewer=a.reviewer.display_name),
                    body(a, event),
                    url,
                    _assignment_payload(a, event),
                ),
            )
        ]

    return handler


@handles(audit_actions.ASSIGNMENT_INVITED)
def _invited(event: AuditEvent) -> list[Notice]:
    a = _assignment(event)
    if a is None:
        return []
    # Accepting is a button on the assignment page (a POST); declining has its own form.
    accept, decline = links.assignment_url(a.pk), links.decline_url(a.pk)
    due = f" The review would be due {when(a.due_at)}." if a.due_at else ""
    revised = ""
    if event.payload.get("automatic"):
        # A resubmission re-invites the previous round's reviewers in the same transaction:
        # the invitation (with its links) replaces the plain "resubmitted" notice, one email.
        Notification.objects.filter(
            dedupe_key=resubmitted_key(a.article, a.version.number, a.reviewer.user)
        ).delete()
        revised = "It answers the review you gave of the previous version. "
    inviter = a.assigned_by.get_full_name() or a.assigned_by.get_username()
    return [
        Notice(
            a.reviewer.user,
            Message(
                Kind.ASSIGNMENT_INVITED,
                f"Invitation to review: {a.article.title}",
                f"{inviter} invites you to review version {a.version.number} of “{a.article.title}” "
                f"({a.article.specialty}). {revised}Please accept or decline by {when(a.respond_by)}.{due}",
                links.assignment_url(a.pk),
                {
                    **_assignment_payload(a, event),
                    "accept_url": accept,
                    "decline_url": decline,
                    "respond_by": a.respond_by.isoformat(),
                },
            ),
        )
    ]


HANDLERS[audit_actions.ASSIGNMENT_ACCEPTED] = _assignment_notice(
    "assigned_by",
    Kind.ASSIGNMENT_ACCEPTED,
    "{reviewer} accepted: {title}",
    lambda a, e: f"{a.reviewer.display_name} accepted to review “{a.article.title}”; due {when(a.due_at)}.",
)
HANDLERS[audit_actions.ASSIGNMENT_DECLINED] = _assignment_notice(
    "assigned_by",
    Kind.ASSIGNMENT_DECLINED,
    "{reviewer} declined: {title}",
    lambda a, e: (
        f"{a.reviewer.display_name} declined to review “{a.article.title}”."
        + (f"\n\nReason: {a.decline_reason}" if a.decline_reason else "")
        + (f"\nSuggested instead: {a.suggested_alternative}" if a.suggested_alternative else "")
        + "\n\nPlease invite someone else."
    ),
)
HANDLERS[audit_actions.ASSIGNMENT_EXPIRED] = _assignment_notice(
    "assigned_by",
    Kind.ASSIGNMENT_EXPIRED,
    "No answer from {reviewer}: {title}",
    lambda a, e: (
        f"{a.reviewer.display_name} did not answer the invitation to review “{a.article.title}” "
        f"by {when(a.respond_by)}. Please invite someone else."
    ),
)
HANDLERS[audit_actions.ASSIGNMENT_CANCELLED] = _assignment_notice(
    "reviewer",
    Kind.ASSIGNMENT_CANCELLED,
    "Review cancelled: {title}",
    lambda a, e: (
        f"Your review of “{a.article.title}” is no longer needed."
        + (f"\n\nReason: {a.cancel_reason}" if a.cancel_reason else "")
    ),
)
HANDLERS[audit_actions.ASSIGNMENT_EXTENSION_REQUESTED] = _assignment_notice(
    "assigned_by",
    Kind.EXTENSION_REQUESTED,
    "{reviewer} asks for more time: {title}",
    lambda a, e: (
        f"{a.reviewer.display_name} asks to deliver the review of “{a.article.title}” by "
        f"{when(a.extension_requested_until)} instead of {when(a.due_at)}."
        + (f"\n\nReason: {a.extension_reason}" if a.extension_reason else "")
    ),
)
HANDLERS[audit_actions.ASSIGNMENT_EXTENSION_GRANTED] = _assignment_notice(
    "reviewer",
    Kind.EXTENSION_DECIDED,
    "Extension granted: {title}",
    lambda a, e: f"Your review of “{a.article.title}” is now due {when(a.due_at)}.",
)
HANDLERS[audit_actions.ASSIGNMENT_EXTENSION_REFUSED] = _assignment_notice(
    "reviewer",
    Kind.EXTENSION_DECIDED,
    "Extension refused: {title}",
    lambda a, e: f"Your review of “{a.article.title}” is still due {when(a.due_at)}.",
)
HANDLERS[audit_actions.ASSIGNMENT_CONFLICT_DECLARED] = _assignment_notice(
    "assigned_by",
    Kind.CONFLICT_DECLARED,
    "{reviewer} declared a conflict: {title}",
    lambda a, e: (
        f"{a.reviewer.display_name} declared a {a.get_conflict_category_display().lower()} conflict "
        f"of interest on “{a.article.title}”. The review is blocked until you override it or invite "
        "someone else." + (f"\n\n{a.conflict_details}" if a.conflict_details else "")
    ),
    # Declaring "no conflict" is the normal first step of every review: nothing to tell.
    only_if=lambda e: e.payload.get("category") not in (None, "", "none"),
)
HANDLERS[audit_actions.ASSIGNMENT_CONFLICT_OVERRIDDEN] = _assignment_notice(
    "reviewer",
    Kind.CONFLICT_OVERRIDDEN,
    "You may go on reviewing: {title}",
    lambda a, e: (
        f"Your declared conflict on “{a.article.title}” was overridden; the review can go on."
        + (f"\n\nReason: {a.conflict_override_reason}" if a.conflict_override_reason else "")
    ),
)


@handles(audit_actions.REVIEW_SUBMITTED, audit_actions.REVIEW_SIGNED)
def _review_submitted(event: AuditEvent) -> list[Notice]:
    a = _assignment(event)
    if a is None:
        return []
    decision = event.payload.get("decision", "")
    article = a.article
    notices = [
        Notice(
            a.assigned_by,
            Message(
                Kind.REVIEW_SUBMITTED,
                f"{a.reviewer.display_name} reviewed: {article.title}",
                f"{a.reviewer.display_name} submitted a review of version {a.version.number} of "
                f"“{article.title}”: {decision.replace('_', ' ') or 'no decision given'}.",
                links.article_url(article),
                {**_assignment_payload(a, event), "decision": decision},
            ),
        )
    ]
    if decision == "request_changes":
        notices.append(
            Notice(
                article.owner,
                Message(
                    Kind.CHANGES_REQUESTED,
                    f"Changes requested: {article.title}",
                    f"{a.reviewer.display_name} asks for changes to version {a.version.number} of "
                    f"“{article.title}”.",
                    links.article_url(article),
                    {**_assignment_payload(a, event), "decision": decision},
                ),
                _changes_requested_key(article, a.version.number, article.owner),
            )
        )
    elif decision == "recommend_reject":
        notices.append(
            Notice(
                article.owner,
                Message(
                    Kind.REJECT_RECOMMENDED,
                    f"Rejection recommended: {article.title}",
                    f"{a.reviewer.display_name} recommends rejecting version {a.version.number} of "
                    f"“{article.title}”. The managing editor decides.",
                    links.article_url(article),
                    {**_assignment_payload(a, event), "decision": decision},
                ),
            )
        )
    return notices


@handles(audit_actions.REVIEW_ROUND_COMPLETE)
def _round_complete(event: AuditEvent) -> list[Notice]:
    article = event.article
    if article is None:
        return []
    decisions = ", ".join(
        f"{n} {d.replace('_', ' ')}" for d, n in sorted(event.payload.get("decisions", {}).items())
    )
    message = Message(
        Kind.ROUND_COMPLETE,
        f"Review round complete: {article.title}",
        f"Every review of round {event.payload.get('round', '')} "
        f"(version {event.payload.get('version', '')}) of “{article.title}” is in"
        + (f": {decisions}." if decisions else "."),
        links.article_url(article),
        _article_payload(article, event),
    )
    # The managing editors who assigned the round's reviewers.
    editors = get_user_model().objects.filter(pk__in=event.payload.get("assigned_by_user_ids", []))
    return [Notice(me, message) for me in editors]


@handles(audit_actions.PUBLICATION_FAILED, audit_actions.PUBLICATION_SCHEDULE_CANCELLED)
def _publication_stopped(event: AuditEvent) -> list[Notice]:
    article = event.article
    if article is None or (
        event.action == audit_actions.PUBLICATION_SCHEDULE_CANCELLED and event.actor_id is not None
    ):
        return []  # someone cancelling by hand knows already
    what = "failed" if event.action == audit_actions.PUBLICATION_FAILED else "was cancelled"
    message = Message(
        Kind.SCHEDULED_PUBLICATION_STOPPED,
        f"Scheduled publication {what}: {article.title}",
        f"The scheduled publication of version {event.payload.get('version')} of “{article.title}” {what}: "
        f"{event.payload.get('reason', '')}",
        links.article_url(article),
        _article_payload(article, event),
    )
    people = [
        article.owner,
        get_user_model().objects.filter(pk=event.payload.get("scheduled_by_user_id")).first(),
    ]
    return [Notice(p, message) for p in _unique(people)]


@handles(audit_actions.COMMENT_ANSWERED)
def _comment_answered(event: AuditEvent) -> list[Notice]:
    article = event.article
    reviewer_id = event.payload.get("reviewer_user_id")
    if article is None or not reviewer_id:
        return []
    reviewer = get_user_model().objects.filter(pk=reviewer_id).first()
    return [
        Notice(
            reviewer,
            Message(
                Kind.COMMENT_ANSWERED,
                f"Your comment was answered: {article.title}",
                f"The editor of “{article.title}” answered your comment"
                + (f": {event.payload['status'].replace('_', ' ')}." if event.payload.get("status") else "."),
                links.article_url(article),
                _article_payload(article, event),
            ),
        )
    ]


# --- webhooks ---------------------------------------------------------------------


@handles(audit_actions.WEBHOOK_DISABLED)
def _webhook_disabled(event: AuditEvent) -> list[Notice]:
    """An endpoint failing for a day was disabled (``webhooks.endpoints.disable_failing``).

    Everything is read from the event (the endpoint is its target; its URL, client and failure
    streak are in the payload), so that webhooks and notifications never import each other.
    """
    endpoint_id = event.target_id
    url = event.payload.get("url", "")
    client = get_user_model().objects.filter(pk=event.payload.get("client_id")).first()
    client_name = client.get_username() if client is not None else "a deleted client"
    since = parse_datetime(event.payload.get("failing_since") or "")
    failing = f" since {since:%d %b %Y, %H:%M} UTC" if since is not None else ""
    message = Message(
        Kind.WEBHOOK_DISABLED,
        f"Webhook endpoint disabled: {url}",
        f"The webhook endpoint {url} of {client_name} failed every attempt{failing} and was disabled. "
        "Events for it are no longer sent. Enable it again (admin or API) once the receiver works, "
        "then re-send what it missed.",
        links.webhook_endpoint_url(endpoint_id),
        {"endpoint_id": int(endpoint_id), "url": url},
    )
    streak = since.isoformat() if since is not None else f"event-{event.pk}"
    return [
        Notice(person, message, dedupe_key=f"webhook-disabled:{endpoint_id}:{streak}:{person.pk}")
        for person in managing_editors()
    ]


def _unique(users: Iterable[User | None]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        if user is not None:
            seen.setdefault(user.pk, user)
    return list(seen.values())
