"""One error shape for every API answer that is not a success.

``{"error": {"code", "message", "fields"?}}``, with extra keys where a client can
act on them (a refused transition names the state and the allowed actions).
DRF's own exceptions, Django's ``Http404`` / ``PermissionDenied`` / model
``ValidationError`` and the domain's ``DomainError`` all come through here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from articles.errors import DomainError
from reviews.board import ReviewerNotEligible
from reviews.workflow import TransitionNotAllowed

from .actions import exposed

# DRF's codes, renamed where the domain already uses a word for the same thing.
_CODES = {
    exceptions.ValidationError: "invalid",
    exceptions.ParseError: "malformed_request",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
}


class ApiError(exceptions.APIException):
    """An API-level refusal with its own code (not a domain rule): a missing precondition, a reused key."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int,
        fields: dict | None = None,
        retry_after: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code)
        self.status_code = status_code
        self.error_code = code
        self.fields = fields or {}
        self.wait = retry_after  # answered as Retry-After, like DRF's Throttled
        self.extra = extra or {}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None, **extra: Any) -> dict:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    error.update(extra)
    return {"error": error}


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"sections[0].heading": ["…"]}``, the paths the domain uses too."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors":
                name = prefix or "non_field_errors"
            elif isinstance(key, int):
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in flatten_errors(value, name).items():
                out.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            if detail:
                out.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    for field, messages in flatten_errors(item, f"{prefix}[{index}]").items():
                        out.setdefault(field, []).extend(messages)
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def _summary(fields: dict[str, list[str]]) -> str:
    parts = [f"{name}: {' '.join(messages)}" for name, messages in list(fields.items())[:5]]
    more = len(fields) - len(parts)
    return "The request is not valid: " + "; ".join(parts) + (f"; and {more} more." if more > 0 else "")


def _domain_response(exc: DomainError) -> Response:
    extra: dict[str, Any] = {}
    if isinstance(exc, TransitionNotAllowed):
        extra = {"state": exc.state, "allowed_actions": exposed(exc.allowed)}
    elif isinstance(exc, ReviewerNotEligible):
        extra = {"reasons": [{"code": r.code, "message": r.message} for r in exc.reasons]}
    return Response(error_body(exc.code, exc.message, exc.fields, **extra), status=exc.http_status)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        set_rollback()
        return _domain_response(exc)
    if isinstance(exc, RequestDataTooBig):
        exc = ApiError(
            "The request body is larger than this server accepts; send fewer drafts per batch.",
            code="request_too_large",
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, DjangoValidationError):
        # A model's own validation reached the API: still the client's input, never a 500.
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    if not isinstance(exc, exceptions.APIException):
        return None  # a real server error: logged and answered 500 by Django

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()

    if isinstance(exc, ApiError):
        body = error_body(exc.error_code, str(exc.detail), exc.fields, **exc.extra)
    elif isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        body = error_body("invalid", _summary(fields), fields)
    else:
        code = next((c for cls, c in _CODES.items() if isinstance(exc, cls)), None)
        detail = exc.detail if isinstance(exc.detail, str) else exc.default_detail
        body = error_body(code or str(exc.default_code), str(detail))
    return Response(body, status=exc.status_code, headers=headers)
