"""The token exchange, the audit trail and the caller's inbox."""

from __future__ import annotations

import datetime
import math
from typing import Any

import django_filters
from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.login_limits import AccountLock, AccountLockPolicy, seconds_until
from audit.filters import AuditEventFilter
from audit.models import AuditEvent
from audit.trail import RequestInfo
from notifications.inbox import inbox
from notifications.models import Notification

from .. import tokens
from ..errors import ApiError
from ..models import ApiToken
from ..pagination import CappedPagination
from ..permissions import CanViewAudit, signed_in_user
from ..serializers import (
    ApiTokenSerializer,
    AuditEventSerializer,
    ErrorSerializer,
    NotificationSerializer,
    TokenCredentialsSerializer,
    TokenResponseSerializer,
)
from ..throttling import LoginThrottle


@extend_schema(tags=["auth"])
class TokenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginThrottle]

    @extend_schema(
        request=TokenCredentialsSerializer,
        responses={
            201: TokenResponseSerializer,
            400: OpenApiResponse(ErrorSerializer),
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many attempts from this address (throttled), or too many failed "
                "passwords for this account (account_locked, with retry_after and locked_until).",
            ),
        },
        summary="Exchange a username and password for a new API token",
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenCredentialsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        lock = AccountLock(AccountLockPolicy.for_api_login(), scope="api-login")
        locked_until = lock.locked_until(username)
        if locked_until is not None:
            # Refused before the password is checked: a right guess now must not be confirmed.
            raise account_locked(locked_until)
        user = authenticate(
            request._request, username=username, password=serializer.validated_data["password"]
        )
        if user is None:
            locked_until = lock.record_failure(username)
            if locked_until is not None:
                raise account_locked(locked_until)
            raise ApiError(
                "The username or password is not correct (or the account is inactive).",
                code="invalid_credentials",
                status_code=status.HTTP_400_BAD_REQUEST,
            )
        lock.reset(username)
        token, key = ApiToken.issue(
            user=user, name=f"Login from the API, {timezone.now():%Y-%m-%d %H:%M}", created_by=user
        )
        return Response(
            {"token": key, "prefix": token.prefix, "name": token.name}, status=status.HTTP_201_CREATED
        )


def account_locked(until: datetime.datetime) -> ApiError:
    retry_after = seconds_until(until)
    minutes = max(1, math.ceil(retry_after / 60))
    return ApiError(
        f"Too many failed logins for this account: it is locked until {until:%Y-%m-%d %H:%M:%S} UTC "
        f"(in {minutes} minute{'s' if minutes != 1 else ''}). Try again then.",
        code="account_locked",
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        retry_after=retry_after,
        extra={"retry_after": retry_after, "locked_until": until.isoformat().replace("+00:00", "Z")},
    )


class TokenFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(field_name="user__username", label="Owner's username")
    active = django_filters.BooleanFilter(
        method="filter_active", label="Working now (not revoked nor expired)"
    )

    class Meta:
        model = ApiToken
        fields = ["user", "active"]

    def filter_active(self, queryset: QuerySet[ApiToken], name: str, value: bool) -> QuerySet[ApiToken]:
        working = ApiToken.objects.active().values("pk")
        return queryset.filter(pk__in=working) if value else queryset.exclude(pk__in=working)


def _current_token_id(request: Request) -> int | None:
    return request.auth.pk if isinstance(request.auth, ApiToken) else None


@extend_schema(tags=["auth"])
class TokenListView(generics.ListAPIView[ApiToken]):
    """Your API tokens, newest first; a managing editor sees everyone's. Keys are never shown again."""

    serializer_class = ApiTokenSerializer
    filterset_class = TokenFilter

    def get_queryset(self) -> QuerySet[ApiToken]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return ApiToken.objects.none()
        return tokens.visible_tokens(self.request.user).order_by("-created_at", "-pk")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "current_token_id": _current_token_id(self.request)}


@extend_schema(tags=["auth"])
class TokenRevokeView(APIView):
    @extend_schema(
        request=None,
        responses={200: ApiTokenSerializer, 404: OpenApiResponse(ErrorSerializer)},
        summary="Revoke an API token (your own; a managing editor: anyone's)",
        description="It stops working at once. Revoking a token that already was changes nothing "
        "and answers the same.",
    )
    def post(self, request: Request, pk: int) -> Response:
        token = tokens.visible_tokens(request.user).filter(pk=pk).first()
        if token is None:
            raise Http404("No API token here, or it is not yours to revoke.")
        tokens.revoke(token, by=request.user, request_info=RequestInfo.from_request(request))
        context = {"current_token_id": _current_token_id(request)}
        return Response(ApiTokenSerializer(token, context=context).data)


@extend_schema(tags=["audit"])
class AuditListView(generics.ListAPIView[AuditEvent]):
    """The audit trail, newest first (managing editors)."""

    serializer_class = AuditEventSerializer
    permission_classes = [CanViewAudit]
    filterset_class = AuditEventFilter
    pagination_class = CappedPagination

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return AuditEvent.objects.select_related("article").order_by("-seq")

    def filter_queryset[Row](self, queryset: QuerySet[AuditEvent, Row]) -> QuerySet[AuditEvent, Row]:
        queryset = super().filter_queryset(queryset)  # a 400 if a filter cannot be read
        # The same order as the audit page, which depends on the filters (see newest_first).
        return queryset.order_by(*AuditEventFilter(self.request.query_params).newest_first())


class InboxFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Unread only")

    class Meta:
        model = Notification
        fields = ["unread"]


@extend_schema(tags=["notifications"])
class NotificationListView(generics.ListAPIView[Notification]):
    """Your in-app notifications, newest first."""

    serializer_class = NotificationSerializer
    filterset_class = InboxFilter

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Notification.objects.none()
        return inbox(signed_in_user(self.request)).order_by("-created_at", "-pk")
