from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemLevel(models.TextChoices):
    GENERAL = "general", _("一般检查事项")
    KEY = "key", _("重点检查事项")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    RETIRED = "retired", _("已停用")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已公布")


class TaskState(models.TextChoices):
    """The task's life, forward only: there is no transition back and no redraw."""

    DRAFT = "draft", _("草稿")
    ANNOUNCED = "announced", _("已公告")
    DRAWN = "drawn", _("已摇号")
    INSPECTING = "inspecting", _("检查中")
    RESULTS_PUBLISHED = "results_published", _("结果已公示")
    CLOSED = "closed", _("已完结")


TASK_STATE_ORDER = [s.value for s in TaskState]


class StrataMode(models.TextChoices):
    NONE = "none", _("不分层")
    RISK = "risk", _("按信用风险分类分层")
    DISTRICT = "district", _("按区划分层")
    INDUSTRY = "industry", _("按行业门类分层")


class TargetRole(models.TextChoices):
    SELECTED = "selected", _("抽中")
    RESERVE = "reserve", _("备选")


class FollowUp(models.TextChoices):
    NONE = "none", _("无需后续处置")
    RECTIFY = "rectify", _("责令改正")
    REFER_CASE = "refer_case", _("线索移送办案机构")
    NOTIFY_DEPARTMENT = "notify_department", _("抄告其他部门")
    OTHER = "other", _("其他")
