"""Deep paths random search reaches only in long campaigns, replayed on the state machine itself:
each runs the machine's rules in order, checking every property after each step.

They pin the defects issue 14 names (found by the machine's checks on these paths, and by the
campaign for the dead end): (a) one member counted twice, (b) a draft's specialty going live,
(c) readers shown a version under review (the switch that allowed it is gone), (d)
revise-then-withdraw leaves no way back into review.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.properties.test_review_promise import ReviewPromise

Step = Callable[[ReviewPromise], object]


def replay(*steps: Step) -> None:
    machine = ReviewPromise()
    try:
        machine.promise_holds()
        for step in steps:
            step(machine)
            machine.promise_holds()
    finally:
        machine.teardown()


def the_article(machine: ReviewPromise) -> int:
    return next(iter(machine.tracked))


def create(specialty: str) -> Step:
    return lambda m: m._create("editor", 0, specialty, professional=False, machine=False)


def act(action: str, who: str = "editor") -> Step:
    return lambda m: m.transition(pk=the_article(m), action=action, who=who, reason=True)


def revise(m: ReviewPromise) -> None:
    m.revise(pk=the_article(m), who="editor")


def edit(specialty: str | None = None) -> Step:
    return lambda m: m._edit(the_article(m), "editor", 1, 1, False, specialty, False)


def assign(member: str) -> Step:
    return lambda m: m._assign(the_article(m), "managing", member, replace=False)


def approval_by(member: str) -> list[Step]:
    return [
        assign(member),
        lambda m: m.respond(pk=the_article(m), member=member, answer="accept", impostor=None),
        lambda m: m.respond(pk=the_article(m), member=member, answer="declare none", impostor=None),
        lambda m: m.review(
            pk=the_article(m),
            member=member,
            decision="approve",
            password_ok=True,
            fresh_session=True,
            impostor=None,
        ),
    ]


def published() -> list[Step]:
    return [create("obstetrics"), act("submit"), *approval_by("ana"), act("publish")]


@pytest.mark.django_db
def test_published_and_revised_paths_hold_the_promise():
    replay(*published(), revise, edit(), act("submit"), *approval_by("ben"), act("publish"))


@pytest.mark.django_db
def test_person_counts_once_same_member_assigned_again():
    """(a) Two approvals needed; one member approves, is assigned again, approves again."""
    replay(create("cardiology"), act("submit"), *approval_by("ana"), *approval_by("ana"), act("publish"))


@pytest.mark.django_db
def test_readers_see_only_approved_specialty_of_a_new_draft():
    """(b) A new version's draft saved with another specialty."""
    replay(*published(), revise, edit(specialty="cardiology"))


@pytest.mark.django_db
def test_readers_see_only_approved_while_a_new_version_is_under_review():
    """(c) Readers kept seeing a version under review when a site switch allowed it (now gone)."""
    replay(*published(), revise, edit(), act("submit"), assign("ben"))


@pytest.mark.django_db
def test_no_dead_end_revise_then_withdraw():
    """(d) Returned, a new version opened, then withdrawn."""
    replay(create("obstetrics"), act("submit"), act("return", "managing"), revise, act("withdraw"))


def conflict_declared(member: str, kind: str = "article") -> Step:
    return lambda m: m.standing_conflict(member=member, kind=kind, pk=the_article(m))


@pytest.mark.django_db
def test_a_conflict_declared_after_signing_the_same_day_is_not_a_conflict_at_review():
    """The check's own bug, found by a CI random seed (3844900029): conflicts are dated by day, so
    one a member declared after approving, on the same day, read as standing when they signed.
    The audit trail's order decides now; the member's later declaration must not break property 2."""
    replay(*published(), conflict_declared("ana"))


@pytest.mark.django_db
def test_the_check_still_catches_a_review_under_a_conflict_that_stood_before_it():
    """The counterpart: a conflict dated the day before she signed (forged in the database,
    since the product refuses such a review) must still fail property 2."""
    import datetime

    from reviews.models import ConflictKind, ConflictOfInterest, Review
    from tests.properties import checks

    machine = ReviewPromise()
    try:
        for step in published():
            step(machine)
        review = Review.objects.get(reviewer=machine.world.members["ana"])
        ConflictOfInterest.objects.create(
            member=machine.world.members["ana"],
            kind=ConflictKind.ARTICLE,
            article_id=the_article(machine),
            declared_on=review.submitted_at.date() - datetime.timedelta(days=1),
        )
        with pytest.raises(AssertionError, match="standing conflict"):
            checks.check_person_counts_once(machine.article(the_article(machine)))
    finally:
        machine.teardown()
