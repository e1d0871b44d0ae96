"""The Django admin for articles: a window onto the data, never a way around the rules.

- An article's state changes only through ``reviews.workflow`` (the admin actions below).
- A working draft's content changes only through ``articles.drafting.save_draft``
  (audited, revision-checked); a frozen version is shown read-only.
- Articles and versions are never added or deleted here: drafting creates them,
  the workflow discards unsubmitted drafts.
- Any ``DomainError`` becomes an error message on the page, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.options import Action as AdminAction
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.utils import construct_change_message
from django.contrib.auth import get_user_model
from django.db.models import ForeignKey, Q, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from audit.models import AuditEvent
from audit.trail import RequestInfo
from core.admin import DomainErrorsAsMessages, OneObjectFetchesLazily, SelectedRowsChecked, form_changes
from core.errors import DomainError, FrozenVersionError, NotPermitted
from reviews.workflow import TRANSITIONS, Action, Transition, offered_actions, take_screen_action

from .access import can_edit_draft, visible_articles
from .drafting import DraftContent, ReferenceInput, SectionInput, refuse_stale, save_draft
from .models import Article, ArticleVersion, Reference, Section, Specialty
from .review_policy import add_specialty, update_article_settings, update_specialty

if TYPE_CHECKING:
    # The shape of ``get_fieldsets``' answer, which only django-stubs names.
    from django.contrib.admin.options import _FieldsetSpec

BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
AUDIT_TRAIL_SHOWN = 50  # on the article page; the audit log holds the rest


# --- specialties ------------------------------------------------------------


@admin.register(Specialty)
class SpecialtyAdmin(DomainErrorsAsMessages, OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = ["name", "slug", "review_interval_months", "required_approvals"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_readonly_fields(self, request: HttpRequest, obj: Specialty | None = None) -> list[str]:
        # The slug identifies the specialty in URLs and API filters: fixed once created.
        return ["slug"] if obj is not None else []

    def get_prepopulated_fields(
        self, request: HttpRequest, obj: Specialty | None = None
    ) -> dict[str, Sequence[str]]:
        return self.prepopulated_fields if obj is None else {}

    def has_delete_permission(self, request: HttpRequest, obj: Specialty | None = None) -> bool:
        return False  # articles and board members point at it

    def save_model(self, request: HttpRequest, obj: Specialty, form: Any, change: Any) -> None:
        info = RequestInfo.from_request(request)
        if change:
            update_specialty(obj.pk, form_changes(form), by=request.user, request_info=info)
        else:
            add_specialty(obj, by=request.user, request_info=info)


# --- articles -----------------------------------------------------------------


class TransitionActionForm(ActionForm):
    reason = forms.CharField(
        required=False,
        label="Reason (needed to return, reject or archive):",
        widget=forms.TextInput(attrs={"size": 40}),
    )


def _action_reason(request: HttpRequest) -> str:
    # The change form prefixes its action form's fields with the location's name.
    return request.POST.get("reason") or request.POST.get(f"{ActionLocation.CHANGE_FORM.value}-reason", "")


def _action_name(transition: Transition) -> str:
    # "revise" keeps the name it always had in the admin (bookmarked forms, tests).
    return "open_working_draft" if transition.action == Action.REVISE else f"workflow_{transition.action}"


# An admin action as Django calls it: on the admin, for the request, over the selected rows.
type ArticleAction = Callable[[ArticleAdmin, HttpRequest, QuerySet[Article]], None]


def _transition_action(transition: Transition) -> ArticleAction:
    def run(modeladmin: ArticleAdmin, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        modeladmin.run_transition(request, queryset, transition.action)

    # "revise" keeps the name it always had in the admin (bookmarked forms, tests).
    run.__name__ = (
        "open_working_draft" if transition.action == Action.REVISE else f"workflow_{transition.action}"
    )
    return admin.action(description=transition.label, location=BOTH_LOCATIONS)(run)


# The admin's actions are the workflow's screen actions (reviews.workflow.Transition.offered_on_screens),
# as on the desk and in the API: approve and request changes come with a signed review, and
# starting review with assigning a reviewer. The article page offers only those the person can
# take on that article now (offered_actions); the list offers them all, and the workflow refuses
# per article.
SCREEN_TRANSITIONS = [t for t in TRANSITIONS.values() if t.offered_on_screens]


@admin.register(Article)
class ArticleAdmin(DomainErrorsAsMessages, OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = [
        "title",
        "state",
        "specialty",
        "owner",
        "published_version_number",
        "next_review_due",
        "updated_at",
    ]
    list_filter = ["state", "specialty", "owner"]
    search_fields = ["title", "slug"]
    list_select_related = ["specialty", "owner", "published_version"]
    date_hierarchy = "updated_at"
    action_form = TransitionActionForm
    actions = [_transition_action(t) for t in SCREEN_TRANSITIONS]
    # What readers see comes from reviewed versions (docs/public-site.md): the specialty is filed
    # with each version (edited in the draft) and the review dates follow the board's approvals.
    readonly_fields = [
        "slug",
        "title",
        "state",
        "specialty",
        "next_review_due",
        "published_version_link",
        "first_published_at",
        "last_updated_at",
        "last_reviewed_at",
        "created_at",
        "updated_at",
        "versions_list",
        "audit_trail",
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None) -> _FieldsetSpec:
        trail: tuple[str, ...] = ("audit_trail",)
        if request.user.has_perm("audit.view_auditevent"):
            trail += ("audit_log_link",)
        return [
            (None, {"fields": ["title", "slug", "state", "specialty", "owner"]}),
            (
                "Publication and review",
                {
                    "fields": [
                        "published_version_link",
                        "first_published_at",
                        "last_updated_at",
                        "last_reviewed_at",
                        "next_review_due",
                        "required_approvals",
                    ]
                },
            ),
            ("Versions", {"fields": ["versions_list"]}),
            ("Audit trail", {"fields": trail}),
            ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Article | None = None) -> list[str]:
        fields = list(self.readonly_fields)
        if request.user.has_perm("audit.view_auditevent"):
            fields.append("audit_log_link")
        return fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        # Another editor's article is "not there", as on the desk and in the API; what the change
        # page reads too (readonly fields, links, the object's name) comes in the one query.
        return visible_articles(request.user, super().get_queryset(request)).select_related(
            "specialty", "owner", "published_version"
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # articles start in the editor (articles.drafting.create_article), with a first draft

    def has_delete_permission(self, request: HttpRequest, obj: Article | None = None) -> bool:
        return False  # archived, never deleted; unsubmitted drafts are discarded through the workflow

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "owner":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(
                    Q(is_superuser=True)
                    | Q(groups__permissions__codename="draft_article")
                    | Q(user_permissions__codename="draft_article")
                )
                .distinct()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: Any) -> None:
        # Articles are never added here (has_add_permission), only their settings changed.
        update_article_settings(
            obj.pk, form_changes(form), by=request.user, request_info=RequestInfo.from_request(request)
        )

    # --- workflow actions -----------------------------------------------------

    def get_actions(
        self, request: HttpRequest, action_location: ActionLocation = ActionLocation.CHANGE_LIST
    ) -> dict[str, AdminAction | None]:
        actions = super().get_actions(request, action_location=action_location)
        article = getattr(request, "_article_on_page", None)
        if action_location != ActionLocation.CHANGE_FORM or article is None or request.method != "GET":
            # A posted action is always run, so that a refusal is the workflow's own message.
            return actions
        offered = {_action_name(t) for t in offered_actions(article, request.user)}
        return {name: action for name, action in actions.items() if name in offered}

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if object_id is not None and request.method == "GET":
            # The action menu of the article page offers what this person can do to it now.
            # attr-defined: HttpRequest declares no such attribute; this request carries the page's
            # article to get_actions, which Django calls with the request alone.
            request._article_on_page = self.get_object(request, object_id)  # type: ignore[attr-defined]
        return super().changeform_view(request, object_id, form_url, extra_context)

    def run_transition(self, request: HttpRequest, queryset: QuerySet[Article], action: str) -> None:
        reason = _action_reason(request)
        info = RequestInfo.from_request(request)

        def step(article: Article) -> None:
            take_screen_action(article, action, request.user, reason=reason, request_info=info)

        label = "Opened a working draft" if action == Action.REVISE else TRANSITIONS[action].label
        self.run_for_each(request, queryset, step, label)

    def run_for_each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Article],
        step: Callable[[Article], None],
        label: str,
    ) -> None:
        """Run ``step`` on each article on its own; report refusals one by one, successes together."""
        done = []
        for article in queryset.order_by("pk"):
            try:
                step(article)
            except DomainError as exc:
                self.message_user(request, f"{article.title}: {exc.message}", messages.ERROR)
            else:
                done.append(article.title)
        if done:
            self.message_user(request, f"{label}: done for {', '.join(done)}.", messages.SUCCESS)

    # --- read-only displays ---------------------------------------------------

    @admin.display(description="published version", ordering="published_version__number")
    def published_version_number(self, obj: Article) -> str:
        # Joined by the list's query (list_select_related): no query per row.
        version = obj.published_version
        return f"v{version.number}" if version is not None else "-"

    @admin.display(description="published version")
    def published_version_link(self, obj: Article) -> str:
        version = obj.published_version
        if version is None:
            return "Not published"
        url = reverse("admin:articles_articleversion_change", args=[version.pk])
        published = f"{version.published_at:%Y-%m-%d}" if version.published_at else "-"
        return format_html('<a href="{}">Version {}</a>, published {}', url, version.number, published)

    @admin.display(description="versions")
    def versions_list(self, obj: Article) -> str:
        if obj.pk is None:
            return "-"
        rows = [
            (
                reverse("admin:articles_articleversion_change", args=[v.pk]),
                v.number,
                v.title,
                version_status(v, obj),
            )
            for v in obj.versions.order_by("-number")
        ]
        return format_html(
            "<ul>{}</ul>", format_html_join("", '<li><a href="{}">Version {}</a>: {} ({})</li>', rows)
        )

    @admin.display(description="events")
    def audit_trail(self, obj: Article) -> str:
        if obj.pk is None:
            return "-"
        events = list(AuditEvent.objects.filter(article=obj).order_by("-seq")[:AUDIT_TRAIL_SHOWN])
        if not events:
            return "No events."
        rows = format_html_join(
            "",
            "<tr><td>#{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    e.seq,
                    e.created_at.strftime("%Y-%m-%d %H:%M"),
                    e.actor_label,
                    e.action,
                    f"{e.state_before or '-'} → {e.state_after or '-'}",
                    _payload_summary(e.payload),
                )
                for e in events
            ),
        )
        return format_html(
            "<table><thead><tr><th>#</th><th>when</th><th>who</th><th>what</th><th>state</th>"
            "<th>details</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    @admin.display(description="audit log")
    def audit_log_link(self, obj: Article) -> str:
        url = reverse("admin:audit_auditevent_changelist") + f"?article__id__exact={obj.pk}"
        return format_html('<a href="{}">All events of this article in the audit log</a>', url)


def _payload_summary(payload: dict[str, Any]) -> str:
    shown = {k: v for k, v in payload.items() if k not in ("content_hash",)}
    return ", ".join(f"{k}: {v}" for k, v in shown.items())[:300]


def version_status(version: ArticleVersion, article: Article) -> str:
    if not version.is_frozen:
        return "working draft"
    if article.published_version_id == version.pk:
        return "published"
    if version.superseded_at is not None:
        return "superseded"
    if version.published_at is not None:
        return "previously published"
    return "submitted, frozen"


# --- versions -------------------------------------------------------------------


class WorkingDraftForm(forms.ModelForm):
    # The revision the editor started from; a save made on an older one is refused.
    expected_revision = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ArticleVersion
        fields = ["title", "summary", "change_summary", "is_correction", "correction_notice"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "expected_revision" in self.fields and self.instance.pk is not None:
            self.fields["expected_revision"].initial = self.instance.revision


def _draft_editable(request: HttpRequest, version: ArticleVersion | None) -> bool:
    return version is not None and not version.is_frozen and can_edit_draft(request.user, version.article)


class VersionPartInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: ArticleVersion | None = None) -> bool:
        return super().has_add_permission(request, obj) and _draft_editable(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: ArticleVersion | None = None) -> bool:
        return super().has_change_permission(request, obj) and _draft_editable(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: ArticleVersion | None = None) -> bool:
        return super().has_delete_permission(request, obj) and _draft_editable(request, obj)


class SectionInline(VersionPartInline):
    model = Section
    fields = ["audience", "heading", "body", "reading_grade"]
    readonly_fields = ["reading_grade"]


# What the admin shows and edits of a reference, and what it hands drafting (_reference_input).
REFERENCE_FIELDS = (
    "number",
    "kind",
    "authors",
    "title",
    "source",
    "year",
    "doi",
    "pmid",
    "url",
    "accessed_on",
    "evidence_level",
)


class ReferenceInline(VersionPartInline):
    model = Reference
    fields = REFERENCE_FIELDS


@admin.register(ArticleVersion)
class ArticleVersionAdmin(
    DomainErrorsAsMessages, OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin
):
    form = WorkingDraftForm
    inlines = [SectionInline, ReferenceInline]
    actions = None
    list_display = ["__str__", "title", "status", "origin", "author", "revision", "frozen_at"]
    list_filter = [("frozen_at", admin.EmptyFieldListFilter), "origin", "article__specialty"]
    search_fields = ["title", "article__title", "article__slug"]
    list_select_related = ["article", "author"]
    CONTENT_FORM_FIELDS = WorkingDraftForm.Meta.fields
    ALWAYS_READ_ONLY = [
        "article",
        "number",
        "status",
        "origin",
        "generator",
        "author",
        "last_edited_by",
        "revision",
        "content_hash",
        "created_at",
        "updated_at",
        "frozen_at",
        "published_at",
        "superseded_at",
    ]

    def get_fieldsets(self, request: HttpRequest, obj: ArticleVersion | None = None) -> _FieldsetSpec:
        main: tuple[str, ...] = ("article", "number", "status", *self.CONTENT_FORM_FIELDS)
        if _draft_editable(request, obj):
            main += ("expected_revision",)
        return [
            (None, {"fields": main}),
            ("Provenance", {"fields": ["origin", "generator", "author", "last_edited_by"]}),
            (
                "Record",
                {
                    "fields": [
                        "revision",
                        "content_hash",
                        "created_at",
                        "updated_at",
                        "frozen_at",
                        "published_at",
                        "superseded_at",
                    ]
                },
            ),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: ArticleVersion | None = None) -> list[str]:
        if _draft_editable(request, obj):
            return self.ALWAYS_READ_ONLY
        return [*self.ALWAYS_READ_ONLY, *self.CONTENT_FORM_FIELDS]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ArticleVersion]:
        # Only the versions of articles this user may see; the change page's reads in the one query.
        return (
            super()
            .get_queryset(request)
            .filter(article__in=visible_articles(request.user).values("pk"))
            .select_related("article", "author", "last_edited_by")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions are opened from the article (drafting and the workflow)

    def has_delete_permission(self, request: HttpRequest, obj: ArticleVersion | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ArticleVersion | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or _draft_editable(request, obj))

    def refuse_post(self, request: HttpRequest, obj: ArticleVersion | None) -> None:
        if obj is None:
            return
        if obj.is_frozen:
            raise FrozenVersionError(
                f"Version {obj.number} of \u201c{obj.article.title}\u201d was submitted on "
                f"{obj.frozen_at:%Y-%m-%d} and is frozen: nothing was changed. To change the text, "
                "start a new version from the article page; it begins as a copy of this one."
            )
        if not super().has_change_permission(request, obj):
            raise NotPermitted(
                "Your account can read versions in the admin but not edit them; edit the draft in the editor."
            )
        if not can_edit_draft(request.user, obj.article):
            raise NotPermitted("Only the article's editor or a managing editor can edit its working draft.")
        # Checked before the forms: a newer save replaced the sections and references the
        # stale page still points at, and their errors would hide the real reason.
        expected = request.POST.get("expected_revision", "")
        if expected.isdigit():
            refuse_stale(obj, int(expected))

    @admin.display(description="status")
    def status(self, obj: ArticleVersion) -> str:
        return version_status(obj, obj.article)

    def save_model(self, request: HttpRequest, obj: ArticleVersion, form: Any, change: Any) -> None:
        # Nothing is saved here: save_related hands the whole draft to save_draft at once.
        pass

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]]:
        # The inline formsets were never saved themselves (save_draft rewrote the parts),
        # so the admin's history entry names the version fields only; the audit event has the rest.
        return construct_change_message(form, [], add)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: Any) -> None:
        content = DraftContent(
            title=form.cleaned_data["title"],
            summary=form.cleaned_data["summary"],
            change_summary=form.cleaned_data["change_summary"],
            is_correction=form.cleaned_data["is_correction"],
            correction_notice=form.cleaned_data["correction_notice"],
        )
        for formset in formsets:
            rows = [
                f.cleaned_data
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")  # empty extra forms have none
            ]
            if formset.model is Section:
                content.sections = [SectionInput(r["audience"], r["heading"], r["body"]) for r in rows]
            elif formset.model is Reference:
                content.references = [_reference_input(r) for r in rows]
        version = form.instance
        save_draft(
            version.article,
            content,
            expected_revision=form.cleaned_data["expected_revision"],
            actor=request.user,
            request_info=RequestInfo.from_request(request),
        )


def _reference_input(row: dict[str, Any]) -> ReferenceInput:
    values: dict[str, Any] = {name: row.get(name) for name in REFERENCE_FIELDS}
    # Optional text fields may arrive as None; drafting wants "" for "not given".
    for name in ("authors", "doi", "pmid", "url", "evidence_level"):
        values[name] = values[name] or ""
    return ReferenceInput(**values)
