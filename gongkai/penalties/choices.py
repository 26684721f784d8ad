from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyKind(models.TextChoices):
    ENTITY = "entity", _("经营主体（名录库）")
    PERSON = "person", _("自然人")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO_PERMIT = "hk_macao_permit", _("港澳居民来往内地通行证")
    TAIWAN_PERMIT = "taiwan_permit", _("台湾居民来往大陆通行证")
    FOREIGN_RESIDENCE = "foreign_residence", _("外国人永久居留身份证")
    OTHER = "other", _("其他证件")


class Procedure(models.TextChoices):
    """行政处罚法第五章: 简易程序 (第五十一条) and 普通程序 (第五十四条起)."""

    SIMPLE = "simple", _("简易程序")
    ORDINARY = "ordinary", _("普通程序")


class ViolationCategory(models.TextChoices):
    """The field a violation belongs to: what the public list filters on."""

    FOOD = "food", _("食品安全")
    DRUG = "drug", _("药品")
    MEDICAL_DEVICE = "medical_device", _("医疗器械")
    COSMETIC = "cosmetic", _("化妆品")
    ADVERTISING = "advertising", _("广告")
    PRICE = "price", _("价格")
    METROLOGY = "metrology", _("计量")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备")
    PRODUCT_QUALITY = "product_quality", _("产品质量")
    TRADEMARK = "trademark", _("商标与知识产权")
    COMPETITION = "competition", _("不正当竞争与垄断")
    CONSUMER = "consumer", _("消费者权益保护")
    ONLINE = "online", _("网络交易")
    REGISTRATION = "registration", _("登记注册与无照经营")
    STANDARDS = "standards", _("标准化与认证认可")
    PYRAMID = "pyramid", _("传销与直销")
    OTHER = "other", _("其他")


class Restriction(models.TextChoices):
    """行政处罚法第九条第（四）项: 限制开展生产经营活动、限制从业."""

    NONE = "", _("无")
    BUSINESS = "business", _("限制开展生产经营活动")
    PRACTICE = "practice", _("限制从业")
    BOTH = "both", _("限制开展生产经营活动并限制从业")


class State(models.TextChoices):
    """The publication state machine (see docs/penalties.md).

    草稿 → 待审核 → 已审核 → 已公示 → 已撤回 / 已届满 / 信用修复提前终止; 待审核 can be returned to 草稿.
    """

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已审核待公示")
    PUBLISHED = "published", _("已公示")
    WITHDRAWN = "withdrawn", _("已撤回")
    EXPIRED = "expired", _("已届满")
    ENDED_BY_REPAIR = "ended_by_repair", _("信用修复提前终止")


UNPUBLISHED_STATES = (State.DRAFT, State.SUBMITTED, State.APPROVED)
FINAL_STATES = (State.WITHDRAWN, State.EXPIRED, State.ENDED_BY_REPAIR)


class WithdrawalGround(models.TextChoices):
    """总局令第45号: 行政处罚决定被依法变更、撤销、确认违法或者确认无效的，撤回公示信息."""

    CHANGED = "changed", _("行政处罚决定被依法变更")
    REVOKED = "revoked", _("行政处罚决定被依法撤销")
    UNLAWFUL = "unlawful", _("行政处罚决定被确认违法")
    VOID = "void", _("行政处罚决定被确认无效")


class Classification(models.TextChoices):
    """How a rule set puts a decision into a tier."""

    CONTENT = "content", _("按处罚内容（通报批评、较低数额罚款/其他）")
    SEVERITY = "severity", _("按失信程度（轻微/一般/严重）")


class PeriodStart(models.TextChoices):
    PUBLICATION = "publication", _("自公示之日起")
    DECISION = "decision", _("自作出行政处罚决定之日起")


class TierKey(models.TextChoices):
    LIGHT = "light", _("仅受到通报批评或者较低数额罚款")
    OTHER = "other", _("其他行政处罚")
    MINOR = "minor", _("轻微失信行为")
    GENERAL = "general", _("一般失信行为")
    SERIOUS = "serious", _("严重失信行为")


class Severity(models.TextChoices):
    """失信程度 of a decision, for rule sets that classify by severity (总局令第107号)."""

    NONE = "", _("未认定")
    MINOR = "minor", _("轻微失信行为")
    GENERAL = "general", _("一般失信行为")
    SERIOUS = "serious", _("严重失信行为")


class RepairState(models.TextChoices):
    RECEIVED = "received", _("已受理")
    APPROVED = "approved", _("准予修复，提前停止公示")
    REJECTED = "rejected", _("不予修复")


class RedactionAction(models.TextChoices):
    MARK = "mark", _("添加隐去")
    UNMARK = "unmark", _("取消添加")
    REMOVE = "remove", _("不隐去该项")
    RESTORE = "restore", _("恢复隐去")
