"""Issue 14, property 5 (no request gets a 500): what the review desk reads from people.

Each test is a defect the fuzzers found (tests/config/test_fuzz_forms.py), kept as a plain check.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from reviews.assignments import accept_assignment, assign_reviewer
from reviews.models import ReviewAssignment

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(article, reviewer, managing):
    return accept_assignment(assign_reviewer(article, reviewer, managing), reviewer.user)


def test_no_500_when_extension_date_overflows_utc(client, accepted, reviewer):
    # A valid Python date and time whose UTC is in the year 10000: PostgreSQL stored it, and reading
    # it back failed ("timestamp too large") with a 500.
    client.force_login(reviewer.user)
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("reviews:request-extension", args=[accepted.pk]),
        {"until": "9999-12-31T23:59:59-14:00", "reason": "Busy."},
    )
    assert response.status_code == 400
    assert "between the years 2 and 9998" in response.content.decode()
    assert ReviewAssignment.objects.get(pk=accepted.pk).extension_requested_until is None
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("offset", ["+16:00", "-15:59", "+23:59"])
def test_no_500_when_assignment_dates_have_offsets_postgresql_refuses(
    client, article, reviewer2, managing, offset
):
    # Python reads offsets up to ±23:59, PostgreSQL only to ±15:59: the value is taken in UTC.
    client.force_login(managing)
    response = client.post(
        reverse("reviews:assign", args=[article.slug]),
        {"member": reviewer2.pk, "respond_by": f"2090-01-01T00:00:00{offset}"},
    )
    assert response.status_code == 302
    assignment = ReviewAssignment.objects.get(article=article, reviewer=reviewer2)
    assert assignment.respond_by == datetime.datetime.fromisoformat(f"2090-01-01T00:00:00{offset}")


@pytest.mark.parametrize("replaces", ["²", "½", "١٢", "99999999999999999999"])
def test_no_500_when_assign_page_is_asked_to_replace_a_digit_int_cannot_read(
    client, article, managing, replaces
):
    # "²".isdigit() is true and int("²") raises ValueError: the page answered 500.
    client.force_login(managing)
    response = client.get(reverse("reviews:assign", args=[article.slug]), {"replaces": replaces})
    assert response.status_code == 200
