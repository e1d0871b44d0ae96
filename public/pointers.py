"""Which articles readers may see, and the pointer each one's pages are served by.

Readers only ever see versions the board approved and that were published
(``Article.published_version``); a newer version under review stays out of every reader's
page, answer and feed until it is published in turn.

The pointer (slug → published version, state and dates: one small row) is the only thing
about an article that moves; everything rendered from a version is cached under that version
(``public.render_cache``). The pointer is cached per slug and refreshed on every save of the
article, which every publish and archive is (the hooks are connected in ``public.apps``); each
web process may also remember it under a lease (``public.pointer_memory``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

from articles.models import Article, ArticleState, ArticleVersion, Specialty

from . import pointer_memory
from .render_cache import CACHE_SCHEMA, VersionRef

# Pointers are refreshed on every save of the article; the timeout only bounds the effect of a
# change made behind the model's back (a queryset update, raw SQL).
POINTER_TIMEOUT = 300


@dataclass(frozen=True)
class ArticleRef:
    id: int
    slug: str
    title: str
    state: str
    specialty_name: str
    specialty_slug: str
    published: VersionRef
    first_published_at: datetime.datetime | None
    last_updated_at: datetime.datetime | None
    last_reviewed_at: datetime.datetime | None
    next_review_due: datetime.date | None


_POINTER_FIELDS = (
    "id",
    "slug",
    "title",
    "state",
    # Readers see the specialty the published version was reviewed under, not the draft's.
    "published_version__specialty__name",
    "published_version__specialty__slug",
    "published_version_id",
    "published_version__number",
    "published_version__content_hash",
    "published_version__published_at",
    "first_published_at",
    "last_updated_at",
    "last_reviewed_at",
    "next_review_due",
)


def public_articles() -> QuerySet[Article]:
    """Articles readers may see: published at least once and not archived."""
    return Article.objects.filter(published_version__isnull=False).exclude(state=ArticleState.ARCHIVED)


def pointer_key(slug: str) -> str:
    return f"public:{CACHE_SCHEMA}:pointer:{slug}"


def _pointer_of(row: dict[str, Any]) -> ArticleRef:
    return ArticleRef(
        id=row["id"],
        slug=row["slug"],
        title=row["title"],
        state=row["state"],
        specialty_name=row["published_version__specialty__name"],
        specialty_slug=row["published_version__specialty__slug"],
        published=VersionRef(
            row["published_version_id"],
            row["published_version__number"],
            row["published_version__content_hash"],
            row["published_version__published_at"],
        ),
        first_published_at=row["first_published_at"],
        last_updated_at=row["last_updated_at"],
        last_reviewed_at=row["last_reviewed_at"],
        next_review_due=row["next_review_due"],
    )


def _read_pointer(slug: str) -> ArticleRef | None:
    found = _read_pointers([slug])
    return found[0] if found else None


def _read_pointers(slugs: list[str]) -> list[ArticleRef]:
    """The pointers of those of ``slugs`` readers may see (one query)."""
    rows = public_articles().filter(slug__in=slugs).order_by().values(*_POINTER_FIELDS)
    return [_pointer_of(row) for row in rows]


def lookup_article(slug: str, *also: str) -> tuple[ArticleRef | None, dict[str, Any]]:
    """The article at ``slug`` if readers may see it (else ``None``), plus the cache entries
    named in ``also`` (``None`` where missing), fetched in the same round trip. No round trip
    at all when this process remembers the pointer and nothing else is asked for
    (``public.pointer_memory``), no query when the pointer is cached."""
    if len(slug) > Article._meta.get_field("slug").max_length:
        return None, {}
    key = pointer_key(slug)
    memory = pointer_memory.active_memory()
    token = None
    if memory is not None:
        # Only pointers are remembered: anything else asked for needs the round trip anyway.
        known = None if also else memory.recall([key])
        if known is not None:
            return known[key], {}
        token = memory.begin_read()
    found = cache.get_many([key, *also])
    article = found.pop(key, None)
    found = {name: found.get(name) for name in also}
    if article is None:
        article = _read_pointer(slug)
        if article is not None:
            # add, not set: if a publish refreshed the entry meanwhile, its value wins.
            cache.add(key, article, POINTER_TIMEOUT)
    if memory is not None and article is not None:
        memory.remember(token, {key: article})
    return article, found


def resolve_article(slug: str) -> ArticleRef | None:
    return lookup_article(slug)[0]


def forget_articles(slugs: Iterable[str]) -> None:
    """Called whenever article rows are saved (publish, archive, any transition, an admin edit).

    The entries are dropped at once, and written again from the database once the
    transaction commits, so that a reader who read the old row just before the
    commit cannot leave it in the cache (``lookup_article`` only ever adds). Then
    every process that may remember the old pointers is told to forget them, and
    this returns only once none can still serve them.
    """
    keys = {slug: pointer_key(slug) for slug in slugs}
    if not keys:
        return
    cache.delete_many(list(keys.values()))

    def refresh() -> None:
        fresh = {pointer_key(article.slug): article for article in _read_pointers(list(keys))}
        gone = [key for key in keys.values() if key not in fresh]
        if gone:
            cache.delete_many(gone)
        if fresh:
            cache.set_many(fresh, POINTER_TIMEOUT)
        pointer_memory.announce(list(keys.values()))

    transaction.on_commit(refresh)


def forget_article(slug: str) -> None:
    forget_articles([slug])


def forget_article_on_save(sender: type[Article], instance: Article, **kwargs: Any) -> None:
    """``post_save`` of an article (connected in ``public.apps``)."""
    forget_article(instance.slug)


def forget_specialty_on_save(sender: type[Specialty], instance: Specialty, **kwargs: Any) -> None:
    """``post_save`` of a specialty (connected in ``public.apps``)."""
    # Article pages name their published version's specialty.
    forget_articles(
        Article.objects.filter(published_version__specialty_id=instance.pk).values_list("slug", flat=True)
    )


def historic_version(article: ArticleRef, number: int) -> VersionRef | None:
    """A version of the article that was published at some time (current or superseded)."""
    row = (
        ArticleVersion.objects.filter(article_id=article.id, number=number, published_at__isnull=False)
        .values("id", "number", "content_hash", "published_at")
        .first()
    )
    return VersionRef(**row) if row else None
