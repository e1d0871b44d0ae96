"""The reader-facing site. Views stay thin: what readers may see is decided in
``articles.public``; these only read the request and pick a template."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_http_methods

from site_content.feedback import submit_feedback
from site_content.forms import FeedbackForm
from site_content.models import EditorialPolicy

from . import public
from .filters import PublicArticleFilter
from .markdown import text_of
from .models import Audience

INDEX_PAGE_SIZE = 20
READER_COOKIE_MAX_AGE = 365 * 24 * 3600


def _article_or_404(slug: str) -> public.ArticleRef:
    article = public.resolve_article(slug)
    if article is None:
        raise Http404("No published article here.")
    return article


def article_index(request: HttpRequest) -> HttpResponse:
    # Invalid filters (an unknown specialty, a malformed date) are shown as errors and left out;
    # the valid ones still apply.
    filterset = PublicArticleFilter(request.GET, queryset=public.index_articles())
    page = Paginator(filterset.qs, INDEX_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "articles/index.html",
        {"filter": filterset, "page": page, "query": query.urlencode(), "nav_current": "articles"},
    )


def _choose_reader(request: HttpRequest) -> HttpResponse | None:
    """The "Which best describes you?" form was sent: remember the answer, then show that version."""
    reader = public.known_reader(request.GET.get("reader"))
    if reader is None:
        return None
    response = HttpResponseRedirect(f"{request.path}?audience={public.audience_for_reader(reader)}")
    response.set_cookie(
        public.READER_COOKIE,
        reader,
        max_age=READER_COOKIE_MAX_AGE,
        samesite="Lax",
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def _article_html(page: public.ArticlePage, reader: str | None, path: str) -> str:
    # Rendered without the request, so no per-user context (user, CSRF token) can reach a page
    # that is cached and served to every reader.
    return render_to_string(
        "articles/article_detail.html",
        {
            "page": page,
            "article": page.article,
            "version": page.shown,
            "page_path": path,
            "reader_choices": public.READER_CHOICES,
            "checked_reader": public.checked_reader(page.shown.audience, reader),
            "canonical_url": public.site_url(public.canonical_path(page.article, page)),
            "review_facts": public.review_facts(page, public.published_reviewers(page)),
            "site_name": public.SITE_NAME,
        },
    )


def _article_response(body: str | bytes) -> HttpResponse:
    response = HttpResponse(body)
    # The same URL shows another audience version to a reader who chose one.
    patch_vary_headers(response, ["Cookie"])
    return response


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    reader = public.known_reader(request.COOKIES.get(public.READER_COOKIE))
    requested = public.requested_audience(request.GET.get("audience"), reader)
    key = public.page_key(slug, requested, reader)
    article, cached = public.lookup_article(slug, *public.page_cache_keys(key))
    if article is None:
        raise Http404("No published article here.")
    chosen = _choose_reader(request)
    if chosen is not None:
        return chosen
    body = public.page_body(
        key,
        cached,
        stamp=article,
        render=lambda: _article_html(public.article_page(article, requested), reader, request.path),
    )
    return _article_response(body)


def article_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    article = _article_or_404(slug)
    if number == article.published.number:
        return redirect("public:article", slug=slug)
    ref = public.historic_version(article, number)
    if ref is None:
        raise Http404("Readers were never shown this version.")
    chosen = _choose_reader(request)
    if chosen is not None:
        return chosen
    reader = public.known_reader(request.COOKIES.get(public.READER_COOKIE))
    requested = public.requested_audience(request.GET.get("audience"), reader)
    page = public.historic_page(article, ref, requested)
    return _article_response(_article_html(page, reader, request.path))


def article_history(request: HttpRequest, slug: str) -> HttpResponse:
    article = _article_or_404(slug)
    return render(
        request,
        "articles/history.html",
        {"article": article, "entries": public.published_history(article)},
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
                    version=public.readable_version_id(article, form.cleaned_data["version"]),
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
        "articles/feedback.html",
        {"article": article, "form": form, "sent": request.GET.get("sent") == "1"},
    )


def board(request: HttpRequest) -> HttpResponse:
    return render(request, "articles/board.html", {"members": public.board_members(), "nav_current": "board"})


def board_member(request: HttpRequest, member_id: int) -> HttpResponse:
    member = public.board_member(member_id)
    if member is None:
        raise Http404("No such board member.")
    return render(
        request,
        "articles/board_member.html",
        {
            "member": member,
            "disclosures": public.disclosures(member),
            "reviewed": public.articles_reviewed_by(member),
            "nav_current": "board",
        },
    )


def editorial_policy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "articles/editorial_policy.html",
        {"policy": EditorialPolicy.current(), "nav_current": "policy"},
    )


# --- feed and sitemap -----------------------------------------------------------------------------


class LatestArticlesFeed(Feed):
    feed_type = Atom1Feed
    title = f"{public.SITE_NAME}: medical articles reviewed by our Medical Advisory Board"
    subtitle = "Newly published and updated articles."
    limit = 30

    def link(self) -> str:
        return public.site_url(reverse("public:index"))

    def feed_url(self) -> str:
        return public.site_url(reverse("public:feed"))

    def items(self):
        return public.index_articles()[: self.limit]

    def item_title(self, item) -> str:
        return item.published_version.title

    def item_description(self, item) -> str:
        return text_of(item.published_version.summary)

    def item_link(self, item) -> str:
        return public.site_url(reverse("public:article", args=[item.slug]))

    def item_guid(self, item) -> str:
        return public.site_url(reverse("public:article", args=[item.slug]))

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_updated_at

    def item_categories(self, item):
        return [item.published_version.specialty.name]


class _OnSiteUrl:
    """Sitemap URLs on the configured public host rather than the request's."""

    def get_domain(self, site=None) -> str:
        return public.site_url("").split("://", 1)[1]

    def get_protocol(self, protocol=None) -> str:
        return public.site_url("").split("://", 1)[0]


class ArticleSitemap(_OnSiteUrl, Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return public.public_articles().only("slug", "last_updated_at").order_by("pk")

    def location(self, item) -> str:
        return reverse("public:article", args=[item.slug])

    def lastmod(self, item):
        return item.last_updated_at


class PageSitemap(_OnSiteUrl, Sitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["public:index", "public:board", "public:editorial-policy"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"articles": ArticleSitemap, "pages": PageSitemap}
