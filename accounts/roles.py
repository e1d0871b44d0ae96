"""The kinds of people Vetted knows, as Django groups with permissions.

The workflow never asks "is this user in group X": it asks for a permission
(``user.has_perm``), and ownership or assignment where the rule needs it. The
groups are only the convenient bundles that managing editors hand out.
"""

from django.contrib.auth.models import Group, Permission

EDITOR = "Editor"
MANAGING_EDITOR = "Managing editor"
REVIEWER = "Reviewer"
INTEGRATION_CLIENT = "Integration client"

# app_label.codename of the permissions each group carries.
GROUP_PERMISSIONS: dict[str, list[str]] = {
    EDITOR: [
        "articles.draft_article",
        "articles.publish_article",
        "articles.view_article",
    ],
    MANAGING_EDITOR: [
        "articles.view_article",
        "articles.publish_article",
        "articles.manage_articles",
        "audit.view_auditevent",
    ],
    REVIEWER: [
        "articles.review_article",
    ],
    # A drafting pipeline: creates and submits drafts, never reviews or publishes.
    INTEGRATION_CLIENT: [
        "articles.draft_article",
    ],
}


def ensure_role_groups(**_kwargs) -> None:
    for group_name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.add(*wanted)
