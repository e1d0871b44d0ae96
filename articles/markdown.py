"""Markdown written by editors and board members, turned into HTML readers can
safely be shown.

Two layers, on purpose: markdown-it's ``js-default`` preset escapes raw HTML
and refuses ``javascript:``-style links, and nh3 then keeps only an allowlist
of tags, attributes and URL schemes, so a gap in either one is not a hole.

In-text citations (``[1]``, ``[1, 3]``, ``[2-4]``) become links to ``#ref-N``;
each citation gets an id (``cite-K``) that the reference list links back to.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import unescape

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .content import CITATION_RE, cited_numbers

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "li", "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
# No style attributes at all: they are a way to hide or overlay content, and a strict
# Content-Security-Policy refuses inline styles anyway (table column alignment is lost).
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "aria-label"},
    "abbr": {"title"},
    "ol": {"start"},
    "span": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Only ids and classes this module writes itself survive sanitising.
_OWN_ID = re.compile(r"^cite-\d+$")
_OWN_CLASS = "citation"


@dataclass
class Citations:
    """Numbers the citations of one page and remembers, per reference, where it was cited."""

    count: int = 0
    anchors: dict[int, list[str]] = field(default_factory=dict)

    def next_anchor(self, numbers: list[int]) -> str:
        self.count += 1
        anchor = f"cite-{self.count}"
        for number in numbers:
            self.anchors.setdefault(number, []).append(anchor)
        return anchor


def _parts(inner: str) -> list[tuple[int, int | None]]:
    """``"1, 3-5"`` as ``[(1, None), (3, 5)]``."""
    parts = []
    for piece in inner.split(","):
        bounds = re.split(r"\s*[-\u2013]\s*", piece.strip())
        parts.append((int(bounds[0]), int(bounds[1]) if len(bounds) == 2 else None))
    return parts


def _citation_rule(state: StateInline, silent: bool) -> bool:
    # Silent runs are look-aheads for link labels: "[see [2]](url)" must stay a link,
    # and inside a link (linkLevel > 0) a citation would nest one anchor in another.
    if silent or state.src[state.pos] != "[" or state.linkLevel > 0 or state.env.get("citations") is None:
        return False
    match = CITATION_RE.match(state.src, state.pos)
    if match is None or match.end() > state.posMax:
        return False
    # "[1](https://…)" and "[1][label]" are links; leave them to the link rule.
    if match.end() < state.posMax and state.src[match.end()] in "([":
        return False
    token = state.push("citation", "", 0)
    token.content = match.group(0)
    token.meta = {"parts": _parts(match.group(1))}
    state.pos = match.end()
    return True


def _render_citation(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    parts = tokens[idx].meta["parts"]
    anchor = env["citations"].next_anchor(sorted(cited_numbers(tokens[idx].content)))
    links = []
    first = True
    for low, high in parts:
        numbers = [low] if high is None else [low, high]
        rendered = []
        for number in numbers:
            id_attr = f' id="{anchor}"' if first else ""
            first = False
            rendered.append(f'<a href="#ref-{number}"{id_attr} aria-label="Reference {number}">{number}</a>')
        links.append("\u2013".join(rendered))
    return f'<span class="{_OWN_CLASS}">[{", ".join(links)}]</span>'


def _shift_headings(state: StateCore) -> None:
    # Inside an article the page title is h1 and section headings are h2, so a
    # "#" in a body must not compete with them.
    offset = state.env.get("heading_offset", 0)
    if not offset:
        return
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + offset)}"


_md = MarkdownIt("js-default")
_md.inline.ruler.before("link", "citation", _citation_rule)
_md.add_render_rule("citation", _render_citation)
_md.core.ruler.push("shift_headings", _shift_headings)


def _attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if _OWN_ID.match(value) else None
    if attribute == "class":
        return value if value == _OWN_CLASS else None
    return value


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_attribute_filter,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str, *, citations: Citations | None = None, heading_offset: int = 2) -> str:
    """Sanitised HTML for ``text``. With ``citations``, in-text citations become links."""
    env = {"citations": citations, "heading_offset": heading_offset}
    return sanitise(_md.render(text or "", env))


def text_of(markdown: str) -> str:
    """The words of ``markdown`` as plain (unescaped) text, without citation marks: for
    meta descriptions, feeds and listings, where the output is escaped again."""
    html = _md.render(markdown or "", {"citations": None, "heading_offset": 0})
    text = unescape(nh3.clean(html, tags=set()))
    words = " ".join(CITATION_RE.sub("", text).split())
    # "treated [1]." reads "treated ." once the citation is gone.
    return re.sub(r"\s+([.,;:!?])", r"\1", words)
