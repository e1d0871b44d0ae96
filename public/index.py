"""The article index (``/articles/``), shared by its Atom feed and the public API's list:
which articles it lists, in which order, and the filters readers narrow it with."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from articles.models import Article, Audience, Section, Specialty

from .pointers import public_articles


def _has_sections(audience: str) -> Exists:
    return Exists(Section.objects.filter(version_id=OuterRef("published_version_id"), audience=audience))


def index_articles() -> QuerySet[Article]:
    """Public articles for listing, newest change first, with what each row shows (constant queries)."""
    return (
        public_articles()
        .select_related("published_version__specialty")
        .annotate(
            has_patient=_has_sections(Audience.PATIENT),
            has_professional=_has_sections(Audience.PROFESSIONAL),
        )
        .order_by("-last_updated_at", "-pk")
    )


def filter_by_audience(queryset: QuerySet[Article], audience: str) -> QuerySet[Article]:
    return queryset.filter(_has_sections(audience))


def search_articles(queryset: QuerySet[Article], text: str) -> QuerySet[Article]:
    words = text.split()
    for word in words[:8]:
        queryset = queryset.filter(Q(title__icontains=word) | Q(published_version__summary__icontains=word))
    return queryset


class PublicArticleFilter(django_filters.FilterSet):
    """Filters over ``index_articles()`` (or any queryset of public articles)."""

    q = django_filters.CharFilter(
        label="Search", method="filter_q", widget=forms.TextInput(attrs={"type": "search"})
    )
    specialty = django_filters.ModelChoiceFilter(
        label="Specialty",
        field_name="published_version__specialty",
        queryset=Specialty.objects.order_by("name"),
        to_field_name="slug",
        empty_label="All specialties",
    )
    audience = django_filters.ChoiceFilter(
        label="Written for",
        choices=Audience.choices,
        method="filter_audience",
        empty_label="Everyone",
    )
    updated_since = django_filters.DateFilter(
        label="Updated since",
        method="filter_updated_since",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return search_articles(queryset, value) if value.strip() else queryset

    def filter_audience(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return filter_by_audience(queryset, value)

    def filter_updated_since(self, queryset: QuerySet, name: str, value: datetime.date) -> QuerySet:
        # Compare with the start of that day rather than casting the column to a date, so an index on
        # last_updated_at still serves it.
        start = timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))
        return queryset.filter(last_updated_at__gte=start)
