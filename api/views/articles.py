"""Articles, their working draft, their versions and the workflow actions on them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpResponseBase
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.access import visible_articles
from articles.drafting import create_article, save_draft
from articles.filters import ArticleFilter, staff_order, with_latest_number
from articles.models import Article, ArticleVersion
from audit.trail import RequestInfo
from core.actor import Person
from reviews.board import version_under_review
from reviews.diff import diff_versions
from reviews.models import Decision, ReviewAssignment
from reviews.workflow import Action, offered_actions, take_screen_action

from .. import batch
from ..errors import ApiError
from ..permissions import article_or_404, signed_in_user
from ..preconditions import etag_for, expected_revision
from ..serializers import (
    ArticleCreateSerializer,
    ArticleDetailSerializer,
    ArticleListSerializer,
    BatchEnvelopeSerializer,
    BatchResponseSerializer,
    BatchSerializer,
    DiffQuerySerializer,
    DraftInSerializer,
    DraftOutSerializer,
    ErrorSerializer,
    ReasonSerializer,
    VersionDetailSerializer,
    VersionDiffSerializer,
    VersionSummarySerializer,
)

ERROR = OpenApiResponse(ErrorSerializer)


def review_status(article: Article) -> dict[str, Any]:
    version = version_under_review(article)
    assignments = list(ReviewAssignment.objects.filter(version=version)) if version else []
    decisions = Counter(version.reviews.values_list("decision", flat=True)) if version else Counter()
    return {
        "version": version.number if version else None,
        "round": assignments[0].round if assignments else None,
        "approvals": decisions.get(Decision.APPROVE, 0),
        "approvals_needed": article.approvals_needed,
        "assignments": dict(Counter(a.status for a in assignments)),
        "decisions": dict(decisions),
    }


def article_detail(article: Article, user: Person, *, warnings: list[str] | None = None) -> dict[str, Any]:
    """The article as its detail endpoint shows it, read afresh (an action may just have changed it)."""
    article = Article.objects.select_related("specialty", "owner", "published_version").get(pk=article.pk)
    versions = list(article.versions.order_by("number"))
    latest = versions[-1] if versions else None
    # ArticleDetailSerializer reads what this answer adds as attributes of this fresh copy (its
    # latest_version shadows the method of that name). attr-defined / method-assign: the model
    # declares none of them; declaring them would move the computing into the serializer.
    article.version_list = versions  # type: ignore[attr-defined]
    article.latest_version = latest.number if latest else None  # type: ignore[method-assign,assignment]
    article.working_draft_number = latest.number if latest and not latest.is_frozen else None  # type: ignore[attr-defined]
    article.review_status = review_status(article)  # type: ignore[attr-defined]
    article.api_allowed_actions = [t.action for t in offered_actions(article, user)]  # type: ignore[attr-defined]
    if warnings is not None:
        article.warnings = warnings  # type: ignore[attr-defined]
    return ArticleDetailSerializer(article).data


@extend_schema(tags=["articles"])
class ArticleListCreateView(generics.ListAPIView[Article]):
    """Articles you can see (managing editors: all; anyone else: their own)."""

    serializer_class = ArticleListSerializer
    filterset_class = ArticleFilter

    def get_queryset(self) -> QuerySet[Article]:
        return visible_articles(self.request.user).order_by("-updated_at", "-pk")

    def filter_queryset[Row](self, queryset: QuerySet[Article, Row]) -> QuerySet[Article, Row]:
        queryset = super().filter_queryset(queryset)
        # The dashboard's order and annotation (articles.filters), after the filters they depend on.
        searching = bool(self.request.query_params.get("q", "").strip())
        return with_latest_number(queryset.order_by(*staff_order(searching=searching)), "latest_version")

    @extend_schema(
        request=ArticleCreateSerializer,
        responses={201: ArticleDetailSerializer, 409: ERROR},
        summary="Create an article whose version 1 is the working draft",
    )
    def post(self, request: Request) -> Response:
        serializer = ArticleCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            article = create_article(
                owner=request.user,
                specialty=data["specialty"],
                content=serializer.to_content(),
                origin=data["origin"],
                generator=data["generator"],
                slug=data.get("slug"),
                request_info=RequestInfo.from_request(request),
            )
        except IntegrityError:
            raise ApiError(
                "An article with this slug already exists.",
                code="slug_taken",
                status_code=status.HTTP_409_CONFLICT,
                fields={"slug": ["Taken."]},
            ) from None
        return Response(article_detail(article, request.user), status=status.HTTP_201_CREATED)


@extend_schema(tags=["articles"])
class BatchIntakeView(APIView):
    @extend_schema(
        request=BatchSerializer,
        responses={200: BatchResponseSerializer, 422: ERROR},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                location=OpenApiParameter.HEADER,
                required=False,
                description="Retrying with the same key returns the first answer and creates nothing twice.",
            )
        ],
        summary="Create up to 100 drafts, each optionally submitted",
    )
    def post(self, request: Request) -> Response:
        envelope = BatchEnvelopeSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key")
        if key is not None:
            batch.check_key(key)
        info = RequestInfo.from_request(request)
        drafts = envelope.validated_data["drafts"]
        user = signed_in_user(request)
        status_code, data, replayed = batch.once(
            user, key, "articles.batch", request.data, lambda: batch.intake(user, drafts, info)
        )
        response = Response(data, status=status_code)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


@extend_schema(tags=["articles"])
class ArticleDetailView(APIView):
    @extend_schema(responses=ArticleDetailSerializer, summary="An article, its versions and review status")
    def get(self, request: Request, slug: str) -> Response:
        return Response(article_detail(article_or_404(request.user, slug), request.user))


@extend_schema(tags=["articles"])
class ArticleActionView(APIView):
    """One workflow action; the article's detail afterwards."""

    action_name: str = ""

    @extend_schema(
        request=ReasonSerializer,
        responses={200: ArticleDetailSerializer, 409: ERROR},
    )
    def post(self, request: Request, slug: str) -> Response:
        article = article_or_404(request.user, slug)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = take_screen_action(
            article,
            self.action_name,
            request.user,
            reason=serializer.validated_data["reason"],
            request_info=RequestInfo.from_request(request),
        )
        if result.deleted:
            return Response(status=status.HTTP_204_NO_CONTENT)
        warnings = result.warnings if self.action_name == Action.SUBMIT else None
        return Response(article_detail(article, request.user, warnings=warnings))


@extend_schema(tags=["articles"])
class ArticleDiscardView(ArticleActionView):
    """Discard the unsubmitted draft: the previous version stands again, or (never submitted at
    all) the article goes (204; its audit events stay)."""

    action_name = Action.DISCARD

    @extend_schema(
        request=ReasonSerializer,
        responses={200: ArticleDetailSerializer, 204: None, 409: ERROR},
    )
    def post(self, request: Request, slug: str) -> Response:
        return super().post(request, slug)


def action_view(action: str) -> Callable[..., HttpResponseBase]:
    """The view answering ``POST /articles/{slug}/{action}/``."""
    if action == Action.DISCARD:
        return ArticleDiscardView.as_view()
    return ArticleActionView.as_view(action_name=action)


@extend_schema(tags=["articles"])
class DraftView(APIView):
    """The working draft. GET gives an ETag; PUT must send it back as If-Match (or ``revision``)."""

    def _draft(self, article: Article) -> ArticleVersion:
        draft = article.working_draft()
        if draft is None:
            raise ApiError(
                "This article has no working draft: its latest version was submitted. "
                "POST to revise/ to start a new version.",
                code="no_working_draft",
                status_code=status.HTTP_404_NOT_FOUND,
            )
        return draft

    def _answer(self, version: ArticleVersion) -> Response:
        version = ArticleVersion.objects.select_related("article__specialty", "author", "last_edited_by").get(
            pk=version.pk
        )
        response = Response(DraftOutSerializer(version).data)
        response["ETag"] = etag_for(version)
        return response

    @extend_schema(responses=DraftOutSerializer, summary="The working draft, with its ETag")
    def get(self, request: Request, slug: str) -> Response:
        return self._answer(self._draft(article_or_404(request.user, slug)))

    @extend_schema(
        request=DraftInSerializer,
        responses={200: DraftOutSerializer, 409: ERROR, 412: ERROR, 428: ERROR},
        parameters=[
            OpenApiParameter(
                "If-Match",
                location=OpenApiParameter.HEADER,
                required=False,
                description="The ETag of the draft you edited; a stale one gets 412 and changes nothing.",
            )
        ],
        summary="Replace the working draft's content",
    )
    def put(self, request: Request, slug: str) -> Response:
        article_or_404(request.user, slug)  # nothing about an article you cannot see, not even a 428
        serializer = DraftInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if_match = request.headers.get("If-Match")
        body_revision = serializer.validated_data.get("revision")
        if if_match is None and body_revision is None:
            raise ApiError(
                "Say which revision you edited: send the draft's ETag as If-Match (or a revision field), "
                "so that nobody's changes are overwritten unseen.",
                code="precondition_required",
                status_code=status.HTTP_428_PRECONDITION_REQUIRED,
            )
        with transaction.atomic():
            # Locked while the precondition is checked, so the draft cannot change in between.
            article = article_or_404(request.user, slug, for_update=True)
            draft = article.working_draft()
            expected = body_revision
            if draft is not None and if_match is not None:
                expected = expected_revision(if_match, draft)
                if expected is None:
                    raise ApiError(
                        f"The draft changed since you read it (now {etag_for(draft)}); nothing was saved. "
                        "GET it again and reapply your changes.",
                        code="stale_edit",
                        status_code=status.HTTP_412_PRECONDITION_FAILED,
                        fields={"If-Match": [etag_for(draft)]},
                    )
            version = save_draft(
                article,
                serializer.to_content(),
                expected_revision=expected or 0,
                actor=request.user,
                specialty=serializer.validated_data.get("specialty"),
                request_info=RequestInfo.from_request(request),
            )
        return self._answer(version)


@extend_schema(tags=["versions"])
class VersionListView(generics.ListAPIView[ArticleVersion]):
    serializer_class = VersionSummarySerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[ArticleVersion]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ArticleVersion.objects.none()
        article = article_or_404(self.request.user, self.kwargs["slug"])
        return article.versions.order_by("number")


def _version_or_404(article: Article, number: int) -> ArticleVersion:
    version = (
        article.versions.select_related("author", "last_edited_by")
        .prefetch_related("sections", "references")
        .filter(number=number)
        .first()
    )
    if version is None:
        raise ApiError(f"Article {article.slug} has no version {number}.", code="not_found", status_code=404)
    return version


@extend_schema(tags=["versions"])
class VersionDetailView(APIView):
    @extend_schema(responses=VersionDetailSerializer, summary="One version, with its sections and references")
    def get(self, request: Request, slug: str, number: int) -> Response:
        article = article_or_404(request.user, slug)
        return Response(VersionDetailSerializer(_version_or_404(article, number)).data)


@extend_schema(tags=["versions"])
class VersionDiffView(APIView):
    @extend_schema(
        parameters=[DiffQuerySerializer],
        responses=VersionDiffSerializer,
        summary="What changed from version {against} to this one",
    )
    def get(self, request: Request, slug: str, number: int) -> Response:
        query = DiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        article = article_or_404(request.user, slug)
        new = _version_or_404(article, number)
        old = _version_or_404(article, query.validated_data["against"])
        return Response(VersionDiffSerializer(diff_versions(old, new)).data)
