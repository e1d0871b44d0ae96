"""seed_demo: the path `make run` takes. Safe to run twice; everything through the real workflow."""

from collections import Counter
from io import StringIO

from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from accounts.roles import EDITOR, MANAGING_EDITOR, REVIEWER
from articles.content import check_version, compute_content_hash
from articles.models import Article, ArticleState, ArticleVersion, Audience, Reference, Section, Specialty
from audit.models import AuditEvent
from audit.verify import verify as verify_trail
from reviews.models import BoardMember, Decision, Review, ReviewAssignment

CERVICAL = "cervical-insufficiency-in-pregnancy"
LOGINS = {
    "editor": EDITOR,
    "editor2": EDITOR,
    "managing": MANAGING_EDITOR,
    "reviewer": REVIEWER,
    "reviewer2": REVIEWER,
}


def counts() -> dict[str, int]:
    models = [
        get_user_model(),
        Specialty,
        BoardMember,
        Article,
        ArticleVersion,
        Section,
        Reference,
        ReviewAssignment,
        Review,
        AuditEvent,
    ]
    return {model.__name__: model.objects.count() for model in models}


# The demo signs approvals with the password; a fast hasher keeps this quick.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class SeedDemoTests(TestCase):
    """Seeded once for the class (setUpTestData); each test runs in its own rolled-back transaction."""

    @classmethod
    def setUpTestData(cls):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        cls.output = out.getvalue()

    def test_running_it_twice_creates_no_duplicates(self):
        before = counts()

        call_command("seed_demo", stdout=StringIO())

        assert counts() == before
        assert before["Article"] >= 6
        assert verify_trail().ok

    def test_people_specialties_and_the_board_are_each_one_audit_event(self):
        # Property 4 (issue 14): a command is a door too. The second run above writes nothing.
        actions = Counter(AuditEvent.objects.values_list("action", flat=True))
        assert actions["account.created"] == len(LOGINS) + 1  # and the superuser
        assert actions["specialty.created"] == Specialty.objects.count()
        assert actions["board.member_added"] == actions["board.credentials_verified"] == 2
        verified = AuditEvent.objects.filter(action="board.credentials_verified").select_related("actor")
        assert {e.actor.username for e in verified} == {"managing"}

    def test_it_prints_every_demo_login(self):
        for username in [*LOGINS, "admin"]:
            assert username in self.output
        assert "vetted-demo" in self.output

    def test_the_demo_logins_use_the_demo_password_and_their_roles(self):
        for username, group in LOGINS.items():
            user = authenticate(username=username, password="vetted-demo")
            assert user is not None, username
            assert user.groups.filter(name=group).exists()
        admin = authenticate(username="admin", password="vetted-demo")
        assert admin.is_superuser
        staff = set(get_user_model().objects.filter(is_staff=True).values_list("username", flat=True))
        assert {"editor", "editor2", "managing", "admin"} <= staff

    def test_both_reviewers_cover_obstetrics_and_one_more_specialty(self):
        covered = {
            m.user.username: set(m.specialties.values_list("slug", flat=True))
            for m in BoardMember.objects.select_related("user")
        }
        assert covered == {"reviewer": {"obstetrics"}, "reviewer2": {"obstetrics", "cardiology"}}
        assert all(m.credentials_current() for m in BoardMember.objects.all())

    def test_the_articles_cover_the_workflows_states_each_reached_through_it(self):
        states = set(Article.objects.values_list("state", flat=True))
        assert {
            ArticleState.DRAFT,
            ArticleState.SUBMITTED,
            ArticleState.UNDER_REVIEW,
            ArticleState.CHANGES_REQUESTED,
            ArticleState.PUBLISHED,
            ArticleState.ARCHIVED,
        } <= states
        # Never set by hand: each article's current state is the outcome of its last audited step.
        for article in Article.objects.all():
            last = (
                AuditEvent.objects.filter(article=article, action__startswith="article.")
                .order_by("-seq")
                .first()
            )
            assert last.state_after == article.state, article.slug

    def test_the_cervical_insufficiency_article_is_published_for_patients_and_professionals(self):
        article = Article.objects.select_related("published_version").get(slug=CERVICAL)
        version = article.published_version

        assert article.state == ArticleState.PUBLISHED
        assert set(version.sections.values_list("audience", flat=True)) == {
            Audience.PATIENT,
            Audience.PROFESSIONAL,
        }
        kinds = set(version.references.values_list("kind", flat=True))
        assert "guideline" in kinds
        assert kinds & {"rct", "systematic_review", "research"}
        assert check_version(version).ok
        assert check_version(version).warnings == []  # every reference cited, patient text readable
        approvals = Review.objects.filter(version=version, decision=Decision.APPROVE)
        assert approvals.count() == 2
        assert {a.signed_content_hash for a in approvals} == {compute_content_hash(version)}

    def test_the_demo_editor_sees_the_articles_and_their_trail_in_the_admin(self):
        self.client.force_login(get_user_model().objects.get(username="editor"))
        article = Article.objects.get(slug=CERVICAL)

        listing = self.client.get(reverse("admin:articles_article_changelist")).content.decode()
        page = self.client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()

        assert article.title in listing
        assert "article.publish" in page
        assert "review.signed" in page
