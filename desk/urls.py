"""Everything under ``/desk/``. No namespace here: each part keeps its own (``desk``, ``reviews``,
``audit``, ``inbox``), so every ``reverse`` and ``{% url %}`` name is what it was before the
screens moved into this app."""

from django.urls import include, path

urlpatterns = [
    path("reviews/", include("desk.reviews.urls")),
    path("audit/", include("desk.audit.urls")),
    path("inbox/", include("desk.inbox.urls")),
    path("articles/", include("desk.articles.urls")),
]
