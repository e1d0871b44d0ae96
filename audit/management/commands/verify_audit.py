from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.chain import verify_chain


class Command(BaseCommand):
    help = "Walk the audit chain and check every event's hash and its link to the previous one."

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        event = report.broken_at
        if event is not None:
            raise CommandError(
                f"Audit chain broken at event #{event.seq} (id {event.id}, {event.action}): "
                f"{report.problem}. {report.checked} events before it were intact."
            )
        self.stdout.write(self.style.SUCCESS(f"Checked {report.checked} audit events: the chain is intact."))
