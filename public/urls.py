"""The reader-facing site, mounted at the root."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.generic import RedirectView

from . import views
from .feeds import LatestArticlesFeed
from .sitemaps import SITEMAPS

app_name = "public"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="public:index"), name="home"),
    path("articles/", views.article_index, name="index"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("articles/<slug:slug>/history/", views.article_history, name="history"),
    path("articles/<slug:slug>/versions/<int:number>/", views.article_version, name="version"),
    path("articles/<slug:slug>/feedback/", views.article_feedback, name="feedback"),
    path("articles/<slug:slug>/verify/", views.article_verify, name="verify"),
    path("articles/<slug:slug>/verify.json", views.article_verify_json, name="verify-json"),
    path("board/", views.board, name="board"),
    path("board/<int:member_id>/", views.board_member, name="board-member"),
    path("editorial-policy/", views.editorial_policy, name="editorial-policy"),
    path("review-log/checkpoint", views.review_log_checkpoint, name="checkpoint"),
    path("review-log/checkpoints/<int:size>", views.review_log_checkpoint_at, name="checkpoint-at"),
    path(".well-known/vetted-log-key", views.review_log_key, name="log-key"),
    path("feed.atom", LatestArticlesFeed(), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
