from django.apps import AppConfig
from django.db.models.signals import post_save


class SiteContentConfig(AppConfig):
    name = "site_content"
    verbose_name = "Public site"

    def ready(self) -> None:
        from articles import public
        from articles.models import Article, Specialty

        # The public site caches each article's pointer to its published version; every save of an
        # article (each workflow transition saves it) refreshes it, in whichever process it happens.
        post_save.connect(public.forget_article_on_save, sender=Article, dispatch_uid="public-article-saved")
        post_save.connect(
            public.forget_specialty_on_save, sender=Specialty, dispatch_uid="public-specialty-saved"
        )
