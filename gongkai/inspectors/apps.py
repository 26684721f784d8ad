from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectorsConfig(AppConfig):
    name = "gongkai.inspectors"
    label = "inspectors"
    verbose_name = _("执法检查人员名录库")
