"""OpenAPI additions: the token scheme, and the shared error answers on every operation."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Send "Token <key>"; keys come from POST /api/v1/auth/token/ or the admin.',
        }


ERROR_SCHEMA = "Error"
_DESCRIPTIONS = {
    "400": "The request is not valid (malformed JSON, wrong types, unknown filters): see error.fields.",
    "401": "No credentials, or the token is not valid or was revoked.",
    "403": "You may not do this.",
    "404": "Nothing here, or nothing you may see.",
    "413": "The request body is too large.",
    "415": "Send JSON (Content-Type: application/json).",
    "429": "Too many requests: wait for Retry-After seconds.",
}
_METHODS = {"get", "put", "post", "patch", "delete"}


def add_error_responses(result: dict, generator, request, public) -> dict:
    """Every operation can answer with the shared error shape for these statuses; the
    operation-specific ones (409, 412, 428, 422) are declared on the views."""
    ref = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _METHODS:
                continue
            statuses = ["400", "404", "429"]
            if operation.get("security") != [] and {} not in operation.get("security", [{}]):
                statuses += ["401", "403"]
            if "requestBody" in operation:
                statuses += ["413", "415"]
            responses = operation.setdefault("responses", {})
            for code in statuses:
                responses.setdefault(
                    code,
                    {"description": _DESCRIPTIONS[code], "content": {"application/json": {"schema": ref}}},
                )
    return result
