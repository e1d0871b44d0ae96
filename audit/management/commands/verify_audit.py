from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.verify import verify


class Command(BaseCommand):
    help = (
        "Check the audit trail and its review log: every entry against its event, the stored tree, "
        "and every checkpoint's root and signature. --incremental starts from the last verified tree."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--incremental",
            action="store_true",
            help="Re-hash only what was added since the last verified tree, proving each newer "
            "checkpoint consistent with it (a full check still runs from time to time).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify(full=not options["incremental"], remember=True)
        for note in report.notes:
            self.stdout.write(note)
        if not report.ok:
            raise CommandError(
                f"Audit trail broken: {report.problem}. Checked before it: {report.entries} log entries, "
                f"{report.checkpoints} checkpoints."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Checked {report.events} chained events, {report.entries} log entries, "
                f"{report.checkpoints} checkpoints and {report.unsealed} events not sealed yet: "
                "the audit trail is intact."
            )
        )
