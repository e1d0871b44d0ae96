"""``/desk/inbox/``: the in-app notifications of whoever is logged in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from notifications.inbox import inbox, mark_read

from .filters import InboxFilter

PAGE_SIZE = 30


@require_GET
@login_required
def inbox_list(request: HttpRequest) -> HttpResponse:
    filterset = InboxFilter(request.GET, queryset=inbox(request.user))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "desk/inbox/list.html",
        {"filter": filterset, "page": page, "query": query.urlencode(), "desk_nav": "inbox"},
    )


def _back(request: HttpRequest) -> HttpResponse:
    # Back to the list as it was filtered; only ever to a page of this site. Sent as an address,
    # never through redirect(): it reads a bare word ("0", "list") as a view name to reverse,
    # and a name that is none raised NoReverseMatch (a 500).
    target = request.POST.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = reverse("inbox:list")
    return HttpResponseRedirect(target)


@require_POST
@login_required
def read_one(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the recipient's own notifications are touched (mark_read filters by user).
    mark_read(request.user, [pk])
    if request.POST.get("open") == "1":
        url = inbox(request.user).filter(pk=pk).values_list("url", flat=True).first()
        if url and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
            return redirect(url)
    return _back(request)


@require_POST
@login_required
def read_all(request: HttpRequest) -> HttpResponse:
    count = mark_read(request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return _back(request)
