from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "gongkai.disclosure"
    label = "disclosure"
    verbose_name = _("政务公开")

    def ready(self) -> None:
        from gongkai.disclosure import search_index  # noqa: F401  (registers the search types)
