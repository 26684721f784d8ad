"""Reads of the statistics. Register figures come from the aggregates; the smaller tables
(inspections, penalties, messages, requests) are counted live.

Every function returns a :class:`Dataset`: the same rows feed the table on the page, the chart and
the CSV download, so the three can never disagree. Titles, headers and labels are in the active
language (the API and open data read them in Chinese); district names are Chinese content.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Sum
from django.utils import dateformat, timezone
from django.utils.translation import gettext

from gongkai.stats.models import EntityMonthly, Refresh


@dataclass
class Dataset:
    name: str
    title: str
    header: list[str]
    rows: list[list[Any]]
    chart: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    source: str = ""
    # The first cell of each row is Chinese content (a district's name), not a label of the site.
    row_content: bool = False


def growth(current: int, previous: int) -> float | None:
    """Year-on-year growth in per cent, one decimal; None when there is nothing to compare with."""
    if not previous:
        return None
    return round(100 * (current - previous) / previous, 1)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}%"


def month_name(month: dt.date) -> str:
    """The month as a period names it: "10月" in Chinese, "October" in English."""
    return dateformat.format(month, gettext("n月"))


def year_label(year: int) -> str:
    return gettext("%(year)s年") % {"year": year}


def _month_add(month: dt.date, offset: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


def last_refresh() -> Refresh | None:
    return Refresh.objects.filter(pk=1).first()


def as_of(day: dt.date | None = None) -> dt.date:
    return day or timezone.localdate()


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def entity_type_labels() -> dict[str, str]:
    from gongkai.registry.choices import EntityType

    return _labels(EntityType.choices)


def status_labels() -> dict[str, str]:
    from gongkai.registry.choices import EntityStatus

    return _labels(EntityStatus.choices)


def district_names() -> dict[str, str]:
    from gongkai.core.models import District

    return dict(District.objects.values_list("code", "name"))


# --- the register (from the aggregates) -----------------------------------------------------------


def new_by_month(*, day: dt.date | None = None, months: int = 24) -> Dataset:
    """New entities per month of establishment, with the same month a year earlier."""
    this_month = as_of(day).replace(day=1)
    first = _month_add(this_month, -(months - 1))
    totals = dict(
        EntityMonthly.objects.filter(month__gte=_month_add(first, -12), month__lte=this_month)
        .values_list("month")
        .annotate(n=Sum("count"))
        .values_list("month", "n")
    )
    rows = []
    for i in range(months):
        month = _month_add(first, i)
        current, previous = totals.get(month, 0), totals.get(_month_add(month, -12), 0)
        rows.append([f"{month:%Y-%m}", current, previous, pct(growth(current, previous))])
    return Dataset(
        "new-by-month",
        gettext("新增经营主体（按月）"),
        [gettext("月份"), gettext("新增（户）"), gettext("上年同月（户）"), gettext("同比增长")],
        rows,
        {
            "type": "bar",
            "categories": [r[0] for r in rows],
            "series": [
                {"name": gettext("新增"), "data": [r[1] for r in rows]},
                {"name": gettext("上年同月"), "data": [r[2] for r in rows]},
            ],
        },
        note=gettext("按成立日期统计；本月为截至今天的数字。"),
    )


def reporting_month(day: dt.date) -> dt.date:
    """The last complete month on ``day``: statistics compare whole months ("1—10月")."""
    return _month_add(day.replace(day=1), -1)


def _ytd_by(field_name: str, day: dt.date) -> tuple[dict[str, int], dict[str, int], dt.date]:
    """January to the last complete month by ``field_name``, and the same months a year earlier."""
    this_month = reporting_month(day)
    start = this_month.replace(month=1)
    current = dict(
        EntityMonthly.objects.filter(month__gte=start, month__lte=this_month)
        .values_list(field_name)
        .annotate(n=Sum("count"))
        .values_list(field_name, "n")
    )
    previous = dict(
        EntityMonthly.objects.filter(
            month__gte=_month_add(start, -12), month__lte=_month_add(this_month, -12)
        )
        .values_list(field_name)
        .annotate(n=Sum("count"))
        .values_list(field_name, "n")
    )
    return current, previous, this_month


def new_by_district(*, day: dt.date | None = None) -> Dataset:
    day = as_of(day)
    current, previous, month = _ytd_by("district_code", day)
    names = district_names()
    rows = [
        [
            names.get(code, code),
            current.get(code, 0),
            previous.get(code, 0),
            pct(growth(current.get(code, 0), previous.get(code, 0))),
        ]
        for code in sorted(set(current) | set(previous), key=lambda c: (-current.get(c, 0), c))
    ]
    period = {"year": month.year, "month": month_name(month)}
    return Dataset(
        "new-by-district",
        gettext("%(year)s年1—%(month)s新增经营主体（按区划）") % period,
        [
            gettext("区划"),
            gettext("%(year)s年1—%(month)s（户）") % period,
            gettext("%(year)s年同期（户）") % {"year": month.year - 1},
            gettext("同比增长"),
        ],
        rows,
        {
            "type": "bar",
            "categories": [r[0] for r in rows],
            "series": [
                {"name": str(month.year), "data": [r[1] for r in rows]},
                {"name": str(month.year - 1), "data": [r[2] for r in rows]},
            ],
        },
        note=gettext("按住所所在区划统计。"),
        row_content=True,
    )


def new_by_type(*, day: dt.date | None = None) -> Dataset:
    day = as_of(day)
    current, previous, month = _ytd_by("entity_type", day)
    labels = entity_type_labels()
    rows = [
        [
            labels.get(t, t),
            current.get(t, 0),
            previous.get(t, 0),
            pct(growth(current.get(t, 0), previous.get(t, 0))),
        ]
        for t in labels
        if t in current or t in previous
    ]
    period = {"year": month.year, "month": month_name(month)}
    return Dataset(
        "new-by-type",
        gettext("%(year)s年1—%(month)s新增经营主体（按类型）") % period,
        [
            gettext("主体类型"),
            gettext("%(year)s年1—%(month)s（户）") % period,
            gettext("%(year)s年同期（户）") % {"year": month.year - 1},
            gettext("同比增长"),
        ],
        rows,
        {
            "type": "pie",
            "categories": [r[0] for r in rows],
            "series": [{"name": gettext("新增"), "data": [r[1] for r in rows]}],
        },
    )


def new_by_year(*, day: dt.date | None = None, years: int = 5) -> Dataset:
    day = as_of(day)
    first = dt.date(day.year - years, 1, 1)
    per_year: dict[int, int] = defaultdict(int)
    for month, n in (
        EntityMonthly.objects.filter(month__gte=first, month__lte=day)
        .values_list("month")
        .annotate(n=Sum("count"))
        .values_list("month", "n")
    ):
        per_year[month.year] += n
    rows = []
    for year in range(day.year - years + 1, day.year + 1):
        label = (
            year_label(year)
            if year < day.year
            else gettext("%(year)s年（截至%(month)s）") % {"year": year, "month": month_name(day)}
        )
        rows.append(
            [
                label,
                per_year[year],
                pct(growth(per_year[year], per_year[year - 1])) if year < day.year else "—",
            ]
        )
    return Dataset(
        "new-by-year",
        gettext("新增经营主体（按年）"),
        [gettext("年度"), gettext("新增（户）"), gettext("同比增长")],
        rows,
        {
            "type": "line",
            "categories": [r[0] for r in rows],
            "series": [{"name": gettext("新增"), "data": [r[1] for r in rows]}],
        },
    )


def by_status() -> Dataset:
    labels = status_labels()
    types = entity_type_labels()
    cells: dict[tuple[str, str], int] = dict(
        ((s, t), n)
        for s, t, n in EntityMonthly.objects.values_list("status", "entity_type")
        .annotate(n=Sum("count"))
        .values_list("status", "entity_type", "n")
    )
    rows = []
    for s, label in labels.items():
        values = [cells.get((s, t), 0) for t in types]
        rows.append([label, *values, sum(values)])
    return Dataset(
        "status",
        gettext("经营主体登记状态"),
        [gettext("登记状态"), *types.values(), gettext("合计")],
        rows,
        {
            "type": "pie",
            "categories": [r[0] for r in rows],
            "series": [{"name": gettext("户数"), "data": [r[-1] for r in rows]}],
        },
        note=gettext("当前登记状态；“存续（在营）”即实有经营主体。"),
    )


def summary(*, day: dt.date | None = None) -> dict[str, Any]:
    """The headline: new entities this year to date and their year-on-year growth."""
    day = as_of(day)
    this_month = reporting_month(day)
    start = this_month.replace(month=1)

    def total(a: dt.date, b: dt.date) -> int:
        return EntityMonthly.objects.filter(month__gte=a, month__lte=b).aggregate(n=Sum("count"))["n"] or 0

    current = total(start, this_month)
    previous = total(_month_add(start, -12), _month_add(this_month, -12))
    active = EntityMonthly.objects.filter(status="active").aggregate(n=Sum("count"))["n"] or 0
    return {
        "year": this_month.year,
        "month": this_month.month,
        "new": current,
        "previous": previous,
        "growth": growth(current, previous),
        "active": active,
    }


# --- the other modules (counted live; each guarded so a missing module is skipped) ---------------


def inspections_by_year(*, day: dt.date | None = None, years: int = 5) -> Dataset:
    """Tasks drawn, entities inspected, problems found, results published on time (20 working days)."""
    from gongkai.core.calendar import calendar_in_force
    from gongkai.core.workdays import CalendarNotCovered
    from gongkai.inspections.models import InspectionRecord, Target, Task

    day = as_of(day)
    first_year = day.year - years + 1
    cal = calendar_in_force()
    drawn: dict[int, int] = defaultdict(int)
    for drawn_at in Task.objects.filter(drawn_at__isnull=False).values_list("drawn_at", flat=True):
        drawn[timezone.localtime(drawn_at).year] += 1
    done: dict[int, int] = defaultdict(int)
    published: dict[int, int] = defaultdict(int)
    on_time: dict[int, int] = defaultdict(int)
    dues: dict[dt.date, dt.date | None] = {}
    for completed, published_at in Target.objects.filter(completed_on__year__gte=first_year).values_list(
        "completed_on", "results_published_at"
    ):
        if completed is None:
            continue
        done[completed.year] += 1
        if published_at is None:
            continue
        published[completed.year] += 1
        if completed not in dues:
            try:
                dues[completed] = cal.add_working_days(completed, 20)
            except CalendarNotCovered:
                dues[completed] = None
        due = dues[completed]
        if due is not None and timezone.localdate(published_at) <= due:
            on_time[completed.year] += 1
    problems: dict[int, int] = defaultdict(int)
    for _target, completed in (
        InspectionRecord.objects.filter(
            categories__problem_found=True, target__completed_on__year__gte=first_year
        )
        .values_list("target_id", "target__completed_on")
        .distinct()
    ):
        if completed is not None:
            problems[completed.year] += 1
    rows = []
    for year in range(first_year, day.year + 1):
        rate = round(100 * on_time[year] / published[year], 1) if published[year] else None
        rows.append(
            [
                year_label(year),
                drawn[year],
                done[year],
                problems[year],
                published[year],
                "—" if rate is None else f"{rate}%",
            ]
        )
    return Dataset(
        "inspections",
        gettext("双随机抽查"),
        [
            gettext("年度"),
            gettext("摇号任务（个）"),
            gettext("完成检查（户）"),
            gettext("发现问题（户）"),
            gettext("结果已公示（户）"),
            gettext("按期公示率"),
        ],
        rows,
        {
            "type": "bar",
            "categories": [r[0] for r in rows],
            "series": [
                {"name": gettext("完成检查"), "data": [r[2] for r in rows]},
                {"name": gettext("发现问题"), "data": [r[3] for r in rows]},
            ],
        },
        note=gettext("按期：检查结果形成之日起20个工作日内公示（国市监信〔2019〕38号）。"),
    )


def penalties_by_year(*, day: dt.date | None = None, years: int = 5) -> Dataset:
    from gongkai.penalties.models import Decision

    day = as_of(day)
    first_year = day.year - years + 1
    counts: dict[int, int] = defaultdict(int)
    for published_on in Decision.objects.filter(published_on__year__gte=first_year).values_list(
        "published_on", flat=True
    ):
        if published_on is not None:
            counts[published_on.year] += 1
    rows = [[year_label(y), counts[y]] for y in range(first_year, day.year + 1)]
    return Dataset(
        "penalties",
        gettext("行政处罚决定公示"),
        [gettext("年度"), gettext("公示（件）")],
        rows,
        {
            "type": "bar",
            "categories": [r[0] for r in rows],
            "series": [{"name": gettext("公示"), "data": [r[1] for r in rows]}],
        },
    )


def messages_by_month(*, day: dt.date | None = None) -> Dataset:
    from gongkai.interaction.selectors import message_monthly_stats

    stats = message_monthly_stats(months=12, day=as_of(day))

    def show(value, suffix=""):
        return "—" if value is None else f"{value}{suffix}"

    rows = [
        [
            f"{s.month:%Y-%m}",
            s.received,
            s.replied,
            show(s.average_reply_days),
            show(s.on_time_rate, "%"),
            s.rated,
            show(s.satisfaction_rate, "%"),
        ]
        for s in stats
    ]
    return Dataset(
        "messages",
        gettext("留言办理"),
        [
            gettext("月份"),
            gettext("收到（条）"),
            gettext("已答复（条）"),
            gettext("平均答复用时（工作日）"),
            gettext("按期答复率"),
            gettext("评价（条）"),
            gettext("满意率"),
        ],
        rows,
        {
            "type": "bar",
            "categories": [r[0] for r in rows],
            "series": [
                {"name": gettext("收到"), "data": [r[1] for r in rows]},
                {"name": gettext("已答复"), "data": [r[2] for r in rows]},
            ],
        },
        note=gettext("不含无效留言；满意率＝（满意＋基本满意）÷评价数。"),
    )


def requests_by_month(*, day: dt.date | None = None) -> Dataset:
    from gongkai.interaction.selectors import request_monthly_stats

    rows = [
        [f"{m:%Y-%m}", s.received, s.answered, "—" if s.on_time_rate is None else f"{s.on_time_rate}%"]
        for m, s in request_monthly_stats(months=12, day=as_of(day))
    ]
    return Dataset(
        "requests",
        gettext("依申请公开"),
        [gettext("月份"), gettext("收到（件）"), gettext("已答复（件）"), gettext("按期答复率")],
        rows,
        {
            "type": "bar",
            "categories": [r[0] for r in rows],
            "series": [
                {"name": gettext("收到"), "data": [r[1] for r in rows]},
                {"name": gettext("已答复"), "data": [r[2] for r in rows]},
            ],
        },
    )


DATASETS: dict[str, Callable[..., Dataset]] = {
    "new-by-month": new_by_month,
    "new-by-year": new_by_year,
    "new-by-district": new_by_district,
    "new-by-type": new_by_type,
    "status": lambda day=None: by_status(),
    "inspections": inspections_by_year,
    "penalties": penalties_by_year,
    "messages": messages_by_month,
    "requests": requests_by_month,
}


def dataset(name: str, *, day: dt.date | None = None) -> Dataset | None:
    """One dataset, or None when the module it comes from is not installed."""
    try:
        return DATASETS[name](day=day)
    except (ImportError, LookupError):
        return None
