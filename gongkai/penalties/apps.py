from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PenaltiesConfig(AppConfig):
    name = "gongkai.penalties"
    label = "penalties"
    verbose_name = _("行政处罚信息公示")

    def ready(self) -> None:
        from gongkai.penalties import rules, search_index

        rules.register_parameters()
        search_index.register()
