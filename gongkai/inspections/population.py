"""A task's population: who can be drawn, in which stratum, with what quota — and who is excluded.

Staff see all of this before announcing; announcing freezes exactly this into the frozen document.
Reads only (a selector); nothing here writes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Exists, OuterRef, Q

from gongkai.core.models import District
from gongkai.core.parameters import parameter_value
from gongkai.inspections.choices import StrataMode, TargetRole
from gongkai.inspections.models import Target, Task
from gongkai.inspectors.models import Conflict, Officer
from gongkai.registry import industries
from gongkai.registry.choices import CreditRiskClass, EntityStatus
from gongkai.registry.models import Address, Entity

UNCLASSIFIED = "_"
SHARED = "shared"


@dataclass
class Stratum:
    key: str  # internal: risk class, district code, section letter, "*" or "shared"
    name: str  # as published in the frozen document (opaque 层N when strata follow risk classes)
    label: str  # what staff see
    ratio: Decimal
    members: list[tuple[str, str]] = field(default_factory=list)  # (credit code, unit)
    quota: int = 0


@dataclass
class Exclusion:
    credit_code: str
    name: str
    reason: str


@dataclass
class OfficerExclusion:
    code: str
    name: str
    reason: str


@dataclass
class Population:
    strata: list[Stratum]
    excluded: list[Exclusion]
    officers: list[Officer]
    officers_excluded: list[OfficerExclusion]
    conflicts: list[tuple[str, str]]
    problems: list[str]

    @property
    def size(self) -> int:
        return sum(len(s.members) for s in self.strata)

    @property
    def total_quota(self) -> int:
        return sum(s.quota for s in self.strata)


def _ratio(task: Task, key: str, problems: list[str], label: str) -> Decimal:
    raw = task.ratios.get(key, task.ratios.get("*"))
    if raw is None:
        problems.append(f"没有设置“{label}”的抽查比例")
        return Decimal(0)
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        problems.append(f"“{label}”的抽查比例“{raw}”不是数字")
        return Decimal(0)
    if not Decimal(0) <= value <= Decimal(100):
        problems.append(f"“{label}”的抽查比例{value}%不在0–100%之间")
    return value


def _strata_for(task: Task, problems: list[str]) -> dict[str, Stratum]:
    mode = task.strata_mode
    strata: dict[str, Stratum] = {}
    if mode == StrataMode.NONE:
        strata["*"] = Stratum("*", "全部", "全部", _ratio(task, "*", problems, "全部"))
    elif mode == StrataMode.RISK:
        keys = [*CreditRiskClass.values, UNCLASSIFIED]
        labels = {**dict(CreditRiskClass.choices), UNCLASSIFIED: "未分类"}
        for i, key in enumerate(keys, start=1):
            strata[key] = Stratum(
                key, f"层{i}", str(labels[key]), _ratio(task, key, problems, str(labels[key]))
            )
    elif mode == StrataMode.DISTRICT:
        codes = task.districts or list(
            District.objects.filter(level="county").order_by("sort_order").values_list("code", flat=True)
        )
        names = dict(District.objects.filter(code__in=codes).values_list("code", "name"))
        for code in codes:
            strata[code] = Stratum(
                code,
                names.get(code, code),
                names.get(code, code),
                _ratio(task, code, problems, names.get(code, code)),
            )
    elif mode == StrataMode.INDUSTRY:
        sections = task.industry_sections or list(industries.SECTIONS)
        for sec in sections:
            label = f"{sec} {industries.section_name(sec)}"
            strata[sec] = Stratum(sec, label, label, _ratio(task, sec, problems, label))
    if task.shared_address_threshold:
        if task.shared_address_ratio is None:
            problems.append("设置了集中登记地址的户数门槛，但没有设置其抽查比例")
        name = f"层{len(strata) + 1}" if mode == StrataMode.RISK else "集中登记地址"
        strata[SHARED] = Stratum(
            SHARED,
            name,
            f"同一地址登记{task.shared_address_threshold}户及以上",
            task.shared_address_ratio or Decimal(0),
        )
    return strata


def entity_queryset(task: Task):
    """Entities in business matching the task's filters (districts by any registered address)."""
    qs = Entity.objects.filter(status=EntityStatus.ACTIVE)
    if task.districts:
        qs = qs.filter(Exists(Address.objects.filter(entity=OuterRef("pk"), district_id__in=task.districts)))
    if task.entity_types:
        qs = qs.filter(entity_type__in=task.entity_types)
    if task.industry_sections:
        qs = qs.filter(industry_section__in=task.industry_sections)
    if task.industry_divisions:
        qs = qs.filter(industry_division__in=task.industry_divisions)
    if task.cluster_host_id:
        qs = qs.filter(Q(cluster_host_id=task.cluster_host_id) | Q(pk=task.cluster_host_id))
    return qs


def _shared_codes(task: Task) -> set[str]:
    if not task.shared_address_threshold:
        return set()
    crowded = (
        Address.objects.values("normalised")
        .annotate(n=Count("entity", distinct=True))
        .filter(n__gte=task.shared_address_threshold)
        .values("normalised")
    )
    return set(Address.objects.filter(normalised__in=crowded).values_list("entity_id", flat=True))


def _exclusions(task: Task, year: int) -> dict[str, str]:
    """Entities excluded by the yearly cap or by an earlier draw for the same item, with the reason."""
    reasons: dict[str, str] = {}
    active = Q(role=TargetRole.SELECTED, replaced=False) | Q(activated=True)
    this_year = Target.objects.filter(active, task__drawn_at__year=year).exclude(task=task)
    if task.exclude_same_item_this_year and task.pk:
        codes = list(task.items.values_list("code", flat=True))
        for entity_id, public_id, item_code in this_year.filter(task__items__code__in=codes).values_list(
            "entity_id", "task__public_id", "task__items__code"
        ):
            reasons.setdefault(entity_id, f"本年度已因同一事项（{item_code}）在任务{public_id}中被抽中")
    if task.apply_yearly_cap:
        cap = int(parameter_value("inspections.yearly_cap_per_entity"))
        counts = (
            this_year.filter(task__plan__department_id=task.plan.department_id)
            .values("entity_id")
            .annotate(n=Count("task", distinct=True))
            .filter(n__gte=cap)
        )
        for row in counts:
            reasons.setdefault(row["entity_id"], f"本年度已被本部门抽查{row['n']}次，达到每年{cap}次的上限")
    return reasons


def _quota(stratum: Stratum, min_count: int, problems: list[str]) -> int:
    size = len(stratum.members)
    if size == 0:
        return 0
    quota = max(math.ceil(Decimal(size) * stratum.ratio / 100), min_count)
    if quota > size:
        problems.append(
            f"“{stratum.label}”的配额{quota}户大于该层主体数{size}户（最少抽取户数为{min_count}）；"
            f"请降低最少抽取户数或调整分层"
        )
    return quota


def officer_roster(task: Task, *, on: dt.date | None = None) -> tuple[list[Officer], list[OfficerExclusion]]:
    """Officers who may be drawn for the whole task period, and those left out with the reason."""
    departments = set(task.required_departments) | {task.plan.department_id}
    eligible, excluded = [], []
    for officer in (
        Officer.objects.filter(department_id__in=departments).select_related("department").order_by("code")
    ):
        if not officer.is_law_enforcement:
            excluded.append(OfficerExclusion(officer.code, officer.name, "辅助人员，无执法资格"))
        elif officer.status != "on_duty":
            excluded.append(OfficerExclusion(officer.code, officer.name, "离岗"))
        elif officer.certificate_expires is None or officer.certificate_expires < task.period_end:
            excluded.append(
                OfficerExclusion(
                    officer.code,
                    officer.name,
                    f"执法证有效期至{officer.certificate_expires}，早于任务结束日期{task.period_end}",
                )
            )
        else:
            eligible.append(officer)
    return eligible, excluded


def compute_population(task: Task, *, year: int | None = None) -> Population:
    """Everything staff must see before announcing: strata, quotas, exclusions, officers, problems."""
    problems: list[str] = []
    year = year or task.period_start.year
    strata = _strata_for(task, problems)
    shared = _shared_codes(task)
    excluded_reasons = _exclusions(task, year)
    excluded: list[Exclusion] = []
    district_filter = set(task.districts)
    addresses: dict[str, list[str]] = defaultdict(list)
    if task.strata_mode == StrataMode.DISTRICT:
        for entity_id, district_id in (
            Address.objects.filter(entity__in=entity_queryset(task))
            .order_by("entity_id", "position")
            .values_list("entity_id", "district_id")
        ):
            addresses[entity_id].append(district_id)
    # Names are needed only for the excluded (a few), not for the million drawn from: reading
    # them for everyone was most of the data this query sent.
    rows = entity_queryset(task).values_list(
        "credit_code", "district_id", "credit_risk_class", "industry_section"
    )
    left_out: list[tuple[str, str]] = []
    for code, district, risk, section in rows.iterator(chunk_size=20000):
        if code in excluded_reasons:
            left_out.append((code, excluded_reasons[code]))
            continue
        if code in shared:
            key = SHARED
        elif task.strata_mode == StrataMode.NONE:
            key = "*"
        elif task.strata_mode == StrataMode.RISK:
            key = risk or UNCLASSIFIED
        elif task.strata_mode == StrataMode.DISTRICT:
            key = next((d for d in addresses[code] if not district_filter or d in district_filter), district)
        else:
            key = section
        stratum = strata.get(key)
        if stratum is None:
            left_out.append((code, "不属于任何设定的分层"))
            continue
        stratum.members.append((code, district))
    names: dict[str, str] = {}
    codes = [code for code, _ in left_out]
    for start in range(0, len(codes), 500):  # SQLite limits the parameters of one query
        names.update(
            Entity.objects.filter(pk__in=codes[start : start + 500]).values_list("credit_code", "name")
        )
    excluded.extend(Exclusion(code, names.get(code, ""), reason) for code, reason in left_out)
    for stratum in strata.values():
        stratum.members.sort()
        stratum.quota = _quota(stratum, task.min_count, problems)
    ordered = list(strata.values())
    if not any(s.members for s in ordered):
        problems.append("抽查对象范围内没有符合条件的在营市场主体")
    officers, officers_excluded = officer_roster(task)
    items = list(task.items.all()) if task.pk else []
    if not items:
        problems.append("任务还没有选择抽查事项")
    unpublished = [i.code for i in items if i.status != "published"]
    if unpublished:
        problems.append(f"事项{'、'.join(unpublished)}未发布或已停用，不能用于新任务")
    item_codes = {i.code for i in items}
    qualified = [o for o in officers if item_codes <= set(o.qualified_items)]
    if len(qualified) < task.team_size:
        problems.append(
            f"每组需要{task.team_size}名检查人员，但具备全部事项检查资格的在岗执法人员只有{len(qualified)}名"
        )
    for dept in task.required_departments:
        if not any(o.department_id == dept for o in qualified):
            problems.append(f"联合抽查要求每组包含部门{dept}的人员，但该部门没有符合条件的执法人员")
    if len(task.required_departments) > task.team_size:
        problems.append("要求的部门数多于每组人数")
    member_ids = {code for s in ordered for code, _ in s.members}
    officer_ids = {o.code for o in officers}
    conflicts = sorted(
        (officer_id, entity_id)
        for officer_id, entity_id in Conflict.objects.filter(officer_id__in=officer_ids).values_list(
            "officer_id", "entity_id"
        )
        if entity_id in member_ids
    )
    return Population(ordered, excluded, officers, officers_excluded, conflicts, problems)
