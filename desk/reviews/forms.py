"""Forms of the review desk. They check the shape of what was sent (types, lengths,
required fields); every rule about reviews lives in the domain functions the views call."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from articles.models import Article, Section
from core.datetimes import StorableDateTimeField
from reviews.models import (
    CHECKLIST_ITEMS,
    BoardMember,
    ConflictCategory,
    ConflictKind,
    Decision,
    ReviewAssignment,
)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _reason(label: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=5000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- managing editors --------------------------------------------------------------------------


class AssignForm(forms.Form):
    member = forms.ModelChoiceField(
        label="Reviewer",
        queryset=BoardMember.objects.select_related("user"),
        error_messages={"required": "Choose a board member to invite.", "invalid_choice": "Unknown member."},
    )
    respond_by = StorableDateTimeField(
        label="Answer the invitation by",
        required=False,
        widget=DateTimeLocalInput(),
        help_text=f"By default, a few days from now. Time zone: {settings.TIME_ZONE}.",
    )
    due_at = StorableDateTimeField(
        label="Review due by",
        required=False,
        widget=DateTimeLocalInput(),
        help_text=f"By default, set when the reviewer accepts. Time zone: {settings.TIME_ZONE}.",
    )
    replaces = forms.ModelChoiceField(
        label="Replaces",
        required=False,
        queryset=ReviewAssignment.objects.none(),
        empty_label="Nobody (an additional reviewer)",
    )

    def __init__(
        self,
        *args: Any,
        article: Article | None = None,
        replaceable: Iterable[ReviewAssignment] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # ``fields`` is typed as holding any field; this one is the ModelChoiceField declared above.
        field = cast(forms.ModelChoiceField, self.fields["replaces"])
        field.queryset = ReviewAssignment.objects.filter(article=article).select_related("reviewer")
        # The choices offered are the ones worth replacing; any assignment of the article is accepted
        # and the domain says why one cannot be replaced.
        field.choices = [("", field.empty_label)] + [
            (a.pk, f"{a.reviewer.display_name} ({a.get_status_display().lower()})") for a in replaceable
        ]


class CancelForm(forms.Form):
    reason = _reason("Reason for cancelling", help_text="The reviewer is told this reason.")


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("grant", "Grant"), ("refuse", "Refuse")])
    note = _reason("Note to the reviewer", required=False)


class OverrideForm(forms.Form):
    reason = _reason(
        "Why the review may go ahead despite the declared conflict",
        help_text="Kept in the review record and the audit trail.",
    )


# --- reviewers -----------------------------------------------------------------------------------


class DeclineForm(forms.Form):
    reason = _reason("Why you decline")
    suggested_alternative = forms.CharField(
        label="Someone you suggest instead",
        required=False,
        max_length=200,
        help_text="A colleague the managing editor could invite.",
    )


class ExtensionRequestForm(forms.Form):
    until = StorableDateTimeField(
        label="New due date", widget=DateTimeLocalInput(), help_text=f"Time zone: {settings.TIME_ZONE}."
    )
    reason = _reason("Why you need more time")


class ConflictForm(forms.Form):
    category = forms.ChoiceField(
        label="Do you have a conflict of interest with this article?",
        choices=ConflictCategory.choices,
        widget=forms.RadioSelect,
    )
    details = _reason(
        "Details",
        required=False,
        help_text="Required for any conflict: what it is, with whom, since when.",
    )


class ReviewForm(forms.Form):
    """The review: section comments, the checklist, the decision, and (to sign) the password."""

    decision = forms.ChoiceField(label="Your decision", choices=Decision.choices, widget=forms.RadioSelect)
    comments = forms.CharField(
        label="Overall comments",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    password = forms.CharField(
        label="Your password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, sections: Iterable[Section] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = list(sections)
        for key, label in CHECKLIST_ITEMS.items():
            self.fields[f"check_{key}"] = forms.BooleanField(label=label, required=False)
        for section in self.sections:
            self.fields[f"quote_{section.pk}"] = forms.CharField(
                label="Quoted passage", required=False, max_length=2000
            )
            self.fields[f"comment_{section.pk}"] = forms.CharField(
                label=f"Comment on \u201c{section.heading}\u201d",
                required=False,
                max_length=10000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    # Read after is_valid().
    def checklist(self) -> dict[str, bool]:
        return {key: bool(self.cleaned_data.get(f"check_{key}")) for key in CHECKLIST_ITEMS}

    def section_comments(self) -> list[tuple[int, str, str]]:
        """``(section_id, quote, comment)`` for every section with anything written on it."""
        triples = []
        for section in self.sections:
            quote = self.cleaned_data.get(f"quote_{section.pk}", "")
            comment = self.cleaned_data.get(f"comment_{section.pk}", "")
            if quote or comment:
                triples.append((section.pk, quote, comment))
        return triples

    def checklist_fields(self) -> list[forms.BoundField]:
        return [self[f"check_{key}"] for key in CHECKLIST_ITEMS]

    def section_fields(self, section: Section) -> tuple[forms.BoundField, forms.BoundField]:
        return self[f"quote_{section.pk}"], self[f"comment_{section.pk}"]

    def carried_fields(self) -> list[forms.BoundField]:
        """What the signing step sends again, as hidden inputs (everything but the password)."""
        return [self[name] for name in self.fields if name not in ("password", "confirm")]


# --- a member's own board profile --------------------------------------------------------------------


class BioForm(forms.Form):
    bio = forms.CharField(
        label="Your bio",
        required=False,
        max_length=5000,
        help_text="Shown to readers on the medical advisory board page.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class StandingConflictForm(forms.Form):
    """The shape of a new standing conflict; which subject each kind needs is the domain's rule."""

    kind = forms.ChoiceField(label="The conflict is with", choices=ConflictKind.choices)
    topic = forms.CharField(
        label="Topic or sponsor",
        required=False,
        max_length=300,
        help_text="For a topic or sponsor: articles whose title or summary names it are not offered to you.",
    )
    article = forms.SlugField(
        label="Article (its address slug)",
        required=False,
        max_length=255,
        help_text="For an article, e.g. cervical-insufficiency-in-pregnancy.",
    )
    author = forms.CharField(
        label="Author or editor (their username)", required=False, max_length=150, help_text="For an author."
    )
    details = _reason("Details", required=False, help_text="What the conflict is, with whom, since when.")

    def clean_article(self) -> Article | None:
        slug = self.cleaned_data["article"]
        if not slug:
            return None
        article = Article.objects.filter(slug=slug).first()
        if article is None:
            raise forms.ValidationError("No article has this slug.")
        return article

    def clean_author(self) -> User | None:
        username = self.cleaned_data["author"].strip()
        if not username:
            return None
        user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()
        if user is None:
            raise forms.ValidationError("No user has this username.")
        return user


class EndConflictForm(forms.Form):
    conflict = forms.IntegerField(min_value=1, max_value=10**18 - 1, widget=forms.HiddenInput)
