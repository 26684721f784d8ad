from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongkai.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from gongkai.core import lookups, roles

        del lookups  # imported for its ``__any`` lookup, registered on every field

        # Groups and their permissions are (re)synchronised after every migrate, because Django
        # creates model permissions only in post_migrate.
        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="gongkai-sync-roles")
