"""``/desk/inbox/``: the in-app inbox (names in the ``inbox`` namespace)."""

from django.urls import path

from . import views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox_list, name="list"),
    path("<int:pk>/read/", views.read_one, name="read"),
    path("read-all/", views.read_all, name="read-all"),
]
