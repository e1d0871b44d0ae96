"""The one place that moves an article from state to state.

Every caller (views, API, admin actions, commands, periodic tasks, review
decisions) goes through :func:`perform`. A transition is one database
transaction: the article row is locked, the state and the caller's role are
checked, the step's effects run, exactly one audit event is written, and
either all of it commits or none of it does.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

import core.audit_actions as audit_actions
from articles.content import check_version, compute_content_hash
from articles.models import Article, ArticleState, ArticleVersion, Reference, Section
from audit.trail import RequestInfo, record
from core.actor import Actor, signed_in
from core.errors import ContentInvalid, DomainError, NotPermitted
from core.roles import EDITING_ROLES, PUBLISH_ARTICLE, Role

from .models import Decision, Review
from .roles import roles_for
from .signatures import approvals_binding, quorum_reached

S = ArticleState


class Action:
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    START_REVIEW = "start_review"
    REQUEST_CHANGES = "request_changes"
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    PUBLISH = "publish"
    ARCHIVE = "archive"
    REVISE = "revise"
    DISCARD = "discard"


# How an action that is not a screen's button comes about (``Transition.comes_through``).
THROUGH_SIGNED_REVIEW = "a board member's review, signed for an approval (reviews.decisions.submit_review)"
THROUGH_ASSIGNING = "assigning the first reviewer (reviews.assignments.assign_reviewer)"


@dataclass(frozen=True)
class Transition:
    """One article transition, declared once: everything ``perform`` checks and does for it,
    and what the screens (desk, API, admin) offer of it (:func:`offered_actions`)."""

    action: str
    sources: frozenset[str]
    target: str | None  # None: decided by the step itself (discarding a revision)
    roles: frozenset[Role]
    label: str
    # The one audit event the transition writes (a ``core.audit_actions`` constant).
    audit_action: str
    # What the step does beyond moving the state, inside the transaction (may refuse).
    effect: Callable[[StepContext], None] | None = None
    needs_reason: bool = False
    # A permission the person must hold on top of the role (system actors are exempt).
    permission: str | None = None
    # The decision a person's own review must carry for them to take this step: ``perform``
    # refuses it without that review (``review=``), so it only comes with a review.
    needs_review: str | None = None
    # The note left on the review assignments still open when this transition ends the round
    # (``reviews.assignments`` closes them); None leaves them open.
    closing_note: str | None = None
    # None: a button on every screen (desk, API, admin). Otherwise how it comes about instead.
    comes_through: str | None = None
    # States where the screens' button opens the next version without a transition (answering a
    # change request: ``open_working_draft``), offered while the latest version is frozen.
    opens_draft_in: frozenset[str] = frozenset()

    @property
    def offered_on_screens(self) -> bool:
        return self.comes_through is None


# Where an article's life ends: no transition leaves these. Every other state has a way on
# for somebody (tests/properties checks it after every step of the state machine); a rejected
# article is archived by a managing editor, a withdrawn one revised or archived.
FINAL_STATES: frozenset[str] = frozenset({S.ARCHIVED})


class TransitionNotAllowed(DomainError):
    code = "transition_not_allowed"
    http_status = 409

    def __init__(self, message: str, *, state: str, allowed: list[str]) -> None:
        super().__init__(message)
        self.state = state
        self.allowed = allowed


@dataclass
class TransitionResult:
    article: Article
    action: str
    state_before: str
    state_after: str
    version: ArticleVersion | None = None
    warnings: list[str] = field(default_factory=list)
    deleted: bool = False


@dataclass
class StepContext:
    article: Article
    actor: Actor
    reason: str
    options: dict[str, Any]
    result: TransitionResult
    payload: dict[str, Any]
    transition: Transition
    # The review that comes with the step (``Transition.needs_review``), checked by ``perform``.
    review: Review | None = None


def allowed_actions(article: Article, user: Actor) -> list[str]:
    """What this person may do to the article now by the table (states, roles, permission),
    in table order; :func:`offered_actions` is what screens offer of it."""
    roles = roles_for(user, article)
    return [t.action for t in TRANSITIONS.values() if _allows(t, article.state, roles, user)]


def offered_actions(article: Article, user: Actor) -> list[Transition]:
    """What the screens (the desk's buttons, the API's ``allowed_actions``, the admin's actions)
    offer this person on the article now, in table order: the transitions offered on screens
    whose state, roles, permission and preconditions hold. The one question every door asks."""
    roles = roles_for(user, article)
    offered = []
    for transition in TRANSITIONS.values():
        if not transition.offered_on_screens:
            continue
        if _allows(transition, article.state, roles, user) or _opens_draft(transition, article, roles):
            offered.append(transition)
    return offered


def _allows(transition: Transition, state: str, roles: set[Role], user: Actor) -> bool:
    return (
        state in transition.sources and bool(roles & transition.roles) and _holds_permission(user, transition)
    )


def _opens_draft(transition: Transition, article: Article, roles: set[Role]) -> bool:
    """The button opens the next version without a transition here (see ``open_working_draft``)."""
    if article.state not in transition.opens_draft_in or not roles & EDITING_ROLES:
        return False
    latest = article.versions.order_by("-number").first()
    return latest is not None and latest.is_frozen


def _holds_permission(user: Actor, transition: Transition) -> bool:
    return user is None or transition.permission is None or user.has_perm(transition.permission)


def _state_label(state: str) -> str:
    return ArticleState(state).label


def perform(
    article: Article | int,
    action: str,
    actor: Actor,
    *,
    reason: str = "",
    request_info: RequestInfo | None = None,
    review: Review | None = None,
    **options: Any,
) -> TransitionResult:
    """Carry out ``action`` on the article as ``actor`` (``None`` for the system).

    ``review`` is the actor's own review that a step taken by a review needs
    (``Transition.needs_review``: approving, requesting changes); only
    ``reviews.decisions.submit_review`` has one to give.

    Raises ``TransitionNotAllowed`` (wrong state), ``NotPermitted`` (wrong
    person) or ``ContentInvalid`` (the step's own checks); in every case
    nothing is written.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(f"Unknown action {action!r}; known actions: {', '.join(TRANSITIONS)}.")
    pk = article.pk if isinstance(article, Article) else article
    with transaction.atomic():
        # of=("self",): a bare FOR UPDATE would also lock the joined specialty row and
        # serialise every transition in that specialty (measured by bench/transitions.py).
        locked = (
            Article.objects.select_for_update(of=("self",))
            .select_related("specialty", "owner", "published_version")
            .get(pk=pk)
        )
        roles = roles_for(actor, locked)
        if not (roles & transition.roles) or not _holds_permission(actor, transition):
            raise NotPermitted(
                f'You cannot "{transition.label.lower()}" this article: that is for '
                + " or ".join(r.value.replace("_", " ") for r in sorted(transition.roles))
                + "."
            )
        if locked.state not in transition.sources:
            allowed = allowed_actions(locked, actor)
            raise TransitionNotAllowed(
                f'Cannot "{transition.label.lower()}": the article is {_state_label(locked.state)!r}. '
                + (
                    f"From here you can: {', '.join(allowed)}."
                    if allowed
                    else "There is nothing you can do to it in this state."
                ),
                state=locked.state,
                allowed=allowed,
            )
        if transition.needs_reason and not reason.strip():
            raise ContentInvalid(
                f'A reason is required to "{transition.label.lower()}".', fields={"reason": ["Required."]}
            )
        before = locked.state
        result = TransitionResult(locked, action, before, transition.target or before)
        ctx = StepContext(locked, actor, reason.strip(), options, result, payload={}, transition=transition)
        if transition.needs_review is not None:
            ctx.review = _review_that_comes_with(ctx, review)
        if reason.strip():
            ctx.payload["reason"] = reason.strip()
        if transition.effect is not None:
            transition.effect(ctx)
        if result.deleted:
            return result
        locked.state = result.state_after
        locked.save()
        version = result.version or locked.versions.order_by("-number").first()
        if version is not None:
            ctx.payload.setdefault("version", version.number)
        record(
            transition.audit_action,
            actor=actor,
            target=locked,
            article=locked,
            state_before=before,
            state_after=locked.state,
            payload=ctx.payload,
            request_info=request_info,
        )
        for hook in AFTER_TRANSITION:
            hook(ctx)
    return result


# --- preconditions ------------------------------------------------------------------


def _version_under_review(article: Article) -> ArticleVersion | None:
    return article.versions.filter(frozen_at__isnull=False).order_by("-number").first()


def _review_that_comes_with(ctx: StepContext, review: Review | None) -> Review | None:
    """The actor's own review of the version under review, with the decision the step needs.

    A person takes these steps only by reviewing (``reviews.decisions.submit_review`` passes the
    review it just recorded); the system has no review, and approves only where the reviews
    already in decide it (:func:`_require_signed_quorum`). Anything else is refused here, before
    the step's effects, so a bare call can never stand in for a board member's review.
    """
    transition = ctx.transition
    if ctx.actor is None:
        return None
    account = signed_in(ctx.actor)
    version = _version_under_review(ctx.article)
    genuine = None
    if review is not None and review.pk is not None and version is not None and account is not None:
        genuine = (
            Review.objects.select_related("assignment")
            .filter(pk=review.pk, version=version, reviewer__user=account, decision=transition.needs_review)
            .first()
        )
    if genuine is None:
        if transition.needs_review == Decision.APPROVE:
            raise ContentInvalid(
                "Approving is a board member's signed approval, given with their review; "
                "submit your review instead."
            )
        raise ContentInvalid(
            "Changes are requested with a review that says what to change; submit your review instead."
        )
    return genuine


# --- the steps' effects -------------------------------------------------------
def _submit(ctx: StepContext) -> None:
    version = ctx.article.working_draft()
    if version is None:
        raise ContentInvalid(
            "There is no new version to submit: the latest version was already submitted. "
            "Edit the article to start a new version."
        )
    check = check_version(version)
    if not check.ok:
        raise ContentInvalid(
            "The version cannot be submitted: " + " ".join(check.errors), fields={"content": check.errors}
        )
    now = timezone.now()
    content_hash = compute_content_hash(version)
    ArticleVersion.objects.filter(pk=version.pk, frozen_at__isnull=True).update(
        frozen_at=now, content_hash=content_hash, updated_at=now
    )
    version.refresh_from_db()
    ctx.result.version = version
    ctx.result.warnings = check.warnings
    ctx.payload.update({"version": version.number, "content_hash": content_hash, "warnings": check.warnings})


def _publish(ctx: StepContext) -> None:
    article = ctx.article
    # An approved article always has its submitted version (``latest`` raises if not).
    version = article.versions.filter(frozen_at__isnull=False).latest("number")
    approvals = approvals_binding(version)  # raises if any signature no longer matches the text
    # The approve step is the reviewers' to take, but publishing checks the signatures itself:
    # whatever path reached "approved", too few signed approvals never go out to readers.
    if len(approvals) < article.approvals_needed:
        raise ContentInvalid(
            f"Version {version.number} has {len(approvals)} signed approval(s); "
            f"{article.approvals_needed} are needed before it can be published."
        )
    now = timezone.now()
    previous = article.published_version
    if previous is not None and previous.pk != version.pk:
        ArticleVersion.objects.filter(pk=previous.pk).update(superseded_at=now)
    ArticleVersion.objects.filter(pk=version.pk).update(published_at=now)
    # Every approval is signed (reviews.decisions.submit_review); the column is nullable only
    # because other decisions carry no signature.
    reviewed_at = max((a.signed_at for a in approvals if a.signed_at is not None), default=now)
    article.published_version = version
    article.title = version.title
    article.first_published_at = article.first_published_at or now
    article.last_updated_at = now
    article.last_reviewed_at = reviewed_at
    article.next_review_due = next_review_date(reviewed_at, article.specialty.review_interval_months)
    ctx.result.version = version
    ctx.payload.update(
        {
            "version": version.number,
            "content_hash": version.content_hash,
            "reviewed_by": [a.signer_name for a in approvals],
            # What the quorum was when readers were given this text (it may be raised later).
            "approvals_required": article.approvals_needed,
            "superseded": previous.number if previous is not None and previous.pk != version.pk else None,
        }
    )


def _revise(ctx: StepContext) -> None:
    draft = ctx.article.working_draft()
    if draft is not None:
        # Withdrawn while answering a change request: the draft already opened is the one to
        # carry on with (copying it would strand it), and discarding it now returns here.
        ArticleVersion.objects.filter(pk=draft.pk).update(opened_from_state=ctx.result.state_before)
        draft.refresh_from_db()
        ctx.result.version = draft
        ctx.payload["reused_draft"] = True
    else:
        ctx.result.version = _copy_latest_into_new_draft(
            ctx.article, ctx.actor, opened_from=ctx.result.state_before
        )
    ctx.payload["version"] = ctx.result.version.number


def _require_signed_quorum(ctx: StepContext) -> None:
    """Approving is what the board's signatures decide, whoever calls it: the version under
    review must hold the required number of signed approvals from distinct members, each bound
    to its text (``reviews.signatures.approvals_binding``), and the decision policy
    (``reviews.signatures.quorum_reached``) must say the reviews in decide it."""
    version = _version_under_review(ctx.article)
    approvals = approvals_binding(version) if version is not None else []
    if len(approvals) < ctx.article.approvals_needed:
        raise ContentInvalid(
            f"The article needs {ctx.article.approvals_needed} signed approval(s) from distinct board "
            f"members to be approved; it has {len(approvals)}. Approving is the reviewers' signature."
        )
    deciding = ctx.review.assignment if ctx.review is not None else None
    if version is None or not quorum_reached(ctx.article, version, deciding=deciding):
        raise ContentInvalid(
            "The reviews of this version do not decide it yet: an accepted review is outstanding, "
            "or a board member recommended rejection (that is for a managing editor)."
        )
    ctx.result.version = version


def _request_changes(ctx: StepContext) -> None:
    """Requesting changes comes with the reviewer's own review saying what to change (checked
    before the effects: ``Transition.needs_review``)."""
    ctx.result.version = _version_under_review(ctx.article)


def _discard(ctx: StepContext) -> None:
    article = ctx.article
    version = article.working_draft()
    if version is None:
        raise ContentInvalid("There is no unsubmitted draft to discard.")
    if version.number == 1:
        # Never submitted at all: the article goes, its audit events stay.
        record(
            audit_actions.ARTICLE_DISCARD,
            actor=ctx.actor,
            target=article,
            article=article,
            state_before=article.state,
            state_after="deleted",
            payload={"version": 1, "title": article.title},
        )
        try:
            with transaction.atomic():
                article.delete()
        except ProtectedError as exc:
            # Something that must be kept names the draft (a board member's standing conflict of
            # interest with it, say): the draft stays, and can still be submitted.
            kinds = sorted({str(type(o)._meta.verbose_name) for o in exc.protected_objects})
            raise ContentInvalid(
                "This draft cannot be discarded: it is named in records that are kept ("
                + ", ".join(kinds)
                + "). Edit it or submit it instead."
            ) from None
        ctx.result.deleted = True
        ctx.result.state_after = "deleted"
        return
    ctx.result.state_after = version.opened_from_state or (
        S.PUBLISHED if article.published_version_id else S.WITHDRAWN
    )
    ctx.payload["discarded_version"] = version.number
    version.delete()
    # Version 1 is never discarded here (above), so an earlier version is always left.
    previous = article.versions.latest("number")
    ctx.result.version = previous
    # The working specialty goes back with the text it was filed with.
    article.specialty_id = previous.specialty_id


def _archive(ctx: StepContext) -> None:
    # Loaded with the locked article (perform's select_related): no query of its own.
    published = ctx.article.published_version
    ctx.payload["published_version"] = published.number if published is not None else None


# --- the transitions, each declared once ------------------------------------------------------


def _t(
    action: str,
    sources: set[str],
    target: str | None,
    roles: set[Role] | frozenset[Role],
    label: str,
    **kw: Any,
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), label, **kw)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t(
            Action.SUBMIT,
            {S.DRAFT, S.CHANGES_REQUESTED},
            S.SUBMITTED,
            {Role.EDITOR},
            "Submit for review",
            audit_action=audit_actions.ARTICLE_SUBMIT,
            effect=_submit,
        ),
        _t(
            Action.WITHDRAW,
            {S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED},
            S.WITHDRAWN,
            EDITING_ROLES,
            "Withdraw",
            audit_action=audit_actions.ARTICLE_WITHDRAW,
            closing_note="The article was withdrawn.",
        ),
        _t(
            Action.START_REVIEW,
            {S.SUBMITTED},
            S.UNDER_REVIEW,
            {Role.MANAGING_EDITOR},
            "Start review",
            audit_action=audit_actions.ARTICLE_START_REVIEW,
            comes_through=THROUGH_ASSIGNING,
        ),
        _t(
            Action.REQUEST_CHANGES,
            {S.UNDER_REVIEW},
            S.CHANGES_REQUESTED,
            {Role.REVIEWER},
            "Request changes",
            audit_action=audit_actions.ARTICLE_REQUEST_CHANGES,
            effect=_request_changes,
            needs_review=Decision.REQUEST_CHANGES,
            closing_note=(
                "Another reviewer requested changes; this round is closed and the revised version "
                "will come back for review."
            ),
            comes_through=THROUGH_SIGNED_REVIEW,
        ),
        # The system approves when the last outstanding reviewer steps back and the approvals in
        # already decide (reviews.assignments.approve_if_quorum_stands); perform checks them.
        _t(
            Action.APPROVE,
            {S.UNDER_REVIEW},
            S.APPROVED,
            {Role.REVIEWER, Role.SYSTEM},
            "Approve",
            audit_action=audit_actions.ARTICLE_APPROVE,
            effect=_require_signed_quorum,
            needs_review=Decision.APPROVE,
            closing_note=(
                "The article was approved with the required approvals; this review is no longer needed."
            ),
            comes_through=THROUGH_SIGNED_REVIEW,
        ),
        _t(
            Action.REJECT,
            {S.SUBMITTED, S.UNDER_REVIEW},
            S.REJECTED,
            {Role.MANAGING_EDITOR},
            "Reject",
            audit_action=audit_actions.ARTICLE_REJECT,
            needs_reason=True,
            closing_note="The managing editor rejected the article.",
        ),
        _t(
            Action.RETURN,
            {S.SUBMITTED, S.UNDER_REVIEW},
            S.CHANGES_REQUESTED,
            {Role.MANAGING_EDITOR},
            "Return to the editor",
            audit_action=audit_actions.ARTICLE_RETURN,
            needs_reason=True,
            closing_note="The managing editor returned the article to its editor.",
        ),
        _t(
            Action.PUBLISH,
            {S.APPROVED},
            S.PUBLISHED,
            EDITING_ROLES | {Role.SYSTEM},
            "Publish",
            audit_action=audit_actions.ARTICLE_PUBLISH,
            effect=_publish,
            permission=PUBLISH_ARTICLE,
        ),
        _t(
            Action.ARCHIVE,
            {S.PUBLISHED, S.APPROVED, S.REJECTED, S.WITHDRAWN},
            S.ARCHIVED,
            {Role.MANAGING_EDITOR},
            "Archive",
            audit_action=audit_actions.ARTICLE_ARCHIVE,
            effect=_archive,
            needs_reason=True,
        ),
        # Screens call revise(), which also opens the next version while changes are requested.
        _t(
            Action.REVISE,
            {S.PUBLISHED, S.APPROVED, S.WITHDRAWN},
            S.DRAFT,
            EDITING_ROLES,
            "Start a new version",
            audit_action=audit_actions.ARTICLE_REVISE,
            effect=_revise,
            opens_draft_in=frozenset({S.CHANGES_REQUESTED}),
        ),
        _t(
            Action.DISCARD,
            {S.DRAFT},
            None,
            EDITING_ROLES,
            "Discard the draft",
            audit_action=audit_actions.ARTICLE_DISCARD,
            effect=_discard,
        ),
    ]
}

# Things other apps hang on every transition, inside its transaction, registered from their
# AppConfig.ready() (reviews' own: closing or re-inviting assignments, ReviewsConfig). Each gets
# the StepContext after the audit event is written.
AFTER_TRANSITION: list[Callable[[StepContext], None]] = []


def _copy_latest_into_new_draft(article: Article, actor: Actor, *, opened_from: str) -> ArticleVersion:
    # Revising starts from an article that has been submitted at least once: it has a version.
    latest = article.versions.latest("number")
    now = timezone.now()
    # Only an editing role gets here (perform / open_working_draft check it): a signed-in person,
    # or the system, for whom the latest version's author stays the author.
    person = signed_in(actor)
    draft = ArticleVersion.objects.create(
        article=article,
        number=latest.number + 1,
        title=latest.title,
        summary=latest.summary,
        origin=latest.origin,
        generator=latest.generator,
        specialty_id=article.specialty_id,
        author=person if person is not None else latest.author,
        last_edited_by=person,
        created_at=now,
        updated_at=now,
        opened_from_state=opened_from,
    )
    Section.objects.bulk_create(
        Section(
            version=draft,
            audience=s.audience,
            position=s.position,
            heading=s.heading,
            body=s.body,
            reading_grade=s.reading_grade,
        )
        for s in latest.sections.all()
    )
    Reference.objects.bulk_create(
        Reference(
            version=draft,
            number=r.number,
            kind=r.kind,
            authors=r.authors,
            title=r.title,
            source=r.source,
            year=r.year,
            doi=r.doi,
            pmid=r.pmid,
            url=r.url,
            accessed_on=r.accessed_on,
            evidence_level=r.evidence_level,
        )
        for r in latest.references.all()
    )
    ArticleVersion.objects.filter(pk=draft.pk).update(content_hash=compute_content_hash(draft))
    draft.refresh_from_db()
    return draft


def open_working_draft(
    article: Article, actor: Actor, *, request_info: RequestInfo | None = None
) -> ArticleVersion:
    """The version an editor edits now, creating it if the latest one is frozen.

    After publication (or approval, or a withdrawal) this is the ``revise``
    transition back to draft. While changes are requested the article keeps
    its state and the new version is simply opened (and audited) for round 2.
    """
    pk = article.pk if isinstance(article, Article) else article
    with transaction.atomic():
        # Decided on the stored state, under the lock: the caller's copy may be stale.
        locked = Article.objects.select_for_update(of=("self",)).get(pk=pk)
        draft = locked.working_draft()
        if draft is not None and locked.state in TRANSITIONS[Action.SUBMIT].sources:
            return draft
        if locked.state not in TRANSITIONS[Action.REVISE].opens_draft_in:
            revised = perform(locked, Action.REVISE, actor, request_info=request_info).version
            assert revised is not None, "the revise step (_revise) always sets the version it opened"
            return revised
        if not roles_for(actor, locked) & EDITING_ROLES:
            raise NotPermitted("Only the article's editor or a managing editor can revise it.")
        draft = _copy_latest_into_new_draft(locked, actor, opened_from=locked.state)
        record(
            audit_actions.VERSION_OPENED,
            actor=actor,
            target=draft,
            article=locked,
            state_before=locked.state,
            state_after=locked.state,
            payload={"version": draft.number, "answering_changes_requested": True},
            request_info=request_info,
        )
        return draft


class NotOfferedOnScreens(DomainError):
    code = "not_offered"
    http_status = 400


def take_screen_action(
    article: Article,
    action: str,
    actor: Actor,
    *,
    reason: str = "",
    request_info: RequestInfo | None = None,
) -> TransitionResult:
    """What a screen's button does (the desk's, the API's action endpoint, the admin's action):
    the transition, or for "revise" :func:`open_working_draft` (which also opens the next
    version while changes are requested). Actions that come through another path (a signed
    review, assigning) are refused: no screen is a way around them."""
    transition = TRANSITIONS.get(action)
    if transition is None or not transition.offered_on_screens:
        how = f" It comes through {transition.comes_through}." if transition is not None else ""
        raise NotOfferedOnScreens(f"{action!r} is not an action a screen offers.{how}")
    if action != Action.REVISE:
        return perform(article, action, actor, reason=reason, request_info=request_info)
    before = article.state
    draft = open_working_draft(article, actor, request_info=request_info)
    after = Article.objects.values_list("state", flat=True).get(pk=article.pk)
    return TransitionResult(article, action, before, after, version=draft)


def next_review_date(reviewed_at: datetime.datetime, months: int) -> datetime.date:
    """The day a medical review made at ``reviewed_at`` stops being current."""
    return (reviewed_at + relativedelta(months=months)).date()
