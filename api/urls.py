"""``/api/``: version 1 of the JSON API, its OpenAPI schema and its documentation page."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import Resolver404, include, path, re_path, register_converter, resolve
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .actions import ARTICLE_ACTIONS
from .errors import error_body
from .views import accounts, articles, public, reviews, webhooks


class IdConverter:
    """Digits that fit a database integer: a longer number is a 404, never a database overflow (500)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")


@csrf_exempt
def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Any other path under /api/, with any method: the API's error shape, not the site's HTML 404 page.

    No redirect to the path with a slash (APPEND_SLASH would turn a POST into a GET): say it instead.
    Exempt from CSRF like every API view (DRF's are): it changes nothing, and otherwise a POST
    with a token but no CSRF cookie would get Django's HTML CSRF page instead of this 404.
    """
    message = f"There is no API endpoint at {request.path}."
    if not request.path.endswith("/"):
        try:
            if resolve(request.path + "/").func is not not_found:
                message += f" Paths end with a slash: {request.path}/"
        except Resolver404:
            pass
    return JsonResponse(error_body("not_found", message), status=404)


v1 = [
    path("auth/token/", accounts.TokenView.as_view(), name="token"),
    path("auth/tokens/", accounts.TokenListView.as_view(), name="tokens"),
    path("auth/tokens/<id:pk>/revoke/", accounts.TokenRevokeView.as_view(), name="token-revoke"),
    path("articles/", articles.ArticleListCreateView.as_view(), name="articles"),
    path("articles/batch/", articles.BatchIntakeView.as_view(), name="batch"),
    path("articles/<slug:slug>/", articles.ArticleDetailView.as_view(), name="article"),
    path("articles/<slug:slug>/draft/", articles.DraftView.as_view(), name="draft"),
    *[
        path(
            f"articles/<slug:slug>/{action}/",
            articles.action_view(action),
            name=f"article-{action}",
        )
        for action in ARTICLE_ACTIONS
    ],
    path("articles/<slug:slug>/versions/", articles.VersionListView.as_view(), name="versions"),
    path("articles/<slug:slug>/versions/<id:number>/", articles.VersionDetailView.as_view(), name="version"),
    path("articles/<slug:slug>/versions/<id:number>/diff/", articles.VersionDiffView.as_view(), name="diff"),
    path(
        "articles/<slug:slug>/assignments/",
        reviews.ArticleAssignmentsView.as_view(),
        name="article-assignments",
    ),
    path("reviewers/suggestions/", reviews.SuggestionsView.as_view(), name="suggestions"),
    path("assignments/", reviews.AssignmentListView.as_view(), name="assignments"),
    path("assignments/<id:pk>/", reviews.AssignmentDetailView.as_view(), name="assignment"),
    path("assignments/<id:pk>/accept/", reviews.AcceptView.as_view(), name="accept"),
    path("assignments/<id:pk>/decline/", reviews.DeclineView.as_view(), name="decline"),
    path("assignments/<id:pk>/conflict/", reviews.ConflictView.as_view(), name="conflict"),
    path("assignments/<id:pk>/review/", reviews.ReviewView.as_view(), name="review"),
    path("audit/", accounts.AuditListView.as_view(), name="audit"),
    path("notifications/", accounts.NotificationListView.as_view(), name="notifications"),
    path("webhooks/", webhooks.EndpointListCreateView.as_view(), name="webhooks"),
    path("webhooks/<id:pk>/", webhooks.EndpointDetailView.as_view(), name="webhook"),
    path(
        "webhooks/<id:pk>/deliveries/", webhooks.EndpointDeliveriesView.as_view(), name="webhook-deliveries"
    ),
    path(
        "webhooks/<id:pk>/deliveries/<id:delivery_id>/resend/",
        webhooks.ResendView.as_view(),
        name="webhook-resend",
    ),
    path("public/articles/", public.PublicArticleListView.as_view(), name="public-articles"),
    path("public/articles/<slug:slug>/", public.PublicArticleDetailView.as_view(), name="public-article"),
]

app_name = "api"
urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    re_path(r"^", not_found),
]
