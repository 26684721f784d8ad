"""E-mail alert subscriptions (订阅提醒). Internal: no public page, file, feed or e-mail shows a
subscriber's address to anyone but the subscriber."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongkai.opendata.choices import SubscriptionState


class Subscription(models.Model):
    """One address subscribed to one filtered list (its path and query string, e.g.
    ``/penalties/?district=371502``). Double opt-in: ``pending`` until the signed link in the
    confirmation mail is opened; ``send-alerts`` mails items published after ``watermark``."""

    email = models.EmailField(_("电子邮箱"), max_length=254)
    url = models.CharField(_("订阅的列表网址"), max_length=500)
    title = models.CharField(_("订阅名称"), max_length=200)
    state = models.CharField(
        _("状态"), max_length=14, choices=SubscriptionState.choices, default=SubscriptionState.PENDING
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("退订时间"), null=True, blank=True)
    # Items published after this moment are new to the subscriber (set at confirmation, then at each send).
    watermark = models.DateTimeField(_("已发送至"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("最近发送时间"), null=True, blank=True)
    sent_count = models.PositiveIntegerField(_("已发送邮件数"), default=0)

    class Meta:
        verbose_name = _("订阅提醒")
        verbose_name_plural = _("订阅提醒")
        constraints = [
            models.UniqueConstraint(fields=["email", "url"], name="opendata_subscription_email_url"),
        ]
        indexes = [models.Index(fields=["state"], name="opendata_sub_state")]

    def __str__(self) -> str:
        return f"订阅 #{self.pk}"
