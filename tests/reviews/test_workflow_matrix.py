"""Every (state, action, role) combination of the workflow, against a table written out by hand.

The table below is the specification: it is deliberately not derived from
``reviews.workflow.TRANSITIONS``, so a change to the workflow's table that is
not also made here fails this test.
"""

from __future__ import annotations

import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.roles import EDITOR, INTEGRATION_CLIENT, MANAGING_EDITOR, REVIEWER
from articles.content import compute_content_hash
from articles.drafting import save_draft
from articles.models import Article, ArticleState
from audit.models import AuditEvent
from core.errors import ContentInvalid, NotPermitted
from reviews.models import AssignmentStatus, Decision, Review
from reviews.workflow import TRANSITIONS, Action, TransitionNotAllowed, open_working_draft, perform
from tests.factories import (
    make_article,
    make_assignment,
    make_specialty,
    make_user,
    sign_approval,
    submit,
    valid_content,
)

S = ArticleState

OWNER = "owner editor"
OTHER_EDITOR = "other editor"
MANAGING = "managing editor"
ASSIGNED_REVIEWER = "reviewer with accepted assignment"
UNASSIGNED_REVIEWER = "reviewer without assignment"
CLIENT_OWNER = "integration client owning the article"
SYSTEM = "system"
ROLES = [OWNER, OTHER_EDITOR, MANAGING, ASSIGNED_REVIEWER, UNASSIGNED_REVIEWER, CLIENT_OWNER, SYSTEM]

ACTIONS = [
    Action.SUBMIT,
    Action.WITHDRAW,
    Action.START_REVIEW,
    Action.REQUEST_CHANGES,
    Action.APPROVE,
    Action.REJECT,
    Action.RETURN,
    Action.PUBLISH,
    Action.ARCHIVE,
    Action.REVISE,
    Action.DISCARD,
]

# Where each allowed action leaves the article. "deleted": discarding a never-submitted draft.
TARGET = {
    Action.SUBMIT: S.SUBMITTED,
    Action.WITHDRAW: S.WITHDRAWN,
    Action.START_REVIEW: S.UNDER_REVIEW,
    Action.REQUEST_CHANGES: S.CHANGES_REQUESTED,
    Action.APPROVE: S.APPROVED,
    Action.REJECT: S.REJECTED,
    Action.RETURN: S.CHANGES_REQUESTED,
    Action.PUBLISH: S.PUBLISHED,
    Action.ARCHIVE: S.ARCHIVED,
    Action.REVISE: S.DRAFT,
    Action.DISCARD: "deleted",
}

# The allowed combinations, one line each; everything else must be refused.
ALLOWED: set[tuple[str, str, str]] = {
    (S.DRAFT, Action.SUBMIT, OWNER),
    (S.DRAFT, Action.SUBMIT, CLIENT_OWNER),
    (S.CHANGES_REQUESTED, Action.SUBMIT, OWNER),
    (S.CHANGES_REQUESTED, Action.SUBMIT, CLIENT_OWNER),
    (S.SUBMITTED, Action.WITHDRAW, OWNER),
    (S.SUBMITTED, Action.WITHDRAW, CLIENT_OWNER),
    (S.SUBMITTED, Action.WITHDRAW, MANAGING),
    (S.UNDER_REVIEW, Action.WITHDRAW, OWNER),
    (S.UNDER_REVIEW, Action.WITHDRAW, CLIENT_OWNER),
    (S.UNDER_REVIEW, Action.WITHDRAW, MANAGING),
    (S.CHANGES_REQUESTED, Action.WITHDRAW, OWNER),
    (S.CHANGES_REQUESTED, Action.WITHDRAW, CLIENT_OWNER),
    (S.CHANGES_REQUESTED, Action.WITHDRAW, MANAGING),
    (S.SUBMITTED, Action.START_REVIEW, MANAGING),
    (S.UNDER_REVIEW, Action.REQUEST_CHANGES, ASSIGNED_REVIEWER),
    (S.UNDER_REVIEW, Action.APPROVE, ASSIGNED_REVIEWER),
    (S.UNDER_REVIEW, Action.APPROVE, SYSTEM),
    (S.SUBMITTED, Action.REJECT, MANAGING),
    (S.UNDER_REVIEW, Action.REJECT, MANAGING),
    (S.SUBMITTED, Action.RETURN, MANAGING),
    (S.UNDER_REVIEW, Action.RETURN, MANAGING),
    (S.APPROVED, Action.PUBLISH, OWNER),
    (S.APPROVED, Action.PUBLISH, MANAGING),
    (S.APPROVED, Action.PUBLISH, SYSTEM),
    (S.PUBLISHED, Action.ARCHIVE, MANAGING),
    (S.APPROVED, Action.ARCHIVE, MANAGING),
    (S.REJECTED, Action.ARCHIVE, MANAGING),
    (S.WITHDRAWN, Action.ARCHIVE, MANAGING),
    (S.PUBLISHED, Action.REVISE, OWNER),
    (S.PUBLISHED, Action.REVISE, CLIENT_OWNER),
    (S.PUBLISHED, Action.REVISE, MANAGING),
    (S.APPROVED, Action.REVISE, OWNER),
    (S.APPROVED, Action.REVISE, CLIENT_OWNER),
    (S.APPROVED, Action.REVISE, MANAGING),
    (S.WITHDRAWN, Action.REVISE, OWNER),
    (S.WITHDRAWN, Action.REVISE, CLIENT_OWNER),
    (S.WITHDRAWN, Action.REVISE, MANAGING),
    (S.DRAFT, Action.DISCARD, OWNER),
    (S.DRAFT, Action.DISCARD, CLIENT_OWNER),
    (S.DRAFT, Action.DISCARD, MANAGING),
}

NEEDS_REASON = {Action.REJECT, Action.RETURN, Action.ARCHIVE}


def test_the_table_covers_every_action_the_workflow_knows():
    assert set(TRANSITIONS) == set(ACTIONS)


def test_the_table_names_only_known_states_actions_and_roles():
    assert {state for state, _, _ in ALLOWED} <= set(S.values)
    assert {action for _, action, _ in ALLOWED} <= set(ACTIONS)
    assert {role for _, _, role in ALLOWED} <= set(ROLES)


@pytest.fixture
def people(db):
    specialty = make_specialty()
    users = {
        OWNER: make_user("owner", EDITOR),
        OTHER_EDITOR: make_user("other", EDITOR),
        MANAGING: make_user("managing", MANAGING_EDITOR),
        ASSIGNED_REVIEWER: make_user("assigned", REVIEWER),
        UNASSIGNED_REVIEWER: make_user("unassigned", REVIEWER),
        CLIENT_OWNER: make_user("pipeline", INTEGRATION_CLIENT),
        SYSTEM: None,
    }
    users["approver"] = make_user("approver", REVIEWER)
    users["specialty"] = specialty
    return users


def build_article(state: str, owner, people) -> Article:
    """An article in ``state`` with the minimum data, set up directly rather than by the workflow."""
    article = make_article(owner, people["specialty"])
    if state != S.DRAFT:
        article = submit(article, owner)
        version = article.latest_version()
        if state == S.APPROVED:
            sign_approval(version, people["approver"], people[MANAGING])
        if state in (S.PUBLISHED, S.ARCHIVED):
            Article.objects.filter(pk=article.pk).update(published_version=version)
        Article.objects.filter(pk=article.pk).update(state=state)
    return Article.objects.get(pk=article.pk)


def prepare(article: Article, action: str, role: str, people) -> Article:
    """What this one combination needs on top of the state: its owner, an assignment, a new draft."""
    if role == CLIENT_OWNER:
        Article.objects.filter(pk=article.pk).update(owner=people[CLIENT_OWNER])
    if role == ASSIGNED_REVIEWER:
        version = article.latest_version()
        assignment = make_assignment(version, people[role], people[MANAGING], AssignmentStatus.ACCEPTED)
        # Requesting changes comes with the reviewer's review (perform checks it).
        if article.state == S.UNDER_REVIEW and action == Action.REQUEST_CHANGES:
            Review.objects.create(
                assignment=assignment,
                version=version,
                reviewer=assignment.reviewer,
                decision=Decision.REQUEST_CHANGES,
                comments="Cite the 2024 guideline.",
            )
    if article.state == S.UNDER_REVIEW and action == Action.APPROVE and role in (ASSIGNED_REVIEWER, SYSTEM):
        # Approving comes with the board's signed quorum (perform checks it).
        sign_approval(article.latest_version(), people["approver"], people[MANAGING])
        if role == ASSIGNED_REVIEWER:
            # ... and, for a person, with their own signed approval (given to perform as review=).
            Review.objects.create(
                assignment=assignment,
                version=version,
                reviewer=assignment.reviewer,
                decision=Decision.APPROVE,
                signer=people[role],
                signer_name=assignment.reviewer.display_name,
                signed_at=timezone.now(),
                signature_meaning="I approve this version.",
                signed_content_hash=compute_content_hash(version),
            )
    article = Article.objects.select_related("owner").get(pk=article.pk)
    if article.state == S.CHANGES_REQUESTED and action == Action.SUBMIT:
        draft = open_working_draft(article, article.owner)
        save_draft(
            article,
            valid_content(change_summary="Answered the reviewer's comments."),
            expected_revision=draft.revision,
            actor=article.owner,
        )
    return Article.objects.get(pk=article.pk)


@pytest.mark.parametrize("state", S.values)
def test_every_action_by_every_role(people, subtests, state):
    # One article per state; each (action, role) runs in a savepoint that is rolled back afterwards,
    # so every combination starts from the same article (and the suite stays fast).
    base = build_article(state, people[OWNER], people)
    for action, role in itertools.product(ACTIONS, ROLES):
        with subtests.test(action=action, role=role), transaction.atomic():
            check_combination(prepare(base, action, role, people), state, action, role, people)
            transaction.set_rollback(True)


def own_review(article: Article, user) -> Review | None:
    """The review a reviewer's step comes with (perform refuses approve / request changes without it)."""
    if user is None:
        return None
    return Review.objects.filter(version=article.latest_version(), reviewer__user=user).first()


def check_combination(article: Article, state: str, action: str, role: str, people) -> None:
    events_before = AuditEvent.objects.count()
    reason = "Reason given in the test." if action in NEEDS_REASON else ""
    if (state, action, role) in ALLOWED:
        result = perform(
            article, action, people[role], reason=reason, review=own_review(article, people[role])
        )
        assert result.state_after == TARGET[action]
        if TARGET[action] == "deleted":
            assert not Article.objects.filter(pk=article.pk).exists()
        else:
            assert Article.objects.get(pk=article.pk).state == TARGET[action]
        assert AuditEvent.objects.count() == events_before + 1
    else:
        with pytest.raises((TransitionNotAllowed, NotPermitted)):
            perform(article, action, people[role], reason=reason)
        assert Article.objects.get(pk=article.pk).state == state
        assert AuditEvent.objects.count() == events_before


def test_approve_is_refused_without_the_signed_quorum(people):
    """Whoever calls it, "approve" needs the signatures: an assigned reviewer without them is refused."""
    article = prepare(build_article(S.UNDER_REVIEW, people[OWNER], people), "", ASSIGNED_REVIEWER, people)
    events_before = AuditEvent.objects.count()
    with pytest.raises(ContentInvalid, match="signed approval"):
        perform(article, Action.APPROVE, people[ASSIGNED_REVIEWER])
    assert Article.objects.get(pk=article.pk).state == S.UNDER_REVIEW
    assert AuditEvent.objects.count() == events_before


def test_request_changes_is_refused_without_the_reviewers_own_review(people):
    article = prepare(build_article(S.UNDER_REVIEW, people[OWNER], people), "", ASSIGNED_REVIEWER, people)
    events_before = AuditEvent.objects.count()
    with pytest.raises(ContentInvalid, match="review that says what to change"):
        perform(article, Action.REQUEST_CHANGES, people[ASSIGNED_REVIEWER])
    assert Article.objects.get(pk=article.pk).state == S.UNDER_REVIEW
    assert AuditEvent.objects.count() == events_before


def test_the_final_states_are_exactly_those_no_transition_leaves():
    from reviews.workflow import FINAL_STATES

    left = {state for t in TRANSITIONS.values() for state in t.sources}
    assert set(S.values) - left == FINAL_STATES
