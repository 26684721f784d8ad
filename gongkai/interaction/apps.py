from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionConfig(AppConfig):
    name = "gongkai.interaction"
    label = "interaction"
    verbose_name = _("互动交流")

    def ready(self) -> None:
        from gongkai.interaction import rules, search_index

        rules.register_parameters()
        search_index.register()
