"""The index with its filters, the editorial policy, the feed, the sitemap and reader feedback."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from articles.drafting import SectionInput
from articles.models import Article, Audience
from public import views
from public.index import PublicArticleFilter, index_articles
from reviews.workflow import Action, perform
from site_content.feedback import set_feedback_status
from site_content.models import EditorialPolicy, Feedback, FeedbackStatus
from tests.factories import make_article, make_specialty, valid_content
from tests.public.public_setup import (
    ParsedPage,
    publish_article,
    publish_new_version,
    reviewer,
    second_version,
    start_new_version,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

SITE = settings.SITE_URL.rstrip("/")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def signer(db):
    return reviewer("signer", display_name="Dr Sig Ner")


def listed(client, query: str = "") -> list[str]:
    page = ParsedPage(client.get(f"/articles/{query}").content.decode())
    return [
        attrs["href"].split("/")[2]
        for tag, attrs in page.elements
        if tag == "a" and attrs.get("href", "").startswith("/articles/") and attrs["href"].count("/") == 3
    ]


def test_home_leads_to_the_index(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/articles/"


# --- the index -----------------------------------------------------------------------------------


def test_index_lists_published_articles_only(client, editor, managing, signer):
    publish_article(editor, managing, [signer], slug="public-one")
    make_article(editor, content=valid_content(title="Draft only"), slug="draft-only")
    archived = publish_article(editor, managing, [signer], slug="archived-one")
    perform(archived, Action.ARCHIVE, managing, reason="Retired.")
    assert listed(client) == ["public-one"]


def test_index_filters_by_specialty_audience_date_and_text(client, editor, managing, signer):
    cardio = make_specialty("cardiology", name="Cardiology")
    publish_article(editor, managing, [signer], slug="cervix")
    pro_only = valid_content(
        title="Statins after myocardial infarction",
        summary="Secondary prevention.",
        sections=[SectionInput(Audience.PROFESSIONAL, "Evidence", "Trials [1] and meta-analyses [2].")],
    )
    publish_article(editor, managing, [signer], content=pro_only, specialty=cardio, slug="statins")
    Article.objects.filter(slug="cervix").update(last_updated_at=timezone.now() - datetime.timedelta(days=30))

    assert listed(client, "?specialty=cardiology") == ["statins"]
    assert listed(client, "?audience=patient") == ["cervix"]
    assert listed(client, "?audience=professional") == ["statins"]
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert listed(client, f"?updated_since={since}") == ["statins"]
    assert listed(client, "?q=myocardial") == ["statins"]
    assert listed(client, "?q=secondary+prevention") == ["statins"]
    assert listed(client, "?q=nothing-matches-this") == []


def test_index_reports_invalid_filters_and_keeps_the_valid_ones(client, editor, managing, signer):
    publish_article(editor, managing, [signer], slug="cervix")
    response = client.get("/articles/?specialty=no-such&updated_since=not-a-date&q=cervical")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters could not be used" in html
    assert listed(client, "?specialty=no-such&q=cervical") == ["cervix"]


def test_index_search_matches_the_published_text_not_a_draft(client, editor, managing, signer):
    article = publish_article(editor, managing, [signer], slug="cervix")
    start_new_version(article, editor, managing, second_version(summary="UNREVIEWEDWORD appears here [1]."))
    assert listed(client, "?q=UNREVIEWEDWORD") == []


def test_index_paginates(client, editor, managing, signer, monkeypatch):
    monkeypatch.setattr(views, "INDEX_PAGE_SIZE", 2)
    for i in range(5):
        publish_article(editor, managing, [signer], slug=f"a{i}")
    first, third = listed(client, "?q=cervical"), listed(client, "?q=cervical&page=3")
    assert len(first) == 2 and len(third) == 1
    html = client.get("/articles/?q=cervical").content.decode()
    assert 'href="?q=cervical&amp;page=2" rel="next"' in html
    assert "Page 1 of 3" in html


def test_filterset_is_usable_without_the_page(editor, managing, signer):
    publish_article(editor, managing, [signer], slug="cervix")
    filterset = PublicArticleFilter({"audience": "professional"}, queryset=index_articles())
    assert list(filterset.qs) == []
    filterset = PublicArticleFilter({"audience": "patient"}, queryset=index_articles())
    assert [a.slug for a in filterset.qs] == ["cervix"]


# --- editorial policy --------------------------------------------------------------------------------


def test_policy_page_shows_the_latest_edition(client, db):
    EditorialPolicy.objects.create(
        body="# Old\n\nOLD-TEXT", published_at=timezone.now() - datetime.timedelta(1)
    )
    EditorialPolicy.objects.create(body="# How we review\n\nEvery article is **signed**.")
    html = client.get("/editorial-policy/").content.decode()
    assert "<h2>How we review</h2>" in html and "<strong>signed</strong>" in html
    assert "OLD-TEXT" not in html
    assert '<h2 id="disclaimer">Medical disclaimer</h2>' in html


def test_policy_edition_dated_in_the_future_waits_for_its_date(client, db):
    EditorialPolicy.objects.create(
        body="CURRENT-TEXT", published_at=timezone.now() - datetime.timedelta(days=1)
    )
    EditorialPolicy.objects.create(
        body="FUTURE-TEXT", published_at=timezone.now() + datetime.timedelta(days=1)
    )
    html = client.get("/editorial-policy/").content.decode()
    assert "CURRENT-TEXT" in html and "FUTURE-TEXT" not in html


def test_policy_page_has_a_default_text_before_any_edition(client, db):
    assert "How articles are written and reviewed" in client.get("/editorial-policy/").content.decode()


# --- feed and sitemap ---------------------------------------------------------------------------------


def test_atom_feed_lists_published_articles_with_their_update_times(client, editor, managing, signer):
    article = publish_article(editor, managing, [signer], slug="cervix")
    publish_new_version(article, editor, managing, [signer], second_version())
    make_article(editor, content=valid_content(title="Draft only"), slug="draft-only")
    article.refresh_from_db()
    response = client.get("/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    assert entry.findtext(f"{ATOM}title") == "Cervical insufficiency in pregnancy (updated)"
    assert entry.find(f"{ATOM}link").get("href") == f"{SITE}/articles/cervix/"
    updated = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
    assert updated == article.last_updated_at
    published = datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}published"))
    assert published == article.first_published_at


def test_sitemap_lists_public_articles_with_last_modified(client, editor, managing, signer):
    article = publish_article(editor, managing, [signer], slug="cervix")
    make_article(editor, content=valid_content(title="Draft only"), slug="draft-only")
    urls = ET.fromstring(client.get("/sitemap.xml").content).findall(f"{SITEMAP}url")
    locations = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in urls}
    assert locations[f"{SITE}/articles/cervix/"] == article.last_updated_at.date().isoformat()
    assert f"{SITE}/articles/draft-only/" not in locations
    assert {f"{SITE}/articles/", f"{SITE}/board/", f"{SITE}/editorial-policy/"} <= set(locations)


# --- reader feedback -------------------------------------------------------------------------------------


@pytest.fixture
def published(editor, managing, signer):
    return publish_article(editor, managing, [signer], slug="cervix")


def test_feedback_form_is_csrf_protected(published):
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post("/articles/cervix/feedback/", {"kind": "question", "message": "Why?"})
    assert response.status_code == 403
    assert not Feedback.objects.exists()
    form_page = csrf_client.get("/articles/cervix/feedback/?version=1&audience=patient")
    token = next(
        a["value"]
        for t, a in ParsedPage(form_page.content.decode()).elements
        if a.get("name") == "csrfmiddlewaretoken"
    )
    response = csrf_client.post(
        "/articles/cervix/feedback/",
        {"kind": "question", "message": "Why?", "csrfmiddlewaretoken": token, "version": "1"},
    )
    assert response.status_code == 302
    assert Feedback.objects.count() == 1


def test_feedback_is_stored_against_the_version_read(client, published, editor, managing, signer):
    publish_new_version(published, editor, managing, [signer], second_version())
    response = client.post(
        "/articles/cervix/feedback/",
        {
            "kind": "problem",
            "message": "  The dose in section 2 looks wrong.  ",
            "email": "reader@example.org",
            "version": "1",
            "audience": "patient",
        },
    )
    assert response["Location"] == "/articles/cervix/feedback/?sent=1"
    feedback = Feedback.objects.select_related("version").get()
    assert (feedback.article_id, feedback.version.number, feedback.kind) == (published.pk, 1, "problem")
    assert feedback.message == "The dose in section 2 looks wrong."
    assert feedback.status == FeedbackStatus.NEW and feedback.audience == "patient"
    assert "Thank you." in client.get(response["Location"]).content.decode()


def test_feedback_about_a_version_readers_never_saw_is_filed_against_the_published_one(
    client, published, editor, managing
):
    start_new_version(published, editor, managing, second_version())
    client.post("/articles/cervix/feedback/", {"kind": "question", "message": "Hm?", "version": "2"})
    assert Feedback.objects.select_related("version").get().version.number == 1


def test_feedback_needs_a_message(client, published):
    response = client.post("/articles/cervix/feedback/", {"kind": "question", "message": "   "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Feedback.objects.exists()


def test_feedback_honeypot_drops_bot_posts_quietly(client, published):
    response = client.post(
        "/articles/cervix/feedback/", {"kind": "question", "message": "Buy now", "website": "http://spam"}
    )
    assert response.status_code == 302
    assert not Feedback.objects.exists()


def test_dismissing_feedback_needs_a_reason(client, published, editor):
    client.post("/articles/cervix/feedback/", {"kind": "question", "message": "Why?"})
    feedback = Feedback.objects.get()
    with pytest.raises(ValidationError):
        set_feedback_status(feedback, FeedbackStatus.DISMISSED, by=editor, reason="  ")
    # The database refuses it too, whatever path the row takes.
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.filter(pk=feedback.pk).update(status=FeedbackStatus.DISMISSED, dismissal_reason="")
    set_feedback_status(
        feedback, FeedbackStatus.DISMISSED, by=editor, reason="Duplicate of an earlier report."
    )
    feedback.refresh_from_db()
    assert feedback.status == "dismissed" and feedback.handled_by_id == editor.pk and feedback.handled_at


def test_feedback_for_an_unpublished_article_is_not_found(client, editor):
    article = make_article(editor)
    response = client.post(f"/articles/{article.slug}/feedback/", {"kind": "question", "message": "x"})
    assert response.status_code == 404
    assert not Feedback.objects.exists()
