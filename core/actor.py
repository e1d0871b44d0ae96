"""Who does something in the domain: a person, or ``None`` for the system (scheduled jobs and
other work no person triggers, which ``reviews.roles.roles_for`` answers with ``Role.SYSTEM``).

A person is the project's user (``auth.User``, an ``AbstractUser``: the domain asks it
``has_perm``, which ``AbstractBaseUser`` alone lacks), or an ``AnonymousUser`` when a view passes
``request.user`` for someone not signed in; the domain refuses that one, never crashes on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Only for the type checker: importing Django's auth models needs the app registry ready,
    # and this layer must import without it.
    from django.contrib.auth.models import AbstractUser, AnonymousUser

# Lazily evaluated (PEP 695): the names are only resolved by a type checker.
# Someone behind a request, signed in or not; never the system.
type Person = AbstractUser | AnonymousUser
# Whoever a domain function acts for: a person, or None for the system.
type Actor = Person | None
