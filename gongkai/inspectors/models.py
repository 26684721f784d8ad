"""The inspector register (执法检查人员名录库)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongkai.core.models import District
from gongkai.inspectors.choices import OfficerStatus
from gongkai.registry.models import Entity


class Department(models.Model):
    """A department whose officers take part in inspections (市场监管, and others for joint tasks)."""

    code = models.CharField(_("部门代码"), max_length=20, primary_key=True)
    name = models.CharField(_("部门名称"), max_length=100, unique=True)
    is_lead = models.BooleanField(_("本局"), default=False, help_text=_("本系统所属的市场监管部门"))

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["-is_lead", "code"]

    def __str__(self) -> str:
        return self.name


class Officer(models.Model):
    """A person who may take part in inspections.

    Only those with ``is_law_enforcement`` and a certificate valid on the day may ever be drawn;
    auxiliary staff are recorded (they accompany inspections) but never drawn.
    ``code`` (人员编号) is the register's key, since auxiliary staff hold no 执法证号.
    """

    code = models.CharField(_("人员编号"), max_length=30, primary_key=True)
    name = models.CharField(_("姓名"), max_length=50)
    is_law_enforcement = models.BooleanField(_("具有执法资格"), default=True)
    certificate_no = models.CharField(_("执法证号"), max_length=30, blank=True)
    certificate_expires = models.DateField(_("执法证有效期至"), null=True, blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="officers"
    )
    unit = models.CharField(_("单位（所/科室）"), max_length=100)
    district = models.ForeignKey(
        District, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    qualified_items = models.JSONField(_("可检查事项"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=OfficerStatus.choices, default=OfficerStatus.ON_DUTY
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officer",
        help_text=_("本人登录后可在“我的检查任务”中录入和签署检查结果"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("执法检查人员")
        verbose_name_plural = _("执法检查人员")
        ordering = ["code"]
        permissions = [
            ("import_officer", _("可导入执法检查人员")),
            ("export_officer", _("可导出执法检查人员")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_no"],
                condition=~models.Q(certificate_no=""),
                name="officer_certificate_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(is_law_enforcement=False)
                | (~models.Q(certificate_no="") & models.Q(certificate_expires__isnull=False)),
                name="officer_enforcement_needs_certificate",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.is_law_enforcement and (not self.certificate_no or not self.certificate_expires):
            raise ValidationError(_("具有执法资格的人员必须填写执法证号和有效期"))
        if not self.is_law_enforcement and self.certificate_no:
            raise ValidationError(_("辅助人员没有执法证，不能填写执法证号"))
        if not isinstance(self.qualified_items, list) or not all(
            isinstance(i, str) for i in self.qualified_items
        ):
            raise ValidationError({"qualified_items": _("可检查事项必须是事项编码的列表")})

    def can_be_drawn(self, on: dt.date) -> bool:
        """Whether the officer may be drawn for an inspection on ``on``."""
        return (
            self.is_law_enforcement
            and self.status == OfficerStatus.ON_DUTY
            and self.certificate_expires is not None
            and self.certificate_expires >= on
        )


class Conflict(models.Model):
    """A declared conflict of interest (回避): this officer never inspects this entity."""

    officer = models.ForeignKey(
        Officer, verbose_name=_("执法检查人员"), on_delete=models.CASCADE, related_name="conflicts"
    )
    entity = models.ForeignKey(
        Entity, verbose_name=_("市场主体"), on_delete=models.CASCADE, related_name="conflicts"
    )
    reason = models.CharField(_("回避理由"), max_length=200)
    declared_on = models.DateField(_("申报日期"))
    declared_by = models.CharField(_("申报人"), max_length=50, help_text=_("本人、当事企业或负责人"))

    class Meta:
        verbose_name = _("回避申报")
        verbose_name_plural = _("回避申报")
        ordering = ["officer", "entity"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "entity"], name="conflict_officer_entity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.officer} ↔ {self.entity}"
