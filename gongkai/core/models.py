"""Shared models: the audit log, administrative districts, dated parameters, the calendar."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongkai.core.choices import DistrictLevel


class JSONTextField(models.JSONField):
    """A JSONField kept as canonical JSON text: ``text`` instead of ``jsonb`` on PostgreSQL.

    For values that are written once and read back whole, never searched inside: the audit
    snapshots. Storing them costs a third of ``jsonb``'s parsing on PostgreSQL (a million
    events: about 7 s of the server's CPU against 16 s, see ADR 13). The text stored is the
    canonical JSON (sorted keys, no spaces, UTF-8) on every database and every write path, the
    text that was hashed. Reading returns the decoded value as a JSONField does; key lookups
    (``after__name``) are not available on PostgreSQL. On SQLite a JSONField is text already.
    """

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "text"
        return super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        # The audit log's own encoder (imported here: core.audit imports this module).
        from gongkai.core.audit import canonical_text

        if not prepared:
            value = self.get_prep_value(value)
        return canonical_text(value)


class AuditEvent(models.Model):
    """One append-only, hash-chained record of a write to a domain object.

    ``hash`` is SHA-256 over the canonical JSON of this event's fields and ``prev_hash``; see
    :mod:`gongkai.core.audit` for the exact payload. Rows are never updated or deleted (database
    triggers refuse it); ``gongkai verify-audit`` recomputes the chain.
    """

    seq = models.BigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人名称"), max_length=150)
    action = models.CharField(_("操作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象标识"), max_length=64)
    object_repr = models.CharField(_("对象名称"), max_length=200, blank=True)
    before = JSONTextField(_("修改前"), null=True, blank=True)
    after = JSONTextField(_("修改后"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    prev_hash = models.CharField(_("上一条哈希"), max_length=64)
    # Not indexed: the chain is verified by ``seq`` and events are found by object; a unique
    # index on 64 random hex digits cost every appended event a random insert (ADR 13).
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AuditChainHead(models.Model):
    """The single row holding the chain's tip; locked while appending so the chain stays linear."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_singleton")]

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


class District(models.Model):
    """An administrative division by its GB/T 2260 code (or the statistical code of a zone)."""

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    level = models.CharField(_("级别"), max_length=10, choices=DistrictLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}$"), name="district_code_6_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Parameter(models.Model):
    """A configurable rule value with the date it takes effect and its source.

    Defaults and their sources are declared in :mod:`gongkai.core.parameters`; a row here
    overrides the default from ``valid_from`` on.
    """

    key = models.CharField(_("参数"), max_length=80)
    valid_from = models.DateField(_("生效日期"))
    value = models.JSONField(_("取值"))
    source = models.CharField(_("依据"), max_length=300)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("参数")
        verbose_name_plural = _("参数")
        ordering = ["key", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "valid_from"], name="parameter_key_from_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.valid_from}"


class CalendarYear(models.Model):
    """A year whose holidays an administrator has entered in full (the package does not know it)."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    source = models.CharField(
        _("依据"), max_length=200, help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知")
    )
    complete = models.BooleanField(_("已完整录入"), default=False)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarOverride(models.Model):
    """One day whose working status an administrator sets: a holiday, or a 调休 working weekend."""

    date = models.DateField(_("日期"), primary_key=True)
    is_workday = models.BooleanField(_("工作日"))
    name = models.CharField(_("名称"), max_length=50, blank=True, help_text=_("例如：春节、国庆节调休"))

    class Meta:
        verbose_name = _("日历调整")
        verbose_name_plural = _("日历调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'}"


class StaffProfile(models.Model):
    """What a staff account may see beyond its groups: the districts it is limited to, if any."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit = models.CharField(_("单位"), max_length=100, blank=True)
    districts = models.ManyToManyField(
        District,
        verbose_name=_("限定区划"),
        blank=True,
        help_text=_("留空表示可处理全市数据；选择后只能查看和修改这些区划的数据。"),
    )

    class Meta:
        verbose_name = _("工作人员资料")
        verbose_name_plural = _("工作人员资料")

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()
