from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "gongkai.registry"
    label = "registry"
    verbose_name = _("市场主体名录库")
