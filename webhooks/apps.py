from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Imported here, not at the top: they read models, which exist only once every app is loaded.
        from audit.trail import LISTENERS
        from outbox.channels import register

        from . import sending, tasks  # noqa: F401  (tasks: the periodic scan, known wherever the app is loaded)
        from .events import on_audit_event
        from .models import WEBHOOK_CHANNEL

        register(
            WEBHOOK_CHANNEL,
            sending.send_webhook,
            sending.webhook_policy,
            describe=sending.describe,
            related=sending.ADMIN_RELATED,
            search=sending.ADMIN_SEARCH,
        )
        # ready() can run twice (tests, autoreload); subscribe once.
        if on_audit_event not in LISTENERS:
            LISTENERS.append(on_audit_event)
