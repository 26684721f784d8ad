"""政策找人、免申即享: the fact catalogue and values, beneficiaries, policies as versioned rule files,
stored determinations, and the 兑现 workflow (cases, payments, service requests, notifications).

The rules language itself lives in :mod:`gongkai.policies.rules` (pure, no Django).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongkai.core.models import District
from gongkai.policies.choices import (
    BeneficiaryKind,
    BenefitKind,
    CaseState,
    Channel,
    Derivation,
    DeterminationStatus,
    DisputeState,
    FactType,
    PeriodKind,
    RunKind,
    ServiceState,
    ValueOrigin,
    VersionState,
)
from gongkai.registry.models import Entity

fact_name_validator = RegexValidator(
    r"^[A-Za-z_][A-Za-z0-9_]*$", _("数据项名称只能由英文字母、数字和下划线组成，且不能以数字开头")
)
policy_code_validator = RegexValidator(
    r"^[a-z0-9]+(-[a-z0-9]+)*$", _("政策标识只能由小写字母、数字和连字符组成，如 rd-expense-subsidy")
)


# --- facts ------------------------------------------------------------------------------------------


class Fact(models.Model):
    """One entry of the fact catalogue (数据目录): what a policy may test.

    Seeded from ``rules/data/facts.yaml``; the rules engine reads the catalogue from here
    (:func:`gongkai.policies.selectors.catalogue`). ``derivation`` names the part of Gongkai that
    computes the fact; the others are imported from departments or filled in by beneficiaries.
    A value older than ``max_age_days`` is flagged as stale (过期) but still used. A fact delivered
    as a complete list (a recognition list, the 失信 list) has an ``absent_value``: once a list has
    been imported, a beneficiary not on it has that value (not "unknown"), as of the latest list.
    """

    name = models.CharField(_("数据项"), max_length=60, primary_key=True, validators=[fact_name_validator])
    label = models.CharField(_("中文名称"), max_length=60)
    type = models.CharField(_("类型"), max_length=10, choices=FactType.choices)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    scale = models.PositiveIntegerField(
        _("换算系数"), default=1, validators=[MinValueValidator(1)], help_text=_("存储值 ÷ 系数 = 显示值")
    )
    source = models.CharField(_("数据来源"), max_length=60)
    refresh = models.CharField(_("更新频率"), max_length=20, blank=True)
    max_age_days = models.PositiveIntegerField(
        _("有效天数"),
        null=True,
        blank=True,
        help_text=_("数据截至日期超过该天数即标记为过期；留空表示不过期"),
    )
    for_entities = models.BooleanField(_("适用于市场主体"), default=True)
    for_persons = models.BooleanField(_("适用于个人"), default=False)
    derivation = models.CharField(
        _("取得方式"), max_length=20, choices=Derivation.choices, default=Derivation.STORED, blank=True
    )
    absent_value = models.JSONField(
        _("未列入名单时的取值"),
        null=True,
        blank=True,
        help_text=_(
            "名单类数据（认定名单、失信名单）导入后，未列入名单的对象取此值（如 [] 或 false）；留空表示未知"
        ),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("数据项")
        verbose_name_plural = _("数据目录")
        ordering = ["sort_order", "name"]
        permissions = [("import_facts", _("可导入部门数据")), ("correct_facts", _("可更正数据"))]
        constraints = [
            models.CheckConstraint(condition=Q(for_entities=True) | Q(for_persons=True), name="fact_applies"),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.name}）"

    @property
    def is_derived(self) -> bool:
        return bool(self.derivation)


class Person(models.Model):
    """A talent (人才) known to the 人才办. The ID number is private: it is used to key imports and
    is never shown on any page, in an audit event or in a determination."""

    public_id = models.CharField(_("人才编号"), max_length=20, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("公民身份号码"), max_length=18, unique=True)
    employer = models.ForeignKey(
        Entity, verbose_name=_("工作单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("所在区县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    professional_title = models.CharField(_("职称"), max_length=50, blank=True)
    talent_level = models.CharField(_("人才层次"), max_length=20, blank=True)
    talent_programmes = models.JSONField(_("入选人才工程"), default=list, blank=True)
    education = models.CharField(_("最高学历"), max_length=20, blank=True)
    arrival_date = models.DateField(_("来聊工作日期"), null=True, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人才")
        verbose_name_plural = _("人才名录")
        ordering = ["public_id"]

    def __str__(self) -> str:
        return self.name


class Beneficiary(models.Model):
    """Who can be matched: a market entity or a person. ``key`` is the credit code or 人才编号."""

    kind = models.CharField(_("类别"), max_length=10, choices=BeneficiaryKind.choices)
    key = models.CharField(_("标识"), max_length=20, unique=True)
    entity = models.OneToOneField(
        Entity,
        verbose_name=_("市场主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="beneficiary",
    )
    person = models.OneToOneField(
        Person,
        verbose_name=_("人才"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="beneficiary",
    )

    class Meta:
        verbose_name = _("政策对象")
        verbose_name_plural = _("政策对象")
        ordering = ["kind", "key"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="entity", entity__isnull=False, person__isnull=True))
                | (Q(kind="person", person__isnull=False, entity__isnull=True)),
                name="beneficiary_one_of",
            ),
        ]

    def __str__(self) -> str:
        target = self.entity if self.kind == BeneficiaryKind.ENTITY else self.person
        return str(target) if target is not None else self.key

    @property
    def display_name(self) -> str:
        return str(self)


class FactImport(models.Model):
    """One file of another department's facts, with its as-of date and what it changed."""

    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    source = models.CharField(_("数据来源"), max_length=60)
    as_of = models.DateField(_("数据截至日期"))
    keyed_by = models.CharField(_("对象类别"), max_length=10, choices=BeneficiaryKind.choices)
    facts = models.JSONField(_("数据项"), default=list)
    complete = models.BooleanField(
        _("全量名单"), default=False, help_text=_("名单类数据项：未列入本文件的对象视为不在名单上")
    )
    rows = models.PositiveIntegerField(_("数据行"), default=0)
    changed = models.PositiveIntegerField(_("有变化的对象"), default=0)
    unchanged = models.PositiveIntegerField(_("未变化的对象"), default=0)
    rejected = models.PositiveIntegerField(_("未导入的行"), default=0)
    report_path = models.CharField(_("导入报告"), max_length=300, blank=True)
    rejected_path = models.CharField(_("未导入的行"), max_length=300, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    run = models.ForeignKey(
        "MatchRun",
        verbose_name=_("增量比对"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("数据导入")
        verbose_name_plural = _("数据导入")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.source}，截至{self.as_of}）"


class FactValue(models.Model):
    """The current value of one stored fact of one beneficiary, with its as-of date and source.

    Derived facts are never stored here (they are computed from the register when matching).
    An absent row means "unknown". Determinations keep the values they used, so replacing a value
    here never changes what an earlier determination was based on.
    """

    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("政策对象"), on_delete=models.CASCADE, related_name="fact_values"
    )
    fact = models.ForeignKey(Fact, verbose_name=_("数据项"), on_delete=models.PROTECT, related_name="values")
    value = models.JSONField(_("取值"))
    as_of = models.DateField(_("数据截至日期"))
    source = models.CharField(_("来源"), max_length=60)
    origin = models.CharField(_("方式"), max_length=12, choices=ValueOrigin.choices)
    fact_import = models.ForeignKey(
        FactImport,
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)

    class Meta:
        verbose_name = _("数据值")
        verbose_name_plural = _("数据值")
        constraints = [
            models.UniqueConstraint(fields=["beneficiary", "fact"], name="factvalue_one_per_fact"),
        ]
        indexes = [models.Index(fields=["fact", "as_of"], name="factvalue_fact_asof_idx")]

    def __str__(self) -> str:
        return f"{self.beneficiary_id}.{self.fact_id}"


# --- policies -------------------------------------------------------------------------------------


class Policy(models.Model):
    """A support policy (扶持政策) across its versions: what the rule file does not say.

    The file (:class:`PolicyVersion`) holds who qualifies and how much; this row holds how the benefit
    is delivered — money or a service, how often (one payment per period), whether it stacks with
    others (``stacking_group``: 就高不重复), its budget per period, whether the list of beneficiaries
    is publicised (公示) before anyone is notified, and the working-day deadlines.
    """

    code = models.CharField(_("政策标识"), max_length=80, unique=True, validators=[policy_code_validator])
    title = models.CharField(_("政策名称"), max_length=200)
    department = models.CharField(_("主管部门"), max_length=100)
    benefit_kind = models.CharField(
        _("兑现方式"), max_length=10, choices=BenefitKind.choices, default=BenefitKind.MONEY
    )
    service_items = models.CharField(
        _("服务内容"), max_length=300, blank=True, help_text=_("服务类政策：如 医疗保健、子女入学、住房保障")
    )
    service_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人才服务专员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    period_kind = models.CharField(
        _("兑现周期"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.ONCE
    )
    stacking_group = models.CharField(
        _("不叠加组"),
        max_length=60,
        blank=True,
        help_text=_("同一组的政策就高不重复：同一对象同一周期只兑现金额最高的一项"),
    )
    budget_per_period = models.BigIntegerField(
        _("每周期预算（元）"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    requires_publicity = models.BooleanField(_("兑现前公示名单"), default=False)
    publicity_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)
    confirm_days = models.PositiveSmallIntegerField(_("确认期限（工作日）"), default=20)
    pay_days = models.PositiveSmallIntegerField(
        _("拨付期限（工作日）"), default=60, help_text=_("自确认之日起；快申快享政策承诺60个工作日内兑现")
    )
    document = models.ForeignKey(
        "disclosure.Document",
        verbose_name=_("政策文件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.TextField(_("政策解读"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("扶持政策")
        verbose_name_plural = _("扶持政策")
        ordering = ["code"]
        permissions = [
            ("approve_policyversion", _("可审核发布政策规则")),
            ("run_matching", _("可运行政策比对")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(benefit_kind="service") | Q(service_officer__isnull=False),
                name="policy_service_has_officer",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.benefit_kind == BenefitKind.SERVICE and not self.service_officer_id:
            raise ValidationError({"service_officer": _("服务类政策必须指定人才服务专员")})


class PolicyVersion(models.Model):
    """One version of a policy's ``gongkai-rules/1`` file, exactly as written.

    Editable only as a draft; once published its text never changes (a database trigger refuses
    it). A newer published version supersedes it from the newer one's ``valid_from``.
    """

    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本"), validators=[MinValueValidator(1)])
    text = models.TextField(_("规则文件"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    mode = models.CharField(_("兑现方式"), max_length=10)
    beneficiary_kind = models.CharField(_("对象"), max_length=10, choices=BeneficiaryKind.choices)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True)
    has_amount = models.BooleanField(_("有金额"), default=False)
    tests_count = models.PositiveIntegerField(_("测试用例数"), default=0)
    state = models.CharField(
        _("状态"), max_length=10, choices=VersionState.choices, default=VersionState.DRAFT
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编写人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    return_reason = models.TextField(_("退回意见"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("政策规则版本")
        verbose_name_plural = _("政策规则版本")
        ordering = ["policy", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "number"], name="policyversion_number_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="policyversion_valid_order",
            ),
            models.CheckConstraint(
                condition=~Q(mode="评审类", has_amount=True), name="policyversion_review_never_pays"
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False, reviewed_by__isnull=False),
                name="policyversion_published_reviewed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy.code} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.state == VersionState.PUBLISHED

    def in_force(self, on) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


# --- matching -------------------------------------------------------------------------------------


class MatchRun(models.Model):
    """One matching run: full (nightly or on demand) or incremental (after an import or a version)."""

    kind = models.CharField(_("类别"), max_length=12, choices=RunKind.choices)
    on = models.DateField(_("比对日期"))
    engine_version = models.CharField(_("引擎版本"), max_length=60)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    policies = models.PositiveIntegerField(_("政策版本数"), default=0)
    beneficiaries = models.PositiveIntegerField(_("对象数"), default=0)
    changed = models.PositiveIntegerField(_("结果有变化"), default=0)
    cases_created = models.PositiveIntegerField(_("新建兑现事项"), default=0)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    actor_name = models.CharField(_("发起人"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("比对运行")
        verbose_name_plural = _("比对运行")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"


class Determination(models.Model):
    """What one policy version decided for one beneficiary on a date, with everything it used.

    ``facts`` holds every fact value the version reads (null for unknown) and ``provenance`` each
    one's as-of date and source, so the determination can be replayed exactly with
    ``ENGINE_VERSION`` (:func:`gongkai.policies.matching.replay`). Only results worth keeping are
    stored: eligible, undetermined, ineligible failing exactly one criterion (差一点), and any
    result that replaces one of those. No current row means "ineligible" (or never matched).
    """

    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("政策版本"), on_delete=models.PROTECT, related_name="determinations"
    )
    policy = models.ForeignKey(Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="+")
    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("政策对象"), on_delete=models.PROTECT, related_name="determinations"
    )
    on = models.DateField(_("比对日期"))
    status = models.CharField(_("结果"), max_length=14, choices=DeterminationStatus.choices)
    criteria = models.JSONField(_("各条件结果"), default=dict)
    amount = models.BigIntegerField(_("金额（元）"), null=True, blank=True)
    facts = models.JSONField(_("所用数据"), default=dict)
    provenance = models.JSONField(_("数据来源及截至日期"), default=dict)
    engine_version = models.CharField(_("引擎版本"), max_length=60)
    near_miss = models.BooleanField(_("差一点"), default=False)
    current = models.BooleanField(_("当前有效"), default=True)
    run = models.ForeignKey(MatchRun, verbose_name=_("比对运行"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("比对结果")
        verbose_name_plural = _("比对结果")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "beneficiary"], condition=Q(current=True), name="determination_one_current"
            ),
        ]
        indexes = [
            models.Index(fields=["beneficiary", "current"], name="determination_benef_idx"),
            models.Index(fields=["version", "status", "current"], name="determination_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.version} / {self.beneficiary_id}: {self.status}"


# --- the 兑现 workflow ----------------------------------------------------------------------------


class Case(models.Model):
    """Delivering one policy to one beneficiary for one period (兑现事项): a state machine.

    待公示 → 已通知 → 已确认 → 已审核 → 已拨付 → 归档, plus 放弃, 异议, 追回 and 已撤销 (the
    beneficiary stopped qualifying before confirming, or a better policy of the same 不叠加组 won).
    At most one case per policy, beneficiary and period, whatever the version.
    """

    policy = models.ForeignKey(Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="cases")
    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("政策版本"), on_delete=models.PROTECT, related_name="+"
    )
    determination = models.ForeignKey(
        Determination, verbose_name=_("比对结果"), on_delete=models.PROTECT, related_name="+"
    )
    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("政策对象"), on_delete=models.PROTECT, related_name="cases"
    )
    period = models.CharField(_("兑现周期"), max_length=10)
    amount = models.BigIntegerField(_("金额（元）"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=CaseState.choices)
    state_before_dispute = models.CharField(max_length=12, choices=CaseState.choices, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    publicity_started_on = models.DateField(_("公示开始日期"), null=True, blank=True)
    notified_on = models.DateField(_("通知日期"), null=True, blank=True)
    confirmed_on = models.DateField(_("确认日期"), null=True, blank=True)
    approved_on = models.DateField(_("审核日期"), null=True, blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    bank_account_name = models.CharField(_("收款账户名"), max_length=100, blank=True)
    bank_account = models.CharField(_("收款账号"), max_length=40, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=100, blank=True)
    pledge_signed = models.BooleanField(_("已签署承诺"), default=False)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("兑现事项")
        verbose_name_plural = _("兑现事项")
        ordering = ["-created_at"]
        permissions = [
            ("review_case", _("可审核兑现事项")),
            ("pay_case", _("可登记拨付和追回")),
            ("invite_account", _("可邀请企业和人才开通账户")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["policy", "beneficiary", "period"], name="case_one_per_period"),
            models.CheckConstraint(
                condition=~Q(state__in=["confirmed", "approved", "paid", "archived"]) | Q(pledge_signed=True),
                name="case_confirmed_signed",
            ),
        ]
        indexes = [models.Index(fields=["state", "policy"], name="case_state_policy_idx")]

    def __str__(self) -> str:
        return f"{self.policy.code} / {self.beneficiary.key} / {self.period}"


class Payment(models.Model):
    """A payment made (拨付). One per policy × beneficiary × period across versions — a constraint."""

    case = models.OneToOneField(
        Case, verbose_name=_("兑现事项"), on_delete=models.PROTECT, related_name="payment"
    )
    policy = models.ForeignKey(
        Policy, verbose_name=_("政策"), on_delete=models.PROTECT, related_name="payments"
    )
    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("政策对象"), on_delete=models.PROTECT, related_name="payments"
    )
    period = models.CharField(_("兑现周期"), max_length=10)
    amount = models.BigIntegerField(_("金额（元）"), validators=[MinValueValidator(0)])
    paid_on = models.DateField(_("拨付日期"))
    reference = models.CharField(_("支付凭证号"), max_length=60)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    clawed_back_on = models.DateField(_("追回日期"), null=True, blank=True)
    clawback_reason = models.CharField(_("追回原因"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("拨付记录")
        verbose_name_plural = _("拨付记录")
        ordering = ["-paid_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "beneficiary", "period"], name="payment_one_per_policy_beneficiary_period"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.policy.code} / {self.beneficiary_id} / {self.period}: {self.amount}"


class ServiceRequest(models.Model):
    """A service benefit (e.g. 人才金卡 医疗保健, 子女入学) for a named 人才服务专员 to deliver."""

    case = models.OneToOneField(
        Case, verbose_name=_("兑现事项"), on_delete=models.PROTECT, related_name="service_request"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人才服务专员"), on_delete=models.PROTECT, related_name="+"
    )
    items = models.CharField(_("服务内容"), max_length=300)
    state = models.CharField(
        _("状态"), max_length=10, choices=ServiceState.choices, default=ServiceState.OPEN
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    note = models.TextField(_("服务记录"), blank=True)

    class Meta:
        verbose_name = _("服务请求")
        verbose_name_plural = _("服务请求")
        ordering = ["state", "-created_at"]

    def __str__(self) -> str:
        return f"{self.case} → {self.officer}"


class Dispute(models.Model):
    """A beneficiary says a fact is wrong (异议); staff correct it (and the match is re-run) or not."""

    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("政策对象"), on_delete=models.PROTECT, related_name="disputes"
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("兑现事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    fact = models.ForeignKey(Fact, verbose_name=_("数据项"), on_delete=models.PROTECT, related_name="+")
    claimed = models.CharField(_("申请人认为的正确值"), max_length=200)
    reason = models.TextField(_("理由"))
    state = models.CharField(
        _("状态"), max_length=10, choices=DisputeState.choices, default=DisputeState.OPEN
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resolution = models.TextField(_("处理意见"), blank=True)

    class Meta:
        verbose_name = _("数据异议")
        verbose_name_plural = _("数据异议")
        ordering = ["state", "-created_at"]

    def __str__(self) -> str:
        return f"{self.beneficiary_id}: {self.fact_id}"


# --- accounts and notifications ------------------------------------------------------------------


class Account(models.Model):
    """A login of an enterprise or a talent (never staff): it sees only its own beneficiary."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="policy_account",
    )
    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("政策对象"), on_delete=models.PROTECT, related_name="accounts"
    )
    email = models.EmailField(_("电子邮箱"))
    created_at = models.DateTimeField(_("开通时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("企业和人才账户")
        verbose_name_plural = _("企业和人才账户")

    def __str__(self) -> str:
        return f"{self.beneficiary} ({self.user})"


class Invitation(models.Model):
    """Staff invite a beneficiary's registered contact; only the SHA-256 of the token is stored."""

    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("政策对象"), on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField(_("电子邮箱"))
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("邀请人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("有效期至"))
    accepted_at = models.DateTimeField(_("开通时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("账户邀请")
        verbose_name_plural = _("账户邀请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.beneficiary} → {self.email}"


class ExternalIdentity(models.Model):
    """An identity asserted by an outside provider (电子营业执照, a provincial OIDC) for an account."""

    provider = models.CharField(_("身份提供方"), max_length=40)
    subject = models.CharField(_("外部标识"), max_length=200)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="identities")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("外部身份")
        verbose_name_plural = _("外部身份")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="external_identity_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"


class Notification(models.Model):
    """A message to a beneficiary about a case. One per case and kind: nobody is told twice."""

    beneficiary = models.ForeignKey(
        Beneficiary, verbose_name=_("政策对象"), on_delete=models.PROTECT, related_name="notifications"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("兑现事项"), on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField(_("类别"), max_length=20)
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="notification_once_per_case_kind")
        ]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """One attempt to deliver a notification through one channel."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    ok = models.BooleanField(_("成功"), default=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知发送记录")
        verbose_name_plural = _("通知发送记录")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel}"
