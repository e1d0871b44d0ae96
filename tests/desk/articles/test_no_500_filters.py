"""Issue 14, property 5 (no request gets a 500): the editor's desk filters (found by
tests/config/test_fuzz_forms.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import EDITOR
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "updated_after", ["2026-01-01T00:00:00+16:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"]
)
def test_no_500_when_desk_filter_date_has_an_offset_postgresql_refuses(client, updated_after):
    # The desk's filter used django-filter's plain ISO field: +16:00 reached PostgreSQL ("time zone
    # displacement out of range"), a 500. Now it is the same field as the audit trail's filter.
    client.force_login(make_user("desk-filter-editor", EDITOR, is_staff=True))
    response = client.get(reverse("desk:dashboard"), {"updated_after": updated_after})
    assert response.status_code == 200
    if updated_after.startswith(("9999", "0001")):
        assert "between the years 2 and 9998" in response.content.decode()
