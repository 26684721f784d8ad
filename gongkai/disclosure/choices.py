from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    """The publication workflow: draft → review → published (→ withdrawn). Never deleted once published."""

    DRAFT = "draft", _("草稿")
    REVIEW = "review", _("待审核")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class Validity(models.TextChoices):
    VALID = "valid", _("有效")
    EXPIRED = "expired", _("失效")
    REPEALED = "repealed", _("废止")


class Topic(models.TextChoices):
    """主题分类 used by the bureau's 公开目录."""

    FOOD = "food", _("食品安全")
    DRUG = "drug", _("药品医疗器械化妆品")
    QUALITY = "quality", _("质量监督")
    SPECIAL = "special", _("特种设备")
    STANDARDS = "standards", _("标准计量认证")
    REGISTRATION = "registration", _("登记注册")
    COMPETITION = "competition", _("竞争与价格监管")
    CONSUMER = "consumer", _("消费者权益保护")
    ADVERTISING = "advertising", _("广告监管")
    IP = "ip", _("知识产权")
    CREDIT = "credit", _("信用监管")
    ORGANISATION = "organisation", _("机构职能")
    OTHER = "other", _("综合")


class InterpretationKind(models.TextChoices):
    TEXT = "text", _("文字解读")
    GRAPHIC = "graphic", _("图片解读（图解）")
    PRESS = "press", _("新闻发布会")


class AttachmentKind(models.TextChoices):
    ATTACHMENT = "attachment", _("附件")
    FORM = "form", _("空白表格")
    IMAGE = "image", _("解读图片")
    VIDEO = "video", _("视频")
