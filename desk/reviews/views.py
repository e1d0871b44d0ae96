"""The staff pages of reviewing. Thin on purpose: every rule is a domain function
(``reviews.assignments``, ``reviews.decisions``, ``reviews.board``); a view reads the
request, calls one, and turns a ``DomainError`` into a message with its 4xx status.

Who sees what:

- managing editors (``articles.manage_articles``): the queue, assigning, the review record,
  the metrics; anyone else gets 403 (anonymous: the login page).
- reviewers (``articles.review_article`` and a board member profile): their desk and their own
  assignments. Someone else's assignment is a 404, exactly like one that does not exist, so
  assignment ids reveal nothing.
- board members (a board member profile): their own bio and standing conflicts of interest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.content import check_version
from articles.markdown import Citations, render_markdown
from articles.models import Article, ArticleState, ArticleVersion, Audience, ReferenceKind
from articles.references import ReferenceFact
from audit.trail import RequestInfo
from core.access import manager_view, reviewer_view
from core.errors import DomainError, NotPermitted
from core.pagination import KeysFirstPaginator
from reviews.assignments import (
    REPLACEABLE_STATUSES,
    accept_assignment,
    assign_reviewer,
    assignment_for,
    can_open_text,
    cancel_assignment,
    decide_extension,
    declare_conflict,
    decline_assignment,
    open_text,
    override_conflict,
    request_extension,
    require_own,
)
from reviews.board import (
    ReviewerNotEligible,
    declare_standing_conflict,
    end_standing_conflict,
    suggest_reviewers,
    update_own_bio,
    version_under_review,
)
from reviews.decisions import SIGNATURE_MEANING, SignatureRefused, submit_review
from reviews.diff import VersionDiff, diffs_for_reviewer, render_word_diff
from reviews.filters import (
    TABS,
    mark_overdue,
    overdue_assignment_q,
    queue_articles,
    reviewer_assignments,
)
from reviews.middleware import previous_activity
from reviews.models import (
    CHECKLIST_ITEMS,
    OPEN_ASSIGNMENT_STATUSES,
    AssignmentStatus,
    BoardMember,
    Decision,
    ExtensionStatus,
    Review,
    ReviewAssignment,
)
from reviews.record import review_record

from . import metrics
from .filters import QueueFilter, ReviewerHistoryFilter
from .forms import (
    AssignForm,
    BioForm,
    CancelForm,
    ConflictForm,
    DeclineForm,
    EndConflictForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    OverrideForm,
    ReviewForm,
    StandingConflictForm,
)

QUEUE_PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 20


# --- plumbing ------------------------------------------------------------------------------------


def _info(request: HttpRequest) -> RequestInfo:
    return RequestInfo.from_request(request)


def _status(exc: DomainError) -> int:
    return exc.http_status if 400 <= exc.http_status < 500 else 400


def _refused(request: HttpRequest, exc: DomainError) -> int:
    """Show the domain's refusal as a message; the status to answer with."""
    messages.error(request, exc.message)
    return _status(exc)


def _form_refused(request: HttpRequest, form) -> int:
    messages.error(request, "Please correct the fields marked below.")
    return 400


def _member(request: HttpRequest) -> BoardMember:
    member = BoardMember.objects.filter(user=request.user).first()
    if member is None:
        raise PermissionDenied("The review desk is for members of the medical advisory board.")
    return member


def _own_assignment(request: HttpRequest, pk: int) -> ReviewAssignment:
    """The reviewer's own assignment, or 404 (for other people's as for missing ones)."""
    try:
        assignment = assignment_for(request.user, pk)
        require_own(request.user, assignment)
    except NotPermitted:
        raise Http404("No such review assignment.") from None
    return assignment


def _managed_assignment(request: HttpRequest, pk: int) -> ReviewAssignment:
    try:
        return assignment_for(request.user, pk)
    except NotPermitted:
        raise Http404("No such review assignment.") from None


def reviewer_only(view: Callable) -> Callable:
    """A reviewer view that also needs the board member profile.

    A screen's decorator (it turns a missing profile into this page's 403), so it lives with
    the only screens that use it; ``core.access`` keeps the permission-only ones."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        _member(request)
        return view(request, *args, **kwargs)

    return reviewer_view(wrapped)


# --- managing editors: the queue --------------------------------------------------------------------


@manager_view
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    filterset = QueueFilter(request.GET, queryset=queue_articles())
    counts = filterset.tab_counts()
    current = filterset.current_tab
    paginator = KeysFirstPaginator(filterset.qs, QUEUE_PAGE_SIZE, rows=queue_articles())
    # The current tab's count is this list's count (same filters): no second COUNT(*).
    paginator.count = counts[current]
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = mark_overdue(page.object_list)
    others = request.GET.copy()
    for key in ("tab", "page"):
        others.pop(key, None)
    tabs = []
    for key, label in TABS:
        query = others.copy()
        query["tab"] = key
        tabs.append({"key": key, "label": label, "count": counts[key], "query": query.urlencode()})
    page_query = request.GET.copy()
    page_query.pop("page", None)
    page_query["tab"] = current
    return render(
        request,
        "desk/reviews/queue.html",
        {
            "filter": filterset,
            "page": page,
            "tabs": tabs,
            "current_tab": current,
            "current_label": dict(TABS)[current],
            "query": page_query.urlencode(),
            "today": timezone.localdate(),
            "desk_nav": "queue",
        },
    )


# --- managing editors: assigning ---------------------------------------------------------------------


def _article(slug: str) -> Article:
    return get_object_or_404(Article.objects.select_related("specialty", "owner"), slug=slug)


def _article_assignments(article: Article) -> list[ReviewAssignment]:
    now = timezone.now()
    return list(
        ReviewAssignment.objects.filter(article=article)
        .select_related("reviewer", "version", "assigned_by", "conflict_override_by", "extension_decided_by")
        .annotate(is_overdue=ExpressionWrapper(overdue_assignment_q(now), output_field=BooleanField()))
        .order_by("-round", "invited_at", "pk")
    )


def _replaceable(
    assignments: list[ReviewAssignment], version: ArticleVersion | None
) -> list[ReviewAssignment]:
    replaced = {a.replaces_id for a in assignments if a.replaces_id}
    return [
        a
        for a in assignments
        if version is not None
        and a.version_id == version.pk
        and a.status in REPLACEABLE_STATUSES
        and a.pk not in replaced
    ]


def _assign_page(
    request: HttpRequest, article: Article, *, form: AssignForm | None = None, status: int = 200
) -> HttpResponse:
    version = version_under_review(article)
    assignments = _article_assignments(article)
    replaceable = _replaceable(assignments, version)
    assignable = article.state in (ArticleState.SUBMITTED, ArticleState.UNDER_REVIEW)
    if form is None:
        initial = {}
        # isdecimal, not isdigit: "²" is a digit that int() cannot read (a 500).
        if request.GET.get("replaces", "").isdecimal():
            initial["replaces"] = int(request.GET["replaces"])
        form = AssignForm(article=article, replaceable=replaceable, initial=initial)
    suggestions = suggest_reviewers(article) if assignable else None
    eligible = [
        {
            "member": s.member,
            "specialty_match": s.specialty_match,
            "open_assignments": s.open_assignments,
            "turnaround_text": metrics.format_days(s.median_turnaround) if s.median_turnaround else "",
        }
        for s in (suggestions.eligible if suggestions else [])
    ]
    return render(
        request,
        "desk/reviews/assign.html",
        {
            "article": article,
            "version": version,
            "assignable": assignable,
            "assignments": assignments,
            "replaceable_ids": {a.pk for a in replaceable},
            "eligible": eligible,
            "excluded": suggestions.excluded if suggestions else [],
            "form": form,
            "selected_member": str(form["member"].value() or ""),
            "open_statuses": OPEN_ASSIGNMENT_STATUSES,
            "extension_requested": ExtensionStatus.REQUESTED,
            "accepted": AssignmentStatus.ACCEPTED,
            "desk_nav": "queue",
        },
        status=status,
    )


@manager_view
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article(slug)
    if request.method == "GET":
        return _assign_page(request, article)
    version = version_under_review(article)
    replaceable = _replaceable(_article_assignments(article), version)
    form = AssignForm(request.POST, article=article, replaceable=replaceable)
    if not form.is_valid():
        return _assign_page(request, article, form=form, status=_form_refused(request, form))
    member = form.cleaned_data["member"]
    try:
        assignment = assign_reviewer(
            article,
            member,
            request.user,
            respond_by=form.cleaned_data["respond_by"],
            due_at=form.cleaned_data["due_at"],
            replaces=form.cleaned_data["replaces"],
            request_info=_info(request),
        )
    except ReviewerNotEligible as exc:
        return _assign_page(request, article, form=form, status=_refused(request, exc))
    except DomainError as exc:
        return _assign_page(request, article, form=form, status=_refused(request, exc))
    messages.success(
        request,
        f"{member.display_name} was invited to review version {assignment.version.number}; "
        f"they are asked to answer by {timezone.localtime(assignment.respond_by):%Y-%m-%d %H:%M}.",
    )
    return redirect("reviews:assign", slug=article.slug)


def _after_action(request: HttpRequest, assignment: ReviewAssignment) -> HttpResponse:
    return redirect("reviews:assign", slug=assignment.article.slug)


def _action_refused(request: HttpRequest, assignment: ReviewAssignment, status: int) -> HttpResponse:
    article = _article(assignment.article.slug)
    return _assign_page(request, article, status=status)


@manager_view
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _managed_assignment(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the assignment is cancelled: the reviewer is told.")
        return _action_refused(request, assignment, 400)
    try:
        cancel_assignment(
            assignment, request.user, reason=form.cleaned_data["reason"], request_info=_info(request)
        )
    except DomainError as exc:
        return _action_refused(request, assignment, _refused(request, exc))
    messages.success(request, f"{assignment.reviewer.display_name}'s assignment was cancelled.")
    return _after_action(request, assignment)


@manager_view
@require_POST
def decide_more_time(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _managed_assignment(request, pk)
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to grant or refuse the request for more time.")
        return _action_refused(request, assignment, 400)
    grant = form.cleaned_data["decision"] == "grant"
    try:
        decide_extension(
            assignment, grant, request.user, note=form.cleaned_data["note"], request_info=_info(request)
        )
    except DomainError as exc:
        return _action_refused(request, assignment, _refused(request, exc))
    messages.success(
        request,
        f"More time for {assignment.reviewer.display_name} was {'granted' if grant else 'refused'}.",
    )
    return _after_action(request, assignment)


@manager_view
@require_POST
def override(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _managed_assignment(request, pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A written reason is required to override a declared conflict of interest.")
        return _action_refused(request, assignment, 400)
    try:
        override_conflict(
            assignment, request.user, reason=form.cleaned_data["reason"], request_info=_info(request)
        )
    except DomainError as exc:
        return _action_refused(request, assignment, _refused(request, exc))
    messages.success(
        request, f"{assignment.reviewer.display_name}'s declared conflict was overridden; they may review."
    )
    return _after_action(request, assignment)


@manager_view
@require_GET
def record(request: HttpRequest, slug: str) -> HttpResponse:
    """The printable review record, as a download: text (default) or ``?format=html``."""
    article = _article(slug)
    text = review_record(article)
    if request.GET.get("format") == "html":
        body = render_to_string("desk/reviews/record.html", {"article": article, "text": text})
        response = HttpResponse(body, content_type="text/html; charset=utf-8")
        extension = "html"
    else:
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        extension = "txt"
    # Slugs are [-a-zA-Z0-9_] only: nothing to escape in the file name.
    response["Content-Disposition"] = f'attachment; filename="review-record-{article.slug}.{extension}"'
    return response


# --- managing editors: metrics ---------------------------------------------------------------------


@manager_view
@require_GET
def metrics_page(request: HttpRequest) -> HttpResponse:
    states = metrics.articles_per_state()
    durations = metrics.median_time_in_state()
    turnaround = metrics.reviewer_turnaround()
    overdue = metrics.overdue_per_week()
    return render(
        request,
        "desk/reviews/metrics.html",
        {
            "states": states,
            "states_chart": metrics.bar_chart((s.label, s.count, str(s.count)) for s in states),
            "durations": durations,
            "durations_chart": metrics.bar_chart(
                (d.label, d.median_days, metrics.format_days(d.median)) for d in durations
            ),
            "turnaround": turnaround,
            "turnaround_chart": metrics.bar_chart(
                (t.name, t.median_days, metrics.format_days(t.median)) for t in turnaround
            ),
            "overdue": overdue,
            "overdue_chart": metrics.line_chart((f"{w.week_start:%d %b}", w.count) for w in overdue),
            "format_days": metrics.format_days,
            "desk_nav": "metrics",
        },
    )


# --- reviewers: the desk ----------------------------------------------------------------------------


@reviewer_only
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    mine = reviewer_assignments(request.user)
    current = list(mine.filter(status__in=OPEN_ASSIGNMENT_STATUSES).order_by("respond_by", "pk"))
    history = ReviewerHistoryFilter(
        request.GET,
        queryset=mine.exclude(status__in=OPEN_ASSIGNMENT_STATUSES)
        .select_related("review")
        .order_by("-closed_at", "-pk"),
    )
    page = Paginator(history.qs, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "desk/reviews/desk.html",
        {
            "invitations": [a for a in current if a.status == AssignmentStatus.INVITED],
            "in_progress": sorted(
                (a for a in current if a.status == AssignmentStatus.ACCEPTED), key=lambda a: (a.due_at, a.pk)
            ),
            "history": history,
            "page": page,
            "query": query.urlencode(),
            "now": timezone.now(),
            "extension_requested": ExtensionStatus.REQUESTED,
            "desk_nav": "desk",
        },
    )


@reviewer_only
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _own_assignment(request, pk)
    try:
        accept_assignment(assignment, request.user, request_info=_info(request))
    except DomainError as exc:
        return _assignment_page(request, assignment, status=_refused(request, exc))
    messages.success(
        request,
        f"You accepted the review of \u201c{assignment.article.title}\u201d. "
        "Before the text opens, declare whether you have a conflict of interest.",
    )
    return redirect("reviews:declare", pk=assignment.pk)


def _simple_form_page(
    request: HttpRequest, template: str, assignment: ReviewAssignment, form, status: int = 200
) -> HttpResponse:
    return render(
        request,
        template,
        {"assignment": assignment, "form": form, "desk_nav": "desk"},
        status=status,
    )


@reviewer_only
@require_http_methods(["GET", "POST"])
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _own_assignment(request, pk)
    template = "desk/reviews/decline.html"
    if request.method == "GET":
        return _simple_form_page(request, template, assignment, DeclineForm())
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _simple_form_page(request, template, assignment, form, _form_refused(request, form))
    try:
        decline_assignment(
            assignment,
            request.user,
            reason=form.cleaned_data["reason"],
            suggested_alternative=form.cleaned_data["suggested_alternative"],
            request_info=_info(request),
        )
    except DomainError as exc:
        return _simple_form_page(request, template, assignment, form, _refused(request, exc))
    messages.success(request, f"You declined the review of \u201c{assignment.article.title}\u201d.")
    return redirect("reviews:desk")


@reviewer_only
@require_http_methods(["GET", "POST"])
def declare(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _own_assignment(request, pk)
    template = "desk/reviews/declare.html"
    if request.method == "GET":
        return _simple_form_page(request, template, assignment, ConflictForm())
    form = ConflictForm(request.POST)
    if not form.is_valid():
        return _simple_form_page(request, template, assignment, form, _form_refused(request, form))
    try:
        declared = declare_conflict(
            assignment,
            request.user,
            category=form.cleaned_data["category"],
            details=form.cleaned_data["details"],
            request_info=_info(request),
        )
    except DomainError as exc:
        return _simple_form_page(request, template, assignment, form, _refused(request, exc))
    if declared.conflict_blocks:
        messages.warning(
            request,
            "Your declaration was recorded. The managing editor decides whether the review can go ahead; "
            "the text stays closed until then.",
        )
    else:
        messages.success(request, "Your declaration was recorded.")
    return redirect("reviews:assignment", pk=assignment.pk)


@reviewer_only
@require_http_methods(["GET", "POST"])
def request_more_time(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _own_assignment(request, pk)
    template = "desk/reviews/extension.html"
    if request.method == "GET":
        return _simple_form_page(request, template, assignment, ExtensionRequestForm())
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        return _simple_form_page(request, template, assignment, form, _form_refused(request, form))
    try:
        request_extension(
            assignment,
            request.user,
            until=form.cleaned_data["until"],
            reason=form.cleaned_data["reason"],
            request_info=_info(request),
        )
    except DomainError as exc:
        return _simple_form_page(request, template, assignment, form, _refused(request, exc))
    messages.success(request, "Your request for more time was sent to the managing editor.")
    return redirect("reviews:desk")


# --- board members: their own profile ---------------------------------------------------------------


def _profile_page(
    request: HttpRequest,
    member: BoardMember,
    *,
    bio_form: BioForm | None = None,
    conflict_form: StandingConflictForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    conflicts = list(member.conflicts.select_related("article", "author").order_by("-declared_on", "-pk"))
    return render(
        request,
        "desk/reviews/profile.html",
        {
            "member": member,
            "bio_form": bio_form or BioForm(initial={"bio": member.bio}),
            "conflict_form": conflict_form or StandingConflictForm(),
            "active_conflicts": [c for c in conflicts if c.ended_on is None or c.ended_on > today],
            "ended_conflicts": [c for c in conflicts if c.ended_on is not None and c.ended_on <= today],
            "desk_nav": "desk",
        },
        status=status,
    )


def _domain_refused_form(request: HttpRequest, form, exc: DomainError) -> int:
    """Show the refusal, and mark the fields it names when the form has them."""
    for name, errors in exc.fields.items():
        if name in form.fields:
            for error in errors:
                form.add_error(name, error)
    return _refused(request, exc)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The member's own bio and standing conflicts; each POST names its ``action``."""
    member = _member(request)
    if request.method == "GET":
        return _profile_page(request, member)
    action = request.POST.get("action")
    if action == "bio":
        form = BioForm(request.POST)
        if not form.is_valid():
            return _profile_page(request, member, bio_form=form, status=_form_refused(request, form))
        try:
            update_own_bio(request.user, form.cleaned_data["bio"], request_info=_info(request))
        except DomainError as exc:
            return _profile_page(
                request, member, bio_form=form, status=_domain_refused_form(request, form, exc)
            )
        messages.success(request, "Your bio was saved.")
    elif action == "declare":
        form = StandingConflictForm(request.POST)
        if not form.is_valid():
            return _profile_page(request, member, conflict_form=form, status=_form_refused(request, form))
        try:
            declare_standing_conflict(request.user, **form.cleaned_data, request_info=_info(request))
        except DomainError as exc:
            return _profile_page(
                request, member, conflict_form=form, status=_domain_refused_form(request, form, exc)
            )
        messages.success(request, "Your conflict of interest was added to your profile.")
    elif action == "end":
        form = EndConflictForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a conflict of interest to end.")
            return _profile_page(request, member, status=400)
        try:
            end_standing_conflict(request.user, form.cleaned_data["conflict"], request_info=_info(request))
        except DomainError as exc:
            return _profile_page(request, member, status=_refused(request, exc))
        messages.success(request, "Your conflict of interest was ended as of today.")
    else:
        messages.error(request, "Unknown action.")
        return _profile_page(request, member, status=400)
    return redirect("reviews:profile")


# --- reviewers: the review page ---------------------------------------------------------------------


@dataclass
class SectionText:
    section: object
    html: str
    quote_field: object = None
    comment_field: object = None


def _version_text(version: ArticleVersion, form: ReviewForm | None) -> dict:
    """The version's whole text, both audiences, with citations linked to one reference list."""
    citations = Citations()
    summary_html = render_markdown(version.summary, citations=citations, heading_offset=3)
    audiences = []
    for audience in Audience:
        sections = [s for s in version.sections.all() if s.audience == audience.value]
        if not sections:
            continue
        rows = []
        for section in sorted(sections, key=lambda s: s.position):
            row = SectionText(section, render_markdown(section.body, citations=citations, heading_offset=4))
            if form is not None:
                row.quote_field, row.comment_field = form.section_fields(section)
            rows.append(row)
        audiences.append((audience.label, rows))
    references = [
        ReferenceFact(
            number=r.number,
            kind=r.kind,
            kind_label=ReferenceKind(r.kind).label if r.kind in ReferenceKind.values else r.kind,
            title=r.title,
            authors=r.authors,
            source=r.source,
            year=r.year,
            doi=r.doi,
            pmid=r.pmid,
            url=r.url,
            evidence_label=r.get_evidence_level_display() if r.evidence_level else "",
            backlinks=tuple(citations.anchors.get(r.number, ())),
        )
        for r in sorted(version.references.all(), key=lambda r: r.number)
    ]
    return {"summary_html": summary_html, "audiences": audiences, "references": references}


_DIFF_TITLES = {
    "previous_review": "Since the version you reviewed last (version {old} \u2192 {new})",
    "published": "Against the published version (version {old} \u2192 {new})",
}


def _changed_html(ops) -> str:
    return render_word_diff(ops) if any(op.op != "equal" for op in ops) else ""


def _diff_view(key: str, diff: VersionDiff) -> dict:
    audiences = []
    for audience in Audience:
        changed = [
            {"heading": s.heading, "status": s.status, "html": render_word_diff(s.ops)}
            for s in diff.sections.get(audience.value, [])
            if s.status != "unchanged"
        ]
        if changed:
            audiences.append((audience.label, changed))
    references = []
    for r in diff.references:
        facts = r.new or r.old or {}
        references.append(
            {
                "status": r.status,
                "number": facts.get("number"),
                "title": facts.get("title", ""),
                "changes": [
                    (name.replace("_", " "), old, new) for name, (old, new) in r.changed_fields.items()
                ],
            }
        )
    return {
        "key": key,
        "title": _DIFF_TITLES[key].format(old=diff.old_number, new=diff.new_number),
        "has_changes": diff.has_changes,
        "title_html": _changed_html(diff.title),
        "summary_html": _changed_html(diff.summary),
        "audiences": audiences,
        "references": references,
    }


def _review_context(assignment: ReviewAssignment, version: ArticleVersion, form: ReviewForm | None) -> dict:
    prefetch_related_objects([version], "sections", "references")
    check = check_version(version)  # reads the prefetched sections and references
    return {
        "text": _version_text(version, form),
        "diffs": [_diff_view(key, diff) for key, diff in diffs_for_reviewer(assignment).items()],
        "warnings": check.warnings,
        "readability": [s for s in version.sections.all() if s.reading_grade is not None],
        "grade_target": settings.VETTED["PATIENT_READING_GRADE_TARGET"],
        "signature_meaning": SIGNATURE_MEANING.format(number=version.number),
    }


def _assignment_page(
    request: HttpRequest,
    assignment: ReviewAssignment,
    *,
    form: ReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict = {
        "assignment": assignment,
        "article": assignment.article,
        "version": assignment.version,
        "now": timezone.now(),
        "desk_nav": "desk",
        "checklist_items": CHECKLIST_ITEMS,
        "text_open": can_open_text(request.user, assignment),
    }
    if context["text_open"]:
        version = assignment.version
        if assignment.status == AssignmentStatus.ACCEPTED:
            if form is None:
                form = ReviewForm(sections=_sections(version))
            context["form"] = form
        else:
            review = (
                Review.objects.filter(assignment=assignment)
                .prefetch_related("section_comments__section")
                .first()
            )
            context["review"] = review
            if review is not None:
                context["review_checklist"] = [
                    (label, bool(review.checklist.get(key))) for key, label in CHECKLIST_ITEMS.items()
                ]
        context.update(_review_context(assignment, version, form))
    else:
        try:
            open_text(request.user, assignment)
        except NotPermitted as exc:
            context["closed_reason"] = exc.message
    return render(request, "desk/reviews/assignment.html", context, status=status)


def _sections(version: ArticleVersion) -> list:
    prefetch_related_objects([version], "sections", "references")
    return sorted(version.sections.all(), key=lambda s: (s.audience, s.position))


def _confirm_page(
    request: HttpRequest, assignment: ReviewAssignment, form: ReviewForm, *, status: int = 200
) -> HttpResponse:
    """The signing step: what the approval says, the answers it carries, and the password."""
    checklist = form.checklist()
    return render(
        request,
        "desk/reviews/confirm.html",
        {
            "assignment": assignment,
            "article": assignment.article,
            "version": assignment.version,
            "member": assignment.reviewer,
            "form": form,
            "signature_meaning": SIGNATURE_MEANING.format(number=assignment.version.number),
            "checklist": [(label, checklist[key]) for key, label in CHECKLIST_ITEMS.items()],
            "comment_count": len(form.section_comments()),
            "now": timezone.now(),
            "desk_nav": "desk",
        },
        status=status,
    )


@reviewer_only
@require_http_methods(["GET", "POST"])
def assignment(request: HttpRequest, pk: int) -> HttpResponse:
    own = _own_assignment(request, pk)
    if request.method == "GET":
        if own.status == AssignmentStatus.ACCEPTED and own.conflict_declared_at is None:
            return redirect("reviews:declare", pk=own.pk)
        return _assignment_page(request, own)
    return _submit(request, own)


def _submit(request: HttpRequest, own: ReviewAssignment) -> HttpResponse:
    try:
        version = open_text(request.user, own)
    except NotPermitted as exc:
        return _assignment_page(request, own, status=_refused(request, exc))
    form = ReviewForm(request.POST, sections=_sections(version))
    if not form.is_valid():
        return _assignment_page(request, own, form=form, status=_form_refused(request, form))
    decision = form.cleaned_data["decision"]
    signing = decision == Decision.APPROVE
    if "edit" in request.POST:
        return _assignment_page(request, own, form=form)
    if signing and not form.cleaned_data["confirm"]:
        return _confirm_page(request, own, form)
    try:
        submit_review(
            own,
            request.user,
            decision=decision,
            comments=form.cleaned_data["comments"],
            checklist=form.checklist(),
            section_comments=form.section_comments(),
            password=form.cleaned_data["password"] if signing else None,
            session_last_activity=previous_activity(request),
            request_info=_info(request),
        )
    except SignatureRefused as exc:
        return _confirm_page(request, own, form, status=_refused(request, exc))
    except DomainError as exc:
        return _assignment_page(request, own, form=form, status=_refused(request, exc))
    if signing:
        messages.success(request, f"You signed your approval of version {version.number}.")
    else:
        messages.success(request, "Your review was submitted.")
    return redirect(reverse("reviews:assignment", args=[own.pk]))
