"""The audit trail pages, mounted at ``/desk/audit/``."""

from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.events, name="events"),
    path("articles/<slug:slug>/", views.events, name="article-events"),
]
