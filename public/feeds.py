"""The Atom feed of newly published and updated articles (``/feed.atom``)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from articles.markdown import text_of

from .index import index_articles
from .pages import SITE_NAME, site_url


class LatestArticlesFeed(Feed):
    feed_type = Atom1Feed
    title = f"{SITE_NAME}: medical articles reviewed by our Medical Advisory Board"
    subtitle = "Newly published and updated articles."
    limit = 30

    def link(self) -> str:
        return site_url(reverse("public:index"))

    def feed_url(self) -> str:
        return site_url(reverse("public:feed"))

    def items(self):
        return index_articles()[: self.limit]

    def item_title(self, item) -> str:
        return item.published_version.title

    def item_description(self, item) -> str:
        return text_of(item.published_version.summary)

    def item_link(self, item) -> str:
        return site_url(reverse("public:article", args=[item.slug]))

    def item_guid(self, item) -> str:
        return site_url(reverse("public:article", args=[item.slug]))

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_updated_at

    def item_categories(self, item):
        return [item.published_version.specialty.name]
