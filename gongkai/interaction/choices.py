from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageCategory(models.TextChoices):
    CONSULT = "consult", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")


class MessageState(models.TextChoices):
    """A message's life: 待分办 → 办理中 → 已答复 → 已办结; 无效留言 closes it without a reply."""

    NEW = "new", _("待分办")
    ASSIGNED = "assigned", _("办理中")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")
    INVALID = "invalid", _("无效留言（不予答复）")


OPEN_MESSAGE_STATES = (MessageState.NEW, MessageState.ASSIGNED)


class NoteKind(models.TextChoices):
    NOTE = "note", _("内部备注")
    ROUTE = "route", _("分办")
    ASSIGN = "assign", _("指定承办人")
    TRANSFER = "transfer", _("转办")


class Satisfaction(models.IntegerChoices):
    SATISFIED = 3, _("满意")
    BASIC = 2, _("基本满意")
    UNSATISFIED = 1, _("不满意")


class ApplicantType(models.TextChoices):
    """The columns of the annual report's 收到和处理政府信息公开申请情况 table (国办公开办函〔2021〕30号)."""

    PERSON = "person", _("自然人")
    BUSINESS = "business", _("商业企业")
    RESEARCH = "research", _("科研机构")
    NONPROFIT = "nonprofit", _("社会公益组织")
    LEGAL = "legal", _("法律服务机构")
    OTHER = "other", _("其他")


class Channel(models.TextChoices):
    """How a request arrived; 条例第三十一条 fixes from which day it counts as received."""

    ONLINE = "online", _("网上申请（本平台）")
    IN_PERSON = "in_person", _("当面提交")
    POST = "post", _("邮寄（需签收）")
    LETTER = "letter", _("平常信函")
    EMAIL = "email", _("电子邮件或传真")


# 政府信息公开条例第三十一条: the day a request counts as received, by channel.
RECEIPT_RULES = {
    Channel.ONLINE: "网上提交：以申请人提交之日为收到申请之日（平台即时确认）",
    Channel.IN_PERSON: "当面提交：以提交之日为收到申请之日（条例第三十一条第一项）",
    Channel.POST: "邮寄：以行政机关签收之日为收到申请之日（条例第三十一条第二项）",
    Channel.LETTER: "平常信函等无需签收的邮寄方式：以政府信息公开工作机构与申请人确认之日为收到申请之日（条例第三十一条第二项）",
    Channel.EMAIL: "互联网渠道或传真：以双方确认之日为收到申请之日（条例第三十一条第三项）",
}


class RequestState(models.TextChoices):
    """依申请公开: the state machine of a request (see docs/interaction.md)."""

    RECEIVED = "received", _("办理中")
    CORRECTION = "correction", _("待申请人补正")
    CONSULTING = "consulting", _("征求第三方意见中")
    FEE_PENDING = "fee_pending", _("待缴纳信息处理费")
    ANSWERED = "answered", _("已答复")
    WITHDRAWN = "withdrawn", _("已撤回或视为放弃")


OPEN_REQUEST_STATES = (
    RequestState.RECEIVED,
    RequestState.CORRECTION,
    RequestState.CONSULTING,
    RequestState.FEE_PENDING,
)


class StepKind(models.TextChoices):
    RECEIVED = "received", _("收到申请")
    CORRECTION_REQUESTED = "correction_requested", _("发出补正告知")
    CORRECTION_RECEIVED = "correction_received", _("收到补正")
    CORRECTION_LAPSED = "correction_lapsed", _("逾期未补正，视为放弃")
    CONSULTATION_STARTED = "consultation_started", _("征求第三方意见")
    CONSULTATION_ENDED = "consultation_ended", _("第三方意见收回")
    EXTENDED = "extended", _("延长答复期限")
    FEE_NOTICE = "fee_notice", _("发出收费通知")
    FEE_PAID = "fee_paid", _("收到信息处理费")
    FEE_LAPSED = "fee_lapsed", _("逾期未缴费，不再处理")
    ANSWERED = "answered", _("作出答复")
    WITHDRAWN = "withdrawn", _("申请人撤回申请")


class FeeMethod(models.TextChoices):
    """国办函〔2020〕109号: one of two methods per request, chosen by the agency."""

    NONE = "none", _("不收费")
    BY_ITEM = "by_item", _("按件计收")
    BY_PAGE = "by_page", _("按量计收")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
