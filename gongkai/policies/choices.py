from django.db import models
from django.utils.translation import gettext_lazy as _


class BeneficiaryKind(models.TextChoices):
    """Who a policy is for (``beneficiary:`` in a rule file)."""

    ENTITY = "entity", _("市场主体")
    PERSON = "person", _("个人（人才）")


class FactType(models.TextChoices):
    """The types of ``gongkai-rules/1`` facts (``rules.types.FACT_TYPES``)."""

    INTEGER = "integer", _("整数")
    STRING = "string", _("文字")
    DATE = "date", _("日期")
    BOOLEAN = "boolean", _("是/否")
    LIST = "list", _("文字列表")


class Derivation(models.TextChoices):
    """Where a fact's values come from: computed from Gongkai's own data, or stored values."""

    STORED = "", _("导入或填报")
    REGISTER = "register", _("登记注册（自动计算）")
    PENALTIES = "penalties", _("行政处罚信息公示（自动计算）")
    INSPECTIONS = "inspections", _("双随机抽查结果（自动计算）")
    PERSON = "person", _("人才名录（自动计算）")


class ValueOrigin(models.TextChoices):
    IMPORT = "import", _("部门数据导入")
    DECLARED = "declared", _("申请人填报")
    CORRECTION = "correction", _("工作人员更正")


class VersionState(models.TextChoices):
    """A rule file version: 草稿 → 待审核 → 已发布 (or back to 草稿 via 已退回). Published is final."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    PUBLISHED = "published", _("已发布")


class BenefitKind(models.TextChoices):
    MONEY = "money", _("资金")
    SERVICE = "service", _("服务")


class PeriodKind(models.TextChoices):
    """How often a beneficiary may receive a policy's benefit (one payment per period)."""

    ONCE = "once", _("一次性")
    YEAR = "year", _("每年度")
    QUARTER = "quarter", _("每季度")
    MONTH = "month", _("每月")


class DeterminationStatus(models.TextChoices):
    ELIGIBLE = "eligible", _("符合")
    INELIGIBLE = "ineligible", _("不符合")
    UNDETERMINED = "undetermined", _("待补充")
    NOT_IN_FORCE = "not_in_force", _("不在有效期")


class RunKind(models.TextChoices):
    FULL = "full", _("全量比对")
    FACTS = "facts", _("数据更新后增量比对")
    VERSION = "version", _("新版本发布后比对")
    BENEFICIARY = "beneficiary", _("单个对象重新比对")


class CaseState(models.TextChoices):
    """The 兑现 workflow of one beneficiary × policy × period (see ``services`` for transitions)."""

    PUBLICITY = "publicity", _("待公示")
    NOTIFIED = "notified", _("已通知")
    CONFIRMED = "confirmed", _("已确认")
    APPROVED = "approved", _("已审核")
    PAID = "paid", _("已拨付")
    ARCHIVED = "archived", _("归档")
    DECLINED = "declined", _("放弃")
    DISPUTED = "disputed", _("异议")
    CLAWED_BACK = "clawed_back", _("追回")
    CANCELLED = "cancelled", _("已撤销")


OPEN_CASE_STATES = (
    CaseState.PUBLICITY,
    CaseState.NOTIFIED,
    CaseState.CONFIRMED,
    CaseState.APPROVED,
    CaseState.DISPUTED,
)
# A case in one of these may still be replaced by a better one (就高不重复) or withdrawn when the
# beneficiary stops qualifying; after confirmation it runs to its end.
PRE_CONFIRMATION_STATES = (CaseState.PUBLICITY, CaseState.NOTIFIED)
PAID_STATES = (CaseState.PAID, CaseState.ARCHIVED)


class DisputeState(models.TextChoices):
    OPEN = "open", _("待处理")
    CORRECTED = "corrected", _("已更正")
    REJECTED = "rejected", _("维持原数据")


class ServiceState(models.TextChoices):
    OPEN = "open", _("待服务")
    DONE = "done", _("已完成")


class Channel(models.TextChoices):
    INBOX = "inbox", _("站内消息")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
