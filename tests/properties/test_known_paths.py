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
