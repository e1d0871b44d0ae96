from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Advisory-board reviews"

    def ready(self) -> None:
        # Imported here, not at the top: the workflow and its hooks use models, which only exist
        # once every app is loaded. The hooks are registered here rather than imported by the
        # workflow: assignments build on the workflow (they call perform), so the workflow must
        # not import them back. ready() can run twice (tests, autoreload); hook in once.
        from . import assignments, workflow
        from .rereview import resolve_flags_on_publish

        for hook in (assignments.after_transition, resolve_flags_on_publish):
            if hook not in workflow.AFTER_TRANSITION:
                workflow.AFTER_TRANSITION.append(hook)
