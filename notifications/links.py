"""Links back to the page where the recipient acts (site-relative paths).

The pages belong to the web layer; these route names are the contract with it.
"""

from __future__ import annotations

from django.urls import reverse


def article_url(article) -> str:
    """The staff page of an article (its state, history and the actions open to the viewer)."""
    return reverse("desk:article", args=[article.slug])


def assignment_url(assignment_id: int) -> str:
    """The reviewer's page for one assignment (accepting is a button there)."""
    return reverse("reviews:assignment", args=[assignment_id])


def decline_url(assignment_id: int) -> str:
    return reverse("reviews:decline", args=[assignment_id])


def inbox_url() -> str:
    return reverse("inbox:list")


def webhook_endpoint_url(endpoint_id: int | str) -> str:
    """The admin page of a webhook endpoint, where a managing editor enables it again."""
    return reverse("admin:webhooks_endpoint_change", args=[endpoint_id])
