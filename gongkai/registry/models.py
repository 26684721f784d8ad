"""The market-entity register (市场主体名录库)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongkai.core.models import District
from gongkai.registry import creditcode, industries
from gongkai.registry.choices import AddressKind, CreditRiskClass, EntityStatus, EntityType


def validate_credit_code(value: str) -> None:
    try:
        creditcode.validate(value)
    except creditcode.CreditCodeError as exc:
        raise ValidationError(str(exc), code="credit_code") from exc


class Entity(models.Model):
    """A market entity, keyed by its 统一社会信用代码.

    ``district`` is the district of the 住所 (kept here for speed); every address, the 住所
    included, is an :class:`Address` row, and an entity is found by any of their districts.
    ``credit_risk_class`` is internal and must never reach a public surface.
    """

    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, primary_key=True, validators=[validate_credit_code]
    )
    name = models.CharField(_("名称"), max_length=200)
    entity_type = models.CharField(_("主体类型"), max_length=20, choices=EntityType.choices)
    legal_representative = models.CharField(_("法定代表人（负责人、经营者）"), max_length=100)
    registered_capital = models.DecimalField(
        _("注册资本（万元）"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    established_on = models.DateField(_("成立日期"))
    status = models.CharField(
        _("登记状态"), max_length=12, choices=EntityStatus.choices, default=EntityStatus.ACTIVE
    )
    status_since = models.DateField(_("状态变更日期"))
    industry_section = models.CharField(_("行业门类"), max_length=1, choices=industries.SECTION_CHOICES)
    industry_division = models.CharField(_("行业大类"), max_length=2, choices=industries.DIVISION_CHOICES)
    registration_authority = models.CharField(_("登记机关"), max_length=100)
    district = models.ForeignKey(
        District, verbose_name=_("住所所在区划"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    contact_name = models.CharField(_("联络人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    credit_risk_class = models.CharField(
        _("信用风险分类"), max_length=1, choices=CreditRiskClass.choices, blank=True
    )
    credit_risk_date = models.DateField(_("分类日期"), null=True, blank=True)
    is_cluster_host = models.BooleanField(_("集群注册托管机构"), default=False)
    cluster_host = models.ForeignKey(
        "self",
        verbose_name=_("托管机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_entities",
        db_index=False,  # entity_cluster_host_idx
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("市场主体")
        verbose_name_plural = _("市场主体")
        ordering = ["credit_code"]
        permissions = [
            ("view_credit_risk", _("可查看信用风险分类")),
            ("import_entity", _("可导入市场主体")),
            ("export_entity", _("可导出市场主体")),
        ]
        # Only indexes a query uses: every index slows each of a million-row import's inserts.
        # No text-pattern (``_like``) copies of the foreign keys; no index on ``name`` (searched
        # with ``contains``, which a b-tree cannot serve). The primary key keeps its ``_like``
        # index for the portal's credit-code prefix search.
        indexes = [
            models.Index(fields=["status", "district"], name="entity_status_district_idx"),
            # (district, credit code), not district alone: the API walks a district's entities in
            # credit-code order, and the code only partly follows the district.
            models.Index(fields=["district", "credit_code"], name="entity_district_code_idx"),
            models.Index(fields=["cluster_host"], name="entity_cluster_host_idx"),
            # The open-data API's change feed: ``?updated_since=`` and ``sort=updated_at`` (a
            # client pulling a day's changes must not scan a million rows).
            models.Index(fields=["updated_at", "credit_code"], name="entity_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credit_risk_class="") | models.Q(credit_risk_date__isnull=False),
                name="entity_risk_class_has_date",
            ),
            models.CheckConstraint(
                condition=~(models.Q(is_cluster_host=True) & models.Q(cluster_host__isnull=False)),
                name="entity_host_not_hosted",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.industry_division and industries.section_of(self.industry_division) != self.industry_section:
            errors["industry_division"] = _("行业大类%(div)s不属于门类%(sec)s（应属于门类%(right)s）") % {
                "div": self.industry_division,
                "sec": self.industry_section,
                "right": industries.section_of(self.industry_division) or "?",
            }
        if self.credit_risk_class and not self.credit_risk_date:
            errors["credit_risk_date"] = _("填写了信用风险分类时必须填写分类日期")
        if self.established_on and self.status_since and self.status_since < self.established_on:
            errors["status_since"] = _("状态变更日期不能早于成立日期")
        if errors:
            raise ValidationError(errors)

    @property
    def is_in_business(self) -> bool:
        return self.status == EntityStatus.ACTIVE


class Address(models.Model):
    """One address on a licence: the single 住所, or a further 经营场所 (一照多址)."""

    entity = models.ForeignKey(
        Entity,
        verbose_name=_("市场主体"),
        on_delete=models.CASCADE,
        related_name="addresses",
        db_index=False,  # address_entity_position_unique starts with it
    )
    kind = models.CharField(_("类别"), max_length=10, choices=AddressKind.choices)
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    district = models.ForeignKey(
        District,
        verbose_name=_("所在区划"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # address_district_entity_idx starts with it
    )
    full_text = models.CharField(_("地址"), max_length=300)
    town = models.CharField(_("乡镇（街道）"), max_length=50, blank=True)
    village = models.CharField(_("村（社区）"), max_length=50, blank=True)
    street = models.CharField(_("路（街）"), max_length=80, blank=True)
    number = models.CharField(_("门牌号及其他"), max_length=120, blank=True)
    # The address with the cluster mark and white space removed: what "same address" means.
    normalised = models.CharField(_("规范化地址"), max_length=300)

    class Meta:
        verbose_name = _("地址")
        verbose_name_plural = _("地址")
        ordering = ["entity", "position"]
        indexes = [
            models.Index(fields=["district", "entity"], name="address_district_entity_idx"),
            models.Index(fields=["normalised"], name="address_normalised_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["entity", "position"], name="address_entity_position_unique"),
            # The 住所 is position 0 and only it: with the unique (entity, position) above, one 住所
            # per licence, without an index of its own to keep (migration 0005).
            models.CheckConstraint(
                condition=models.Q(kind="domicile", position=0)
                | (models.Q(position__gt=0) & ~models.Q(kind="domicile")),
                name="address_domicile_first",
            ),
        ]

    def __str__(self) -> str:
        return self.full_text


class StatusChange(models.Model):
    """History of an entity's registration status (when it was 注销 matters to draws and publicity)."""

    entity = models.ForeignKey(
        Entity,
        verbose_name=_("市场主体"),
        on_delete=models.CASCADE,
        related_name="status_changes",
        db_index=False,  # statuschange_entity_idx, without a _like copy
    )
    from_status = models.CharField(_("原状态"), max_length=12, choices=EntityStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=EntityStatus.choices)
    effective_on = models.DateField(_("生效日期"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("登记状态变更")
        verbose_name_plural = _("登记状态变更")
        ordering = ["entity", "effective_on", "id"]
        indexes = [models.Index(fields=["entity"], name="statuschange_entity_idx")]

    def __str__(self) -> str:
        return f"{self.entity_id}: {self.from_status or '—'} → {self.to_status} ({self.effective_on})"
