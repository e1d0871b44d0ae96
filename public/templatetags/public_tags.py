"""Template helpers for the reader-facing pages."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

from articles.markdown import render_markdown, text_of
from public.pages import join_names

register = template.Library()

# What json_script escapes: with these, no text can close the script element or open a comment.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def jsonld_text(data: Any) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)


@register.simple_tag
def jsonld(data: Any) -> SafeString:
    """A ``<script type="application/ld+json">`` block, escaped like ``json_script``."""
    return mark_safe(f'<script type="application/ld+json">{jsonld_text(data)}</script>')


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    """Sanitised HTML from Markdown (bios, the editorial policy); headings start at h2."""
    return mark_safe(render_markdown(text, heading_offset=1))


@register.filter
def names(items) -> str:
    return join_names([getattr(item, "name", str(item)) for item in items])


@register.filter
def plain(markdown: str) -> str:
    """Markdown as plain words (escaped by the template as usual)."""
    return text_of(markdown)
