"""Filters of the webhook lists (FilterSets, like every list)."""

from __future__ import annotations

import django_filters

from outbox.models import DeliveryStatus

from .models import Endpoint, EventKind, WebhookMessage


class EndpointFilter(django_filters.FilterSet):
    client = django_filters.CharFilter(field_name="client__username", label="Client (username)")
    active = django_filters.BooleanFilter()

    class Meta:
        model = Endpoint
        fields = ["client", "active"]


class WebhookDeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(field_name="delivery__status", choices=DeliveryStatus.choices)
    kind = django_filters.ChoiceFilter(choices=EventKind.choices)
    article = django_filters.CharFilter(field_name="article__slug")

    class Meta:
        model = WebhookMessage
        fields = ["status", "kind", "article"]
