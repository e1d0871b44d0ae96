from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = "Outbox"

    def ready(self) -> None:
        # Imported here, not at the top: the tasks module reads the models, which exist only once
        # every app is loaded.
        from . import dispatch, tasks

        dispatch.use_delivery_task(tasks.deliver)
