from django.contrib import admin
from django.urls import include, path

from config.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # The reader-facing site first: nearly every request is a reader's, and Django tries the
    # patterns in order. None of its paths starts with a prefix below, so the order changes
    # no match.
    path("", include("public.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("accounts/", include("accounts.urls")),
    path("desk/", include("desk.urls")),
]
