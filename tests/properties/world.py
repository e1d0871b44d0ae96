"""The people, specialties and texts the review-promise state machine plays with, and the
doors it goes through that are not plain domain functions (the admin's forms).

Everyone is made through the same factories the rest of the suite uses; board members get
their password hashed with the fast hasher the test puts first (see ``fast_hashers``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib import admin
from django.contrib.auth.hashers import make_password
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.utils import timezone

from accounts.roles import EDITOR, INTEGRATION_CLIENT, MANAGING_EDITOR, REVIEWER
from articles.drafting import DraftContent, ReferenceInput, SectionInput
from articles.models import Article, Audience, ReferenceKind, Specialty
from reviews.board import declare_standing_conflict
from reviews.models import BoardMember, ConflictKind
from tests.factories import PASSWORD, make_board_member, make_specialty, make_user, valid_content

# Titles never share a whole word with the conflicted member's standing topic, except one.
TITLES = (
    "Cervical insufficiency in pregnancy",
    "Heart failure with preserved ejection fraction",
    "Twin pregnancy care",  # names the standing topic conflict ("twin")
    "Atrial fibrillation and stroke",
)
SUMMARIES = (
    "What it is and how it is treated.",
    "What changed in the evidence, and what it means for you.",
    "A short guide for patients and clinicians.",
)
BODIES = (
    "The cervix can open too early in pregnancy [1]. A stitch can help some women [2].",
    "The cervix can open too early [1]. A stitch helps some women [2], not all [1, 2].",
    "Doctors watch the cervix closely [1]. Some women are offered a stitch [2].",
)
PROFESSIONAL_BODY = "Cerclage reduces preterm birth in selected singleton pregnancies [1, 2]."


def content(
    title: int, summary: int = 0, body: int = 0, *, professional: bool = False, extra_ref: bool = False
):
    """A valid draft built from the variant indexes (every variant passes the submit checks)."""
    sections = [SectionInput(Audience.PATIENT, "What it is", BODIES[body % len(BODIES)])]
    if professional:
        sections.append(SectionInput(Audience.PROFESSIONAL, "Evidence", PROFESSIONAL_BODY))
    values = valid_content(
        title=TITLES[title % len(TITLES)],
        summary=SUMMARIES[summary % len(SUMMARIES)],
        sections=sections,
        change_summary=f"Variant {summary}/{body}.",
    )
    if extra_ref:
        values.references.append(
            ReferenceInput(
                number=3,
                kind=ReferenceKind.RCT,
                title="Cerclage in twin pregnancies",
                source="Obstetrics & Gynecology",
                year=2024,
                doi="10.1097/AOG.0000000000009999",
            )
        )
    return values


def draft_like(current: DraftContent, summary: int, body: int, extra_ref: bool) -> DraftContent:
    """The current draft with its summary, body and references varied (title kept)."""
    title = TITLES.index(current.title) if current.title in TITLES else 0
    professional = any(s.audience == Audience.PROFESSIONAL for s in current.sections)
    return content(title, summary, body, professional=professional, extra_ref=extra_ref)


@dataclass
class World:
    """Who is in the world of one example, by name (names are what the rules draw)."""

    people: dict[str, Any] = field(default_factory=dict)
    members: dict[str, BoardMember] = field(default_factory=dict)
    specialties: dict[str, Specialty] = field(default_factory=dict)

    def user(self, name: str):
        return self.people[name]

    def member(self, name: str) -> BoardMember:
        return BoardMember.objects.select_related("user").get(pk=self.members[name].pk)


EDITORS = ("editor", "editor2")
MANAGING = ("managing", "managing2")
# Board members: two plain ones, one who is also an editor (writes articles of their own), one
# whose credentials lapse within days, one with standing conflicts (with editor's work and the
# topic "twin"), one covering cardiology only.
MEMBERS = ("ana", "ben", "dora", "lapsing", "conflicted", "carl")
CREATORS = ("editor", "editor2", "dora", "pipeline")
EVERYONE = (*EDITORS, *MANAGING, *MEMBERS, "pipeline")


def build_world(now: datetime.datetime) -> World:
    world = World()
    world.specialties["obstetrics"] = make_specialty("obstetrics", required_approvals=1)
    world.specialties["cardiology"] = make_specialty("cardiology", required_approvals=2)
    # Specialties survive between examples only if some other test made them: reset the numbers.
    Specialty.objects.filter(slug="obstetrics").update(required_approvals=1)
    Specialty.objects.filter(slug="cardiology").update(required_approvals=2)
    for name in EDITORS:
        world.people[name] = make_user(name, EDITOR)
    for name in MANAGING:
        world.people[name] = make_user(name, MANAGING_EDITOR)
    world.people["pipeline"] = make_user("pipeline", INTEGRATION_CLIENT)
    fast = make_password(PASSWORD)  # the fast hasher: the test puts it first
    obstetrics, cardiology = world.specialties["obstetrics"], world.specialties["cardiology"]
    for name in MEMBERS:
        groups = (REVIEWER, EDITOR) if name == "dora" else (REVIEWER,)
        user = make_user(name, *groups)
        user.password = fast
        user.save(update_fields=["password"])
        world.people[name] = user
        fields: dict[str, Any] = {"display_name": f"Dr {name.capitalize()}", "credentials": "MD"}
        if name == "lapsing":
            fields["credentials_expire_on"] = timezone.localdate(now) + datetime.timedelta(days=2)
        specialties = (cardiology,) if name == "carl" else (obstetrics, cardiology)
        world.members[name] = make_board_member(
            user, *specialties, verified_by=world.people["managing"], **fields
        )
    conflicted = world.people["conflicted"]
    declare_standing_conflict(
        conflicted, kind=ConflictKind.AUTHOR, author=world.people["editor"], details="Co-author of a book."
    )
    declare_standing_conflict(
        conflicted, kind=ConflictKind.TOPIC, topic="twin", details="Consults for a maker."
    )
    return world


# --- the admin's doors ---------------------------------------------------------------------------


def _admin_request(user):
    request = RequestFactory().post("/admin/", REMOTE_ADDR="127.0.0.1")
    request.user = user
    return request


def _plain(value):
    if isinstance(value, list | tuple):
        return [getattr(v, "pk", v) for v in value]
    return getattr(value, "pk", value)


def admin_change(model_admin_for, obj, user, **changes: Any) -> bool:
    """Change ``obj`` the way its admin change page does (form, save_model, save_related).

    Returns whether the form was valid (and so saved). Inline formsets are not sent.
    """
    model_admin = admin.site._registry[model_admin_for]
    request = _admin_request(user)
    form_class = model_admin.get_form(request, obj, change=True)
    initial = {k: _plain(v) for k, v in model_to_dict(obj).items()}
    data = {name: initial.get(name) for name in form_class.base_fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update({k: ("" if v is None else _plain(v)) for k, v in changes.items()})
    for name, value in list(data.items()):
        if value is False:
            data.pop(name)  # an unticked checkbox is simply not sent
    form = form_class(data=data, instance=obj)
    if not form.is_valid():
        return False
    new_object = model_admin.save_form(request, form, change=True)
    model_admin.save_model(request, new_object, form, True)
    model_admin.save_related(request, form, [], True)
    return True


def article_for_admin(pk: int) -> Article:
    return Article.objects.select_related("specialty", "owner", "published_version").get(pk=pk)
