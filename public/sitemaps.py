"""The sitemaps (``/sitemap.xml``): every public article, and the site's own pages."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .pages import site_url
from .pointers import public_articles


class _OnSiteUrl:
    """Sitemap URLs on the configured public host rather than the request's."""

    def get_domain(self, site=None) -> str:
        return site_url("").split("://", 1)[1]

    def get_protocol(self, protocol=None) -> str:
        return site_url("").split("://", 1)[0]


class ArticleSitemap(_OnSiteUrl, Sitemap):
    changefreq = "monthly"
    limit = 5000

    def items(self):
        return public_articles().only("slug", "last_updated_at").order_by("pk")

    def location(self, item) -> str:
        return reverse("public:article", args=[item.slug])

    def lastmod(self, item):
        return item.last_updated_at


class PageSitemap(_OnSiteUrl, Sitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["public:index", "public:board", "public:editorial-policy"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS = {"articles": ArticleSitemap, "pages": PageSitemap}
