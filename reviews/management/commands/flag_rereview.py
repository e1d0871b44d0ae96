from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from reviews.rereview import flag_rereview_for_reference


class Command(BaseCommand):
    help = "Flag every published article citing a changed reference for re-review, and tell its editor."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--doi", default="")
        parser.add_argument("--pmid", default="")
        parser.add_argument("--title", default="")
        parser.add_argument("--reason", required=True, help="What changed, for the editors.")
        parser.add_argument("--by", required=True, help="Username of the managing editor doing it.")

    def handle(
        self, *args: Any, doi: str, pmid: str, title: str, reason: str, by: str, **options: Any
    ) -> None:
        user = get_user_model().objects.filter(username=by).first()
        if user is None:
            raise CommandError(f"No user called {by!r}.")
        try:
            flags = flag_rereview_for_reference(doi=doi, pmid=pmid, title=title, reason=reason, by=user)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for flag in flags:
            self.stdout.write(f"Flagged {flag.article.slug} (version {flag.version.number}).")
        self.stdout.write(f"{len(flags)} article(s) flagged.")
