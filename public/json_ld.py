"""The article page's machine-readable review facts: schema.org JSON-LD for search engines and
other readers of metadata, always describing the reviewed (published) text."""

from __future__ import annotations

from typing import Any

from articles.models import Audience
from articles.references import ReferenceFact

from .pages import SITE_NAME, ArticlePage, canonical_path, site_url
from .render_cache import ReviewerFact

_SCHEMA_AUDIENCE = {
    Audience.PATIENT: {"@type": "MedicalAudience", "audienceType": "Patient", "name": Audience.PATIENT.label},
    Audience.PROFESSIONAL: {
        "@type": "MedicalAudience",
        "audienceType": "Clinician",
        "name": Audience.PROFESSIONAL.label,
    },
}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _person(reviewer: ReviewerFact) -> dict[str, Any]:
    credentials = [c.strip() for c in reviewer.credentials.split(",") if c.strip()]
    return {
        "@type": "Person",
        "name": reviewer.name,
        "honorificSuffix": reviewer.credentials,
        "hasCredential": [{"@type": "EducationalOccupationalCredential", "name": c} for c in credentials],
        "url": site_url(reviewer.profile_path),
    }


def _citation(reference: ReferenceFact) -> dict[str, Any]:
    item: dict[str, Any] = {
        "@type": "CreativeWork",
        "name": reference.title,
        "datePublished": str(reference.year),
    }
    if reference.authors:
        item["author"] = reference.authors
    if reference.source:
        item["publisher"] = reference.source
    links = reference.links
    if links:
        item["url"] = links[0]
    if len(links) > 1:
        item["sameAs"] = links[1:]
    identifiers = [
        {"@type": "PropertyValue", "propertyID": name, "value": value}
        for name, value in (("DOI", reference.doi), ("PMID", reference.pmid))
        if value
    ]
    if identifiers:
        item["identifier"] = identifiers
    return item


def review_facts(page: ArticlePage, reviewers: tuple[ReviewerFact, ...]) -> dict[str, Any]:
    """schema.org ``MedicalWebPage`` for the reviewed (published) text, with the dates readers see.

    A newer version under review changes nothing here: every fact comes from the
    published version and the article's publication dates.
    """
    article, version = page.article, page.published
    url = site_url(canonical_path(article, page))
    return {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": version.title,
        "headline": version.title,
        "description": version.summary_text,
        "inLanguage": "en",
        "datePublished": _iso(article.first_published_at),
        "dateModified": _iso(article.last_updated_at),
        "lastReviewed": _iso(article.last_reviewed_at),
        "reviewedBy": [_person(r) for r in reviewers],
        "audience": _SCHEMA_AUDIENCE[Audience(version.audience)],
        "about": {"@type": "MedicalSpecialty", "name": article.specialty_name},
        "specialty": {"@type": "MedicalSpecialty", "name": article.specialty_name},
        "citation": [_citation(r) for r in version.references],
        "publisher": {"@type": "Organization", "name": SITE_NAME, "url": site_url("/")},
    }
