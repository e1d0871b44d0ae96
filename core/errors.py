"""Errors the domain raises. Each carries a message a person can act on; the
web and API layers map them to 4xx answers, never to a 500."""

from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class FrozenVersionError(DomainError):
    code = "version_frozen"
    http_status = 409


class StaleEditError(DomainError):
    code = "stale_edit"
    http_status = 412


class ContentInvalid(DomainError):
    code = "invalid"
    http_status = 400


class NotPermitted(DomainError):
    code = "forbidden"
    http_status = 403
