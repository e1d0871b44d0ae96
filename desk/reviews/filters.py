"""The queue and reviewer-desk forms as django-filter FilterSets. What makes a row belong to a
tab, and the queries under these forms, are ``reviews.filters`` (shared with ``bench/``)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Count, Q, QuerySet, Value
from django.utils import timezone

from articles.models import Specialty
from reviews.filters import DEFAULT_ORDER, DEFAULT_TAB, TAB_ORDER, TABS, tab_conditions
from reviews.models import AssignmentStatus


def _search(queryset: QuerySet, value: str) -> QuerySet:
    for word in value.split()[:8]:
        queryset = queryset.filter(Q(title__icontains=word) | Q(slug__icontains=word))
    return queryset


class QueueFilter(django_filters.FilterSet):
    """Filters over :func:`queue_articles`: one tab, a specialty, words of the title."""

    tab = django_filters.ChoiceFilter(
        label="Queue", choices=TABS, method="filter_tab", empty_label=None, widget=forms.HiddenInput
    )
    specialty = django_filters.ModelChoiceFilter(
        label="Specialty",
        queryset=Specialty.objects.order_by("name"),
        to_field_name="slug",
        empty_label="All specialties",
    )
    q = django_filters.CharFilter(
        label="Search titles", method="filter_q", widget=forms.TextInput(attrs={"type": "search"})
    )

    def __init__(self, data=None, *args, **kwargs):
        # No tab, or an unknown one: the default tab, never every article at once.
        if data is not None and data.get("tab") not in dict(TABS):
            data = data.copy()
            data["tab"] = DEFAULT_TAB
        super().__init__(data, *args, **kwargs)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)

    @property
    def current_tab(self) -> str:
        tab = self.data.get("tab") if self.data is not None else None
        return tab if tab in dict(TABS) else DEFAULT_TAB

    def filter_tab(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(tab_conditions(self.today, self.now)[value]).order_by(
            *TAB_ORDER.get(value, DEFAULT_ORDER)
        )

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return _search(queryset, value)

    def tab_counts(self) -> dict[str, int]:
        """How many rows each tab holds under the other filters (one query: a count per tab)."""
        queryset = self.queryset.all()
        if self.is_bound:
            self.errors  # noqa: B018 (validates the form, filling cleaned_data)
            for name, value in self.form.cleaned_data.items():
                if name != "tab":
                    queryset = self.filters[name].filter(queryset, value)
        conditions = tab_conditions(self.today, self.now)
        # One aggregate over every article with each tab's condition as a FILTER would read the
        # whole table; a count per tab lets each one start from its own index.
        per_tab = [
            queryset.filter(conditions[tab])
            .order_by()
            .annotate(tab=Value(tab))
            .values("tab")
            .annotate(n=Count("pk"))
            .values_list("tab", "n")
            for tab, _label in TABS
        ]
        counts = dict(per_tab[0].union(*per_tab[1:], all=True).order_by())
        return {tab: counts.get(tab, 0) for tab, _label in TABS}


HISTORY_STATUSES = [
    (AssignmentStatus.COMPLETED, "Completed"),
    (AssignmentStatus.DECLINED, "Declined"),
    (AssignmentStatus.CANCELLED, "Cancelled"),
    (AssignmentStatus.EXPIRED, "Expired"),
]


class ReviewerHistoryFilter(django_filters.FilterSet):
    """The reviewer's closed assignments: by how they ended, and words of the title."""

    status = django_filters.ChoiceFilter(label="Outcome", choices=HISTORY_STATUSES, empty_label="Any outcome")
    q = django_filters.CharFilter(
        label="Search titles", method="filter_q", widget=forms.TextInput(attrs={"type": "search"})
    )

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        for word in value.split()[:8]:
            queryset = queryset.filter(article__title__icontains=word)
        return queryset
