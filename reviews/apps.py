from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Advisory-board reviews"

    def ready(self) -> None:
        # Imported here, not at the top: the workflow and its hooks use models, which
        # only exist once every app is loaded.
        from .rereview import resolve_flags_on_publish
        from .workflow import AFTER_TRANSITION

        # ready() can run twice (tests, autoreload); hook in once.
        if resolve_flags_on_publish not in AFTER_TRANSITION:
            AFTER_TRANSITION.append(resolve_flags_on_publish)
