"""Pre-aggregated counts of the register, for statistics pages that must answer in milliseconds.

The register has a million rows or more; counting them for every page view would take seconds.
``EntityMonthly`` holds one row per (month of establishment, district, type, current status) with
the number of entities. It is rebuilt whole by :func:`gongkai.stats.services.aggregates_refresh`
(``gongkai refresh-stats``, run daily and after imports), never updated piecemeal, so it cannot drift:
after a refresh it equals a ``GROUP BY`` over the register, which a test checks (ADR 0042).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityMonthly(models.Model):
    """Entities established in ``month`` in ``district`` of ``entity_type``, now in ``status``."""

    month = models.DateField(_("成立月份"))
    district_code = models.CharField(_("区划代码"), max_length=6)
    entity_type = models.CharField(_("主体类型"), max_length=20)
    status = models.CharField(_("登记状态"), max_length=12)
    count = models.PositiveIntegerField(_("户数"))

    class Meta:
        verbose_name = _("市场主体月度汇总")
        verbose_name_plural = _("市场主体月度汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "district_code", "entity_type", "status"], name="stats_entity_monthly_unique"
            )
        ]
        indexes = [models.Index(fields=["month"], name="stats_entity_monthly_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.district_code} {self.entity_type} {self.status}: {self.count}"


class Refresh(models.Model):
    """When the aggregates were last rebuilt, and from how many entities."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    refreshed_at = models.DateTimeField(_("汇总时间"))
    entities = models.PositiveIntegerField(_("市场主体户数"))
    rows = models.PositiveIntegerField(_("汇总行数"))
    seconds = models.FloatField(_("耗时（秒）"))

    class Meta:
        verbose_name = _("汇总记录")
        verbose_name_plural = _("汇总记录")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="stats_refresh_singleton")]

    def __str__(self) -> str:
        return f"{self.refreshed_at:%Y-%m-%d %H:%M} ({self.entities})"
