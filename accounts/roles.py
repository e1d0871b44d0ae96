"""The kinds of people Vetted knows, as Django groups with permissions.

The workflow never asks "is this user in group X": it asks for a permission
(``user.has_perm``), and ownership or assignment where the rule needs it. The
groups are only the convenient bundles that managing editors hand out.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission

from core.roles import DRAFT_ARTICLE, MANAGE_ARTICLES, PUBLISH_ARTICLE, REVIEW_ARTICLE

EDITOR = "Editor"
MANAGING_EDITOR = "Managing editor"
REVIEWER = "Reviewer"
INTEGRATION_CLIENT = "Integration client"

# Reading articles, their versions and the specialty list in the Django admin
# (staff only). Editors see each article's own audit trail on its admin page,
# not the whole audit log: that stays with managing editors.
_ADMIN_READ = [
    "articles.view_article",
    "articles.view_articleversion",
    "articles.view_section",
    "articles.view_reference",
    "articles.view_specialty",
]

# Readers' questions and problem reports: the queue editors work through (admin).
_READER_FEEDBACK = ["site_content.view_feedback", "site_content.change_feedback"]

# app_label.codename of the permissions each group carries.
GROUP_PERMISSIONS: dict[str, list[str]] = {
    EDITOR: [
        DRAFT_ARTICLE,
        PUBLISH_ARTICLE,
        *_ADMIN_READ,
        *_READER_FEEDBACK,
    ],
    MANAGING_EDITOR: [
        PUBLISH_ARTICLE,
        MANAGE_ARTICLES,
        "audit.view_auditevent",
        *_ADMIN_READ,
        # Owner, specialty and review date of an article; the list of specialties.
        "articles.change_article",
        "articles.add_specialty",
        "articles.change_specialty",
        *_READER_FEEDBACK,
        # Re-review flags: reading them, and resolving one by hand (admin).
        "reviews.view_rereviewflag",
        "reviews.change_rereviewflag",
        # The outbox (email and webhook rows): reading it, and retrying failed rows (admin).
        "outbox.view_delivery",
        "outbox.change_delivery",
        # The public site: new editions of the editorial policy.
        "site_content.view_editorialpolicy",
        "site_content.add_editorialpolicy",
        # Webhook endpoints of integration clients, and re-sending their deliveries.
        "webhooks.view_endpoint",
        "webhooks.add_endpoint",
        "webhooks.change_endpoint",
        "webhooks.delete_endpoint",
        "webhooks.view_webhookmessage",
        "webhooks.change_webhookmessage",
        "webhooks.view_attempt",
    ],
    REVIEWER: [
        REVIEW_ARTICLE,
    ],
    # A drafting pipeline: creates and submits drafts, never reviews or publishes.
    INTEGRATION_CLIENT: [
        DRAFT_ARTICLE,
        # Its own webhook endpoints and their deliveries, read-only (webhooks.endpoints).
        "webhooks.view_endpoint",
    ],
}


def ensure_role_groups(**_kwargs: Any) -> None:
    for group_name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.add(*wanted)
