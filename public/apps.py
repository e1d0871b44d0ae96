from django.apps import AppConfig
from django.db.models.signals import post_save


class PublicConfig(AppConfig):
    """The reader-facing site: its pages, their caches, and the hooks that keep those fresh."""

    name = "public"
    verbose_name = "Reader pages"

    def ready(self) -> None:
        # Imported here, not at the top: the module reads models, which are loaded only now.
        from articles.models import Article, Specialty

        from .pointers import forget_article_on_save, forget_specialty_on_save

        # The reader pages cache each article's pointer to its published version; every save of
        # an article (each workflow transition saves it) refreshes it, in whichever process it
        # happens: dropped at once, written again and announced to every web process once the
        # transaction commits, before the commit returns (``public.pointers.forget_articles``).
        post_save.connect(forget_article_on_save, sender=Article, dispatch_uid="public-article-saved")
        # Article pages name their published version's specialty.
        post_save.connect(forget_specialty_on_save, sender=Specialty, dispatch_uid="public-specialty-saved")
