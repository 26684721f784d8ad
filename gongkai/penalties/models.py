"""行政处罚信息公示: decisions, their redaction review, publication, corrections, withdrawal, credit repair.

The display-period rules are data (:class:`RuleSet` and :class:`DisplayTier`, seeded with their legal
sources by migration 0002); :mod:`gongkai.penalties.periods` applies them.

Privacy: ``full_text``, ``party_id_number``, ``party_birth_date`` and the review's findings hold
personal data and are read only by staff pages. The public pages read ``public_text`` (set when a
信息公开审核员 approves the redaction) and the summary fields, through
:mod:`gongkai.penalties.selectors` — never the model directly.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongkai.core.models import District
from gongkai.penalties import periods, redaction
from gongkai.penalties.choices import (
    Classification,
    IdType,
    PartyKind,
    PeriodStart,
    Procedure,
    RepairState,
    Restriction,
    Severity,
    State,
    TierKey,
    ViolationCategory,
    WithdrawalGround,
)
from gongkai.registry.models import Entity


def new_public_id() -> str:
    """An unguessable identifier for public URLs (a decision's existence is not revealed by probing)."""
    return secrets.token_hex(8)


class RuleSet(models.Model):
    """A set of display-period rules with its legal source and the date it applies from.

    The set in force on a decision's date applies to it (:func:`periods.rules_for`).
    """

    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=50, help_text=_("用于说明理由，如“总局令第45号”"))
    source = models.TextField(_("依据"))
    effective_from = models.DateField(_("适用于该日及以后作出的决定"), unique=True)
    classification = models.CharField(_("分档方式"), max_length=10, choices=Classification.choices)
    starts_from = models.CharField(_("公示期起算"), max_length=12, choices=PeriodStart.choices)
    restriction_months_over = models.PositiveSmallIntegerField(
        _("限制期限超过（月）按实际期限公示"), null=True, blank=True
    )
    restriction_article = models.CharField(_("实际限制期限条款"), max_length=100, blank=True)
    no_early_end_article = models.CharField(_("不得提前停止公示条款"), max_length=100, blank=True)
    verified = models.BooleanField(_("条款已与正式文本核对"), default=False)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("公示期规则")
        verbose_name_plural = _("公示期规则")
        ordering = ["effective_from"]

    def __str__(self) -> str:
        return self.short_name

    def as_rules(self) -> periods.Rules:
        return periods.Rules(
            code=self.code,
            short_name=self.short_name,
            effective_from=self.effective_from,
            classification=self.classification,
            starts_from=self.starts_from,
            tiers=tuple(t.as_tier() for t in self.tiers.all()),
            restriction_months_over=self.restriction_months_over,
            restriction_article=self.restriction_article,
            no_early_end_article=self.no_early_end_article,
        )


class DisplayTier(models.Model):
    """One tier of a rule set: its display period, and when a credit repair may end it early."""

    rule_set = models.ForeignKey(
        RuleSet, verbose_name=_("规则"), on_delete=models.CASCADE, related_name="tiers"
    )
    key = models.CharField(_("档"), max_length=10, choices=TierKey.choices)
    label = models.CharField(_("名称"), max_length=100)
    article = models.CharField(_("条款"), max_length=100)
    max_months = models.PositiveSmallIntegerField(_("公示期（月）"), validators=[MinValueValidator(1)])
    min_months = models.PositiveSmallIntegerField(
        _("满该月数后可申请信用修复提前停止公示"), null=True, blank=True, help_text=_("留空表示不能提前停止")
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("公示期档次")
        verbose_name_plural = _("公示期档次")
        ordering = ["rule_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "key"], name="penalties_tier_unique"),
            models.CheckConstraint(
                condition=Q(min_months__isnull=True) | Q(min_months__lt=models.F("max_months")),
                name="penalties_tier_min_below_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_set.short_name} {self.label}"

    def as_tier(self) -> periods.Tier:
        return periods.Tier(self.key, self.label, self.article, self.max_months, self.min_months)


MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class Decision(models.Model):
    """An administrative penalty decision (行政处罚决定书) and its publication.

    States: 草稿 → 待审核 → 已审核待公示 → 已公示 → 已撤回 / 已届满 / 信用修复提前终止
    (待审核 may be returned to 草稿). Only :mod:`gongkai.penalties.services` changes a decision.
    """

    number = models.CharField(_("决定书文号"), max_length=100, unique=True)
    public_id = models.CharField(
        _("公示编号"), max_length=16, unique=True, default=new_public_id, editable=False
    )
    # The party.
    party_kind = models.CharField(_("当事人类型"), max_length=10, choices=PartyKind.choices)
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("经营主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="penalty_decisions",
    )
    party_name = models.CharField(_("当事人名称（姓名）"), max_length=200)
    party_id_type = models.CharField(_("证件类型"), max_length=20, choices=IdType.choices, blank=True)
    party_id_number = models.CharField(_("证件号码（不公开）"), max_length=40, blank=True)
    party_birth_date = models.DateField(_("出生日期（不公开）"), null=True, blank=True)
    # What and why.
    violation_type = models.CharField(_("违法行为类型"), max_length=300)
    violation_category = models.CharField(_("违法行为类别"), max_length=20, choices=ViolationCategory.choices)
    legal_basis = models.TextField(_("处罚依据"))
    # 处罚内容 (《行政处罚法》第九条).
    warning = models.BooleanField(_("警告"), default=False)
    circulated_criticism = models.BooleanField(_("通报批评"), default=False)
    fine = models.DecimalField(_("罚款（元）"), null=True, blank=True, **MONEY)
    confiscated_gains = models.DecimalField(_("没收违法所得（元）"), null=True, blank=True, **MONEY)
    confiscated_property = models.CharField(_("没收非法财物"), max_length=300, blank=True)
    licence_suspended = models.BooleanField(_("暂扣许可证件"), default=False)
    qualification_lowered = models.BooleanField(_("降低资质等级"), default=False)
    licence_revoked = models.BooleanField(_("吊销许可证件（营业执照）"), default=False)
    production_suspended = models.BooleanField(_("责令停产停业"), default=False)
    closure = models.BooleanField(_("责令关闭"), default=False)
    restriction = models.CharField(_("限制"), max_length=10, choices=Restriction.choices, blank=True)
    restriction_months = models.PositiveSmallIntegerField(_("限制期限（月）"), null=True, blank=True)
    restriction_lifelong = models.BooleanField(_("终身限制"), default=False)
    other_penalty = models.CharField(_("其他处罚"), max_length=300, blank=True)
    severity = models.CharField(
        _("失信程度"),
        max_length=10,
        choices=Severity.choices,
        blank=True,
        help_text=_("总局令第107号施行后作出的决定按失信程度确定公示期"),
    )
    procedure = models.CharField(_("处罚程序"), max_length=10, choices=Procedure.choices)
    authority = models.CharField(_("作出决定机关"), max_length=100)
    decision_date = models.DateField(_("作出决定日期"))
    service_date = models.DateField(_("送达日期"), null=True, blank=True)
    district = models.ForeignKey(
        District, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    # The full text (private) and its redaction review.
    full_text = models.TextField(_("决定书全文（原文，不公开）"), blank=True)
    text_file_name = models.CharField(_("全文来源文件"), max_length=200, blank=True)
    text_sha256 = models.CharField(_("原文SHA-256"), max_length=64, blank=True)
    review_findings = models.JSONField(_("检出的个人信息"), default=list, blank=True)
    review_marks = models.JSONField(_("审核人员添加的隐去项"), default=list, blank=True)
    review_removed = models.JSONField(_("审核人员取消的隐去项"), default=list, blank=True)
    text_says_minor = models.BooleanField(
        _("全文显示当事人未成年"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("上传全文或修改决定日期时由当事人部分的证件号码或出生日期判断"),
    )
    public_text = models.TextField(_("公示文本（已隐去个人信息）"), blank=True)
    public_text_sha256 = models.CharField(_("公示文本SHA-256"), max_length=64, blank=True)
    # The workflow.
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交审核时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审核通过时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    published_on = models.DateField(_("公示日期"), null=True, blank=True)
    # The display period, computed at publication (and re-checked by ``gongkai expire-penalties``).
    rule_set = models.ForeignKey(
        RuleSet,
        verbose_name=_("公示期规则"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tier_key = models.CharField(_("公示期档次"), max_length=10, choices=TierKey.choices, blank=True)
    display_starts_on = models.DateField(_("公示期起算日"), null=True, blank=True)
    display_ends_on = models.DateField(_("公示期最后一日"), null=True, blank=True)
    display_indefinite = models.BooleanField(_("长期公示（终身限制）"), default=False)
    display_reason = models.TextField(_("公示期说明"), blank=True)
    early_end_from = models.DateField(_("可申请提前停止公示的日期"), null=True, blank=True)
    early_end_refusal = models.CharField(_("不得提前停止公示的原因"), max_length=300, blank=True)
    ended_at = models.DateTimeField(_("停止公示时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("行政处罚决定")
        verbose_name_plural = _("行政处罚决定")
        ordering = ["-decision_date", "-id"]
        permissions = [
            ("import_decision", _("可导入行政处罚决定")),
            ("review_redaction", _("可审查隐去个人信息")),
            ("approve_decision", _("可审核批准公示（信息公开审核员）")),
            ("publish_decision", _("可公示行政处罚信息")),
            ("correct_decision", _("可更正公示信息")),
            ("withdraw_decision", _("可撤回公示信息")),
            ("decide_repair", _("可办理信用修复")),
        ]
        indexes = [
            models.Index(fields=["state", "display_ends_on"], name="penalties_state_end_idx"),
            models.Index(fields=["entity", "state"], name="penalties_entity_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(party_kind=PartyKind.ENTITY) & Q(entity__isnull=False))
                | (Q(party_kind=PartyKind.PERSON) & Q(entity__isnull=True)),
                name="penalties_party_kind_matches",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[State.DRAFT, State.SUBMITTED, State.APPROVED, State.WITHDRAWN])
                | (Q(published_on__isnull=False) & Q(display_starts_on__isnull=False)),
                name="penalties_published_has_dates",
            ),
            models.CheckConstraint(
                condition=Q(display_indefinite=True)
                | Q(display_starts_on__isnull=True)
                | Q(display_ends_on__isnull=False),
                name="penalties_display_end_set",
            ),
            models.CheckConstraint(
                condition=Q(service_date__isnull=True) | Q(service_date__gte=models.F("decision_date")),
                name="penalties_served_after_decision",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    # -- derived facts ------------------------------------------------------------------------

    @property
    def content(self) -> periods.Content:
        return periods.Content(
            warning=self.warning,
            circulated_criticism=self.circulated_criticism,
            fine=self.fine,
            confiscated_gains=self.confiscated_gains,
            confiscated_property=self.confiscated_property,
            licence_suspended=self.licence_suspended,
            qualification_lowered=self.qualification_lowered,
            licence_revoked=self.licence_revoked,
            production_suspended=self.production_suspended,
            closure=self.closure,
            restriction=self.restriction,
            restriction_months=self.restriction_months,
            restriction_lifelong=self.restriction_lifelong,
            other=self.other_penalty,
        )

    @property
    def penalty_summary(self) -> str:
        return self.content.summary()

    @property
    def is_natural_person(self) -> bool:
        """For the 较低数额 threshold: a natural person, or (by parameter) a 个体工商户."""
        if self.party_kind == PartyKind.PERSON:
            return True
        from gongkai.penalties.rules import individual_business_as_person

        return (
            self.entity is not None
            and self.entity.entity_type == "individual"
            and individual_business_as_person(self.decision_date)
        )

    @property
    def party_birth(self) -> dt.date | None:
        if self.party_kind != PartyKind.PERSON:
            return None
        if self.party_id_type == IdType.RESIDENT_ID and self.party_id_number:
            born = redaction.id_birth_date(self.party_id_number)
            if born is not None:
                return born
        return self.party_birth_date

    @property
    def is_minor(self) -> bool | None:
        """Whether the party was under 18 on the decision date (None: a natural person of unknown age).

        From the ID number or birth date entered, and from the 当事人 section of the text: either one
        saying "minor" is enough (nothing is published about a minor).
        """
        by_text = self.text_says_minor
        if self.party_kind != PartyKind.PERSON:
            # A 个体工商户's 经营者 named in the 当事人 section may be a minor too.
            return bool(by_text)
        born = self.party_birth
        by_birth = redaction._minor_on(born, self.decision_date) if born is not None else None
        by_text = self.text_says_minor
        if by_birth or by_text:
            return True
        return None if born is None else False

    @property
    def is_public_state(self) -> bool:
        return self.state == State.PUBLISHED

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.party_kind == PartyKind.ENTITY:
            if self.entity_id is None:
                errors["entity"] = _("当事人是经营主体时必须选择名录库中的主体")
            if self.party_id_number or self.party_birth_date:
                errors["party_id_number"] = _("当事人是经营主体时不填写证件号码和出生日期")
        elif self.party_kind == PartyKind.PERSON:
            if self.entity_id is not None:
                errors["entity"] = _("当事人是自然人时不选择经营主体")
            if self.party_id_number and not self.party_id_type:
                errors["party_id_type"] = _("请选择证件类型")
            if self.party_id_type == IdType.RESIDENT_ID and self.party_id_number:
                number = self.party_id_number.strip().upper()
                if not redaction.is_valid_id(number, today=self.decision_date or dt.date.today()):
                    errors["party_id_number"] = _("居民身份证号码不正确（校验码或出生日期有误）")
            elif not self.party_birth_date:
                errors["party_birth_date"] = _(
                    "当事人是自然人且没有居民身份证号码时，必须填写出生日期（用于判断是否未成年）"
                )
        if self.restriction:
            if not self.restriction_lifelong and not self.restriction_months:
                errors["restriction_months"] = _("请填写限制期限（月），或选择终身限制")
        elif self.restriction_months or self.restriction_lifelong:
            errors["restriction"] = _("填写了限制期限，但没有选择限制种类")
        if self.fine is not None and self.fine <= 0:
            errors["fine"] = _("罚款金额必须大于0；没有罚款请留空")
        if self.decision_date and self.decision_date > timezone.localdate():
            errors["decision_date"] = _("作出决定日期不能晚于今天")
        if self.service_date and self.decision_date and self.service_date < self.decision_date:
            errors["service_date"] = _("送达日期不能早于作出决定日期")
        if errors:
            raise ValidationError(errors)


class Correction(models.Model):
    """A correction of published information (总局令第45号: 公示信息不准确的予以更正), shown publicly."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("行政处罚决定"), on_delete=models.CASCADE, related_name="corrections"
    )
    sequence = models.PositiveSmallIntegerField(_("序号"))
    corrected_at = models.DateTimeField(_("更正时间"))
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("更正理由（公开）"), max_length=500)
    requested_by_party = models.BooleanField(_("依当事人申请"), default=False)
    evidence = models.TextField(_("证据说明（不公开）"), blank=True)
    # [{"field", "label", "before", "after"}] — public fields only; the text is described, not quoted.
    changes = models.JSONField(_("更正内容"), default=list)

    class Meta:
        verbose_name = _("更正记录")
        verbose_name_plural = _("更正记录")
        ordering = ["decision", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "sequence"], name="penalties_correction_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.decision.number} 更正{self.sequence}"


class Withdrawal(models.Model):
    """The withdrawal of a decision's publication, with the public notice of its reason."""

    decision = models.OneToOneField(
        Decision, verbose_name=_("行政处罚决定"), on_delete=models.CASCADE, related_name="withdrawal"
    )
    ground = models.CharField(_("撤回事由"), max_length=10, choices=WithdrawalGround.choices)
    grounds_date = models.DateField(
        _("事由发生日期"), help_text=_("变更、撤销、确认违法或无效的决定（判决）作出或送达本局之日")
    )
    reason = models.CharField(_("撤回说明（公开）"), max_length=500)
    due_on = models.DateField(_("应撤回期限"), help_text=_("事由发生之日起3个工作日内"))
    withdrawn_at = models.DateTimeField(_("撤回时间"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    was_published = models.BooleanField(_("撤回前已公示"), default=True)
    notice_until = models.DateField(_("撤回公告展示至"), null=True, blank=True)

    class Meta:
        verbose_name = _("撤回记录")
        verbose_name_plural = _("撤回记录")
        ordering = ["-withdrawn_at"]

    def __str__(self) -> str:
        return f"{self.decision.number} 撤回"

    @property
    def on_time(self) -> bool:
        return timezone.localtime(self.withdrawn_at).date() <= self.due_on


class RepairApplication(models.Model):
    """A credit-repair application (信用修复申请) asking to end a decision's display early."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("行政处罚决定"), on_delete=models.PROTECT, related_name="repairs"
    )
    received_on = models.DateField(_("受理日期"))
    applicant = models.CharField(_("申请人"), max_length=200)
    contact = models.CharField(_("联系方式（不公开）"), max_length=100, blank=True)
    statement = models.TextField(_("申请理由及履行情况"))
    obligations_fulfilled = models.BooleanField(_("已履行行政处罚决定规定的义务"), default=False)
    harm_removed = models.BooleanField(_("已主动消除危害后果和不良影响"), default=False)
    commitment_signed = models.BooleanField(_("已作出信用承诺"), default=False)
    state = models.CharField(
        _("办理状态"), max_length=10, choices=RepairState.choices, default=RepairState.RECEIVED
    )
    due_on = models.DateField(_("办理期限"), help_text=_("受理之日起7个工作日内"))
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.TextField(_("办理意见"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.decision.number} 信用修复（{self.received_on}）"


class RepairEvidence(models.Model):
    """A file supporting a repair application (receipts, rectification reports), kept private."""

    application = models.ForeignKey(
        RepairApplication, verbose_name=_("信用修复申请"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("文件"), upload_to="penalties/repairs/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("信用修复证据")
        verbose_name_plural = _("信用修复证据")

    def __str__(self) -> str:
        return self.original_name
