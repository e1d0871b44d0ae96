"""Forms of the editor's workspace. They check the shape of what was sent (types,
lengths, required fields); every editorial rule is the domain's (``articles.drafting``,
``articles.content``, ``reviews.workflow``), whose errors are attached back to the
fields they concern."""

from __future__ import annotations

import django_filters
from django import forms
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME
from django.utils.safestring import mark_safe

from articles.drafting import DraftContent, ReferenceInput, SectionInput
from articles.filters import ArticleFilter
from articles.markdown import Citations, render_markdown
from articles.models import ArticleVersion, Audience, EvidenceLevel, ReferenceKind, Specialty
from audit.filters import DateTimeFilter
from reviews.models import ResponseStatus
from reviews.workflow import TRANSITIONS

MAX_SECTIONS_PER_AUDIENCE = 40
MAX_REFERENCES = 200
REFERENCE_EXTRA_ROWS = 3  # blank rows for adding references without JavaScript
BODY_MAX_LENGTH = 100_000


def _textarea(rows: int, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class DeskArticleFilter(ArticleFilter):
    """The staff ``ArticleFilter`` (shared with the API) with widgets for an HTML form:
    same filters and lookups, a specialty menu and a date picker."""

    specialty = django_filters.ChoiceFilter(
        label="Specialty", field_name="specialty__slug", choices=[], empty_label="All specialties"
    )
    updated_after = DateTimeFilter(
        label="Updated since",
        field_name="updated_at",
        lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta(ArticleFilter.Meta):
        pass

    def __init__(self, *args, specialty_choices: list[tuple[str, str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Read once by the caller and shared: a callable would query again at every validation
        # and every rendering of the menu.
        if specialty_choices is None:
            specialty_choices = specialty_menu()
        self.filters["specialty"].extra["choices"] = specialty_choices


def specialty_menu() -> list[tuple[str, str]]:
    return list(Specialty.objects.order_by("name").values_list("slug", "name"))


class NewArticleForm(forms.Form):
    title = forms.CharField(max_length=250)
    specialty = forms.ModelChoiceField(queryset=Specialty.objects.order_by("name"), empty_label=None)
    summary = forms.CharField(
        required=False,
        widget=_textarea(3),
        help_text="One or two sentences for the article list. Markdown.",
    )


class DraftForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = forms.CharField(max_length=250)
    specialty = forms.ModelChoiceField(queryset=Specialty.objects.order_by("name"), empty_label=None)
    summary = forms.CharField(
        required=False, max_length=BODY_MAX_LENGTH, widget=_textarea(3), help_text="Markdown."
    )
    change_summary = forms.CharField(
        required=False,
        max_length=BODY_MAX_LENGTH,
        widget=_textarea(3),
        help_text="What changed since the previous version, and why. Reviewers and readers see it.",
    )
    is_correction = forms.BooleanField(required=False, label="This version corrects an error")
    correction_notice = forms.CharField(
        required=False,
        max_length=BODY_MAX_LENGTH,
        widget=_textarea(2),
        help_text="Shown to readers at the top of the article when this version corrects an error.",
    )


class SectionForm(forms.Form):
    heading = forms.CharField(max_length=200)
    body = forms.CharField(
        required=False,
        max_length=BODY_MAX_LENGTH,
        widget=_textarea(10, **{"class": "markdown-input"}),
        help_text="Markdown. Cite references as [1], [1, 3] or [2-4].",
    )


class ReferenceForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Choose a kind"), *ReferenceKind.choices])
    title = forms.CharField(max_length=500)
    authors = forms.CharField(max_length=500, required=False)
    source = forms.CharField(max_length=300, help_text="Journal, or the body that issued the guideline.")
    year = forms.IntegerField(min_value=1, max_value=9999)
    doi = forms.CharField(max_length=200, required=False, label="DOI")
    pmid = forms.CharField(max_length=12, required=False, label="PMID")
    url = forms.URLField(max_length=500, required=False, label="Link", assume_scheme="https")
    accessed_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    evidence_level = forms.ChoiceField(choices=[("", "Not graded"), *EvidenceLevel.choices], required=False)


class _OrderedFormSet(forms.BaseFormSet):
    """Rows with a position field and a remove box; the editor's JavaScript moves and removes
    rows by setting these same fields, so the page works the same without it."""

    order_label = "Position"
    order_help = ""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        form.fields[ORDERING_FIELD_NAME] = forms.IntegerField(
            label=self.order_label,
            required=False,
            min_value=1,
            max_value=9999,
            help_text=self.order_help,
            initial=self.initial_order(form, index),
            widget=forms.NumberInput(attrs={"class": "formset-order", "inputmode": "numeric"}),
        )
        if DELETION_FIELD_NAME in form.fields:
            form.fields[DELETION_FIELD_NAME].label = "Remove"
            form.fields[DELETION_FIELD_NAME].widget.attrs["class"] = "formset-delete"

    def initial_order(self, form, index) -> int | None:
        if index is not None and index < self.initial_form_count():
            return index + 1
        return None


class _SectionFormSet(_OrderedFormSet):
    order_label = "Position"


class _ReferenceFormSet(_OrderedFormSet):
    order_label = "Number"
    order_help = "The number cited in the text, e.g. [2]."

    def initial_order(self, form, index) -> int | None:
        # A reference keeps its own number: renumbering silently would break the citations.
        return form.initial.get("number") or super().initial_order(form, index)


SectionFormSet = forms.formset_factory(
    SectionForm,
    formset=_SectionFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=MAX_SECTIONS_PER_AUDIENCE,
    validate_max=True,
)
ReferenceFormSet = forms.formset_factory(
    ReferenceForm,
    formset=_ReferenceFormSet,
    extra=REFERENCE_EXTRA_ROWS,
    can_order=True,
    can_delete=True,
    max_num=MAX_REFERENCES,
    validate_max=True,
)


def _section_initial(version: ArticleVersion, audience: str) -> list[dict]:
    return [
        {"heading": s.heading, "body": s.body}
        for s in sorted(version.sections.all(), key=lambda s: s.position)
        if s.audience == audience
    ]


def _reference_initial(version: ArticleVersion) -> list[dict]:
    return [
        {
            "number": r.number,
            "kind": r.kind,
            "title": r.title,
            "authors": r.authors,
            "source": r.source,
            "year": r.year,
            "doi": r.doi,
            "pmid": r.pmid,
            "url": r.url,
            "accessed_on": r.accessed_on,
            "evidence_level": r.evidence_level,
        }
        for r in sorted(version.references.all(), key=lambda r: r.number)
    ]


class DraftEditor:
    """The draft form, one section formset per audience and the references formset, as one
    thing to validate, turn into ``DraftContent`` and hang the domain's errors on."""

    def __init__(self, version: ArticleVersion, data=None) -> None:
        self.version = version
        self.form = DraftForm(
            data,
            initial={
                "revision": version.revision,
                "title": version.title,
                "specialty": version.specialty_id,
                "summary": version.summary,
                "change_summary": version.change_summary,
                "is_correction": version.is_correction,
                "correction_notice": version.correction_notice,
            },
        )
        self.sections = {
            audience: SectionFormSet(data, initial=_section_initial(version, audience), prefix=audience)
            for audience in Audience.values
        }
        self.references = ReferenceFormSet(data, initial=_reference_initial(version), prefix="refs")
        self._reference_order: list[forms.Form] = []

    @property
    def audiences(self) -> list[tuple[str, str, forms.BaseFormSet]]:
        return [(value, label, self.sections[value]) for value, label in Audience.choices]

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), self.references.is_valid()]
        results += [formset.is_valid() for formset in self.sections.values()]
        return all(results)

    @property
    def expected_revision(self) -> int:
        return self.form.cleaned_data["revision"]

    @property
    def specialty(self) -> Specialty:
        return self.form.cleaned_data["specialty"]

    def content(self) -> DraftContent:
        """The validated input as the domain's ``DraftContent`` (call after ``is_valid``)."""
        data = self.form.cleaned_data
        first_version = self.version.number == 1
        sections = [
            SectionInput(audience, form.cleaned_data["heading"], form.cleaned_data["body"])
            for audience in Audience.values
            for form in self.sections[audience].ordered_forms
        ]
        ordered = self.references.ordered_forms
        self._reference_order = list(ordered)
        next_number = max((f.cleaned_data[ORDERING_FIELD_NAME] or 0 for f in ordered), default=0)
        references = []
        for form in ordered:
            number = form.cleaned_data[ORDERING_FIELD_NAME]
            if number is None:  # a new row left unnumbered goes last
                next_number += 1
                number = next_number
            values = form.cleaned_data
            references.append(
                ReferenceInput(
                    number=number,
                    kind=values["kind"],
                    title=values["title"],
                    source=values["source"],
                    year=values["year"],
                    authors=values["authors"],
                    doi=values["doi"],
                    pmid=values["pmid"],
                    url=values["url"],
                    accessed_on=values["accessed_on"],
                    evidence_level=values["evidence_level"],
                )
            )
        return DraftContent(
            title=data["title"],
            summary=data["summary"],
            sections=sections,
            references=references,
            change_summary="" if first_version else data["change_summary"],
            is_correction=False if first_version else data["is_correction"],
            correction_notice="" if first_version else data["correction_notice"],
        )

    def attach_errors(self, fields: dict[str, list[str]]) -> None:
        """Put the domain's errors (``title``, ``references[2].doi`` …) on the fields they name."""
        for name, messages in fields.items():
            target, field = self._field_for(name)
            for message in messages:
                target.add_error(field, message)

    def _field_for(self, name: str) -> tuple[forms.Form, str | None]:
        if name in self.form.fields:
            return self.form, name
        if name.startswith("references["):
            index_text, _, field = name[len("references[") :].partition("].")
            if index_text.isdigit() and int(index_text) < len(self._reference_order):
                form = self._reference_order[int(index_text)]
                field = ORDERING_FIELD_NAME if field == "number" else field
                return form, field if field in form.fields else None
        return self.form, None

    def attach_previews(self) -> None:
        """Rendered Markdown under each section, for the "Preview" button without JavaScript."""
        citations = Citations()
        for formset in self.sections.values():
            for form in formset.forms:
                body = form.cleaned_data.get("body", "") if form.is_valid() else form["body"].value()
                # render_markdown's output is sanitised by nh3: safe to show as HTML.
                form.preview_html = mark_safe(render_markdown(body or "", citations=citations))

    def with_revision(self, revision: int) -> DraftEditor:
        """After a stale save: every field as typed, but based on the revision now stored, so that
        saving again (having seen the other person's text) is a deliberate choice."""
        data = self.form.data.copy()
        data["revision"] = str(revision)
        return DraftEditor(self.version, data)


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, max_length=BODY_MAX_LENGTH, strip=False)


class ActionForm(forms.Form):
    # Every action a screen offers (the page shows the person's own, reviews.workflow.offered_actions);
    # approving and requesting changes come with a signed review, starting review with assigning.
    action = forms.ChoiceField(
        choices=[(t.action, t.label) for t in TRANSITIONS.values() if t.offered_on_screens]
    )
    reason = forms.CharField(required=False, max_length=5000, widget=_textarea(2))


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (ResponseStatus.RESOLVED, "Resolved: the text was changed"),
            (ResponseStatus.NOT_CHANGED, "Not changed"),
        ],
        widget=forms.RadioSelect,
        label="Your answer",
    )
    reason = forms.CharField(
        required=False,
        max_length=5000,
        widget=_textarea(3),
        label="Reason or note for the reviewer",
        help_text="Required when the text was not changed.",
    )


class DiffForm(forms.Form):
    a = forms.IntegerField(min_value=1, max_value=1_000_000, label="Older version")
    b = forms.IntegerField(min_value=1, max_value=1_000_000, label="Newer version")
