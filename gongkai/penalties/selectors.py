"""Reads of 行政处罚信息公示, shared by the staff pages, the public pages, the feed, the API and search.

Everything public goes through :func:`public_decisions`: published, and inside the display period
*today in Asia/Shanghai*. The date test is in the query itself, so a decision whose period has ended
leaves every public surface at midnight even if ``gongkai expire-penalties`` has not run yet; the
command then records the end (state 已届满) and takes it out of the search index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from gongkai.core import calendar
from gongkai.core.workdays import CalendarNotCovered
from gongkai.penalties import periods
from gongkai.penalties.choices import PartyKind, RepairState, State
from gongkai.penalties.models import Decision, RepairApplication, Withdrawal
from gongkai.registry.models import Entity

PUBLISH_WITHIN_WORKING_DAYS = 20  # 总局令第45号第八条: 自作出行政处罚决定之日起二十个工作日内公示
WITHDRAW_WITHIN_WORKING_DAYS = 3  # 总局令第45号第十一条: 三个工作日内撤回并说明理由
REPAIR_WITHIN_WORKING_DAYS = 7  # 总局令第107号: 信用修复申请自受理之日起七个工作日内办结
DUE_SOON_WORKING_DAYS = 5

# The only fields a public surface may read (a test checks the public pages against the others).
PUBLIC_FIELDS = [
    "id",
    "public_id",
    "number",
    "party_kind",
    "entity",
    "party_name",
    "violation_type",
    "violation_category",
    "legal_basis",
    "warning",
    "circulated_criticism",
    "fine",
    "confiscated_gains",
    "confiscated_property",
    "licence_suspended",
    "qualification_lowered",
    "licence_revoked",
    "production_suspended",
    "closure",
    "restriction",
    "restriction_months",
    "restriction_lifelong",
    "other_penalty",
    "procedure",
    "authority",
    "decision_date",
    "district",
    "public_text",
    "state",
    "published_on",
    "published_at",
    "display_starts_on",
    "display_ends_on",
    "display_indefinite",
]


def today() -> dt.date:
    """Today in Asia/Shanghai (the site's TIME_ZONE), the day every display boundary is judged on."""
    return timezone.localdate()


def in_display_q(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": State.PUBLISHED, f"{prefix}display_starts_on__lte": day}) & (
        Q(**{f"{prefix}display_indefinite": True}) | Q(**{f"{prefix}display_ends_on__gte": day})
    )


def public_decisions(*, day: dt.date | None = None) -> QuerySet[Decision]:
    """Decisions the public may see today: published, approved, in their display period."""
    day = day or today()
    return (
        Decision.objects.filter(in_display_q(day))
        .select_related("entity", "district")
        .only(*PUBLIC_FIELDS, "entity__credit_code", "entity__name", "entity__entity_type", "district__name")
        .order_by("-decision_date", "-id")
    )


def public_search(
    *,
    q: str = "",
    year: int | None = None,
    category: str = "",
    authority: str = "",
    district: str = "",
    day: dt.date | None = None,
) -> QuerySet[Decision]:
    """The public list with its filters. The text search never reads the unredacted text."""
    qs = public_decisions(day=day)
    if year:
        qs = qs.filter(decision_date__year=year)
    if category:
        qs = qs.filter(violation_category=category)
    if authority:
        qs = qs.filter(authority=authority)
    if district:
        qs = qs.filter(district_id=district)
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(number__contains=q)
            | Q(party_name__contains=q)
            | Q(entity__credit_code=q.upper())
            | Q(violation_type__contains=q)
            | Q(public_text__contains=q)
        )
    return qs


def public_facets(*, day: dt.date | None = None) -> dict[str, list]:
    """The values the public filters offer: only those of decisions in display."""
    qs = Decision.objects.filter(in_display_q(day or today()))
    years = sorted({d.year for d in qs.values_list("decision_date", flat=True)}, reverse=True)
    authorities = sorted(set(qs.values_list("authority", flat=True)))
    districts = list(
        qs.values_list("district_id", "district__name")
        .distinct()
        .order_by("district__sort_order", "district_id")
    )
    categories = sorted(set(qs.values_list("violation_category", flat=True)))
    return {"years": years, "authorities": authorities, "districts": districts, "categories": categories}


def public_decision(public_id: str, *, day: dt.date | None = None) -> Decision:
    """One decision in display (raises ``Decision.DoesNotExist`` otherwise), with its corrections."""
    return public_decisions(day=day).prefetch_related("corrections").get(public_id=public_id)


def public_withdrawal(public_id: str, *, day: dt.date | None = None) -> Withdrawal:
    """The public withdrawal notice of a decision, while it is shown (raises ``DoesNotExist``)."""
    day = day or today()
    return (
        Withdrawal.objects.filter(decision__public_id=public_id, was_published=True)
        .filter(Q(notice_until__isnull=True) | Q(notice_until__gte=day))
        .select_related("decision")
        .only(
            "ground",
            "reason",
            "withdrawn_at",
            "grounds_date",
            "notice_until",
            "decision__number",
            "decision__party_name",
            "decision__authority",
            "decision__public_id",
        )
        .get()
    )


def public_withdrawals(*, day: dt.date | None = None) -> QuerySet[Withdrawal]:
    day = day or today()
    return (
        Withdrawal.objects.filter(was_published=True)
        .filter(Q(notice_until__isnull=True) | Q(notice_until__gte=day))
        .select_related("decision")
        .only(
            "ground",
            "reason",
            "withdrawn_at",
            "grounds_date",
            "notice_until",
            "decision__number",
            "decision__party_name",
            "decision__authority",
            "decision__public_id",
        )
        .order_by("-withdrawn_at")
    )


def penalties_in_display(entity: Entity | str, *, day: dt.date | None = None) -> QuerySet[Decision]:
    """The decisions on an entity's public record: those in display today (for the portal's entity page)."""
    code = entity if isinstance(entity, str) else entity.credit_code
    return public_decisions(day=day).filter(entity_id=code, party_kind=PartyKind.ENTITY)


# --- staff -----------------------------------------------------------------------------------------


def staff_decisions(
    *, districts: Iterable[str] | None = None, state: str = "", q: str = ""
) -> QuerySet[Decision]:
    qs = Decision.objects.select_related("entity", "district", "withdrawal").defer("full_text", "public_text")
    if districts is not None:
        qs = qs.filter(district_id__in=list(districts))
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(Q(number__contains=q) | Q(party_name__contains=q) | Q(entity__credit_code=q.upper()))
    return qs.order_by("-decision_date", "-id")


def decision_detail(pk: int, *, districts: Iterable[str] | None = None) -> Decision:
    qs = Decision.objects.select_related(
        "entity", "district", "rule_set", "created_by", "submitted_by", "approved_by"
    ).prefetch_related("corrections", "repairs__evidence")
    if districts is not None:
        qs = qs.filter(district_id__in=list(districts))
    return qs.get(pk=pk)


@dataclass(frozen=True)
class Deadline:
    """A working-day deadline as the dashboard shows it."""

    due: dt.date | None
    remaining: int | None  # working days from today to the due date (negative: overdue)
    problem: str = ""

    @property
    def overdue(self) -> bool:
        return self.remaining is not None and self.remaining < 0

    @property
    def due_soon(self) -> bool:
        return self.remaining is not None and 0 <= self.remaining <= DUE_SOON_WORKING_DAYS

    @property
    def label(self) -> str:
        if self.due is None:
            return "无法计算"
        if self.overdue:
            return f"已逾期{-self.remaining}个工作日"  # type: ignore[operator]
        if self.remaining == 0:
            return "今天到期"
        return f"还有{self.remaining}个工作日"


def deadline(start: dt.date, working_days: int, *, day: dt.date | None = None, cal=None) -> Deadline:
    """The date ``working_days`` working days after ``start``, and how far today is from it."""
    cal = cal or calendar.calendar_in_force()
    day = day or today()
    try:
        due = cal.add_working_days(start, working_days)
        remaining = cal.working_days_between(day, due)
    except CalendarNotCovered as exc:
        return Deadline(None, None, str(exc))
    return Deadline(due, remaining)


def publication_deadline(decision: Decision, *, day: dt.date | None = None, cal=None) -> Deadline:
    return deadline(decision.decision_date, PUBLISH_WITHIN_WORKING_DAYS, day=day, cal=cal)


def awaiting_publication(
    *, districts: Iterable[str] | None = None, day: dt.date | None = None
) -> list[tuple[Decision, Deadline, list]]:
    """Unpublished decisions that must be published, soonest deadline first, with their deadlines.

    Decisions that are never published (简易程序, warning only, minors) are left out: they have no
    deadline. The calendar is read once for the whole list.
    """
    cal = calendar.calendar_in_force()
    rows = []
    qs = staff_decisions(districts=districts).filter(state__in=[State.DRAFT, State.SUBMITTED, State.APPROVED])
    for decision in qs:
        refusals = publication_refusals(decision)
        if refusals:
            continue
        rows.append((decision, publication_deadline(decision, day=day, cal=cal), refusals))
    rows.sort(key=lambda r: (r[1].due or dt.date.max, r[0].pk))
    return rows


def repairs_open(
    *, districts: Iterable[str] | None = None, day: dt.date | None = None
) -> list[tuple[RepairApplication, Deadline]]:
    cal = calendar.calendar_in_force()
    qs = RepairApplication.objects.filter(state=RepairState.RECEIVED).select_related("decision")
    if districts is not None:
        qs = qs.filter(decision__district_id__in=list(districts))
    rows = [(r, deadline(r.received_on, REPAIR_WITHIN_WORKING_DAYS, day=day, cal=cal)) for r in qs]
    rows.sort(key=lambda r: (r[1].due or dt.date.max, r[0].pk))
    return rows


def publication_refusals(decision: Decision) -> list[periods.Refusal]:
    """Why this decision is never published (the staff screen shows each reason)."""
    return periods.publication_refusals(
        ordinary_procedure=decision.procedure == "ordinary",
        content=decision.content,
        party_is_minor=decision.is_minor,
    )


def display_period(decision: Decision, *, published_on: dt.date | None = None) -> periods.Period | str:
    """The display period that applies (or would apply if published on ``published_on``), or why not."""
    from gongkai.penalties import rules

    rule = rules.rules_on(decision.decision_date)
    if rule is None:
        return "没有适用于该决定日期的公示期规则（规则从2021年9月1日起录入）"
    try:
        return periods.compute(
            rule,
            decision.content,
            decided_on=decision.decision_date,
            published_on=published_on or decision.published_on or today(),
            threshold=rules.threshold_on(decision.decision_date),
            natural_person=decision.is_natural_person,
            severity=decision.severity,
        )
    except periods.NeedsSeverity as exc:
        return str(exc)
