from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        # Imported here, not at the top: they read models, which exist only once every app is loaded.
        from . import schema  # noqa: F401  (registers the token scheme with drf-spectacular)
        from .tokens import connect_signals

        # A password change or a deactivated account revokes the person's API tokens, whichever
        # door it came through (admin, manage.py changepassword, a password reset).
        connect_signals()
