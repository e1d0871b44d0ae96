"""``/accounts/``: logging in and out of the staff site."""

from django.contrib.auth.views import LogoutView
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.RateLimitedLoginView.as_view(), name="login"),
    # Django's LogoutView only accepts POST: a link or an image elsewhere cannot log anyone out.
    path("logout/", LogoutView.as_view(next_page="accounts:login"), name="logout"),
    path("start/", views.start, name="start"),
]
