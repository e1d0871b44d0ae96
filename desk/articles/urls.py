"""``/desk/articles/``: the editor's workspace (names in the ``desk`` namespace)."""

from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    # "new" is kept out of article slugs (articles.drafting.RESERVED_SLUGS).
    path("new/", views.new_article, name="new"),
    path("<slug:slug>/", views.article_detail, name="article"),
    path("<slug:slug>/action/", views.article_action, name="action"),
    path("<slug:slug>/edit/", views.edit, name="edit"),
    path("<slug:slug>/preview/", views.preview, name="preview"),
    path("<slug:slug>/versions/", views.versions, name="versions"),
    path("<slug:slug>/diff/", views.diff, name="diff"),
    path("<slug:slug>/changes/", views.changes, name="changes"),
    path("<slug:slug>/changes/<int:comment_id>/answer/", views.answer, name="answer"),
]
