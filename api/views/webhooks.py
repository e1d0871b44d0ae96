"""Webhook endpoints of integration clients and their deliveries.

Managing editors register, change, delete and re-send for any client; an
integration client reads its own endpoints and deliveries. The rules are in
``webhooks.endpoints``.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.trail import RequestInfo
from core.actor import Person
from webhooks import endpoints
from webhooks.filters import EndpointFilter, WebhookDeliveryFilter
from webhooks.models import Endpoint, WebhookMessage

from ..errors import ApiError
from ..serializers import (
    EndpointCreatedSerializer,
    EndpointCreateSerializer,
    EndpointSerializer,
    EndpointUpdateSerializer,
    ErrorSerializer,
    WebhookDeliverySerializer,
)

ERROR = OpenApiResponse(ErrorSerializer)


def endpoint_or_404(user: Person, pk: int) -> Endpoint:
    endpoint = endpoints.visible_endpoints(user).filter(pk=pk).first()
    if endpoint is None:
        raise Http404("No webhook endpoint here, or it is not yours to see.")
    return endpoint


def _messages() -> QuerySet[WebhookMessage]:
    return WebhookMessage.objects.select_related("delivery", "article").prefetch_related("attempts")


@extend_schema(tags=["webhooks"])
class EndpointListCreateView(generics.ListAPIView[Endpoint]):
    """Webhook endpoints (managing editors: every client's; an integration client: its own)."""

    serializer_class = EndpointSerializer
    filterset_class = EndpointFilter

    def get_queryset(self) -> QuerySet[Endpoint]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Endpoint.objects.none()
        return endpoints.visible_endpoints(self.request.user).order_by("pk")

    @extend_schema(
        request=EndpointCreateSerializer,
        responses={201: EndpointCreatedSerializer},
        summary="Register an endpoint for an integration client; the answer holds its secret, once",
    )
    def post(self, request: Request) -> Response:
        endpoints.require_manager(request.user, "register webhook endpoints")
        serializer = EndpointCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        client = endpoints.integration_clients().filter(username=data["client"]).first()
        if client is None:
            raise ApiError(
                f"No active integration client has the username {data['client']!r}.",
                code="invalid",
                status_code=status.HTTP_400_BAD_REQUEST,
                fields={"client": ["No active integration client with this username."]},
            )
        endpoint, secret = endpoints.register(
            client=client,
            url=data["url"],
            kinds=data["kinds"],
            active=data["active"],
            description=data["description"],
            by=request.user,
            request_info=RequestInfo.from_request(request),
        )
        endpoint.secret = secret
        return Response(EndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["webhooks"])
class EndpointDetailView(APIView):
    @extend_schema(responses=EndpointSerializer, summary="A webhook endpoint (never its secret)")
    def get(self, request: Request, pk: int) -> Response:
        return Response(EndpointSerializer(endpoint_or_404(request.user, pk)).data)

    @extend_schema(
        request=EndpointUpdateSerializer,
        responses=EndpointSerializer,
        summary="Change the URL, kinds, description, or switch it on or off",
    )
    def patch(self, request: Request, pk: int) -> Response:
        endpoint = endpoint_or_404(request.user, pk)
        endpoints.require_manager(request.user, "change webhook endpoints")
        serializer = EndpointUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = endpoints.update(
            endpoint,
            by=request.user,
            request_info=RequestInfo.from_request(request),
            **serializer.validated_data,
        )
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(request=None, responses={204: None}, summary="Delete the endpoint and its delivery log")
    def delete(self, request: Request, pk: int) -> Response:
        endpoint = endpoint_or_404(request.user, pk)
        endpoints.delete(endpoint, by=request.user, request_info=RequestInfo.from_request(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["webhooks"])
class EndpointDeliveriesView(generics.ListAPIView[WebhookMessage]):
    """The endpoint's deliveries, newest first, each with every attempt."""

    serializer_class = WebhookDeliverySerializer
    filterset_class = WebhookDeliveryFilter

    def get_queryset(self) -> QuerySet[WebhookMessage]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return WebhookMessage.objects.none()
        endpoint = endpoint_or_404(self.request.user, self.kwargs["pk"])
        return _messages().filter(endpoint=endpoint).order_by("-created_at", "-pk")


@extend_schema(tags=["webhooks"])
class ResendView(APIView):
    @extend_schema(
        request=None,
        responses={200: WebhookDeliverySerializer, 409: ERROR},
        summary="Send a delivery again now, with the same webhook-id",
    )
    def post(self, request: Request, pk: int, delivery_id: int) -> Response:
        endpoint = endpoint_or_404(request.user, pk)
        endpoints.require_manager(request.user, "re-send webhooks")
        message = _messages().select_related("endpoint").filter(endpoint=endpoint, pk=delivery_id).first()
        if message is None:
            raise Http404("This endpoint has no delivery with this id.")
        endpoints.resend(message, by=request.user, request_info=RequestInfo.from_request(request))
        return Response(WebhookDeliverySerializer(_messages().get(pk=message.pk)).data)
