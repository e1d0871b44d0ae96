from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Imported here, not at the top: they read models, which exist only once every app is loaded.
        from audit.chain import LISTENERS
        from notifications.channels import register
        from notifications.models import Channel

        from . import tasks  # noqa: F401  (the periodic scan, known wherever the app is loaded)
        from .events import on_audit_event
        from .sending import send_webhook, webhook_policy

        register(Channel.WEBHOOK, send_webhook, webhook_policy)
        # ready() can run twice (tests, autoreload); subscribe once.
        if on_audit_event not in LISTENERS:
            LISTENERS.append(on_audit_event)
