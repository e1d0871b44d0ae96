"""Machine-readable review facts: schema.org JSON-LD, canonical link, Open Graph and Twitter tags."""

import pytest
from django.conf import settings

from articles.drafting import ReferenceInput, SectionInput
from articles.markdown import text_of
from articles.models import Article, Audience, ReferenceKind
from reviews.models import Decision, Review
from tests.factories import valid_content
from tests.public.public_setup import (
    ParsedPage,
    json_ld,
    publish_article,
    reviewer,
    second_version,
    start_new_version,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

SITE = settings.SITE_URL.rstrip("/")


@pytest.fixture
def article(editor, managing):
    ana = reviewer("ana", display_name="Dr Ana Reyes", credentials="MD, FACOG")
    ben = reviewer("ben", display_name="Dr Ben Osei", credentials="MBChB")
    content = valid_content(
        summary="What cervical insufficiency is [1] & how it's treated.",
        sections=[
            SectionInput(Audience.PATIENT, "For patients", "Plain words [1]."),
            SectionInput(Audience.PROFESSIONAL, "For clinicians", "Indications [1, 2, 3]."),
        ],
        references=[
            *valid_content().references,
            ReferenceInput(
                number=3,
                kind=ReferenceKind.RCT,
                title="A trial with only a PubMed id",
                source="Lancet",
                year=2020,
                pmid="31234567",
            ),
        ],
    )
    return publish_article(editor, managing, [ana, ben], content=content)


def facts(client, path: str) -> dict:
    blocks = json_ld(client.get(path).content.decode())
    assert len(blocks) == 1
    return blocks[0]


def test_json_ld_matches_the_database(client, article):
    data = facts(client, f"/articles/{article.slug}/")
    version = article.published_version
    page_url = f"{SITE}/articles/{article.slug}/"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["url"] == page_url
    assert data["name"] == version.title
    assert (
        data["description"]
        == text_of(version.summary)
        == "What cervical insufficiency is & how it's treated."
    )
    assert data["datePublished"] == article.first_published_at.isoformat()
    assert data["dateModified"] == article.last_updated_at.isoformat()
    assert data["lastReviewed"] == article.last_reviewed_at.isoformat()
    assert data["about"] == {"@type": "MedicalSpecialty", "name": article.specialty.name}
    assert data["audience"]["@type"] == "MedicalAudience"
    assert data["audience"]["audienceType"] == "Patient"
    assert data["publisher"] == {"@type": "Organization", "name": "Vetted", "url": f"{SITE}/"}

    approvals = Review.objects.filter(version=version, decision=Decision.APPROVE).order_by("signed_at", "pk")
    assert [p["name"] for p in data["reviewedBy"]] == [a.signer_name for a in approvals]
    for person, approval in zip(data["reviewedBy"], approvals, strict=True):
        assert person["@type"] == "Person"
        assert person["url"] == f"{SITE}/board/{approval.reviewer_id}/"
        assert person["honorificSuffix"] == approval.signer_credentials
        assert [c["name"] for c in person["hasCredential"]] == [
            c.strip() for c in approval.signer_credentials.split(",")
        ]

    references = list(version.references.order_by("number"))
    assert [c["name"] for c in data["citation"]] == [r.title for r in references]
    for citation, reference in zip(data["citation"], references, strict=True):
        links = [citation.get("url"), *citation.get("sameAs", [])]
        if reference.doi:
            assert citation["url"] == f"https://doi.org/{reference.doi}"
        if reference.pmid:
            assert f"https://pubmed.ncbi.nlm.nih.gov/{reference.pmid}/" in links
        assert citation["datePublished"] == str(reference.year)


def test_json_ld_audience_follows_the_version_shown(client, article):
    data = facts(client, f"/articles/{article.slug}/?audience=professional")
    assert data["audience"]["audienceType"] == "Clinician"
    assert data["url"] == f"{SITE}/articles/{article.slug}/?audience=professional"


def test_a_newer_version_under_review_changes_nothing_in_the_facts(client, article, editor, managing):
    path = f"/articles/{article.slug}/"
    before = facts(client, path)
    start_new_version(
        article,
        editor,
        managing,
        second_version(
            summary="A NEW SUMMARY nobody has reviewed [1].",
            references=[
                ReferenceInput(number=1, kind="other", title="UNREVIEWED SOURCE", source="x", year=2024),
                *valid_content().references[1:],
            ],
        ),
    )
    assert Article.objects.get(pk=article.pk).state == "under_review"
    assert facts(client, path) == before


def test_canonical_open_graph_and_twitter_tags(client, article):
    page = ParsedPage(client.get(f"/articles/{article.slug}/").content.decode())
    canonical = f"{SITE}/articles/{article.slug}/"
    assert page.link("canonical") == canonical
    assert page.meta("og:url") == canonical
    assert page.meta("og:type") == "article"
    assert page.meta("og:title") == article.published_version.title
    assert page.meta("og:description") == text_of(article.published_version.summary)
    assert page.meta("article:modified_time") == article.last_updated_at.isoformat()
    assert page.meta("article:published_time") == article.first_published_at.isoformat()
    assert page.meta("twitter:card") == "summary"
    assert page.meta("twitter:title") == article.published_version.title
    assert page.meta("description") == text_of(article.published_version.summary)


def test_canonical_ignores_the_request_host(client, article):
    page = ParsedPage(client.get(f"/articles/{article.slug}/", HTTP_HOST="localhost").content.decode())
    assert page.link("canonical").startswith(SITE)


def test_json_ld_cannot_be_closed_from_inside(client, editor, managing):
    ana = reviewer("ana", display_name="Dr </script><script>alert(1)</script>", credentials="MD")
    title = "Title </script><script>alert(1)</script> <!-- x"
    article = publish_article(editor, managing, [ana], content=valid_content(title=title))
    html = client.get(f"/articles/{article.slug}/").content.decode()
    data = json_ld(html)[0]
    # The script element holds the text unchanged once parsed, and nothing outside it.
    assert data["name"] == title
    assert data["reviewedBy"][0]["name"] == "Dr </script><script>alert(1)</script>"
    start = html.index('<script type="application/ld+json">')
    body = html[start + len('<script type="application/ld+json">') : html.index("</script>", start)]
    assert "<" not in body and ">" not in body
