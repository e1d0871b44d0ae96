"""Property 4 (issue 14) for the board: every change to who may review is one audit event, from every door.

The admin is driven through real POSTs of its change forms (what the page rendered, with edits),
the command door through ``reviews.membership`` called as a command does (no request, no actor).
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts.roles import MANAGING_EDITOR, REVIEWER
from articles.errors import ContentInvalid
from reviews.assignments import assign_reviewer
from reviews.board import ineligibility_reasons
from reviews.membership import add_board_member, update_board_member, verify_credentials
from reviews.models import BoardMember, ConflictKind, ConflictOfInterest
from tests.admin_forms import assert_chain_intact, events_since, last_seq, post_edits, rendered_form_data
from tests.factories import make_specialty, make_user
from tests.reviews.helpers import make_reviewer

NEXT_YEAR = timezone.localdate() + datetime.timedelta(days=365)


@pytest.fixture
def chief(db):
    return make_user("chief", MANAGING_EDITOR, is_staff=True)


@pytest.fixture
def admin_client(client, chief):
    client.force_login(chief)
    return client


@pytest.fixture
def cardiology(db):
    return make_specialty("cardiology")


def member_page(member: BoardMember) -> str:
    return reverse("admin:reviews_boardmember_change", args=[member.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the admin's change form ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "posted", "stored"),
    [
        ("display_name", "Dr Ana Reyes-Smith", "Dr Ana Reyes-Smith"),
        ("credentials", "MD, PhD", "MD, PhD"),
        ("bio", "Obstetrician.", "Obstetrician."),
        ("is_active", False, False),
        ("max_open_assignments", "7", 7),
        ("credentials_expire_on", "2031-05-01", "2031-05-01"),
    ],
)
def test_each_field_changed_in_the_admin_is_one_event_with_before_and_after(
    admin_client, chief, reviewer, field, posted, stored
):
    before = BoardMember.objects.values_list(field, flat=True).get(pk=reviewer.pk)
    seq = last_seq()

    response = post_edits(admin_client, member_page(reviewer), {field: posted})

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    [event] = events_since(seq)  # nothing else: one save, one event
    assert event.action == "board.member_updated"
    assert event.actor_id == chief.pk and event.target_id == str(reviewer.pk)
    assert event.payload["changes"][field] == [
        before.isoformat() if isinstance(before, datetime.date) else before,
        stored,
    ]
    assert_chain_intact()


def test_specialties_and_fields_of_one_save_are_one_event(admin_client, reviewer, specialty, cardiology):
    seq = last_seq()

    response = post_edits(
        admin_client,
        member_page(reviewer),
        {"specialties": [specialty.pk, cardiology.pk], "max_open_assignments": "5"},
    )

    assert response.status_code == 302
    [event] = events_since(seq)
    assert event.action == "board.member_updated"
    assert event.payload["changes"] == {
        "max_open_assignments": [3, 5],
        "specialties": [["obstetrics"], ["cardiology", "obstetrics"]],
    }
    assert set(reviewer.specialties.values_list("slug", flat=True)) == {"obstetrics", "cardiology"}
    assert_chain_intact()


def test_removing_every_specialty_is_recorded(admin_client, reviewer):
    seq = last_seq()

    post_edits(admin_client, member_page(reviewer), {"specialties": None})

    [event] = events_since(seq)
    assert event.payload["changes"] == {"specialties": [["obstetrics"], []]}
    assert not reviewer.specialties.exists()


def test_saving_the_form_unchanged_writes_no_event(admin_client, reviewer):
    seq = last_seq()

    response = post_edits(admin_client, member_page(reviewer), {})

    assert response.status_code == 302
    assert events_since(seq) == []


def test_a_new_expiry_date_withdraws_the_verification_in_the_same_event(admin_client, reviewer, article):
    verified_at = reviewer.credentials_verified_at
    seq = last_seq()

    post_edits(admin_client, member_page(reviewer), {"credentials_expire_on": "2040-01-01"})

    [event] = events_since(seq)
    changes = event.payload["changes"]
    assert changes["credentials_verified_at"] == [verified_at.isoformat(), None]
    member = BoardMember.objects.select_related("user").get(pk=reviewer.pk)
    assert member.credentials_verified_at is None
    assert "credentials" in {r.code for r in ineligibility_reasons(member, article)}


def test_lapsed_credentials_come_back_only_through_verification(admin_client, chief, specialty, article):
    lapsed = make_reviewer(
        "lapsed", specialty, credentials_expire_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    post_edits(admin_client, member_page(lapsed), {"credentials_expire_on": NEXT_YEAR.isoformat()})
    seq = last_seq()

    admin_client.post(
        reverse("admin:reviews_boardmember_changelist"),
        {"action": "verify_credentials", "_selected_action": [lapsed.pk]},
    )

    [event] = events_since(seq)
    assert event.action == "board.credentials_verified" and event.actor_id == chief.pk
    assert event.payload["expire_on"] == NEXT_YEAR.isoformat()
    member = BoardMember.objects.select_related("user").get(pk=lapsed.pk)
    assert "credentials" not in {r.code for r in ineligibility_reasons(member, article)}
    assert_chain_intact()


def test_verifying_credentials_already_expired_is_refused(admin_client, specialty):
    lapsed = make_reviewer(
        "lapsed",
        specialty,
        credentials_verified_at=None,
        credentials_expire_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    seq = last_seq()

    response = admin_client.post(
        reverse("admin:reviews_boardmember_changelist"),
        {"action": "verify_credentials", "_selected_action": [lapsed.pk]},
        follow=True,
    )

    assert any("already passed" in m for m in messages_of(response))
    assert events_since(seq) == []
    assert BoardMember.objects.get(pk=lapsed.pk).credentials_verified_at is None


def test_deactivating_in_the_admin_makes_the_member_ineligible(admin_client, reviewer, article):
    post_edits(admin_client, member_page(reviewer), {"is_active": False})

    member = BoardMember.objects.select_related("user").get(pk=reviewer.pk)
    assert "inactive" in {r.code for r in ineligibility_reasons(member, article)}
    [event] = events_since(0, "board.member_updated")
    assert event.payload["changes"] == {"is_active": [True, False]}


def test_adding_a_member_in_the_admin_is_one_event_and_starts_unverified(admin_client, chief, specialty):
    user = make_user("newdoc", REVIEWER)
    seq = last_seq()

    response = admin_client.post(
        reverse("admin:reviews_boardmember_add"),
        {
            "user": user.pk,
            "display_name": "Dr New",
            "credentials": "MD",
            "specialties": [specialty.pk],
            "is_active": "on",
            "max_open_assignments": 2,
            "credentials_expire_on": NEXT_YEAR.isoformat(),
            "conflicts-TOTAL_FORMS": 0,
            "conflicts-INITIAL_FORMS": 0,
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    member = BoardMember.objects.get(user=user)
    [event] = events_since(seq)
    assert event.action == "board.member_added" and event.actor_id == chief.pk
    assert event.payload["changes"]["user"] == [None, user.pk]
    assert event.payload["changes"]["specialties"] == [[], ["obstetrics"]]
    assert member.credentials_verified_at is None
    assert_chain_intact()


def test_the_user_of_an_assigned_membership_cannot_change(admin_client, reviewer, article, managing):
    assign_reviewer(article, reviewer, managing)
    other = make_user("someone-else", REVIEWER)
    form = rendered_form_data(admin_client.get(member_page(reviewer)))
    assert "user" not in form  # read-only on the page
    seq = last_seq()

    with pytest.raises(ContentInvalid, match="cannot change"):
        update_board_member(reviewer.pk, {"user": other})

    assert BoardMember.objects.get(pk=reviewer.pk).user_id == reviewer.user_id
    assert events_since(seq) == []


# --- conflicts, inline on the member's page ------------------------------------------------------


def conflict_row(index: int, **fields) -> dict[str, str]:
    return {f"conflicts-{index}-{name}": value for name, value in fields.items()}


def test_a_conflict_added_in_the_admin_is_declared_once(admin_client, chief, reviewer):
    seq = last_seq()
    today = timezone.localdate().isoformat()

    response = post_edits(
        admin_client,
        member_page(reviewer),
        {
            "conflicts-TOTAL_FORMS": "1",
            **conflict_row(0, kind="topic", topic="Acme Pharma", declared_on=today, member=str(reviewer.pk)),
            "initial-conflicts-0-declared_on": today,
        },
    )

    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"]
    conflict = ConflictOfInterest.objects.get(member=reviewer)
    [event] = events_since(seq)
    assert event.action == "board.conflict_declared" and event.actor_id == chief.pk
    assert event.target_id == str(conflict.pk)
    assert event.payload["topic"] == "Acme Pharma" and event.payload["member_id"] == reviewer.pk
    assert_chain_intact()


def test_editing_a_conflict_in_the_admin_is_one_event_per_row(admin_client, reviewer):
    # The page lists conflicts newest first: Acme is row 0, Globex row 1.
    today = timezone.localdate()
    ConflictOfInterest.objects.create(
        member=reviewer, kind=ConflictKind.TOPIC, topic="Acme", declared_on=today
    )
    ConflictOfInterest.objects.create(
        member=reviewer,
        kind=ConflictKind.TOPIC,
        topic="Globex",
        declared_on=today - datetime.timedelta(days=9),
    )
    ended = today.isoformat()
    seq = last_seq()

    response = post_edits(
        admin_client,
        member_page(reviewer),
        {
            "conflicts-0-ended_on": ended,
            "conflicts-1-topic": "Globex Corporation",
            "max_open_assignments": "4",
        },
    )

    assert response.status_code == 302
    by_action = {e.action: e for e in events_since(seq)}
    assert sorted(by_action) == ["board.conflict_changed", "board.conflict_ended", "board.member_updated"]
    assert by_action["board.conflict_ended"].payload["ended_on"] == ended
    assert by_action["board.conflict_changed"].payload["changes"] == {
        "topic": ["Globex", "Globex Corporation"]
    }
    assert by_action["board.member_updated"].payload["changes"] == {"max_open_assignments": [3, 4]}
    assert_chain_intact()


def test_conflicts_cannot_be_deleted_in_the_admin(admin_client, reviewer):
    ConflictOfInterest.objects.create(member=reviewer, kind=ConflictKind.TOPIC, topic="Acme")
    data = rendered_form_data(admin_client.get(member_page(reviewer)))
    assert not any(name.endswith("-DELETE") for name in data)

    post_edits(admin_client, member_page(reviewer), {"conflicts-0-DELETE": "on"})

    assert ConflictOfInterest.objects.filter(member=reviewer).count() == 1


def test_a_conflict_without_its_subject_is_refused_and_nothing_is_written(admin_client, reviewer):
    ConflictOfInterest.objects.create(member=reviewer, kind=ConflictKind.TOPIC, topic="Acme")
    seq = last_seq()

    response = post_edits(
        admin_client,
        member_page(reviewer),
        {"conflicts-0-kind": "article", "max_open_assignments": "9"},
        follow=True,
    )

    assert response.status_code == 200
    assert any("Say which article" in m for m in messages_of(response))
    assert events_since(seq) == []
    assert BoardMember.objects.get(pk=reviewer.pk).max_open_assignments == 3


# --- the command door: the functions called without a request or an actor ----------------------


def test_a_command_adding_and_verifying_a_member_writes_one_event_each(specialty, managing):
    user = make_user("scripted", REVIEWER)
    seq = last_seq()

    member = add_board_member(
        BoardMember(user=user, display_name="Dr Script", credentials="MD", credentials_expire_on=NEXT_YEAR),
        specialties=[specialty],
    )
    verify_credentials([member.pk], by=managing)

    added, verified = events_since(seq)
    assert (added.action, added.actor_label) == ("board.member_added", "system")
    assert (verified.action, verified.actor_id) == ("board.credentials_verified", managing.pk)
    assert_chain_intact()


def test_a_command_asking_for_what_is_already_so_writes_nothing(reviewer, specialty):
    seq = last_seq()

    changes = update_board_member(
        reviewer.pk, {"display_name": reviewer.display_name, "specialties": [specialty], "is_active": True}
    )

    assert changes == {}
    assert events_since(seq) == []


def test_a_field_that_is_not_the_boards_to_change_is_refused(reviewer):
    with pytest.raises(ContentInvalid, match="credentials_verified_at"):
        update_board_member(reviewer.pk, {"credentials_verified_at": timezone.now()})


def test_a_new_member_cannot_arrive_already_verified(managing):
    user = make_user("preverified", REVIEWER)
    with pytest.raises(ContentInvalid, match="starts unverified"):
        add_board_member(
            BoardMember(
                user=user, display_name="Dr X", credentials="MD", credentials_verified_at=timezone.now()
            )
        )
    assert not BoardMember.objects.filter(user=user).exists()


def test_a_command_giving_values_as_text_compares_them_as_the_field_reads_them(reviewer):
    seq = last_seq()

    assert update_board_member(reviewer.pk, {"max_open_assignments": "3"}) == {}
    changes = update_board_member(reviewer.pk, {"credentials_expire_on": "2031-05-01"})

    assert changes["credentials_expire_on"][1] == "2031-05-01"
    assert BoardMember.objects.get(pk=reviewer.pk).credentials_expire_on == datetime.date(2031, 5, 1)
    with pytest.raises(ContentInvalid, match="max_open_assignments"):
        update_board_member(reviewer.pk, {"max_open_assignments": "many"})
    assert len(events_since(seq)) == 1
