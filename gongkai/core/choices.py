from django.db import models
from django.utils.translation import gettext_lazy as _


class DistrictLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县级")
