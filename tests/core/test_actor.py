"""``core.actor.signed_in``: the account a foreign key to a person is set to."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from core.actor import signed_in


def test_a_signed_in_person_is_their_account():
    person = User(username="ed")
    assert signed_in(person) is person


def test_the_system_and_someone_not_signed_in_are_no_account():
    assert signed_in(None) is None
    assert signed_in(AnonymousUser()) is None
