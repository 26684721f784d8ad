"""Everything due, from every module that is installed (the staff "待办期限" dashboard).

Each source is a function returning :class:`DueRow` items; a source whose module is missing or
whose selectors have a different shape is skipped and named on the page, so a module under
construction never breaks the dashboard.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone


@dataclass(frozen=True)
class DueRow:
    module: str
    what: str
    subject: str
    due: dt.date | None
    status: str  # overdue | soon | ok | paused | unknown
    label: str
    url: str = ""


@dataclass
class Section:
    key: str
    title: str
    permission: str
    rows: list[DueRow]
    problem: str = ""


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _status(due: dt.date | None, today: dt.date, cal, soon_days: int = 2) -> tuple[str, str]:
    if due is None:
        return "unknown", "无法计算"
    remaining = cal.working_days_between(today, due)
    if remaining < 0:
        return "overdue", f"已逾期{-remaining}个工作日"
    if remaining <= soon_days:
        return "soon", "今天到期" if remaining == 0 else f"还有{remaining}个工作日"
    return "ok", f"还有{remaining}个工作日"


def inspections_due(today: dt.date) -> list[DueRow]:
    from gongkai.core.calendar import CalendarNotCovered, calendar_in_force
    from gongkai.inspections import selectors, services

    cal = calendar_in_force()
    rows = []
    for target in selectors.results_awaiting_publication():
        try:
            due = services.publication_due(target)
        except CalendarNotCovered:
            due = None
        status, label = _status(due, today, cal)
        rows.append(
            DueRow(
                "双随机、一公开",
                "检查结果待公示",
                f"{target.task.public_id} {target.entity.name}",
                due,
                status,
                label,
                _url("staff-target-detail", target.pk),
            )
        )
    return rows


def penalties_due(today: dt.date) -> list[DueRow]:
    from gongkai.penalties import selectors

    rows = []
    for decision, deadline, _refusals in selectors.awaiting_publication(day=today):
        rows.append(
            _from_deadline(
                "行政处罚公示",
                "处罚决定待公示",
                str(decision.number),
                deadline,
                _url("staff-penalty-detail", decision.pk),
            )
        )
    for repair, deadline in selectors.repairs_open(day=today):
        rows.append(
            _from_deadline(
                "行政处罚公示",
                "信用修复申请待决定",
                str(repair.decision.number),
                deadline,
                _url("staff-penalty-repair", repair.pk),
            )
        )
    # Displays whose period is over are ended by `gongkai expire-penalties`; any left show here.
    from gongkai.penalties.models import Decision

    for decision in Decision.objects.filter(
        state="published", display_indefinite=False, display_ends_on__lt=today
    ).order_by("display_ends_on")[:200]:
        rows.append(
            DueRow(
                "行政处罚公示",
                "公示期已满待撤下",
                str(decision.number),
                decision.display_ends_on,
                "overdue",
                "公示期已满",
                _url("staff-penalty-detail", decision.pk),
            )
        )
    return rows


def _from_deadline(module: str, what: str, subject: str, deadline, url: str) -> DueRow:
    status = (
        "unknown"
        if deadline.due is None
        else "overdue"
        if deadline.overdue
        else "soon"
        if deadline.due_soon
        else "ok"
    )
    if getattr(deadline, "paused", ""):
        status = "paused"
    return DueRow(module, what, subject, deadline.due, status, deadline.label, url)


def disclosure_due(today: dt.date) -> list[DueRow]:
    from gongkai.core.calendar import calendar_in_force
    from gongkai.disclosure import selectors

    cal = calendar_in_force()
    rows = []
    item: Any
    for item, due in selectors.pending_with_deadlines():
        status, label = _status(due, today, cal)
        rows.append(DueRow("政务公开", f"{item._meta.verbose_name}待发布", str(item), due, status, label))
    for document in selectors.documents_lacking_interpretation()[:200]:
        rows.append(DueRow("政务公开", "政策文件缺少解读", str(document), None, "soon", "应同步解读"))
    return rows


def messages_due(today: dt.date) -> list[DueRow]:
    from gongkai.interaction import selectors

    return [
        _from_deadline(
            "互动交流",
            f"{m.get_category_display()}留言待答复",
            f"{m.tracking_code} {m.subject}",
            d,
            _url("staff-message-detail", m.pk),
        )
        for m, d in selectors.open_messages_with_deadlines(day=today)
    ]


def requests_due(today: dt.date) -> list[DueRow]:
    from gongkai.interaction import selectors

    return [
        _from_deadline(
            "依申请公开",
            r.get_state_display(),
            f"{r.number} {r.applicant_name}",
            d,
            _url("staff-request-detail", r.pk),
        )
        for r, d in selectors.open_requests_with_deadlines(day=today)
    ]


SOURCES: list[tuple[str, str, str, Callable[[dt.date], list[DueRow]]]] = [
    ("inspections", "双随机、一公开：待公示的检查结果", "inspections.view_task", inspections_due),
    ("penalties", "行政处罚：待公示、待撤下、信用修复", "penalties.view_decision", penalties_due),
    ("disclosure", "政务公开：待发布的信息、缺少解读的文件", "disclosure.view_document", disclosure_due),
    ("messages", "留言：待答复", "interaction.view_message", messages_due),
    ("requests", "依申请公开：办理期限", "interaction.view_inforequest", requests_due),
]

ORDER = {"overdue": 0, "soon": 1, "unknown": 2, "paused": 3, "ok": 4}


def sections_for(user, today: dt.date | None = None) -> list[Section]:
    today = today or timezone.localdate()
    out = []
    for key, title, permission, source in SOURCES:
        if not user.has_perm(permission):
            continue
        try:
            rows = source(today)
        except (ImportError, AttributeError, LookupError) as exc:
            out.append(Section(key, title, permission, [], f"该模块暂不可用（{type(exc).__name__}），未列入"))
            continue
        rows.sort(key=lambda r: (ORDER.get(r.status, 9), r.due or dt.date.max))
        out.append(Section(key, title, permission, rows))
    return out
