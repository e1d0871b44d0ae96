from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class SiteContentConfig(AppConfig):
    name = "site_content"
    verbose_name = "Public site"

    def ready(self) -> None:
        from articles import public
        from articles.models import Article, Specialty

        from .models import SiteSettings
        from .switches import forget_site_settings

        post_save.connect(forget_site_settings, sender=SiteSettings, dispatch_uid="site-settings-saved")
        post_delete.connect(forget_site_settings, sender=SiteSettings, dispatch_uid="site-settings-deleted")
        # The public site caches each article's pointer to its published version; every save of an
        # article (each workflow transition saves it) refreshes it, in whichever process it happens.
        post_save.connect(public.forget_article_on_save, sender=Article, dispatch_uid="public-article-saved")
        post_save.connect(
            public.forget_specialty_on_save, sender=Specialty, dispatch_uid="public-specialty-saved"
        )
