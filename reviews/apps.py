from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Advisory-board reviews"

    def ready(self) -> None:
        # Registered here rather than imported by the workflow: assignments build on the workflow
        # (they call perform), so the workflow must not import them back.
        from . import assignments, workflow

        if assignments.after_transition not in workflow.AFTER_TRANSITION:
            workflow.AFTER_TRANSITION.append(assignments.after_transition)
