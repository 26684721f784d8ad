"""Public reads for the portal: what an entity's public record shows, and the home page's columns.

The public record of an entity (经营主体查询) shows what its licence shows and what has been
published about it — and nothing internal. Decided field by field in :data:`PUBLIC_FIELDS` and
tested in ``tests/test_entities.py``:

* shown: 名称, 统一社会信用代码, 主体类型, 法定代表人/负责人 (for 个体工商户 the 经营者 masked to
  the surname, as a natural person's name), 注册资本 (not for 个体工商户), 成立日期, 登记状态, 登记机关,
  行业, every address (住所 and 经营场所, 一照多址), the cluster host (集群注册) and, for a host,
  how many entities it hosts; published 双随机 results and penalty decisions in their display period.
* never: 信用风险分类 and its date, 联络人, 联系电话, unpublished draws or results.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from gongkai.registry import creditcode
from gongkai.registry.choices import EntityType
from gongkai.registry.models import Address, Entity

# Model fields a public page may read. Everything else on Entity is internal.
PUBLIC_FIELDS = (
    "credit_code", "name", "entity_type", "legal_representative", "registered_capital", "established_on",
    "status", "status_since", "registration_authority", "industry_section", "industry_division",
    "district", "is_cluster_host", "cluster_host",
)  # fmt: skip
PRIVATE_FIELDS = ("credit_risk_class", "credit_risk_date", "contact_name", "contact_phone")
LOOKUP_LIMIT = 50


def mask_person(name: str) -> str:
    """A natural person's name with all but the surname hidden: 王小明 → 王**."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def _public_qs() -> QuerySet[Entity]:
    return Entity.objects.select_related("district", "cluster_host").only(
        *PUBLIC_FIELDS, "district__name", "cluster_host__name", "cluster_host__credit_code"
    )


def public_entities() -> QuerySet[Entity]:
    """Every entity's public record, for lists (the open-data API): the public fields and when the
    row last changed, nothing internal."""
    return _public_qs().only(
        *PUBLIC_FIELDS, "updated_at", "district__name", "cluster_host__name", "cluster_host__credit_code"
    )


def entity_lookup(query: str) -> tuple[list[Entity], bool]:
    """Entities whose name contains ``query`` or whose credit code is (or starts with) it.

    Returns (at most :data:`LOOKUP_LIMIT` entities, whether there were more).
    """
    query = (query or "").strip()
    if not query:
        return [], False
    code = query.upper().replace(" ", "")
    if len(code) == 18 and creditcode.is_valid(code):
        cond = Q(credit_code=code)
    elif code.isalnum() and code.isascii() and len(code) >= 6:
        cond = Q(credit_code__startswith=code)
    else:
        if len(query) < 2:
            return [], False
        cond = Q(name__contains=query)
    rows = list(_public_qs().filter(cond).order_by("name", "credit_code")[: LOOKUP_LIMIT + 1])
    return rows[:LOOKUP_LIMIT], len(rows) > LOOKUP_LIMIT


def public_entity(code: str) -> Entity:
    return (
        _public_qs()
        .prefetch_related(
            Prefetch("addresses", queryset=Address.objects.select_related("district").order_by("position"))
        )
        .get(credit_code=code.upper())
    )


@dataclass(frozen=True)
class Fact:
    """One line of an entity's public record. ``content`` says the value is Chinese content (a name,
    an address) rather than the site's own text (a type, a status, a date), so that an English page
    marks it as Chinese; ``link`` is the page it links to (the cluster host's)."""

    label: str
    value: str
    content: bool = False
    link: str = ""


def public_entity_facts(entity: Entity) -> list[Fact]:
    """Every public fact on the licence, in display order; labels in the active language."""
    from gongkai.registry import industries

    individual = entity.entity_type == EntityType.INDIVIDUAL
    person_label = gettext("经营者") if individual else gettext("法定代表人（负责人）")
    person = mask_person(entity.legal_representative) if individual else entity.legal_representative
    rows = [
        Fact(gettext("名称"), entity.name, content=True),
        Fact(gettext("统一社会信用代码"), entity.credit_code),
        Fact(gettext("主体类型"), entity.get_entity_type_display()),
        Fact(person_label, person, content=True),
    ]
    if not individual and entity.registered_capital is not None:
        rows.append(Fact(gettext("注册资本"), registered_capital_text(entity.registered_capital)))
    division = dict(industries.DIVISION_CHOICES).get(entity.industry_division, entity.industry_division)
    rows += [
        Fact(gettext("成立日期"), f"{entity.established_on:%Y-%m-%d}"),
        Fact(gettext("登记状态"), entity.get_status_display()),
        Fact(gettext("登记机关"), entity.registration_authority, content=True),
        Fact(gettext("所属行业"), str(division)),
    ]
    addresses = list(entity.addresses.all())
    for a in addresses:
        rows.append(Fact(a.get_kind_display(), a.full_text, content=True))
    if entity.cluster_host_id:
        link = reverse("portal-entity", args=[entity.cluster_host.credit_code])
        rows.append(Fact(gettext("集群注册托管机构"), entity.cluster_host.name, content=True, link=link))
    if entity.is_cluster_host:
        rows.append(Fact(gettext("集群注册"), gettext("本主体为集群注册托管机构")))
    return rows


def public_entity_fields(entity: Entity) -> list[tuple[str, str]]:
    """(label, value) of every public fact on the licence, in display order (the search index, open
    data): the record page's facts, in the active language — Chinese outside a visitor's request."""
    return [(fact.label, fact.value) for fact in public_entity_facts(entity)]


def registered_capital_text(amount: Decimal) -> str:
    """注册资本 as registered, in 万元 (ten thousand yuan): "500 万元". English has no word for 万,
    so the English page gives the amount in yuan with the currency code: "CNY 5,000,000"."""
    if translation.get_language() in (None, settings.LANGUAGE_CODE):  # None: translations deactivated
        return f"{amount.normalize():f} 万元"
    return f"CNY {(amount * 10000).normalize():,f}"


def hosted_count(entity: Entity) -> int:
    return Entity.objects.filter(cluster_host=entity).count() if entity.is_cluster_host else 0


def entity_public_results(entity: Entity):
    """Published 双随机 results of this entity (nothing unpublished)."""
    from gongkai.inspections.selectors import published_results

    return published_results().filter(entity=entity)


def entity_public_penalties(entity: Entity) -> list:
    """Penalty decisions on this entity that are in their display period (the penalties module's
    public selector decides what is public); empty when that module is not installed."""
    from django.apps import apps

    if not apps.is_installed("gongkai.penalties"):
        return []
    from gongkai.penalties.selectors import public_decisions

    return list(public_decisions().filter(entity=entity)[:50])
