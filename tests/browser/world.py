"""The data the browser tests start from, made through the domain functions before the browser opens."""

from __future__ import annotations

from accounts.roles import EDITOR, MANAGING_EDITOR
from articles.drafting import DraftContent, ReferenceInput, SectionInput
from articles.models import Article, Audience, ReferenceKind, Specialty
from tests.factories import PASSWORD, make_specialty, make_user, valid_content
from tests.public.public_setup import publish_article
from tests.reviews.helpers import make_reviewer


def person(username: str, *groups: str, **fields):
    """A user whose password is hashed with the first configured hasher: fast under the
    ``fast_passwords`` fixture, and still checked for real at the login page."""
    user = make_user(username, *groups, **fields)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def both_audiences() -> DraftContent:
    return valid_content(
        title="Gestational diabetes",
        summary="What gestational diabetes is, how it is found and how it is treated.",
        sections=[
            SectionInput(
                Audience.PATIENT,
                "What it is",
                "High blood sugar that starts in pregnancy [1]. Most women need only a change of diet [2].",
            ),
            SectionInput(
                Audience.PROFESSIONAL,
                "Diagnosis",
                "Screen with a 75 g oral glucose tolerance test at 24 to 28 weeks [1]. "
                "Metformin is an alternative to insulin [2].",
            ),
        ],
        references=[
            ReferenceInput(
                number=1,
                kind=ReferenceKind.GUIDELINE,
                title="Diabetes in pregnancy: management from preconception to the postnatal period",
                source="National Institute for Health and Care Excellence",
                year=2020,
                url="https://www.nice.org.uk/guidance/ng3",
            ),
            ReferenceInput(
                number=2,
                kind=ReferenceKind.SYSTEMATIC_REVIEW,
                title="Metformin versus insulin for gestational diabetes",
                source="Cochrane Database of Systematic Reviews",
                year=2023,
                authors="Tieu J, Coat S, Hague W",
                doi="10.1002/14651858.CD012037.pub2",
                pmid="29000000",
            ),
        ],
    )


def published_in_both_audiences() -> tuple[Article, Specialty]:
    """An obstetrics article for patients and professionals, approved by Dr Ana Reyes and published."""
    obstetrics = make_specialty("obstetrics", name="Obstetrics")
    editor = person("editor", EDITOR, first_name="Maya", last_name="Lindqvist")
    managing = person("managing", MANAGING_EDITOR)
    ana = make_reviewer("ana", obstetrics, display_name="Dr Ana Reyes", credentials="MD")
    article = publish_article(editor, managing, [ana.user], content=both_audiences(), specialty=obstetrics)
    return article, obstetrics
