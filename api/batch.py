"""Batch intake and the ``Idempotency-Key`` that makes retrying it safe.

A batch is one transaction with a savepoint per draft: each draft is created
(and submitted, if asked) entirely or not at all, and one bad draft blocks no
other. The idempotency record is written first, in the same transaction, so a
second request with the same key waits for the first and then gets its answer;
if the first fails, nothing of it (record included) remains and a retry runs afresh.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from rest_framework import status

from articles.drafting import create_article
from audit.trail import RequestInfo
from core.actor import Person
from core.errors import DomainError
from reviews.workflow import Action, perform

from .errors import ApiError, error_body, flatten_errors
from .models import IDEMPOTENCY_KEY_LENGTH, IdempotencyRecord
from .serializers import BatchItemSerializer

MAX_KEY_LENGTH = IDEMPOTENCY_KEY_LENGTH


def fingerprint(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_key(key: str) -> str:
    if not (0 < len(key) <= MAX_KEY_LENGTH) or not all(" " <= c <= "~" for c in key):
        raise ApiError(
            f"An Idempotency-Key is 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
            code="invalid",
            status_code=status.HTTP_400_BAD_REQUEST,
            fields={"Idempotency-Key": ["1 to 200 printable ASCII characters."]},
        )
    return key


def once(
    user: User,
    key: str | None,
    endpoint: str,
    body: Any,
    run: Callable[[], tuple[int, dict[str, Any]]],
) -> tuple[int, dict[str, Any], bool]:
    """``run()`` in one transaction, or the stored answer to the same key: (status, data, replayed)."""
    digest = fingerprint(body)
    with transaction.atomic():
        if key is None:
            return (*run(), False)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, endpoint=endpoint, key=key, fingerprint=digest, status_code=0, response={}
                )
        except IntegrityError:
            record = None  # used before; on PostgreSQL, after waiting for a concurrent first use to commit
        if record is None:
            stored = IdempotencyRecord.objects.get(user=user, endpoint=endpoint, key=key)
            if stored.fingerprint != digest:
                raise ApiError(
                    "This Idempotency-Key was already used for a different request; "
                    "use a new key for new content.",
                    code="idempotency_key_reused",
                    status_code=status.HTTP_422_UNPROCESSABLE_ENTITY,
                )
            return stored.status_code, stored.response, True
        status_code, data = run()
        record.status_code, record.response = status_code, data
        record.save(update_fields=["status_code", "response"])
        return status_code, data, False


def intake(user: Person, drafts: list[Any], request_info: RequestInfo) -> tuple[int, dict[str, Any]]:
    results = [_intake_one(user, index, raw, request_info) for index, raw in enumerate(drafts)]
    created = sum(1 for r in results if r["ok"])
    return status.HTTP_200_OK, {"created": created, "failed": len(results) - created, "results": results}


def _intake_one(user: Person, index: int, raw: Any, request_info: RequestInfo) -> dict[str, Any]:
    serializer = BatchItemSerializer(data=raw)
    if not serializer.is_valid():
        fields = flatten_errors(serializer.errors)
        message = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in fields.items())
        return {
            "index": index,
            "ok": False,
            **error_body("invalid", f"Draft {index} is not valid: {message}", fields),
        }
    data = serializer.validated_data
    try:
        with transaction.atomic():
            article = create_article(
                owner=user,
                specialty=data["specialty"],
                content=serializer.to_content(),
                origin=data["origin"],
                generator=data["generator"],
                slug=data.get("slug"),
                request_info=request_info,
            )
            warnings: list[str] = []
            if data["submit"]:
                warnings = perform(article, Action.SUBMIT, user, request_info=request_info).warnings
    except DomainError as exc:
        return {"index": index, "ok": False, **error_body(exc.code, exc.message, exc.fields)}
    except IntegrityError:
        # The slug was free when checked and taken before the insert.
        return {
            "index": index,
            "ok": False,
            **error_body("slug_taken", "An article with this slug already exists.", {"slug": ["Taken."]}),
        }
    article.refresh_from_db(fields=["state"])
    return {"index": index, "ok": True, "slug": article.slug, "state": article.state, "warnings": warnings}
