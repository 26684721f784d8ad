from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "gongkai.inspections"
    label = "inspections"
    verbose_name = _("双随机、一公开")
