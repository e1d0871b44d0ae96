from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit.log import seal_all


class Command(BaseCommand):
    help = (
        "Seal every committed audit event not yet in the review log and sign checkpoints "
        "(the beat does this every few seconds; run it after an upgrade to seal the old chain at once)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--per-checkpoint",
            type=int,
            default=100_000,
            help="Entries per signed checkpoint (default 100000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        size = None
        for done in seal_all(per_checkpoint=options["per_checkpoint"]):
            size = done.size
            self.stdout.write(f"  sealed {done.added:,} event(s): the log holds {done.size:,} entries")
        if size is None:
            self.stdout.write(self.style.SUCCESS("Nothing to seal: every committed event is in the log."))
        else:
            self.stdout.write(self.style.SUCCESS(f"The review log holds {size:,} entries."))
