from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficerStatus(models.TextChoices):
    ON_DUTY = "on_duty", _("在岗")
    OFF_DUTY = "off_duty", _("离岗")
