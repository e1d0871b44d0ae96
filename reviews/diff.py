"""What changed between two versions, for reviewers from round 2 on.

:func:`diff_versions` compares per audience, section by section (sections are
lined up by heading, so inserting one does not make every later one "changed"),
with word-level operations from :mod:`difflib`; and references keyed by DOI,
else PMID, else title (so renumbering is a change of ``number``, not a removal
and an addition). :func:`render_word_diff` turns word operations into escaped
HTML with ``<ins>`` and ``<del>``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import ArticleVersion, Audience, Reference, Section

from .models import Review, ReviewAssignment

# Words, runs of whitespace and single punctuation marks, so that joining the
# tokens gives the text back and a changed comma does not mark the whole word.
_TOKEN_RE = re.compile(r"\w+(?:['\u2019-]\w+)*|\s+|[^\w\s]", re.UNICODE)

REFERENCE_FIELDS = (
    "number",
    "kind",
    "authors",
    "title",
    "source",
    "year",
    "doi",
    "pmid",
    "url",
    "accessed_on",
    "evidence_level",
)


@dataclass(frozen=True)
class WordOp:
    """One difflib opcode over word tokens: equal, insert, delete or replace."""

    op: str
    old: str
    new: str


@dataclass
class SectionDiff:
    audience: str
    status: str  # added / removed / changed / unchanged
    old_heading: str | None
    new_heading: str | None
    ops: list[WordOp] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return self.new_heading if self.new_heading is not None else self.old_heading or ""


@dataclass
class ReferenceDiff:
    key: str
    status: str  # added / removed / changed
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    changed_fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class VersionDiff:
    old_number: int
    new_number: int
    title: list[WordOp]
    summary: list[WordOp]
    sections: dict[str, list[SectionDiff]]  # audience -> sections in the new version's order
    references: list[ReferenceDiff]

    @property
    def has_changes(self) -> bool:
        return (
            _changed(self.title)
            or _changed(self.summary)
            or any(s.status != "unchanged" for sections in self.sections.values() for s in sections)
            or bool(self.references)
        )


def _changed(ops: list[WordOp]) -> bool:
    return any(op.op != "equal" for op in ops)


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text or "")


def word_diff(old: str, new: str) -> list[WordOp]:
    a, b = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [
        WordOp(tag, "".join(a[i1:i2]), "".join(b[j1:j2])) for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]


def render_word_diff(ops: list[WordOp]) -> SafeString:
    """The word diff as HTML: unchanged text escaped, removals in <del>, additions in <ins>."""
    parts: list[str] = []
    for op in ops:
        if op.op == "equal":
            parts.append(escape(op.new))
            continue
        if op.old:
            parts.append(f"<del>{escape(op.old)}</del>")
        if op.new:
            parts.append(f"<ins>{escape(op.new)}</ins>")
    return mark_safe("".join(parts))  # every piece of text above is escaped


def _section_text(section: Section) -> str:
    return f"{section.heading}\n\n{section.body}"


def _diff_sections(old: list[Section], new: list[Section], audience: str) -> list[SectionDiff]:
    def key(s: Section) -> str:
        return s.heading.strip().casefold()

    matcher = difflib.SequenceMatcher(None, [key(s) for s in old], [key(s) for s in new], autojunk=False)
    result: list[SectionDiff] = []
    for _tag, i1, i2, j1, j2 in matcher.get_opcodes():
        olds, news = old[i1:i2], new[j1:j2]
        # Pair sections position by position (a renamed heading is a changed section);
        # what is left over on either side was added or removed.
        for index in range(max(len(olds), len(news))):
            o = olds[index] if index < len(olds) else None
            n = news[index] if index < len(news) else None
            if o is not None and n is not None:
                ops = word_diff(_section_text(o), _section_text(n))
                status = "changed" if _changed(ops) else "unchanged"
                result.append(SectionDiff(audience, status, o.heading, n.heading, ops))
            elif n is not None:
                result.append(
                    SectionDiff(audience, "added", None, n.heading, word_diff("", _section_text(n)))
                )
            elif o is not None:
                result.append(
                    SectionDiff(audience, "removed", o.heading, None, word_diff(_section_text(o), ""))
                )
    return result


def reference_key(reference: Reference) -> str:
    if reference.doi:
        return f"doi:{reference.doi.strip().lower()}"
    if reference.pmid:
        return f"pmid:{reference.pmid.strip()}"
    return "title:" + " ".join(reference.title.casefold().split())


def _reference_fields(reference: Reference) -> dict[str, Any]:
    return {name: getattr(reference, name) for name in REFERENCE_FIELDS}


def _diff_references(old: list[Reference], new: list[Reference]) -> list[ReferenceDiff]:
    old_by_key = {reference_key(r): r for r in old}
    new_by_key = {reference_key(r): r for r in new}
    result: list[ReferenceDiff] = []
    for key, n in new_by_key.items():
        o = old_by_key.get(key)
        if o is None:
            result.append(ReferenceDiff(key, "added", None, _reference_fields(n)))
            continue
        before, after = _reference_fields(o), _reference_fields(n)
        changed = {
            name: (before[name], after[name]) for name in REFERENCE_FIELDS if before[name] != after[name]
        }
        if changed:
            result.append(ReferenceDiff(key, "changed", before, after, changed))
    for key, o in old_by_key.items():
        if key not in new_by_key:
            result.append(ReferenceDiff(key, "removed", _reference_fields(o), None))
    return result


def diff_versions(old: ArticleVersion, new: ArticleVersion) -> VersionDiff:
    """Everything a reader would see that differs from ``old`` to ``new``."""
    old_sections, new_sections = list(old.sections.all()), list(new.sections.all())
    sections = {
        audience: _diff_sections(
            sorted((s for s in old_sections if s.audience == audience), key=lambda s: s.position),
            sorted((s for s in new_sections if s.audience == audience), key=lambda s: s.position),
            audience,
        )
        for audience in Audience.values
    }
    return VersionDiff(
        old_number=old.number,
        new_number=new.number,
        title=word_diff(old.title, new.title),
        summary=word_diff(old.summary, new.summary),
        sections=sections,
        references=_diff_references(list(old.references.all()), list(new.references.all())),
    )


def diffs_for_reviewer(assignment: ReviewAssignment) -> dict[str, VersionDiff]:
    """From round 2 on: the assigned version against the one this reviewer reviewed
    before (``"previous_review"``) and against the published one (``"published"``),
    whichever exist and differ from it."""
    version = assignment.version
    result: dict[str, VersionDiff] = {}
    earlier = (
        Review.objects.filter(reviewer_id=assignment.reviewer_id, version__article_id=assignment.article_id)
        .filter(version__number__lt=version.number)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )
    if earlier is not None:
        result["previous_review"] = diff_versions(earlier.version, version)
    published_id = assignment.article.published_version_id
    if published_id is not None and published_id != version.pk:
        result["published"] = diff_versions(ArticleVersion.objects.get(pk=published_id), version)
    return result
