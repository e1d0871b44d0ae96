"""The inbox page's filters (a FilterSet, like every list)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet

from notifications.kinds import Kind


class InboxFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        label="Unread only", method="filter_unread", widget=forms.CheckboxInput
    )
    kind = django_filters.ChoiceFilter(label="About", choices=Kind.choices, empty_label="Everything")

    def filter_unread(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        return queryset.filter(read_at__isnull=True) if value else queryset
