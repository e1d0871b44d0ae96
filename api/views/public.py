"""What readers see, for anyone: the same read side (``public/``) as the reader pages."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.models import Article
from public.index import PublicArticleFilter, index_articles
from public.pages import article_page, canonical_path, site_url
from public.pointers import resolve_article

from ..serializers import (
    PublicArticleListItemSerializer,
    PublicArticleQuerySerializer,
    PublicArticleSerializer,
)
from ..throttling import AnonThrottle


class PublicMixin(APIView):
    # No credentials are needed, and none are looked at: a bad token cannot turn a reader away.
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle]


@extend_schema(tags=["public"], auth=[])
class PublicArticleListView(PublicMixin, generics.ListAPIView[Article]):
    """Published articles, most recently updated first."""

    serializer_class = PublicArticleListItemSerializer
    filterset_class = PublicArticleFilter

    def get_queryset(self) -> QuerySet[Article]:
        return index_articles()


@extend_schema(tags=["public"], auth=[])
class PublicArticleDetailView(PublicMixin, APIView):
    @extend_schema(
        parameters=[PublicArticleQuerySerializer],
        responses=PublicArticleSerializer,
        summary="The published version of an article, its reviewers and dates",
    )
    def get(self, request: Request, slug: str) -> Response:
        query = PublicArticleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        article = resolve_article(slug)
        if article is None:
            raise Http404("No published article here.")
        # Only the published version: a newer one under review is never in this answer.
        page = article_page(article, query.validated_data.get("audience"))
        shown = page.shown
        data = {
            "slug": article.slug,
            "url": site_url(canonical_path(article, page)),
            "specialty": article.specialty_name,
            "version": shown.number,
            "title": shown.title,
            "summary": shown.summary_text,
            "audience": shown.audience,
            "audiences": list(shown.audiences),
            "audience_unavailable": page.audience_unavailable,
            "body_html": shown.body_html,
            "references": [
                {
                    "number": r.number,
                    "kind": r.kind,
                    "kind_label": r.kind_label,
                    "title": r.title,
                    "authors": r.authors,
                    "source": r.source,
                    "year": r.year,
                    "doi": r.doi,
                    "pmid": r.pmid,
                    "evidence_label": r.evidence_label,
                    "links": r.links,
                }
                for r in shown.references
            ],
            "reviewers": [
                {
                    "name": r.name,
                    "credentials": r.credentials,
                    "signed_at": r.signed_at,
                    "profile_url": site_url(r.profile_path),
                }
                for r in page.reviewers
            ],
            "machine_drafted": shown.is_machine_drafted,
            "generator": shown.generator,
            "is_correction": shown.is_correction,
            "correction_notice": shown.correction_notice,
            "change_summary": shown.change_summary,
            "first_published_at": article.first_published_at,
            "last_updated_at": article.last_updated_at,
            "last_reviewed_at": article.last_reviewed_at,
            "next_review_due": article.next_review_due,
        }
        return Response(PublicArticleSerializer(data).data)
