from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        # Imported here, not at the top: it reads models, which exist only once every app is loaded.
        from .roles import ensure_role_groups

        # After every migrate (and every test-database flush), the role groups
        # and the permissions the workflow checks exist.
        post_migrate.connect(ensure_role_groups, dispatch_uid="vetted-role-groups")
