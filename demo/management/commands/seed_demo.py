"""Load the demo: logins in every role, specialties, board members and articles in several states.

Idempotent: people and specialties are created or brought back in line, and an
article whose slug already exists is left alone. Every article is driven to its
state through the real code (``articles.drafting``, ``reviews.workflow``,
``reviews.assignments``, ``reviews.decisions``), each in one transaction, so the
audit trail holds exactly what happened and ``verify_audit`` passes.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.changes import create_account, update_account
from accounts.roles import EDITOR, MANAGING_EDITOR, REVIEWER, ensure_role_groups
from articles.drafting import create_article
from articles.models import Article, ArticleState, Specialty
from articles.review_policy import add_specialty, update_specialty
from audit.log import LogError, seal_all
from core.errors import DomainError
from demo.content import ARTICLES, SPECIALTIES, DemoArticle
from reviews.assignments import accept_assignment, assign_reviewer, declare_conflict
from reviews.decisions import submit_review
from reviews.membership import add_board_member, verify_credentials
from reviews.models import CHECKLIST_ITEMS, BoardMember, ConflictCategory, Decision, ReviewAssignment
from reviews.workflow import Action, perform

S = ArticleState
PASSWORD = "vetted-demo"


# username: (first name, last name, group, is_staff)
PEOPLE: dict[str, tuple[str, str, str | None, bool]] = {
    "editor": ("Maya", "Lindqvist", EDITOR, True),
    "editor2": ("Tom", "Becker", EDITOR, True),
    "managing": ("Priya", "Raman", MANAGING_EDITOR, True),
    "reviewer": ("Helen", "Marsh", REVIEWER, False),
    "reviewer2": ("Samuel", "Adeyemi", REVIEWER, False),
}
SUPERUSER = "admin"

# username: (display name, credentials, specialty slugs, bio)
BOARD: dict[str, tuple[str, str, list[str], str]] = {
    "reviewer": (
        "Dr Helen Marsh",
        "MD, FACOG",
        ["obstetrics"],
        "Obstetrician and gynecologist with a special interest in preterm birth prevention.",
    ),
    "reviewer2": (
        "Dr Samuel Adeyemi",
        "MD, FACOG, FACC",
        ["obstetrics", "cardiology"],
        "Obstetrician and cardiologist; runs a clinic for heart disease in pregnancy.",
    ),
}

APPROVAL_COMMENT = "Accurate, consistent with the cited guidance, and the patient text reads plainly."


class Command(BaseCommand):
    help = "Create the demo logins, specialties, board members and articles (safe to run again)."

    def handle(self, *args, **options):
        ensure_role_groups()
        users = {username: self._person(username, *details) for username, details in PEOPLE.items()}
        users[SUPERUSER] = self._superuser()
        specialties = {s.slug: self._specialty(s) for s in SPECIALTIES}
        for username, details in BOARD.items():
            self._board_member(users[username], users["managing"], specialties, *details)

        created = 0
        for demo in ARTICLES:
            if Article.objects.filter(slug=demo.slug).exists():
                continue
            try:
                with transaction.atomic():
                    seed_article(demo, users, specialties)
            except DomainError as exc:
                raise CommandError(f"Could not seed {demo.slug!r}: {exc.message}") from exc
            created += 1

        # The worker's beat seals within seconds; sealing now lets "Verify this review" answer
        # from the first page view.
        try:
            sealed = [done.size for done in seal_all()]
        except LogError:  # a worker's sealer is at it already
            sealed = []
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new articles)."))
        if sealed:
            self.stdout.write(f"The review log holds {sealed[-1]} entries, sealed and signed.")
        for article in Article.objects.filter(slug__in=[d.slug for d in ARTICLES]).order_by("title"):
            self.stdout.write(f"  {article.get_state_display():<18} {article.title}")
        self.stdout.write(
            "\nDemo logins (password for all: vetted-demo), admin at http://127.0.0.1:8000/admin/"
        )
        for username, (first, last, group, _staff) in PEOPLE.items():
            self.stdout.write(f"  {username:<10} {group:<16} {first} {last}")
        self.stdout.write(f"  {SUPERUSER:<10} {'superuser':<16} site administrator")

    # People, specialties and the board go through the same audited functions as the admin's
    # (accounts.changes, articles.review_policy, reviews.membership): a second run changes
    # nothing and so records nothing.

    def _specialty(self, demo) -> Specialty:
        specialty = Specialty.objects.filter(slug=demo.slug).first()
        if specialty is None:
            return add_specialty(
                Specialty(slug=demo.slug, name=demo.name, review_interval_months=demo.review_interval_months)
            )
        update_specialty(
            specialty.pk, {"name": demo.name, "review_interval_months": demo.review_interval_months}
        )
        return Specialty.objects.get(pk=specialty.pk)

    def _person(self, username: str, first: str, last: str, group: str | None, is_staff: bool):
        user_model = get_user_model()
        roles = [Group.objects.get(name=group)] if group else []
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(
                username=username, first_name=first, last_name=last, email=f"{username}@vetted.local"
            )
            user.is_staff = is_staff
            user.set_password(PASSWORD)
            create_account(user, groups=roles)
        else:
            groups = set(user.groups.all()) | set(roles)
            update_account(user.pk, {"is_staff": is_staff, "is_active": True, "groups": groups})
        # has_perm caches on the instance: hand out a fresh one that sees the groups.
        return user_model.objects.get(pk=user.pk)

    def _superuser(self):
        user_model = get_user_model()
        user = user_model.objects.filter(username=SUPERUSER).first()
        if user is None:
            user = user_model(
                username=SUPERUSER, email=f"{SUPERUSER}@vetted.local", is_staff=True, is_superuser=True
            )
            user.set_password(PASSWORD)
            create_account(user)
        return user

    def _board_member(self, user, verified_by, specialties, display_name, credentials, slugs, bio) -> None:
        if BoardMember.objects.filter(user=user).exists():
            return
        member = add_board_member(
            BoardMember(
                user=user,
                display_name=display_name,
                credentials=credentials,
                bio=bio,
                max_open_assignments=5,
                credentials_expire_on=timezone.localdate() + datetime.timedelta(days=730),
            ),
            specialties=[specialties[slug] for slug in slugs],
        )
        verify_credentials([member.pk], by=verified_by)


def seed_article(demo: DemoArticle, users: dict, specialties: dict) -> Article:
    """Create one demo article and take it, step by step, to ``demo.target``."""
    owner, managing = users[demo.owner], users["managing"]
    reviewers = [users[name] for name in demo.reviewers]
    article = create_article(
        owner=owner, specialty=specialties[demo.specialty], content=demo.content, slug=demo.slug
    )
    if demo.target == S.DRAFT:
        return article
    perform(article, Action.SUBMIT, owner)
    if demo.target == S.SUBMITTED:
        return article
    assignments = _assign_and_accept(article, reviewers, managing)
    if demo.target == S.UNDER_REVIEW:
        return article
    if demo.target == S.CHANGES_REQUESTED:
        _review(assignments[0], Decision.REQUEST_CHANGES, demo.reason)
        return article
    _review_and_approve(assignments)
    perform(article, Action.PUBLISH, owner)
    if demo.target == S.ARCHIVED:
        perform(article, Action.ARCHIVE, managing, reason=demo.reason)
    return article


def _assign_and_accept(article: Article, reviewers: list, managing) -> list[ReviewAssignment]:
    """The managing editor invites each reviewer, who accepts and declares no conflict."""
    assignments = []
    for user in reviewers:
        assignment = assign_reviewer(article, user.board_member, managing)
        accept_assignment(assignment, user)
        assignments.append(declare_conflict(assignment, user, category=ConflictCategory.NONE))
    return assignments


def _review_and_approve(assignments: list[ReviewAssignment]) -> None:
    """Each reviewer signs an approval; the last one moves the article to approved."""
    for assignment in assignments:
        _review(assignment, Decision.APPROVE, APPROVAL_COMMENT)


def _review(assignment: ReviewAssignment, decision: str, comments: str) -> None:
    reviewer = assignment.reviewer.user
    submit_review(
        assignment,
        reviewer,
        decision=decision,
        comments=comments,
        checklist=dict.fromkeys(CHECKLIST_ITEMS, decision == Decision.APPROVE),
        # An approval is a signature: the reviewer re-enters their password in a fresh session.
        password=PASSWORD if decision == Decision.APPROVE else None,
        session_last_activity=timezone.now(),
    )
