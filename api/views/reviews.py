"""Assigning reviewers and the reviewer's side: accept, decline, declare, review."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.trail import RequestInfo
from core.actor import Person
from core.roles import MANAGE_ARTICLES
from reviews.assignments import (
    accept_assignment,
    assign_reviewer,
    assignment_for,
    can_open_text,
    declare_conflict,
    decline_assignment,
    require_managing_editor,
)
from reviews.board import suggest_reviewers
from reviews.decisions import submit_review
from reviews.middleware import SESSION_KEY as ACTIVITY_SESSION_KEY
from reviews.models import AssignmentStatus, BoardMember, ReviewAssignment

from ..errors import ApiError
from ..models import ApiToken
from ..permissions import article_or_404, signed_in_user
from ..serializers import (
    AssignInSerializer,
    AssignmentDetailSerializer,
    AssignmentSerializer,
    ConflictInSerializer,
    DeclineInSerializer,
    ErrorSerializer,
    ReviewInSerializer,
    ReviewOutSerializer,
    SuggestionsQuerySerializer,
    SuggestionsSerializer,
    VersionDetailSerializer,
)

ERROR = OpenApiResponse(ErrorSerializer)


def _assignments() -> QuerySet[ReviewAssignment]:
    return ReviewAssignment.objects.select_related("article", "version", "reviewer__user", "assigned_by")


def assignment_detail(assignment: ReviewAssignment, user: Person) -> dict[str, Any]:
    """``AssignmentDetailSerializer``'s answer: the assignment, and its text if ``user`` may read it."""
    # The text it may carry names its author and last editor.
    assignment = (
        _assignments().select_related("version__author", "version__last_edited_by").get(pk=assignment.pk)
    )
    text_available = can_open_text(user, assignment)
    return {
        **AssignmentSerializer(assignment).data,
        "text_available": text_available,
        "text": VersionDetailSerializer(assignment.version).data if text_available else None,
    }


@extend_schema(tags=["reviews"])
class ArticleAssignmentsView(generics.ListAPIView[ReviewAssignment]):
    """Every assignment of the article, all rounds (managing editors)."""

    serializer_class = AssignmentSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[ReviewAssignment]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ReviewAssignment.objects.none()
        article = article_or_404(self.request.user, self.kwargs["slug"])
        require_managing_editor(self.request.user, article, "see an article's review assignments")
        return _assignments().filter(article=article).order_by("-invited_at", "-pk")

    @extend_schema(
        request=AssignInSerializer,
        responses={201: AssignmentDetailSerializer, 409: ERROR},
        summary="Invite a board member to review the submitted version",
    )
    def post(self, request: Request, slug: str) -> Response:
        article = article_or_404(request.user, slug)
        # Checked before looking the reviewer up, so nobody else learns who is on the board.
        require_managing_editor(request.user, article, "assign reviewers")
        serializer = AssignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = BoardMember.objects.select_related("user").filter(user__username=data["reviewer"]).first()
        if member is None:
            raise ApiError(
                f"No board member has the username {data['reviewer']!r}.",
                code="invalid",
                status_code=status.HTTP_400_BAD_REQUEST,
                fields={"reviewer": ["No board member with this username."]},
            )
        assignment = assign_reviewer(
            article,
            member,
            request.user,
            due_at=data["due_at"],
            respond_by=data["respond_by"],
            request_info=RequestInfo.from_request(request),
        )
        return Response(assignment_detail(assignment, request.user), status=status.HTTP_201_CREATED)


@extend_schema(tags=["reviews"])
class SuggestionsView(APIView):
    @extend_schema(
        parameters=[SuggestionsQuerySerializer],
        responses=SuggestionsSerializer,
        summary="Board members ranked for an article, and who is excluded and why",
    )
    def get(self, request: Request) -> Response:
        query = SuggestionsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        article = article_or_404(request.user, query.validated_data["article"])
        require_managing_editor(request.user, article, "see reviewer suggestions")
        result = suggest_reviewers(article)

        def person(member: BoardMember) -> dict:
            return {
                "username": member.user.get_username(),
                "display_name": member.display_name,
                "credentials": member.credentials,
            }

        data = {
            "article": article.slug,
            "eligible": [
                {
                    **person(s.member),
                    "specialty_match": s.specialty_match,
                    "open_assignments": s.open_assignments,
                    "median_turnaround_hours": (
                        round(s.median_turnaround.total_seconds() / 3600, 1) if s.median_turnaround else None
                    ),
                }
                for s in result.eligible
            ],
            "excluded": [
                {**person(e.member), "reasons": [{"code": r.code, "message": r.message} for r in e.reasons]}
                for e in result.excluded
            ],
        }
        return Response(SuggestionsSerializer(data).data)


class AssignmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AssignmentStatus.choices)
    article = django_filters.CharFilter(field_name="article__slug")

    class Meta:
        model = ReviewAssignment
        fields = ["status", "article"]


@extend_schema(tags=["reviews"])
class AssignmentListView(generics.ListAPIView[ReviewAssignment]):
    """Your review assignments (managing editors: everyone's)."""

    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter

    def get_queryset(self) -> QuerySet[ReviewAssignment]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ReviewAssignment.objects.none()
        user = signed_in_user(self.request)
        queryset = _assignments().order_by("-invited_at", "-pk")
        return queryset if user.has_perm(MANAGE_ARTICLES) else queryset.filter(reviewer__user=user)


@extend_schema(tags=["reviews"])
class AssignmentDetailView(APIView):
    @extend_schema(
        responses=AssignmentDetailSerializer,
        summary="An assignment; with the version's text once you accepted and declared no conflict",
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(assignment_detail(assignment_for(request.user, pk), request.user))


@extend_schema(tags=["reviews"])
class AcceptView(APIView):
    @extend_schema(request=None, responses={200: AssignmentDetailSerializer, 409: ERROR})
    def post(self, request: Request, pk: int) -> Response:
        assignment = assignment_for(request.user, pk)
        accept_assignment(assignment, request.user, request_info=RequestInfo.from_request(request))
        return Response(assignment_detail(assignment, request.user))


@extend_schema(tags=["reviews"])
class DeclineView(APIView):
    @extend_schema(request=DeclineInSerializer, responses={200: AssignmentDetailSerializer, 409: ERROR})
    def post(self, request: Request, pk: int) -> Response:
        assignment = assignment_for(request.user, pk)
        serializer = DeclineInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decline_assignment(
            assignment,
            request.user,
            reason=serializer.validated_data["reason"],
            suggested_alternative=serializer.validated_data["suggested_alternative"],
            request_info=RequestInfo.from_request(request),
        )
        return Response(assignment_detail(assignment, request.user))


@extend_schema(tags=["reviews"])
class ConflictView(APIView):
    @extend_schema(
        request=ConflictInSerializer,
        responses={200: AssignmentDetailSerializer, 409: ERROR},
        summary="Declare a conflict of interest (or none) before reading the text",
    )
    def post(self, request: Request, pk: int) -> Response:
        assignment = assignment_for(request.user, pk)
        serializer = ConflictInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        declare_conflict(
            assignment,
            request.user,
            category=serializer.validated_data["category"],
            details=serializer.validated_data["details"],
            request_info=RequestInfo.from_request(request),
        )
        return Response(assignment_detail(assignment, request.user))


def _last_activity(request: Request) -> datetime.datetime | None:
    """When the caller was last active, for the signing rule's idle limit."""
    if isinstance(request.auth, ApiToken):
        # A token call authenticates itself, and the password is checked again in this very
        # request: that is the fresh re-authentication the idle limit exists to force.
        return timezone.now()
    # A browser session: idle since its last staff page, as the signing page counts it.
    stored = request.session.get(ACTIVITY_SESSION_KEY)
    return (
        datetime.datetime.fromtimestamp(stored, tz=datetime.UTC) if isinstance(stored, int | float) else None
    )


@extend_schema(tags=["reviews"])
class ReviewView(APIView):
    @extend_schema(
        request=ReviewInSerializer,
        responses={201: ReviewOutSerializer, 409: ERROR},
        summary="Submit your review; an approval is signed with your password",
    )
    def post(self, request: Request, pk: int) -> Response:
        assignment = assignment_for(request.user, pk)
        serializer = ReviewInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        review = submit_review(
            assignment,
            request.user,
            decision=data["decision"],
            comments=data["comments"],
            checklist=data["checklist"],
            section_comments=[(c["section"], c["quote"], c["comment"]) for c in data["section_comments"]],
            password=data.get("password"),
            session_last_activity=_last_activity(request),
            request_info=RequestInfo.from_request(request),
        )
        review = type(review).objects.select_related("version__article").get(pk=review.pk)
        return Response(ReviewOutSerializer(review).data, status=status.HTTP_201_CREATED)
