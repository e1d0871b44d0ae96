"""Posting admin change forms the way a browser does: what the page rendered, with a few edits."""

from __future__ import annotations

from typing import Any

from django.forms import MultiWidget

from audit.models import AuditEvent
from audit.verify import verify as verify_trail


def rendered_form_data(response) -> dict[str, Any]:
    """What the browser would post back from a rendered admin add or change form, untouched.

    Split widgets (date + time) post one value per part, and fields that render their initial
    value in a hidden input (callable defaults) post it too: without it every such field would
    look changed.
    """
    data: dict[str, Any] = {}

    def put_value(name: str, widget, value) -> None:
        if isinstance(widget, MultiWidget):
            parts = widget.decompress(value) if value is not None else [None] * len(widget.widgets)
            for index, (part, sub) in enumerate(zip(parts, widget.widgets, strict=True)):
                if part is not None:
                    data[f"{name}_{index}"] = sub.format_value(part)
        elif value is not None and value is not False:  # an unchecked box or empty value is absent
            data[name] = "on" if value is True else value

    def put(form) -> None:
        for field in form:
            value = field.value()
            if field.field.show_hidden_initial:
                put_value(field.html_initial_name, field.field.hidden_widget(), value)
            put_value(field.html_name, field.field.widget, value)

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        put(inline.formset.management_form)
        for form in inline.formset.forms:
            put(form)
    return data


def post_edits(client, url: str, edits: dict[str, Any], *, rendered: dict | None = None, **post_options):
    """GET the admin page, change ``edits`` in what it rendered (None clears a field), POST it back.

    ``rendered`` is the page's form data when the caller already has it (it is updated in place,
    so that after a successful save it is what the page would render next).
    """
    data = rendered if rendered is not None else rendered_form_data(client.get(url))
    for name, value in edits.items():
        if value is None or value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    data["_save"] = "Save"
    return client.post(url, data, **post_options)


def events_since(seq: int, *actions: str) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(seq__gt=seq).order_by("seq")
    return list(events.filter(action__in=actions) if actions else events)


def last_seq() -> int:
    event = AuditEvent.objects.order_by("-seq").first()
    return event.seq if event else 0


def assert_chain_intact() -> None:
    report = verify_trail()
    assert report.ok, report.problem
