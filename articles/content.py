"""Rules about a version's content: citations, completeness, readability and
its content hash. Pure functions over plain data, used by drafting, the
workflow (on submit) and the review pages."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import nh3
import textstat
from django.conf import settings
from markdown_it import MarkdownIt

from .models import ArticleVersion, Audience

CITATION_RE = re.compile(r"\[(\d+(?:\s*[-\u2013,]\s*\d+)*)\]")
MAX_CITATION_RANGE = 50


def cited_numbers(text: str) -> set[int]:
    """Numbers cited in ``text`` as [1], [1, 3] or [2-4]."""
    numbers: set[int] = set()
    for match in CITATION_RE.finditer(text):
        for part in match.group(1).split(","):
            bounds = re.split(r"\s*[-\u2013]\s*", part.strip())
            if len(bounds) == 2:
                low, high = int(bounds[0]), int(bounds[1])
                if low <= high and high - low <= MAX_CITATION_RANGE:
                    numbers.update(range(low, high + 1))
                else:
                    numbers.update({low, high})
            else:
                numbers.add(int(bounds[0]))
    return numbers


_markdown = MarkdownIt("js-default")


def plain_text(markdown: str) -> str:
    """Markdown as the words a reader reads, without markup or citation marks."""
    html = _markdown.render(markdown or "")
    text = nh3.clean(html, tags=set())
    return CITATION_RE.sub("", text).strip()


# The end of a list item, paragraph, heading or table cell whose text has no
# closing punctuation (inline tags such as </strong> may come in between).
_UNPUNCTUATED_BLOCK_END = re.compile(
    r"([^.!?:;\s>])((?:</(?:strong|em|a|code|span)>)*)(\s*)</(li|p|h[1-6]|td|th|dt|dd)>"
)


def reading_grade(markdown: str) -> float | None:
    # Each list item or heading is read as a sentence of its own: without this,
    # a bulleted list (good plain-language style) would count as one endless
    # sentence and score far above its real reading level.
    html = _UNPUNCTUATED_BLOCK_END.sub(r"\1.\2\3</\4>", _markdown.render(markdown or ""))
    text = CITATION_RE.sub("", nh3.clean(html, tags=set())).strip()
    if len(text.split()) < 3:
        return None
    return round(float(textstat.flesch_kincaid_grade(text)), 1)


@dataclass
class ContentCheck:
    """What stands in the way of submitting (errors) and what a reviewer should notice (warnings)."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class SectionView:
    audience: str
    heading: str
    body: str
    reading_grade: float | None = None


def check_citations(
    section_bodies: Iterable[str], summary: str, reference_numbers: Sequence[int]
) -> ContentCheck:
    check = ContentCheck()
    cited: set[int] = set(cited_numbers(summary))
    for body in section_bodies:
        cited |= cited_numbers(body)
    numbers = list(reference_numbers)
    available = set(numbers)
    if sorted(numbers) != list(range(1, len(numbers) + 1)):
        check.errors.append(
            "References must be numbered 1 to n without gaps or repeats; found "
            + ", ".join(str(n) for n in sorted(numbers))
            + "."
        )
    missing = sorted(cited - available)
    if missing:
        check.errors.append(
            "The text cites references that do not exist: " + ", ".join(f"[{n}]" for n in missing) + "."
        )
    unused = sorted(available - cited)
    if unused:
        check.warnings.append("References nothing cites: " + ", ".join(f"[{n}]" for n in unused) + ".")
    return check


def check_version(version: ArticleVersion) -> ContentCheck:
    """Everything submit checks about a version's content."""
    sections = list(version.sections.all())
    references = list(version.references.all())
    check = check_citations((s.body for s in sections), version.summary, [r.number for r in references])

    if not version.title.strip():
        check.errors.append("The version needs a title.")
    complete = [
        audience
        for audience in Audience.values
        if (mine := [s for s in sections if s.audience == audience])
        and all(s.heading.strip() and s.body.strip() for s in mine)
    ]
    if not complete:
        check.errors.append(
            "At least one audience (patient or professional) needs its sections written, "
            "each with a heading and text."
        )
    if version.number > 1 and not version.change_summary.strip():
        check.errors.append(
            "Every version after the first needs a change summary saying what changed and why."
        )
    if version.is_correction and not version.correction_notice.strip():
        check.errors.append("A correction needs a correction notice for readers.")

    target = settings.VETTED["PATIENT_READING_GRADE_TARGET"]
    for section in sections:
        if section.audience == Audience.PATIENT and section.reading_grade and section.reading_grade > target:
            check.warnings.append(
                f'Patient section "{section.heading}" reads at grade {section.reading_grade:g}, '
                f"above the target of {target:g}."
            )
    return check


def compute_content_hash(version: ArticleVersion) -> str:
    """SHA-256 over everything a reader of this version would see."""
    document = {
        "title": version.title,
        "summary": version.summary,
        "change_summary": version.change_summary,
        "is_correction": version.is_correction,
        "correction_notice": version.correction_notice,
        "origin": version.origin,
        "generator": version.generator,
        "sections": [
            [s.audience, s.position, s.heading, s.body]
            for s in sorted(version.sections.all(), key=lambda s: (s.audience, s.position))
        ],
        "references": [
            [
                r.number,
                r.kind,
                r.authors,
                r.title,
                r.source,
                r.year,
                r.doi,
                r.pmid,
                r.url,
                r.accessed_on.isoformat() if r.accessed_on else None,
                r.evidence_level,
            ]
            for r in sorted(version.references.all(), key=lambda r: r.number)
        ],
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
