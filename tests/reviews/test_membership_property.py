"""Property 4 (issue 14), as a property: any sequence of admin saves of a board member writes one
audit event per save that changed something, none for the others, and the chain verifies.

Each step is a real POST of the member's change form, as rendered, with a random subset of its
fields (and the specialty set) changed to values drawn from small pools, so that many saves ask
for what is already stored.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts.roles import MANAGING_EDITOR
from audit.models import AuditEvent
from reviews.models import BoardMember
from tests.admin_forms import assert_chain_intact, events_since, last_seq, post_edits, rendered_form_data
from tests.factories import make_specialty, make_user
from tests.reviews.helpers import make_reviewer

SLUGS = ["obstetrics", "cardiology", "dermatology"]
TODAY = timezone.localdate()
EXPIRIES = [TODAY + datetime.timedelta(days=days) for days in (30, 365)]
FIELDS = ["display_name", "credentials", "is_active", "max_open_assignments", "credentials_expire_on"]

edits = st.fixed_dictionaries(
    {},
    optional={
        "display_name": st.sampled_from(["Dr Ana Reyes", "Dr Ana Reyes-Smith"]),
        "credentials": st.sampled_from(["MD", "MD, PhD"]),
        "is_active": st.booleans(),
        "max_open_assignments": st.integers(min_value=0, max_value=4),
        "credentials_expire_on": st.sampled_from(EXPIRIES),
        "specialties": st.frozensets(st.sampled_from(SLUGS)),
    },
)


def stored(member_id: int) -> dict:
    values = BoardMember.objects.values(*FIELDS).get(pk=member_id)
    values["specialties"] = frozenset(
        BoardMember.specialties.through.objects.filter(boardmember_id=member_id).values_list(
            "specialty__slug", flat=True
        )
    )
    return values


class BoardMemberAdminSaves(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.chief = make_user("chief", MANAGING_EDITOR, is_staff=True)
        cls.specialties = {slug: make_specialty(slug) for slug in SLUGS}
        cls.member = make_reviewer(
            "ana",
            cls.specialties["obstetrics"],
            display_name="Dr Ana Reyes",
            credentials="MD",
            credentials_expire_on=EXPIRIES[1],
        )

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=st.lists(edits, max_size=6))
    def test_one_event_per_save_that_changed_something(self, steps):
        self.client.force_login(self.chief)
        url = reverse("admin:reviews_boardmember_change", args=[self.member.pk])
        start = last_seq()
        changed_saves = 0
        # Rendered once: after each save it is what the page would render next (one request a step).
        form = rendered_form_data(self.client.get(url))

        for step in steps:
            before = stored(self.member.pk)
            posted = {
                name: value.isoformat() if isinstance(value, datetime.date) else value
                for name, value in step.items()
                if name != "specialties"
            }
            if "max_open_assignments" in posted:
                posted["max_open_assignments"] = str(posted["max_open_assignments"])
            if "specialties" in step:
                posted["specialties"] = [self.specialties[s].pk for s in sorted(step["specialties"])] or None
            seq = last_seq()

            response = post_edits(self.client, url, posted, rendered=form)

            assert response.status_code == 302, response.context["adminform"].form.errors
            after = stored(self.member.pk)
            assert after == {**before, **step}  # the save did what it asked
            differs = sorted(name for name in after if after[name] != before[name])
            new_events = events_since(seq)
            if differs:
                changed_saves += 1
                [event] = new_events
                assert event.action == "board.member_updated"
                recorded = set(event.payload["changes"]) - {
                    "credentials_verified_at",
                    "credentials_verified_by",
                }
                assert sorted(recorded) == differs
            else:
                assert new_events == []

        assert AuditEvent.objects.filter(seq__gt=start).count() == changed_saves
        assert_chain_intact()
