"""The audit trail as staff pages, mounted at ``/desk/audit/``: site-wide and per article,
filtered with the same ``AuditEventFilter`` as the API, and exportable as CSV
(``?format=csv``, streamed, same filters). Only for ``audit.view_auditevent``."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from articles.models import Article
from audit.filters import AuditEventFilter
from audit.models import AuditEvent
from audit.pagination import LISTED_EVENTS_CAP, CappedPaginator
from core.access import staff_view

VIEW_AUDIT = "audit.view_auditevent"
PAGE_SIZE = 50
CSV_COLUMNS = [
    "seq",
    "created_at",
    "actor",
    "action",
    "target_type",
    "target_id",
    "article",
    "state_before",
    "state_after",
    "payload",
    "ip_address",
    "user_agent",
    "leaf_hash",
    "prev_hash",
    "hash",
]
# A cell starting with one of these is a formula to a spreadsheet; reasons and comments are
# free text, so such cells are prefixed with a quote (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_row(event: AuditEvent) -> list[str]:
    payload = json.dumps(event.payload, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    return [
        _cell(v)
        for v in (
            event.seq,
            event.created_at.isoformat(),
            event.actor_label,
            event.action,
            event.target_type,
            event.target_id,
            event.article.slug if event.article_id and event.article else "",
            event.state_before,
            event.state_after,
            payload,
            event.ip_address,
            event.user_agent,
            event.leaf_hash,
            event.prev_hash,
            event.hash,
        )
    ]


class _Echo:
    """A file-like object whose write() hands back the line, for csv.writer in a stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events.iterator(chunk_size=1000):
        yield writer.writerow(csv_row(event))


def _with_pickers(filterset: AuditEventFilter) -> AuditEventFilter:
    # The shared filter takes ISO date-times; in the browser, a date-time picker sends exactly that.
    for name in ("since", "until"):
        field = filterset.form.fields[name]
        field.widget.input_type = "datetime-local"
        field.help_text = "UTC"
    return filterset


@staff_view(VIEW_AUDIT)
@require_GET
def events(request: HttpRequest, slug: str | None = None) -> HttpResponseBase:
    article = None
    queryset = AuditEvent.objects.select_related("article")
    if slug is not None:
        article = get_object_or_404(Article, slug=slug)
        queryset = queryset.filter(article=article)
    filterset = _with_pickers(AuditEventFilter(request.GET, queryset=queryset))
    if request.GET.get("format") == "csv":
        if not filterset.is_valid():
            # Never export more than was asked for because one filter could not be read.
            errors = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in filterset.errors.items())
            return HttpResponse(f"Invalid filters: {errors}\n", status=400, content_type="text/plain")
        name = f"audit-{article.slug}.csv" if article else "audit.csv"
        response = StreamingHttpResponse(
            _csv_lines(filterset.qs.order_by("seq")), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    paginator = CappedPaginator(
        filterset.qs.order_by(*filterset.newest_first()), PAGE_SIZE, cap=LISTED_EVENTS_CAP
    )
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    csv_query = query.copy()
    csv_query["format"] = "csv"
    return render(
        request,
        "desk/audit/events.html",
        {
            "article": article,
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "csv_query": csv_query.urlencode(),
            "desk_nav": "audit",
        },
        status=400 if filterset.is_bound and not filterset.is_valid() else 200,
    )
