from django.db import models
from django.utils.translation import gettext_lazy as _


class SubscriptionState(models.TextChoices):
    PENDING = "pending", _("待确认")
    ACTIVE = "active", _("已订阅")
    UNSUBSCRIBED = "unsubscribed", _("已退订")
