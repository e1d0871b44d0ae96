"""The reader-facing site. Views stay thin: what readers may see is decided in the modules
next to this one (``pointers``, ``pages``, ``board``, ``index``); these only read the request
and pick a template. The Atom feed and the sitemaps are in ``feeds.py`` and ``sitemaps.py``."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_http_methods

from articles.models import Audience
from audit.log import checkpoint_at, latest_checkpoint
from core import log_key
from site_content.feedback import submit_feedback
from site_content.forms import FeedbackForm
from site_content.models import EditorialPolicy

from . import board as board_pages
from .audience import (
    READER_CHOICES,
    READER_COOKIE,
    audience_for_reader,
    checked_reader,
    known_reader,
    requested_audience,
)
from .index import PublicArticleFilter, index_articles
from .json_ld import review_facts
from .pages import (
    SITE_NAME,
    ArticlePage,
    article_page,
    canonical_path,
    historic_page,
    published_history,
    published_reviewers,
    readable_version_id,
    site_url,
)
from .pointers import ArticleRef, historic_version, lookup_article, resolve_article
from .render_cache import page_body, page_cache_keys, page_key
from .verification import Verification, as_json, verification

INDEX_PAGE_SIZE = 20
READER_COOKIE_MAX_AGE = 365 * 24 * 3600
# The sealer signs a new checkpoint every few seconds while events come in: a reader's cache may
# keep the latest one briefly, and one of a given size forever (it never changes).
LATEST_CHECKPOINT_MAX_AGE = 10
CHECKPOINT_MAX_AGE = 365 * 24 * 3600
# The key is replaced rarely if ever; an hour bounds how long a reader may keep a replaced one.
LOG_KEY_MAX_AGE = 3600


def _article_or_404(slug: str) -> ArticleRef:
    article = resolve_article(slug)
    if article is None:
        raise Http404("No published article here.")
    return article


def article_index(request: HttpRequest) -> HttpResponse:
    # Invalid filters (an unknown specialty, a malformed date) are shown as errors and left out;
    # the valid ones still apply.
    filterset = PublicArticleFilter(request.GET, queryset=index_articles())
    page = Paginator(filterset.qs, INDEX_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "public/index.html",
        {"filter": filterset, "page": page, "query": query.urlencode(), "nav_current": "articles"},
    )


def _choose_reader(request: HttpRequest) -> HttpResponse | None:
    """The "Which best describes you?" form was sent: remember the answer, then show that version."""
    reader = known_reader(request.GET.get("reader"))
    if reader is None:
        return None
    response = HttpResponseRedirect(f"{request.path}?audience={audience_for_reader(reader)}")
    response.set_cookie(
        READER_COOKIE,
        reader,
        max_age=READER_COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _article_html(page: ArticlePage, reader: str | None, path: str) -> str:
    # Rendered without the request, so no per-user context (user, CSRF token) can reach a page
    # that is cached and served to every reader.
    return render_to_string(
        "public/article_detail.html",
        {
            "page": page,
            "article": page.article,
            "version": page.shown,
            "page_path": path,
            "reader_choices": READER_CHOICES,
            "checked_reader": checked_reader(page.shown.audience, reader),
            "canonical_url": site_url(canonical_path(page.article, page)),
            "review_facts": review_facts(page, published_reviewers(page)),
            "site_name": SITE_NAME,
        },
    )


def _article_response(body: str | bytes) -> HttpResponse:
    response = HttpResponse(body)
    # The same URL shows another audience version to a reader who chose one.
    patch_vary_headers(response, ["Cookie"])
    return response


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    reader = known_reader(request.COOKIES.get(READER_COOKIE))
    requested = requested_audience(request.GET.get("audience"), reader)
    key = page_key(slug, requested, reader)
    article, cached = lookup_article(slug, *page_cache_keys(key))
    if article is None:
        raise Http404("No published article here.")
    chosen = _choose_reader(request)
    if chosen is not None:
        return chosen
    body = page_body(
        key,
        cached,
        stamp=article,
        render=lambda: _article_html(article_page(article, requested), reader, request.path),
    )
    return _article_response(body)


def article_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    article = _article_or_404(slug)
    if number == article.published.number:
        return redirect("public:article", slug=slug)
    ref = historic_version(article, number)
    if ref is None:
        raise Http404("Readers were never shown this version.")
    chosen = _choose_reader(request)
    if chosen is not None:
        return chosen
    reader = known_reader(request.COOKIES.get(READER_COOKIE))
    requested = requested_audience(request.GET.get("audience"), reader)
    page = historic_page(article, ref, requested)
    return _article_response(_article_html(page, reader, request.path))


def article_history(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article_or_404(slug)
    return render(
        request,
        "public/history.html",
        {"article": article, "entries": published_history(article)},
    )


# HEAD as for every other reader's page: link checkers and crawlers ask it.
@require_http_methods(["GET", "HEAD", "POST"])
def article_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article_or_404(slug)
    if request.method == "POST":
        form = FeedbackForm(request.POST)
        if form.is_valid():
            if not form.is_bot:
                audience = form.cleaned_data["audience"]
                submit_feedback(
                    article=article.id,
                    version=readable_version_id(article, form.cleaned_data["version"]),
                    kind=form.cleaned_data["kind"],
                    message=form.cleaned_data["message"],
                    email=form.cleaned_data["email"],
                    audience=audience if audience in Audience.values else "",
                )
            return redirect(reverse("public:feedback", args=[slug]) + "?sent=1")
    else:
        form = FeedbackForm(
            initial={"version": request.GET.get("version"), "audience": request.GET.get("audience")}
        )
    return render(
        request,
        "public/feedback.html",
        {"article": article, "form": form, "sent": request.GET.get("sent") == "1"},
    )


def board(request: HttpRequest) -> HttpResponse:
    return render(
        request, "public/board.html", {"members": board_pages.board_members(), "nav_current": "board"}
    )


def board_member(request: HttpRequest, member_id: int) -> HttpResponse:
    member = board_pages.board_member(member_id)
    if member is None:
        raise Http404("No such board member.")
    return render(
        request,
        "public/board_member.html",
        {
            "member": member,
            "disclosures": board_pages.disclosures(member),
            "reviewed": board_pages.articles_reviewed_by(member),
            "nav_current": "board",
        },
    )


def editorial_policy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/editorial_policy.html",
        {
            "policy": EditorialPolicy.current(),
            "nav_current": "policy",
            "log_origin": log_key.origin(),
            "log_key": log_key.verifier().text,
        },
    )


# --- the review log: its checkpoints, its key, and an article's record ---------------------------


def _plain(text: str, *, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def review_log_checkpoint(request: HttpRequest) -> HttpResponse:
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        response = _plain(
            "The review log has no signed checkpoint yet: no event has been sealed into it. "
            "Try again in a few seconds.\n",
            status=404,
        )
        patch_cache_control(response, no_cache=True)
        return response
    response = _plain(checkpoint.note)
    patch_cache_control(response, public=True, max_age=LATEST_CHECKPOINT_MAX_AGE)
    return response


def review_log_checkpoint_at(request: HttpRequest, size: int) -> HttpResponse:
    checkpoint = checkpoint_at(size)
    if checkpoint is None:
        return _plain(
            f"The review log signed no checkpoint at {size} entries. The latest one is at "
            f"{reverse('public:checkpoint')}.\n",
            status=404,
        )
    response = _plain(checkpoint.note)
    patch_cache_control(response, public=True, max_age=CHECKPOINT_MAX_AGE, immutable=True)
    return response


def review_log_key(request: HttpRequest) -> HttpResponse:
    response = _plain(log_key.verifier().text + "\n")
    patch_cache_control(response, public=True, max_age=LOG_KEY_MAX_AGE)
    return response


def _verification_or_404(slug: str) -> Verification:
    found = verification(_article_or_404(slug))
    if found is None:
        raise Http404("No published article here.")
    return found


def _cache_record(response: HttpResponse, found: Verification) -> HttpResponse:
    # Proofs lead to the latest checkpoint, which grows; an event still being sealed will have
    # one in seconds, and the reader is asked to reload: that reload must not hit a cache.
    if found.record.complete:
        patch_cache_control(response, public=True, max_age=LATEST_CHECKPOINT_MAX_AGE)
    else:
        patch_cache_control(response, no_cache=True)
    return response


def article_verify(request: HttpRequest, slug: str) -> HttpResponse:
    found = _verification_or_404(slug)
    response = render(
        request,
        "public/verify.html",
        {"article": found.article, "found": found},
    )
    return _cache_record(response, found)


def article_verify_json(request: HttpRequest, slug: str) -> HttpResponse:
    found = _verification_or_404(slug)
    response = JsonResponse(as_json(found), json_dumps_params={"indent": 2, "ensure_ascii": False})
    return _cache_record(response, found)
