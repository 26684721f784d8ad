"""双随机、一公开: the item catalogue, plans, tasks, their verifiable draws, and results."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongkai.inspections.choices import (
    FollowUp,
    ItemLevel,
    ItemStatus,
    PlanStatus,
    StrataMode,
    TargetRole,
    TaskState,
)
from gongkai.inspectors.models import Department, Officer
from gongkai.registry.models import Entity


class InspectionItem(models.Model):
    """One version of an item of the 随机抽查事项清单.

    Items are versioned: a change publishes a new version with the same ``code``; a task keeps the
    versions it was published with, so a retired item stays visible on old tasks.
    """

    code = models.CharField(_("事项编码"), max_length=40)
    version = models.PositiveIntegerField(_("版本"), default=1)
    category = models.CharField(_("抽查类别"), max_length=100)
    name = models.CharField(_("抽查事项"), max_length=200)
    target = models.CharField(_("检查对象"), max_length=200)
    level = models.CharField(_("事项类别"), max_length=10, choices=ItemLevel.choices)
    methods = models.CharField(_("检查方式"), max_length=200)
    subject = models.CharField(_("检查主体"), max_length=200)
    basis = models.TextField(_("检查依据"))
    is_joint = models.BooleanField(_("部门联合抽查事项"), default=False)
    lead_department = models.CharField(_("发起部门"), max_length=100, blank=True)
    partner_departments = models.CharField(_("配合部门"), max_length=300, blank=True)
    tier = models.CharField(_("抽查层级"), max_length=50, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查事项")
        verbose_name_plural = _("抽查事项清单")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="item_code_version_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Plan(models.Model):
    """An annual random-inspection plan of one department (年度抽查计划)."""

    department = models.ForeignKey(
        Department, verbose_name=_("检查主体"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("计划名称"), max_length=200)
    content = models.TextField(_("检查内容"))
    period = models.CharField(_("开展时间"), max_length=100)
    ratio = models.CharField(_("抽查比例"), max_length=100)
    frequency = models.CharField(_("抽查频次"), max_length=100)
    quantity = models.CharField(_("抽查数量"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查计划")
        verbose_name_plural = _("抽查计划")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


# A task's two documents: the frozen document holds every member of the population (24 bytes a
# member, 38 with 所所交叉 units: 24–38 MB for a city of a million entities, 360–570 MB for a
# province of fifteen million), the result every selected member.
TASK_TEXTS = ("frozen_text", "result_text")


class TaskManager(models.Manager["Task"]):
    """Tasks without their two documents (``TASK_TEXTS``) until one is read, which loads it then.

    A list of twenty tasks would otherwise carry every population with it. A query that joins
    tasks (``select_related("task")``) leaves them out with ``defer(*via("task"))``.
    """

    def get_queryset(self) -> models.QuerySet[Task]:
        return super().get_queryset().defer(*TASK_TEXTS)


def via(relation: str) -> list[str]:
    """``TASK_TEXTS`` as reached through a relation: ``via("task")`` → ``["task__frozen_text", …]``."""
    return [f"{relation}__{name}" for name in TASK_TEXTS]


class Task(models.Model):
    """A random-inspection task (抽查任务) and its draw under ``gongkai-draw/1``.

    The population definition, strata and rules are editable only in 草稿. Announcing freezes them
    into ``frozen_text`` (canonical JSON) and publishes the ``commitment``; the draw needs a seed
    entered at or after ``seed_not_before`` and stores ``result_text``. States only move forward.
    Both texts are left out of queries until read (``TaskManager``).
    """

    public_id = models.CharField(_("任务编号"), max_length=40, unique=True)
    plan = models.ForeignKey(Plan, verbose_name=_("所属计划"), on_delete=models.PROTECT, related_name="tasks")
    name = models.CharField(_("任务名称"), max_length=200)
    items = models.ManyToManyField(InspectionItem, verbose_name=_("抽查事项"), related_name="tasks")
    is_joint = models.BooleanField(_("部门联合抽查"), default=False)
    required_departments = models.JSONField(_("每组必须包含的部门"), default=list, blank=True)
    # Population: entities in business matching every non-empty filter.
    districts = models.JSONField(_("区划（任一地址）"), default=list, blank=True)
    entity_types = models.JSONField(_("主体类型"), default=list, blank=True)
    industry_sections = models.JSONField(_("行业门类"), default=list, blank=True)
    industry_divisions = models.JSONField(_("行业大类"), default=list, blank=True)
    cluster_host = models.ForeignKey(
        Entity,
        verbose_name=_("仅限该托管机构名下"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Strata and quotas.
    strata_mode = models.CharField(
        _("分层方式"), max_length=10, choices=StrataMode.choices, default=StrataMode.NONE
    )
    ratios = models.JSONField(
        _("抽查比例（%）"),
        default=dict,
        blank=True,
        help_text=_('不分层时 {"*": "5"}；按信用风险分类时 {"A": "3", "B": "5", …}；按区划/行业时以代码为键'),
    )
    min_count = models.PositiveIntegerField(_("每层最少抽取户数"), default=0)
    shared_address_threshold = models.PositiveIntegerField(
        _("同一地址登记户数达到"), null=True, blank=True, help_text=_("留空表示不单独提高比例")
    )
    shared_address_ratio = models.DecimalField(
        _("集中登记地址抽查比例（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    exclude_same_item_this_year = models.BooleanField(_("排除本年度已因同一事项被抽中的主体"), default=True)
    apply_yearly_cap = models.BooleanField(_("执行每户每年抽查次数上限"), default=True)
    # Inspectors.
    team_size = models.PositiveSmallIntegerField(
        _("每组检查人员数"), default=2, validators=[MinValueValidator(2)]
    )
    cross_unit = models.BooleanField(_("所所交叉"), default=False)
    max_load = models.PositiveIntegerField(_("每人最多检查户数"), default=0, help_text=_("0表示不限"))
    period_start = models.DateField(_("检查开始日期"))
    period_end = models.DateField(_("检查结束日期"))
    # The draw.
    seed_source = models.CharField(_("随机种子来源"), max_length=300, blank=True)
    seed_not_before = models.DateTimeField(_("种子最早录入时间"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=TaskState.choices, default=TaskState.DRAFT)
    frozen_text = models.TextField(_("冻结文件（规范JSON）"), blank=True)
    # What pages show of the frozen document without reading it (``TaskManager``).
    announced_strata = models.JSONField(
        _("公告的分层"), default=list, blank=True, help_text=_("冻结文件中每层的名称、户数和配额")
    )
    commitment = models.CharField(_("承诺值"), max_length=64, blank=True)
    announced_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    seed = models.CharField(_("随机种子（规范化）"), max_length=500, blank=True)
    seed_as_entered = models.CharField(_("随机种子（录入原文）"), max_length=500, blank=True)
    seed_evidence = models.TextField(_("种子证据"), blank=True)
    seed_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("种子录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    seed_entered_at = models.DateTimeField(_("种子录入时间"), null=True, blank=True)
    result_text = models.TextField(_("摇号结果（规范JSON）"), blank=True)
    drawn_at = models.DateTimeField(_("摇号时间"), null=True, blank=True)
    inspection_started_at = models.DateTimeField(_("开始检查时间"), null=True, blank=True)
    results_published_at = models.DateTimeField(_("结果公示时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("完结时间"), null=True, blank=True)
    full_bundle_public = models.BooleanField(
        _("完整摇号数据公开"),
        default=True,
        help_text=_(
            "按信用风险分类分层时为否：公众只看到各层的规模、配额和分界号，完整数据只提供给指定审计方"
        ),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = TaskManager()

    class Meta:
        verbose_name = _("抽查任务")
        verbose_name_plural = _("抽查任务")
        ordering = ["-created_at"]
        permissions = [
            ("announce_task", _("可发布抽查任务公告")),
            ("draw_task", _("可录入种子并摇号")),
            ("replace_target", _("可从备选中替补")),
            ("view_full_bundle", _("可查看完整摇号数据（指定审计方）")),
            ("record_result", _("可录入检查结果")),
            ("sign_result", _("可签署检查结果")),
            ("publish_result", _("可公示检查结果")),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(team_size__gte=2), name="task_team_at_least_two"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="task_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.name}"


class TeamField(models.JSONField):
    """A team: the officers' codes (``Officer.code``) in the order the draw took them.

    ``team__includes=code`` finds the targets whose team has that officer: ``@>`` on PostgreSQL,
    ``json_each`` on SQLite. Every code is checked against the officer register per statement
    (migration ``inspections/0006``, ADR 14), as the rows' other references are (ADR 9).
    """


@TeamField.register_lookup
class TeamIncludes(models.Lookup):
    lookup_name = "includes"
    prepare_rhs = False  # an officer's code as it is, not a JSON document

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        params = [*lhs_params, *rhs_params]
        if connection.vendor == "postgresql":
            return f"{lhs} @> jsonb_build_array(({rhs})::text)", params
        return f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = {rhs})", params


class Target(models.Model):
    """An entity selected or held in reserve by a task's draw, with its ticket, rank and team.

    The team is stored on the row (ADR 14): a draw writes one row per selected entity, and the
    database writes them while §6 is still assigning the rest.
    """

    # No index of their own: the unique ``(entity, task)`` below serves an entity's targets and the
    # unique ``(task, stratum_index, role, rank)`` a task's. A draw writes hundreds of thousands of
    # targets at once, each index costing on every row, so there is no third (ADR 15).
    # No row-by-row foreign keys either: one set-based check per statement guards them (ADR 9).
    task = models.ForeignKey(
        Task,
        verbose_name=_("抽查任务"),
        on_delete=models.PROTECT,
        related_name="targets",
        db_index=False,
        db_constraint=False,
    )
    entity = models.ForeignKey(
        Entity,
        verbose_name=_("市场主体"),
        on_delete=models.PROTECT,
        related_name="inspection_targets",
        db_index=False,
        db_constraint=False,
    )
    stratum_index = models.PositiveSmallIntegerField(_("层序号"))
    stratum_name = models.CharField(_("层"), max_length=50)
    role = models.CharField(_("类别"), max_length=10, choices=TargetRole.choices)
    rank = models.PositiveIntegerField(_("层内顺位"))
    ticket = models.CharField(_("签号"), max_length=64)
    team = TeamField(
        _("检查组"),
        default=list,
        blank=True,
        help_text=_("检查人员编号，按摇号选定的顺序；空：未能分配检查组"),
    )
    replaced = models.BooleanField(_("已被替补"), default=False)
    activated = models.BooleanField(_("作为替补启用"), default=False)
    # The team's Officer rows, in order, where ``selectors.with_team_officers`` has read them.
    team_officers: list[Officer]
    completed_on = models.DateField(
        _("检查结果形成日期"), null=True, blank=True, help_text=_("检查组全部签署之日")
    )
    results_published_at = models.DateTimeField(_("结果公示时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("抽查对象")
        verbose_name_plural = _("抽查对象")
        ordering = ["task", "stratum_index", "role", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "task"], name="target_entity_task_unique"),
            models.UniqueConstraint(
                fields=["task", "stratum_index", "role", "rank"], name="target_rank_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.public_id}: {self.entity_id}"

    @property
    def is_active(self) -> bool:
        """Inspected: selected and not replaced, or a reserve brought in by a replacement."""
        return (self.role == TargetRole.SELECTED and not self.replaced) or self.activated


class Replacement(models.Model):
    """A published replacement event (§8): a selected entity out of scope, the next reserve in."""

    task = models.ForeignKey(
        Task, verbose_name=_("抽查任务"), on_delete=models.PROTECT, related_name="replacements"
    )
    sequence = models.PositiveIntegerField(_("序号"))
    out_target = models.OneToOneField(
        Target, verbose_name=_("被替换"), on_delete=models.PROTECT, related_name="replaced_by"
    )
    in_target = models.OneToOneField(
        Target, verbose_name=_("替补"), on_delete=models.PROTECT, related_name="replacing"
    )
    reason = models.CharField(_("原因"), max_length=300)
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("替补记录")
        verbose_name_plural = _("替补记录")
        ordering = ["task", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["task", "sequence"], name="replacement_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.task.public_id} #{self.sequence}"


class ResultCategory(models.Model):
    """A configurable result category (the national code table was not found; see domain rules §1)."""

    code = models.CharField(_("代码"), max_length=30, primary_key=True)
    label = models.CharField(_("名称"), max_length=100, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    problem_found = models.BooleanField(_("属于发现问题"), default=False)
    flags_abnormal = models.BooleanField(_("触发经营异常名录程序"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("检查结果类别")
        verbose_name_plural = _("检查结果类别")
        ordering = ["sort_order"]

    def __str__(self) -> str:
        return self.label


class InspectionRecord(models.Model):
    """The result of inspecting one target for one item, recorded by its team."""

    target = models.ForeignKey(
        Target, verbose_name=_("抽查对象"), on_delete=models.PROTECT, related_name="records"
    )
    item = models.ForeignKey(
        InspectionItem, verbose_name=_("抽查事项"), on_delete=models.PROTECT, related_name="+"
    )
    categories = models.ManyToManyField(ResultCategory, verbose_name=_("检查结果"), related_name="+")
    findings = models.TextField(_("检查情况"), blank=True)
    follow_up = models.CharField(
        _("后续处置"), max_length=20, choices=FollowUp.choices, default=FollowUp.NONE
    )
    follow_up_note = models.CharField(_("后续处置说明"), max_length=300, blank=True)
    follow_up_done_on = models.DateField(_("处置完结日期"), null=True, blank=True)
    inspected_on = models.DateField(_("检查日期"))
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        ordering = ["target", "item"]
        constraints = [models.UniqueConstraint(fields=["target", "item"], name="record_target_item_unique")]

    def __str__(self) -> str:
        return f"{self.target} / {self.item.code}"


class SignOff(models.Model):
    """An officer's signature on a target's records."""

    target = models.ForeignKey(
        Target, verbose_name=_("抽查对象"), on_delete=models.PROTECT, related_name="signoffs"
    )
    officer = models.ForeignKey(
        Officer, verbose_name=_("检查人员"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("签署时间"))

    class Meta:
        verbose_name = _("签署")
        verbose_name_plural = _("签署")
        constraints = [models.UniqueConstraint(fields=["target", "officer"], name="signoff_unique")]

    def __str__(self) -> str:
        return f"{self.officer} @ {self.signed_at}"


class Attachment(models.Model):
    """A photo or scanned record, stored outside the web root and served only through a view."""

    target = models.ForeignKey(
        Target, verbose_name=_("抽查对象"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="inspections/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name


class BundleAccess(models.Model):
    """A named auditor allowed to read a task's full bundle (上级局, 公证机构, 纪检监察)."""

    task = models.ForeignKey(
        Task, verbose_name=_("抽查任务"), on_delete=models.CASCADE, related_name="auditors"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审计方账号"), on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.CharField(_("单位"), max_length=100)

    class Meta:
        verbose_name = _("完整数据查阅授权")
        verbose_name_plural = _("完整数据查阅授权")
        constraints = [models.UniqueConstraint(fields=["task", "user"], name="bundle_access_unique")]

    def __str__(self) -> str:
        return f"{self.task.public_id} → {self.organisation}"


class AbnormalReferral(models.Model):
    """A result that sends the entity to the 经营异常名录 process (无法联系, 弄虚作假)."""

    target = models.OneToOneField(
        Target, verbose_name=_("抽查对象"), on_delete=models.PROTECT, related_name="abnormal_referral"
    )
    entity = models.ForeignKey(Entity, verbose_name=_("市场主体"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=200)
    flagged_on = models.DateField(_("核实日期"))
    due_on = models.DateField(_("列入期限"), help_text=_("核实之日起10个工作日内"))
    handled_on = models.DateField(_("处理日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("经营异常名录移送")
        verbose_name_plural = _("经营异常名录移送")
        ordering = ["due_on"]

    def __str__(self) -> str:
        return f"{self.entity_id}: {self.reason}"
