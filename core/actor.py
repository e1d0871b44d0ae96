"""Who does something in the domain: a person, or ``None`` for the system (scheduled jobs and
other work no person triggers, which ``reviews.roles.roles_for`` answers with ``Role.SYSTEM``).

A person is the project's user (``auth.User``, ``AUTH_USER_MODEL``: what every foreign key to a
person holds, and it has ``has_perm``, which ``AbstractBaseUser`` alone lacks), or an
``AnonymousUser`` when a view passes ``request.user`` for someone not signed in; the domain
refuses that one, never crashes on it. ``actor.is_authenticated`` tells them apart, for the
type checker too (django-stubs types it as a literal); :func:`signed_in` is that test, answering
what a foreign key to a person takes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Only for the type checker: importing Django's auth models needs the app registry ready,
    # and this layer must import without it.
    from django.contrib.auth.models import AnonymousUser, User

# Lazily evaluated (PEP 695): the names are only resolved by a type checker.
# Someone behind a request, signed in or not; never the system.
type Person = User | AnonymousUser
# Whoever a domain function acts for: a person, or None for the system.
type Actor = Person | None


def signed_in(actor: Actor) -> User | None:
    """The account acting, or ``None`` for the system and for someone not signed in: what a
    foreign key to a person (an author, an audit event's actor) is set to."""
    return actor if actor is not None and actor.is_authenticated else None
