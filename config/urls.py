from django.contrib import admin
from django.urls import include, path

from config.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("desk/reviews/", include("reviews.urls")),
    path("desk/audit/", include("audit.urls")),
    path("accounts/", include("accounts.urls")),
    path("desk/inbox/", include("notifications.urls")),
    path("desk/articles/", include("articles.desk_urls")),
    # The reader-facing site; last, so that the paths above are matched first.
    path("", include("articles.urls")),
]
