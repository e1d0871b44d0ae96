"""The editor's workspace at ``/desk/articles/``: dashboard, draft editor, the staff
article page with its workflow buttons, version history and diffs, change requests.

Views stay thin: who may see an article is ``articles.access.visible_articles``
(managing editors every article, anyone else their own), what may be done is the
domain's (``articles.drafting``, ``reviews.workflow``, ``reviews.decisions``), and
every ``DomainError`` becomes a message on the page with the error's 4xx status.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.access import can_create_articles, can_edit_draft, visible_articles
from articles.content import check_version
from articles.drafting import DraftContent, create_article, save_draft
from articles.filters import staff_order, with_latest_number
from articles.markdown import Citations, render_markdown
from articles.models import Article, ArticleState, ArticleVersion, Audience
from audit.trail import RequestInfo
from core.access import desk_view
from core.errors import ContentInvalid, DomainError, StaleEditError
from reviews.board import version_under_review
from reviews.decisions import answer_comment
from reviews.diff import WordOp, diff_versions, render_word_diff
from reviews.models import Decision, Review, SectionComment
from reviews.workflow import TRANSITIONS, Action, Transition, offered_actions, take_screen_action

from .forms import (
    ActionForm,
    AnswerForm,
    DeskArticleFilter,
    DiffForm,
    DraftEditor,
    NewArticleForm,
    PreviewForm,
    specialty_menu,
)

PAGE_SIZE = 25


def _info(request: HttpRequest) -> RequestInfo:
    return RequestInfo.from_request(request)


def _article(request: HttpRequest, slug: str) -> Article:
    # Not yours to see is answered like "not there": slugs cannot be probed.
    article = visible_articles(request.user).filter(slug=slug).first()
    if article is None:
        raise Http404("No article here, or it is not yours to see.")
    return article


def _versions(article: Article) -> list[ArticleVersion]:
    return list(article.versions.select_related("author", "last_edited_by").order_by("-number"))


def _with_content(article: Article, version_id: int) -> ArticleVersion:
    version = (
        ArticleVersion.objects.prefetch_related("sections", "references")
        .select_related("last_edited_by")
        .get(pk=version_id)
    )
    version.article = article
    return version


# --- dashboard ---------------------------------------------------------------------------------


@require_GET
@desk_view
def dashboard(request: HttpRequest) -> HttpResponse:
    visible = visible_articles(request.user)
    specialties = specialty_menu()
    searching = bool(request.GET.get("q", "").strip())
    filterset = DeskArticleFilter(
        request.GET,
        queryset=visible.order_by(*staff_order(searching=searching)),
        specialty_choices=specialties,
    )
    rows = with_latest_number(filterset.qs, "latest_number")

    # Counts per state under every other filter, so the state links say what clicking them shows.
    without_state = request.GET.copy()
    without_state.pop("state", None)
    without_state.pop("page", None)
    counted = DeskArticleFilter(without_state, queryset=visible, specialty_choices=specialties).qs
    counts = dict(counted.order_by().values_list("state").annotate(n=Count("pk")))
    paginator = Paginator(rows, PAGE_SIZE)
    # Those counts already say how long this list is (an unreadable state filters nothing, as in
    # filterset.qs): no second COUNT(*) over it.
    state = filterset.form.cleaned_data.get("state")
    paginator.count = counts.get(state, 0) if state else sum(counts.values())
    page = paginator.get_page(request.GET.get("page"))
    states = [
        {
            "value": value,
            "label": label,
            "count": counts.get(value, 0),
            "query": _query(without_state, state=value),
            "current": request.GET.get("state") == value,
        }
        for value, label in ArticleState.choices
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "desk/articles/dashboard.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "states": states,
            "total": sum(counts.values()),
            "all_query": without_state.urlencode(),
            "can_create": can_create_articles(request.user),
            "desk_nav": "articles",
        },
    )


def _query(base, **changes) -> str:
    query = base.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


# --- a new article -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@desk_view
def new_article(request: HttpRequest) -> HttpResponse:
    if not can_create_articles(request.user):
        # Not a form that could only be refused: managing editors see articles, they do not start them.
        raise PermissionDenied("Only editors (and integration clients) can create articles.")
    form = NewArticleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                article = create_article(
                    owner=request.user,
                    specialty=data["specialty"],
                    content=DraftContent(title=data["title"], summary=data["summary"]),
                    request_info=_info(request),
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                status = exc.http_status
            else:
                messages.success(request, "Article created. Write its sections and references below.")
                return redirect("desk:edit", slug=article.slug)
        else:
            status = 400
    return render(request, "desk/articles/new.html", {"form": form, "desk_nav": "articles"}, status=status)


# --- the staff article page and its workflow buttons -------------------------------------------


def _action_buttons(offered: list[Transition]) -> list[dict]:
    """The page's buttons: what the workflow offers this person (revise has its own form)."""
    return [
        {"action": t.action, "label": t.label, "needs_reason": t.needs_reason}
        for t in offered
        if t.action != Action.REVISE
    ]


def _article_page(request: HttpRequest, article: Article, *, status: int = 200) -> HttpResponse:
    article = visible_articles(request.user).get(pk=article.pk)  # as it is now, after any action
    versions = _versions(article)
    latest = versions[0] if versions else None
    working = latest if latest is not None and not latest.is_frozen else None
    offered = offered_actions(article, request.user)
    check = None
    if working is not None and can_edit_draft(request.user, article):
        check = check_version(_with_content(article, working.pk))
    return render(
        request,
        "desk/articles/article.html",
        {
            "article": article,
            "versions": versions,
            "latest": latest,
            "working": working,
            "check": check,
            "buttons": _action_buttons(offered),
            "can_edit": working is not None and can_edit_draft(request.user, article),
            "can_open_draft": any(t.action == Action.REVISE for t in offered),
            "has_comments": SectionComment.objects.filter(review__version__article=article).exists(),
            "desk_nav": "articles",
        },
        status=status,
    )


@require_GET
@desk_view
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _article_page(request, _article(request, slug))


@require_POST
@desk_view
def article_action(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article(request, slug)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That is not an action this page offers.")
        return _article_page(request, article, status=400)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        result = take_screen_action(article, action, request.user, reason=reason, request_info=_info(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return _article_page(request, article, status=exc.http_status)
    if action == Action.REVISE:
        messages.success(request, f"Version {result.version.number} is open for editing.")
        return redirect("desk:edit", slug=article.slug)
    if result.deleted:
        messages.success(request, f"The draft of “{article.title}” was discarded.")
        return redirect("desk:dashboard")
    messages.success(
        request,
        f"{TRANSITIONS[action].label}: done. The article is now {result.article.get_state_display()}.",
    )
    for warning in result.warnings:
        messages.warning(request, warning)
    return redirect("desk:article", slug=article.slug)


# --- the draft editor ---------------------------------------------------------------------------


def _editor_page(
    request: HttpRequest,
    article: Article,
    version: ArticleVersion,
    editor: DraftEditor,
    *,
    status: int = 200,
    theirs: ArticleVersion | None = None,
    previewing: bool = False,
) -> HttpResponse:
    saved = _with_content(article, version.pk)
    return render(
        request,
        "desk/articles/edit.html",
        {
            "article": article,
            "version": saved,
            "editor": editor,
            "check": check_version(saved),
            "theirs": theirs,
            "theirs_sections": _rendered_sections(theirs) if theirs is not None else None,
            "previewing": previewing,
            "desk_nav": "articles",
        },
        status=status,
    )


def _rendered_sections(version: ArticleVersion) -> list[dict]:
    citations = Citations()
    return [
        {
            "audience": s.get_audience_display(),
            "heading": s.heading,
            "html": mark_safe(render_markdown(s.body, citations=citations)),  # sanitised by nh3
        }
        for s in sorted(version.sections.all(), key=lambda s: (s.audience, s.position))
    ]


def _no_draft_page(request: HttpRequest, article: Article) -> HttpResponse:
    latest = article.latest_version()
    can_open = any(t.action == Action.REVISE for t in offered_actions(article, request.user))
    return render(
        request,
        "desk/articles/no_draft.html",
        {"article": article, "latest": latest, "can_open_draft": can_open, "desk_nav": "articles"},
        # Nothing to edit and nothing this person can do about it: a conflict with the article's state.
        status=200 if can_open else 409,
    )


@require_http_methods(["GET", "POST"])
@desk_view
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article(request, slug)
    if not can_edit_draft(request.user, article):
        raise PermissionDenied("Only the article's editor or a managing editor can edit its draft.")
    working = article.working_draft()
    if working is None:
        return _no_draft_page(request, article)
    version = _with_content(article, working.pk)
    if request.method == "GET":
        editor = DraftEditor(version)
        editor.attach_previews()
        return _editor_page(request, article, version, editor)

    editor = DraftEditor(version, request.POST)
    if not editor.is_valid():
        messages.error(request, "Nothing was saved: please correct the fields marked below.")
        return _editor_page(request, article, version, editor, status=400)
    content = editor.content()
    if "preview" in request.POST:
        editor.attach_previews()
        messages.info(request, "This is a preview: nothing has been saved yet.")
        return _editor_page(request, article, version, editor, previewing=True)
    try:
        saved = save_draft(
            article,
            content,
            expected_revision=editor.expected_revision,
            actor=request.user,
            specialty=editor.specialty,
            request_info=_info(request),
        )
    except StaleEditError as exc:
        theirs = _with_content(article, working.pk)
        who = theirs.last_edited_by.get_username() if theirs.last_edited_by else "someone else"
        messages.error(
            request,
            f"Someone else saved this draft while you were editing it ({who}). Your changes were not "
            "saved; they are still in the form below, and here is what they saved. Copy what you "
            "need, then save again to replace their version with yours.",
        )
        editor = editor.with_revision(theirs.revision)
        editor.is_valid()
        return _editor_page(request, article, theirs, editor, status=exc.http_status, theirs=theirs)
    except ContentInvalid as exc:
        editor.attach_errors(exc.fields)
        messages.error(request, exc.message)
        return _editor_page(request, article, version, editor, status=exc.http_status)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _editor_page(request, article, version, editor, status=exc.http_status)
    messages.success(request, f"Draft saved (version {saved.number}, revision {saved.revision}).")
    return redirect("desk:edit", slug=article.slug)


@require_POST
@desk_view
def preview(request: HttpRequest, slug: str) -> HttpResponse:
    """Sanitised HTML of one Markdown text, for the editor's live preview."""
    article = _article(request, slug)
    if not can_edit_draft(request.user, article):
        raise PermissionDenied("Only the article's editor or a managing editor can edit its draft.")
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return HttpResponse("The text is too long to preview.", status=400, content_type="text/plain")
    response = HttpResponse(render_markdown(form.cleaned_data["body"], citations=Citations()))
    response["Cache-Control"] = "no-store"
    return response


# --- versions and differences -------------------------------------------------------------------


@require_GET
@desk_view
def versions(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article(request, slug)
    all_versions = _versions(article)
    numbers = [v.number for v in all_versions]
    return render(
        request,
        "desk/articles/versions.html",
        {
            "article": article,
            "versions": all_versions,
            "numbers": sorted(numbers),
            "default_a": numbers[1] if len(numbers) > 1 else (numbers[0] if numbers else None),
            "default_b": numbers[0] if numbers else None,
            "desk_nav": "articles",
        },
    )


def _side(ops: list[WordOp], side: str):
    """One column of a side-by-side diff: the old text with its removals, or the new with its additions."""
    if side == "old":
        kept = [WordOp(op.op, op.old, op.old if op.op == "equal" else "") for op in ops]
    else:
        kept = [WordOp(op.op, "" if op.op != "equal" else op.new, op.new) for op in ops]
    return render_word_diff(kept)


@require_GET
@desk_view
def diff(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article(request, slug)
    numbers = sorted(article.versions.values_list("number", flat=True))
    data = request.GET.copy()
    if "a" not in data and "b" not in data and len(numbers) >= 2:
        data["a"], data["b"] = str(numbers[-2]), str(numbers[-1])
    form = DiffForm(data)
    context = {"article": article, "form": form, "numbers": numbers, "desk_nav": "articles"}
    if not form.is_valid():
        return render(request, "desk/articles/diff.html", context, status=400 if request.GET else 200)
    a, b = form.cleaned_data["a"], form.cleaned_data["b"]
    found = {
        v.number: v
        for v in article.versions.filter(number__in=[a, b]).prefetch_related("sections", "references")
    }
    if a not in found or b not in found:
        raise Http404("This article has no such version.")
    result = diff_versions(found[a], found[b])
    labels = dict(Audience.choices)
    context.update(
        {
            "old": found[a],
            "new": found[b],
            "diff": result,
            "title": (_side(result.title, "old"), _side(result.title, "new")),
            "summary": (_side(result.summary, "old"), _side(result.summary, "new")),
            "audiences": [
                {
                    "label": labels[audience],
                    "sections": [
                        {"section": s, "old": _side(s.ops, "old"), "new": _side(s.ops, "new")}
                        for s in sections
                    ],
                }
                for audience, sections in result.sections.items()
                if sections
            ],
        }
    )
    return render(request, "desk/articles/diff.html", context)


# --- change requests ----------------------------------------------------------------------------


def _comments(version: ArticleVersion) -> QuerySet:
    return SectionComment.objects.filter(review__version=version).select_related(
        "review__reviewer", "response__responded_by"
    )


def _changes_page(
    request: HttpRequest,
    article: Article,
    *,
    status: int = 200,
    bound: tuple[int, AnswerForm] | None = None,
) -> HttpResponse:
    reviewed = version_under_review(article)
    offered = {t.action for t in offered_actions(article, request.user)}
    groups = []
    reviews = []
    references = []
    unanswered = 0
    if reviewed is not None:
        comments = list(_comments(reviewed))
        by_section: dict[int, list] = {}
        for comment in comments:
            form = bound[1] if bound and bound[0] == comment.pk else AnswerForm(prefix=f"c{comment.pk}")
            comment.answer_form = form
            by_section.setdefault(comment.section_id, []).append(comment)
            if not hasattr(comment, "response"):
                unanswered += 1
        citations = Citations()
        for section in sorted(reviewed.sections.all(), key=lambda s: (s.audience, s.position)):
            groups.append(
                {
                    "section": section,
                    "html": mark_safe(render_markdown(section.body, citations=citations)),  # nh3-sanitised
                    "comments": by_section.get(section.pk, []),
                }
            )
        reviews = list(
            Review.objects.filter(version=reviewed)
            .exclude(decision=Decision.APPROVE)
            .select_related("reviewer")
        )
        # The sections' in-text citations link to #ref-N: the list they point at.
        references = list(reviewed.references.order_by("number"))
    working = article.working_draft()
    return render(
        request,
        "desk/articles/changes.html",
        {
            "article": article,
            "reviewed": reviewed,
            "groups": groups,
            "reviews": reviews,
            "references": references,
            "unanswered": unanswered,
            "working": working,
            "can_submit": Action.SUBMIT in offered,
            "can_open_draft": Action.REVISE in offered,
            "desk_nav": "articles",
        },
        status=status,
    )


@require_GET
@desk_view
def changes(request: HttpRequest, slug: str) -> HttpResponse:
    return _changes_page(request, _article(request, slug))


@require_POST
@desk_view
def answer(request: HttpRequest, slug: str, comment_id: int) -> HttpResponse:
    article = _article(request, slug)
    comment = SectionComment.objects.filter(pk=comment_id, review__version__article=article).first()
    if comment is None:
        raise Http404("No such comment on this article.")
    form = AnswerForm(request.POST, prefix=f"c{comment.pk}")
    if not form.is_valid():
        messages.error(request, "Choose an answer for the comment.")
        return _changes_page(request, article, status=400, bound=(comment.pk, form))
    try:
        answer_comment(
            comment,
            request.user,
            form.cleaned_data["status"],
            form.cleaned_data["reason"],
            request_info=_info(request),
        )
    except DomainError as exc:
        for field, errors in exc.fields.items():
            if field in form.fields:
                for error in errors:
                    form.add_error(field, error)
        messages.error(request, exc.message)
        return _changes_page(request, article, status=exc.http_status, bound=(comment.pk, form))
    messages.success(request, "Your answer was recorded; the reviewer will see it.")
    return redirect(reverse("desk:changes", args=[article.slug]) + f"#comment-{comment.pk}")
