from django.db import models
from django.utils.translation import gettext_lazy as _


class EntityType(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    BRANCH = "branch", _("分支机构")
    INDIVIDUAL = "individual", _("个体工商户")
    COOPERATIVE = "cooperative", _("农民专业合作社")
    COOPERATIVE_BRANCH = "cooperative_branch", _("农民专业合作社分支机构")


class EntityStatus(models.TextChoices):
    ACTIVE = "active", _("存续（在营）")
    SUSPENDED = "suspended", _("歇业")
    REVOKED = "revoked", _("吊销")
    CANCELLED = "cancelled", _("注销")
    MOVED_OUT = "moved_out", _("迁出")
    WITHDRAWN = "withdrawn", _("撤销登记")


# Statuses from which an entity is no longer in business; a draw's population excludes them.
CLOSED_STATUSES = frozenset(
    {EntityStatus.REVOKED, EntityStatus.CANCELLED, EntityStatus.MOVED_OUT, EntityStatus.WITHDRAWN}
)


class CreditRiskClass(models.TextChoices):
    """信用风险分类 (国市监信发〔2022〕6号). Internal: never on a public page, the API or open data."""

    A = "A", _("A类（信用风险低）")
    B = "B", _("B类（信用风险一般）")
    C = "C", _("C类（信用风险较高）")
    D = "D", _("D类（信用风险高）")


class AddressKind(models.TextChoices):
    DOMICILE = "domicile", _("住所")
    PREMISES = "premises", _("经营场所")


CLUSTER_MARK = "（集群注册）"
CLUSTER_MARK_VARIANTS = ("（集群注册）", "(集群注册)")
