"""The public article page: what readers see, and what they never see."""

from dataclasses import replace

import pytest
from django.utils import timezone

from articles.drafting import SectionInput
from articles.models import Article, ArticleState, Audience, Origin
from reviews.models import ConflictOfInterest, Review
from reviews.workflow import Action, perform
from tests.factories import (
    make_article,
    make_assignment,
    make_user,
    reread,
    submit,
    valid_content,
)
from tests.public.public_setup import (
    ParsedPage,
    json_ld,
    publish_article,
    publish_new_version,
    reviewer,
    second_version,
    start_new_version,
)
from tests.reviews.helpers import approve, make_reviewer, ready_to_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def url(article) -> str:
    return f"/articles/{article.slug}/"


def both_audiences(**overrides):
    return valid_content(
        sections=[
            SectionInput(Audience.PATIENT, "For patients", "Plain words for patients [1]."),
            SectionInput(
                Audience.PROFESSIONAL, "For clinicians", "Cerclage indications per guideline [1, 2]."
            ),
        ],
        **overrides,
    )


@pytest.fixture
def ana(db):
    return reviewer("ana", display_name="Dr Ana Reyes", credentials="MD, FACOG")


@pytest.fixture
def ben(db):
    return reviewer("ben", display_name="Dr Ben Osei", credentials="MBChB")


@pytest.fixture
def published(editor, managing, ana):
    return publish_article(editor, managing, [ana])


# --- what the page shows ----------------------------------------------------------------------


def test_published_article_shows_title_badge_dates_and_policy_link(client, published):
    html = client.get(url(published)).content.decode()
    assert '<h1 id="article-title">Cervical insufficiency in pregnancy</h1>' in html
    assert (
        '<a href="/board/"><strong>Medical Advisory Board:</strong> all articles are reviewed for '
        "accuracy by our Medical Advisory Board</a>"
    ) in html
    updated = timezone.localtime(published.last_updated_at)
    assert f'Last updated <time datetime="{updated.isoformat()}">{updated:%-d %B %Y}</time>' in html
    assert '<a href="/editorial-policy/">View editorial policy</a>' in html


def test_tracker_marks_approved_as_the_current_step_of_a_published_version(client, published):
    page = ParsedPage(client.get(url(published)).content.decode())
    steps = [
        attrs for tag, attrs in page.elements if tag == "li" and "tracker__step" in attrs.get("class", "")
    ]
    assert [s.get("aria-current") for s in steps] == [None, None, "step"]
    assert all("is-done" in s["class"] for s in steps)


def test_reviewed_by_lists_each_approving_signature_with_profile_link_and_dates(
    client, editor, managing, ana, ben
):
    article = publish_article(editor, managing, [ana, ben])
    html = client.get(url(article)).content.decode()
    for review in Review.objects.filter(version=article.published_version):
        signed = timezone.localtime(review.signed_at)
        assert (
            f'<a href="/board/{review.reviewer_id}/">{review.signer_name}</a>, {review.signer_credentials}'
            in html
        )
        assert f'<time datetime="{signed.isoformat()}">{signed:%-d %B %Y}</time>' in html
    assert f'Next review due by <time datetime="{article.next_review_due:%Y-%m-%d}">' in html


def test_reviewer_comments_never_reach_readers(client, published):
    other = make_user("commenter")
    assignment = make_assignment(published.published_version, other, published.owner, status="completed")
    Review.objects.create(
        assignment=assignment,
        version=published.published_version,
        reviewer=assignment.reviewer,
        decision="request_changes",
        comments="SECRET-REVIEWER-COMMENT",
    )
    for path in (url(published), f"{url(published)}history/"):
        assert "SECRET-REVIEWER-COMMENT" not in client.get(path).content.decode()


def test_sections_cite_references_and_references_link_back(client, editor, managing, ana):
    content = valid_content(
        sections=[SectionInput(Audience.PATIENT, "What it is", "First [1]. Both [1, 2]. Range [1-2].")]
    )
    article = publish_article(editor, managing, [ana], content=content)
    html = client.get(url(article)).content.decode()
    page = ParsedPage(html)
    citation_links = [a for t, a in page.elements if t == "a" and a.get("href", "").startswith("#ref-")]
    assert [a["href"] for a in citation_links] == ["#ref-1", "#ref-1", "#ref-2", "#ref-1", "#ref-2"]
    assert [a.get("id") for a in citation_links] == ["cite-1", "cite-2", None, "cite-3", None]
    assert page.by_id("ref-1")[0] == "li" and page.by_id("ref-2")[0] == "li"
    backlinks = [a["href"] for t, a in page.elements if t == "a" and "ref-backlink" in a.get("class", "")]
    # Reference 1 is cited three times, reference 2 twice (once inside the range).
    assert backlinks == ["#cite-1", "#cite-2", "#cite-3", "#cite-2", "#cite-3"]


def test_references_are_grouped_by_kind_with_doi_and_pubmed_links(client, published):
    html = client.get(url(published)).content.decode()
    guideline = html.index('<h3 class="references__kind">Guideline</h3>')
    review = html.index('<h3 class="references__kind">Systematic review</h3>')
    assert guideline < html.index('id="ref-1"') < review < html.index('id="ref-2"')
    assert 'href="https://doi.org/10.1097/01.AOG.0000444454.47626.ab"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/28586127/"' in html
    assert "Alfirevic Z, Stampalija T, Medley N." in html
    assert 'Cochrane Database of Systematic Reviews</span>, <span class="ref-year">2017</span>' in html


def test_machine_drafted_article_says_so_and_names_its_reviewers(client, editor, managing, ana, ben):
    article = publish_article(editor, managing, [ana, ben], origin=Origin.MACHINE, generator="MedDraft 2.1")
    html = client.get(url(article)).content.decode()
    assert (
        "This article was first drafted by MedDraft 2.1 and reviewed by Dr Ana Reyes and Dr Ben Osei "
        "of our Medical Advisory Board."
    ) in html


def test_human_written_article_makes_no_machine_statement(client, published):
    assert "first drafted by" not in client.get(url(published)).content.decode()


def test_correction_notice_shows_only_on_the_version_that_corrects(client, editor, managing, ana, published):
    assert "notice--correction" not in client.get(url(published)).content.decode()
    corrected = second_version(is_correction=True, correction_notice="The dose in version 1 was wrong.")
    publish_new_version(published, editor, managing, [ana], corrected)
    html = client.get(url(published)).content.decode()
    assert '<h2 id="correction">Correction</h2>' in html
    assert "The dose in version 1 was wrong." in html


def test_page_links_history_feedback_and_carries_a_disclaimer(client, published):
    html = client.get(url(published)).content.decode()
    assert f'href="/articles/{published.slug}/history/"' in html
    assert f'href="/articles/{published.slug}/feedback/?version=1&amp;audience=patient"' in html
    assert '<h2 id="disclaimer">Medical disclaimer</h2>' in html
    assert "does not replace advice from a doctor" in html


# --- audiences ---------------------------------------------------------------------------------


def test_default_audience_is_patient_and_query_switches_to_professional(client, editor, managing, ana):
    article = publish_article(editor, managing, [ana], content=both_audiences())
    assert "For patients" in client.get(url(article)).content.decode()
    html = client.get(url(article) + "?audience=professional").content.decode()
    assert "For clinicians" in html and "For patients" not in html


def test_choice_control_remembers_the_reader_in_a_cookie(client, editor, managing, ana):
    article = publish_article(editor, managing, [ana], content=both_audiences())
    response = client.get(url(article) + "?reader=professional")
    assert response.status_code == 302
    assert response["Location"] == url(article) + "?audience=professional"
    assert response.cookies["vetted_reader"].value == "professional"
    # The remembered choice applies to a later visit without any query string.
    assert "For clinicians" in client.get(url(article)).content.decode()


def test_students_are_shown_the_professional_version_and_told_so(client, editor, managing, ana):
    article = publish_article(editor, managing, [ana], content=both_audiences())
    response = client.get(url(article) + "?reader=student")
    assert response["Location"] == url(article) + "?audience=professional"
    html = client.get(url(article)).content.decode()
    assert "For clinicians" in html
    assert "Students see the version written for healthcare professionals." in html
    radio = ParsedPage(html).by_id("reader-student")[1]
    assert "checked" in radio


def test_query_overrides_the_remembered_choice_without_changing_it(client, editor, managing, ana):
    article = publish_article(editor, managing, [ana], content=both_audiences())
    client.cookies["vetted_reader"] = "professional"
    response = client.get(url(article) + "?audience=patient")
    assert "For patients" in response.content.decode()
    assert "vetted_reader" not in response.cookies
    assert "For clinicians" in client.get(url(article)).content.decode()


def test_unknown_cookie_and_query_values_fall_back_to_the_default(client, editor, managing, ana):
    article = publish_article(editor, managing, [ana], content=both_audiences())
    client.cookies["vetted_reader"] = "<script>"
    assert "For patients" in client.get(url(article) + "?audience=alien").content.decode()


def test_a_cached_page_carries_nothing_of_the_reader_who_caused_it(client, published):
    staff = make_user("zq-staff-viewer", is_staff=True)
    client.force_login(staff)
    client.get(url(published))
    client.logout()
    html = client.get(url(published)).content.decode()
    assert "csrfmiddlewaretoken" not in html and "zq-staff-viewer" not in html


def test_page_varies_on_cookie(client, published):
    assert "Cookie" in client.get(url(published))["Vary"]


def test_single_audience_article_says_so_when_the_other_is_asked_for(client, editor, managing, ana):
    content = valid_content(
        sections=[SectionInput(Audience.PROFESSIONAL, "For clinicians", "Guideline [1], review [2].")]
    )
    article = publish_article(editor, managing, [ana], content=content)
    html = client.get(url(article) + "?audience=patient").content.decode()
    assert "For clinicians" in html
    assert "There is no version of this article for the reader you chose yet." in html
    assert "This article has only one version, written for healthcare professionals." in html


# --- only published text, never stale ------------------------------------------------------------


def test_new_published_version_replaces_the_old_one_at_once(client, editor, managing, ana, published):
    assert "What it is" in client.get(url(published)).content.decode()
    publish_new_version(published, editor, managing, [ana], second_version())
    html = client.get(url(published)).content.decode()
    assert "Cervical insufficiency in pregnancy (updated)" in html
    assert "What changed" in html and "What it is" not in html


def test_archived_article_is_gone_at_once(client, managing, published):
    assert client.get(url(published)).status_code == 200
    perform(published, Action.ARCHIVE, managing, reason="Superseded by a new article.")
    for path in (url(published), f"{url(published)}history/", f"{url(published)}feedback/"):
        assert client.get(path).status_code == 404


@pytest.mark.parametrize("state", ["draft", "submitted", "under_review", "approved"])
def test_never_published_articles_are_not_found(client, editor, managing, ana, state):
    article = make_article(editor)
    if state != "draft":
        article = submit(article, editor)
    if state in ("under_review", "approved"):
        perform(article, Action.START_REVIEW, managing)
    if state == "approved":
        Article.objects.filter(pk=article.pk).update(state="approved")
    for path in (
        url(article),
        f"{url(article)}history/",
        f"{url(article)}feedback/",
        f"{url(article)}versions/1/",
    ):
        assert client.get(path).status_code == 404


def test_unknown_slug_is_not_found(client, db):
    assert client.get("/articles/no-such-article/").status_code == 404
    assert client.get("/articles/" + "x" * 300 + "/").status_code == 404


UNSIGNED = "UNSIGNED-V2"


def unsigned_second_version():
    """Version 2 with a marker in every field a reader could be shown: title, summary, a
    section, a reference."""
    first = valid_content().references
    return second_version(
        title=f"Cervical insufficiency {UNSIGNED} title",
        summary=f"{UNSIGNED} summary nobody signed [1].",
        sections=[SectionInput(Audience.PATIENT, f"{UNSIGNED} heading", f"{UNSIGNED} advice [1] [2].")],
        references=[replace(first[0], title=f"{UNSIGNED} source"), *first[1:]],
    )


def everything_readers_see(client, article) -> dict[str, str]:
    """Every public page and answer that shows this article, by path."""
    page = url(article)
    paths = [
        page,
        f"{page}?audience=professional",
        f"{page}history/",
        "/articles/",
        # The search box echoes the query: asked in lower case, so only a result can hold the
        # marker (the search ignores case).
        f"/articles/?q={UNSIGNED.lower()}",
        "/feed.atom",
        "/sitemap.xml",
        "/api/v1/public/articles/",
        f"/api/v1/public/articles/{article.slug}/",
        f"/api/v1/public/articles/{article.slug}/?audience=professional",
    ]
    seen = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        seen[path] = response.content.decode()
    return seen


def test_readers_see_only_approved_text_while_a_new_version_is_under_review(
    client, editor, managing, published
):
    """Issue 14, "readers see only what was approved": a newer version is never shown to readers
    before it is published, not while it is under review and not once approved either (the site
    once had a switch that showed it under a caution banner)."""
    before = everything_readers_see(client, published)
    assert "What it is" in before[url(published)]
    facts_before = json_ld(before[url(published)])

    article = start_new_version(published, editor, managing, unsigned_second_version())
    assert article.state == ArticleState.UNDER_REVIEW
    under_review = everything_readers_see(client, article)

    # Approved through the signing path itself (password, checklist), then not yet published.
    approve(ready_to_review(article, make_reviewer("cleo", article.specialty), managing))
    assert reread(article).state == ArticleState.APPROVED
    approved = everything_readers_see(client, article)

    for seen in (under_review, approved):
        for path, body in seen.items():
            assert UNSIGNED not in body, path
            assert "pending human review" not in body, path
        assert json_ld(seen[url(published)]) == facts_before
        assert seen == before
    assert client.get(f"{url(published)}versions/2/").status_code == 404


# --- history --------------------------------------------------------------------------------------


def test_history_lists_published_versions_only(client, editor, managing, ana, published):
    publish_new_version(published, editor, managing, [ana], second_version())
    start_new_version(published, editor, managing, second_version(change_summary="DRAFT-ONLY-SUMMARY"))
    html = client.get(f"{url(published)}history/").content.decode()
    assert "Added the 2024 guideline on progesterone." in html
    assert 'Version 2</a> <span class="tag">current</span>' in html
    assert f'href="/articles/{published.slug}/versions/1/"' in html
    assert "DRAFT-ONLY-SUMMARY" not in html and "Version 3" not in html


def test_an_earlier_version_stays_readable_with_its_own_reviewers(
    client, editor, managing, ana, ben, published
):
    publish_new_version(published, editor, managing, [ben], second_version())
    html = client.get(f"{url(published)}versions/1/").content.decode()
    assert "What it is" in html and "You are reading version 1" in html
    assert "Dr Ana Reyes" in html and "Dr Ben Osei" not in html
    assert '<meta name="robots" content="noindex">' in html
    assert client.get(f"{url(published)}versions/2/")["Location"] == url(published)


# --- the board -----------------------------------------------------------------------------------


def test_board_member_profile_shows_disclosures_without_naming_unpublished_articles(
    client, editor, managing, ana, published
):
    member = Review.objects.select_related("reviewer").get(version=published.published_version).reviewer
    secret = make_article(editor, content=valid_content(title="SECRET-UNPUBLISHED-TITLE"))
    ConflictOfInterest.objects.create(member=member, kind="topic", topic="Advisory fees from Acme Pharma")
    ConflictOfInterest.objects.create(member=member, kind="article", article=secret, details="Co-author")
    html = client.get(f"/board/{member.pk}/").content.decode()
    assert "Advisory fees from Acme Pharma" in html
    assert "An article not yet published" in html and "SECRET-UNPUBLISHED-TITLE" not in html
    assert f'href="/articles/{published.slug}/"' in html  # articles they reviewed


def test_board_page_lists_active_members_only(client, ana, ben):
    from reviews.models import BoardMember

    BoardMember.objects.filter(user=ben).update(is_active=False)
    html = client.get("/board/").content.decode()
    assert "Dr Ana Reyes" in html and "MD, FACOG" in html and "Dr Ben Osei" not in html


def test_former_member_profile_stays_public_only_if_their_signature_is(client, ana, ben, published):
    from reviews.models import BoardMember

    BoardMember.objects.update(is_active=False)
    signed = Review.objects.select_related("reviewer").get(version=published.published_version).reviewer
    never_signed = BoardMember.objects.get(user=ben)
    assert client.get(f"/board/{signed.pk}/").status_code == 200
    assert client.get(f"/board/{never_signed.pk}/").status_code == 404


def test_every_id_on_the_page_is_unique(client, editor, managing, ana, ben):
    content = valid_content(
        sections=[
            SectionInput(Audience.PATIENT, "One", "A [1]. B [2]."),
            SectionInput(Audience.PATIENT, "Two", "C [1, 2]. D [1-2]."),
            SectionInput(Audience.PROFESSIONAL, "Pro", "E [1]."),
        ]
    )
    article = publish_article(
        editor, managing, [ana, ben], content=content, origin=Origin.MACHINE, generator="G"
    )
    for query in ("", "?audience=professional"):
        ids = [
            a["id"]
            for t, a in ParsedPage(client.get(url(article) + query).content.decode()).elements
            if "id" in a
        ]
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
