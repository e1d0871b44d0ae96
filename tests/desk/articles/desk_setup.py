"""Helpers for the editor's workspace tests (tests/desk/articles/)."""

from __future__ import annotations

from html.parser import HTMLParser

from django.test import Client

from articles.models import Article


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


class _InlineFinder(HTMLParser):
    """Collects everything a strict Content-Security-Policy would refuse to run or apply."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs) -> None:
        names = {name.lower(): value for name, value in attrs}
        for name, value in names.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> inline event handler")
            if name == "style":
                self.problems.append(f"<{tag} style=…> inline style")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            data_block = (names.get("type") or "").lower() == "application/ld+json"
            if not names.get("src") and not data_block:
                self.problems.append("inline <script>")


def csp_problems(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def draft_post_data(article: Article, **overrides) -> dict[str, str]:
    """The editor form as the browser sends it for the article's working draft, unchanged:
    every section and reference row as stored, no blank rows. ``overrides`` replace or add keys."""
    version = article.working_draft()
    data: dict[str, str] = {
        "revision": str(version.revision),
        "title": version.title,
        "specialty": str(article.specialty_id),
        "summary": version.summary,
        "change_summary": version.change_summary,
        "correction_notice": version.correction_notice,
        "save": "1",
    }
    if version.is_correction:
        data["is_correction"] = "on"
    for audience in ("patient", "professional"):
        sections = [s for s in version.sections.order_by("position") if s.audience == audience]
        data.update(_management(audience, len(sections)))
        for i, section in enumerate(sections):
            data.update(
                {
                    f"{audience}-{i}-heading": section.heading,
                    f"{audience}-{i}-body": section.body,
                    f"{audience}-{i}-ORDER": str(i + 1),
                }
            )
    references = list(version.references.order_by("number"))
    data.update(_management("refs", len(references)))
    for i, ref in enumerate(references):
        data.update(
            {
                f"refs-{i}-ORDER": str(ref.number),
                f"refs-{i}-kind": ref.kind,
                f"refs-{i}-title": ref.title,
                f"refs-{i}-authors": ref.authors,
                f"refs-{i}-source": ref.source,
                f"refs-{i}-year": str(ref.year),
                f"refs-{i}-doi": ref.doi,
                f"refs-{i}-pmid": ref.pmid,
                f"refs-{i}-url": ref.url,
                f"refs-{i}-accessed_on": ref.accessed_on.isoformat() if ref.accessed_on else "",
                f"refs-{i}-evidence_level": ref.evidence_level,
            }
        )
    data.update(overrides)
    return data


def _management(prefix: str, count: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(count),
        f"{prefix}-INITIAL_FORMS": str(count),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
