"""The people and objects the URL walker (``test_url_walker.py``) fills every URL pattern with.

Built once per module through the domain functions, so each object is in a state the pages
really meet: a draft, an article under review with an accepted assignment whose reviewer has
cleared the conflict question, one with changes requested and a comment to answer, an approved
one scheduled for publication, and one published twice (so it has a historic version).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.roles import EDITOR, INTEGRATION_CLIENT, MANAGING_EDITOR, ensure_role_groups
from api.models import ApiToken
from articles.models import Article
from audit.models import AuditEvent
from notifications.apps import grant_managing_editors
from notifications.models import Notification, NotificationPreference, ReminderRule, StaffProfile
from outbox.models import Delivery
from reviews.decisions import schedule_publication
from reviews.models import PublicationSchedule, RereviewFlag, Review, SectionComment
from reviews.rereview import flag_rereview_for_reference
from reviews.workflow import Action, perform
from site_content.feedback import submit_feedback
from site_content.models import EditorialPolicy, Feedback, FeedbackKind
from tests.factories import approve_directly, make_article, make_specialty, make_user, submit
from tests.reviews.helpers import make_reviewer, ready_to_review, request_changes, resubmit
from webhooks import endpoints
from webhooks.events import write_deliveries
from webhooks.models import EventKind, WebhookMessage

# The columns of every expectation row, in this order.
ROLES = (
    "anonymous",
    "owner",  # the editor who owns every article below
    "other_editor",  # an editor who owns none of them
    "managing",
    "reviewer",  # assigned to ``under_review``: accepted, no conflict
    "other_reviewer",  # a board member with no assignment at all
    "integration",  # an API client's account, signed in to the site (no staff flag)
    "superuser",
)
# Editors and managing editors are staff, as in the demo data: the admin is part of their work.
STAFF_ROLES = ("owner", "other_editor", "managing", "superuser")


@dataclass
class World:
    users: dict[str, Any]
    draft: Article
    under_review: Article
    changes: Article
    approved: Article
    published: Article
    objects: dict[str, Any] = field(default_factory=dict)  # things the admin pages open, by model label

    def pk(self, label: str) -> int:
        return self.objects[label].pk


def build_world() -> World:
    # The role groups come from post_migrate; a test that emptied the tables may have left them out.
    ensure_role_groups()
    grant_managing_editors()
    specialty = make_specialty("obstetrics")
    owner = make_user("walk-owner", EDITOR, is_staff=True)
    managing = make_user("walk-managing", MANAGING_EDITOR, is_staff=True)
    reviewer = make_reviewer("walk-reviewer", specialty, display_name="Dr Walk Reviewer")
    other_reviewer = make_reviewer("walk-reviewer2", specialty, display_name="Dr Walk Other")
    # Signs what has to be signed, so that neither reviewer role is ever assigned to those articles.
    signer = make_reviewer("walk-signer", specialty, display_name="Dr Walk Signer", max_open_assignments=9)
    users = {
        "anonymous": None,
        "owner": owner,
        "other_editor": make_user("walk-editor2", EDITOR, is_staff=True),
        "managing": managing,
        "reviewer": reviewer.user,
        "other_reviewer": other_reviewer.user,
        "integration": make_user("walk-bot", INTEGRATION_CLIENT),
        "superuser": make_user("walk-root", is_staff=True, is_superuser=True),
    }

    draft = make_article(owner, specialty, slug="walk-draft")

    under_review = submit(make_article(owner, specialty, slug="walk-under-review"), owner)
    assignment = ready_to_review(under_review, reviewer, managing)

    changes = submit(make_article(owner, specialty, slug="walk-changes"), owner)
    section = changes.latest_version().sections.get()
    request_changes(
        ready_to_review(changes, signer, managing),
        section_comments=[(section.pk, "", "Cite the 2024 guideline.")],
    )

    approved = approve_directly(
        submit(make_article(owner, specialty, slug="walk-approved"), owner), signer.user, managing
    )
    schedule_publication(approved, timezone.now() + datetime.timedelta(days=7), owner)

    published = approve_directly(
        submit(make_article(owner, specialty, slug="walk-published"), owner), signer.user, managing
    )
    perform(published, Action.PUBLISH, owner)
    published = approve_directly(resubmit(published, owner), signer.user, managing)
    perform(published, Action.PUBLISH, owner)  # version 2 is shown, version 1 is history

    flag_rereview_for_reference(doi="10.1002/14651858.CD008991.pub3", reason="Updated review.", by=managing)
    feedback = submit_feedback(
        article=published,
        version=published.latest_version(),
        kind=FeedbackKind.QUESTION,
        message="Is the stitch safe for twins?",
    )
    NotificationPreference.objects.create(user=owner)
    StaffProfile.objects.create(user=managing)
    EditorialPolicy.objects.create(body="# How we review\n\nEvery article is reviewed.", change_note="First.")
    token, _key = ApiToken.issue(user=users["integration"], name="walker")
    rule = ReminderRule.objects.first() or ReminderRule.objects.create(
        name="Walker reminder", phase="review", offset_days=-2, recipient="reviewer"
    )
    notification = Notification.objects.filter(recipient=owner).first()
    assert notification is not None, "the workflow above tells the editor about the change request"
    delivery = Delivery.objects.first() or Delivery.objects.create(channel="email", payload={"walker": True})
    # The integration client's endpoint with one delivery (written as a publication writes it; the
    # world's transaction is rolled back, so it is never sent), and another client's endpoint.
    # A literal public address: registering resolves the host, and the walker needs no DNS.
    hook_url = "https://93.184.215.14/hooks/walker"
    endpoint, _secret = endpoints.register(
        client=users["integration"], url=hook_url, kinds=[EventKind.PUBLISHED], by=managing
    )
    other_endpoint, _secret = endpoints.register(
        client=make_user("walk-bot2", INTEGRATION_CLIENT),
        url=hook_url,
        kinds=[EventKind.PUBLISHED],
        by=managing,
    )
    published_event = (
        AuditEvent.objects.select_related("article")
        .filter(article=published, action="article.publish")
        .first()
    )
    [webhook_delivery_id] = write_deliveries(published_event, EventKind.PUBLISHED, [endpoint])

    published = Article.objects.get(pk=published.pk)
    return World(
        users=users,
        draft=Article.objects.get(pk=draft.pk),
        under_review=Article.objects.get(pk=under_review.pk),
        changes=Article.objects.get(pk=changes.pk),
        approved=Article.objects.get(pk=approved.pk),
        published=published,
        objects={
            "assignment": assignment,
            "comment": SectionComment.objects.get(review__version__article=changes),
            "notification": notification,
            "auth.group": Group.objects.get(name=EDITOR),
            "auth.user": owner,
            "audit.auditevent": AuditEvent.objects.filter(article=draft).first(),
            "articles.specialty": specialty,
            "articles.article": draft,
            "articles.articleversion": draft.latest_version(),
            "reviews.boardmember": reviewer,
            "reviews.reviewassignment": assignment,
            "reviews.review": Review.objects.filter(version__article=published).first(),
            "reviews.publicationschedule": PublicationSchedule.objects.get(article=approved),
            "reviews.rereviewflag": RereviewFlag.objects.get(article=published),
            "outbox.delivery": delivery,
            "notifications.notification": notification,
            "notifications.reminderrule": rule,
            "notifications.notificationpreference": NotificationPreference.objects.get(user=owner),
            "notifications.staffprofile": StaffProfile.objects.get(user=managing),
            "site_content.editorialpolicy": EditorialPolicy.objects.first(),
            "site_content.feedback": Feedback.objects.get(pk=feedback.pk),
            "api.apitoken": token,
            "webhooks.endpoint": endpoint,
            "other_client_endpoint": other_endpoint,
            "webhooks.webhookmessage": WebhookMessage.objects.get(pk=webhook_delivery_id),
        },
    )
