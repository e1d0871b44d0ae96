"""The staff-page decorators: anonymous to the login page, the wrong person a 403, the right one in."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from core.access import desk_view, manager_view, reviewer_view, staff_view
from core.roles import DRAFT_ARTICLE, MANAGE_ARTICLES, REVIEW_ARTICLE


@dataclass
class Holder:
    """A signed-in person holding exactly ``permissions`` (no database needed)."""

    permissions: set[str] = field(default_factory=set)
    is_authenticated: bool = True
    is_active: bool = True

    def has_perm(self, permission: str, obj=None) -> bool:
        return permission in self.permissions


def page(request, *args, **kwargs) -> HttpResponse:
    return HttpResponse("the page")


def call(decorator, user, path="/desk/somewhere/"):
    request = RequestFactory().get(path)
    request.user = user
    return decorator(page)(request)


@pytest.mark.parametrize("decorator", [desk_view, manager_view, reviewer_view, staff_view("audit.x")])
def test_anonymous_goes_to_the_login_page_and_comes_back(decorator, settings):
    response = call(decorator, AnonymousUser(), "/desk/somewhere/?tab=1")
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL)
    assert "next=/desk/somewhere/%3Ftab%3D1" in response["Location"]


@pytest.mark.parametrize(
    ("decorator", "admitted", "refused"),
    [
        (desk_view, [{DRAFT_ARTICLE}, {MANAGE_ARTICLES}], [set(), {REVIEW_ARTICLE}]),
        (manager_view, [{MANAGE_ARTICLES}], [set(), {DRAFT_ARTICLE}, {REVIEW_ARTICLE}]),
        (reviewer_view, [{REVIEW_ARTICLE}], [set(), {DRAFT_ARTICLE}, {MANAGE_ARTICLES}]),
    ],
)
def test_any_one_of_the_permissions_admits(decorator, admitted, refused):
    for permissions in admitted:
        assert call(decorator, Holder(permissions)).content == b"the page", permissions
    for permissions in refused:
        with pytest.raises(PermissionDenied):
            call(decorator, Holder(permissions))


def test_the_refusal_says_why():
    with pytest.raises(PermissionDenied, match="editorial desk is for editors"):
        call(desk_view, Holder({REVIEW_ARTICLE}))


def test_the_wrapped_view_keeps_its_name():
    assert manager_view(page).__name__ == "page"


def test_a_decorator_without_permissions_is_a_mistake():
    with pytest.raises(ValueError):
        staff_view()
