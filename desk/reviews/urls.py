"""The staff pages of reviewing, mounted at ``/desk/reviews/``: the managing editor's queue,
assigning, the metrics page, the reviewer's desk and review pages, and a member's own profile."""

from django.urls import path, register_converter

from . import views


class DatabaseIdConverter:
    """Digits that fit a database integer: a longer number is a 404, never a database overflow."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(DatabaseIdConverter, "desk_id")

app_name = "reviews"

urlpatterns = [
    # Reviewers
    path("", views.desk, name="desk"),
    path("assignments/<desk_id:pk>/", views.assignment, name="assignment"),
    path("assignments/<desk_id:pk>/accept/", views.accept, name="accept"),
    path("assignments/<desk_id:pk>/decline/", views.decline, name="decline"),
    path("assignments/<desk_id:pk>/declare/", views.declare, name="declare"),
    path("assignments/<desk_id:pk>/more-time/", views.request_more_time, name="request-extension"),
    path("profile/", views.profile, name="profile"),
    # Managing editors
    path("queue/", views.queue, name="queue"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("articles/<slug:slug>/assign/", views.assign, name="assign"),
    path("articles/<slug:slug>/record/", views.record, name="record"),
    path("assignments/<desk_id:pk>/cancel/", views.cancel, name="cancel"),
    path("assignments/<desk_id:pk>/extension/", views.decide_more_time, name="decide-extension"),
    path("assignments/<desk_id:pk>/override/", views.override, name="override"),
]
