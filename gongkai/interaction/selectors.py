"""Reads of 互动交流, shared by the staff queue, the public pages, the reminders and the statistics."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from gongkai.core import calendar
from gongkai.core.workdays import CalendarNotCovered
from gongkai.interaction import clock as clockmod
from gongkai.interaction import rules
from gongkai.interaction.choices import (
    OPEN_MESSAGE_STATES,
    OPEN_REQUEST_STATES,
    MessageState,
    RequestState,
    Satisfaction,
)
from gongkai.interaction.models import AnnualReport, InfoRequest, Message, MessageNote, RequestStep

# 国办秘函〔2019〕19号: a site fails its inspection when valid messages go unanswered for more than
# three months; a message open this long is flagged in red on every staff page that lists it.
INSPECTION_LIMIT = dt.timedelta(days=90)


def today() -> dt.date:
    return timezone.localdate()


@dataclass(frozen=True)
class Deadline:
    """A working-day deadline as a staff page shows it."""

    due: dt.date | None
    remaining: int | None  # working days from today to the due date (negative: overdue)
    soon_days: int = 2
    problem: str = ""
    paused: str = ""

    @property
    def overdue(self) -> bool:
        return self.remaining is not None and self.remaining < 0

    @property
    def due_soon(self) -> bool:
        return self.remaining is not None and 0 <= self.remaining <= self.soon_days

    @property
    def status(self) -> str:
        if self.paused:
            return "paused"
        if self.due is None:
            return "unknown"
        return "overdue" if self.overdue else "soon" if self.due_soon else "ok"

    @property
    def label(self) -> str:
        if self.paused:
            return self.paused
        if self.due is None:
            return "无法计算"
        if self.overdue:
            return f"已逾期{-self.remaining}个工作日"  # type: ignore[operator]
        if self.remaining == 0:
            return "今天到期"
        return f"还有{self.remaining}个工作日"


def _deadline(cal, due: dt.date, day: dt.date, soon: int) -> Deadline:
    return Deadline(due, cal.working_days_between(day, due), soon)


# --- messages -------------------------------------------------------------------------------------


def message_due(message: Message, *, cal=None, days=None) -> dt.date:
    """The reply deadline: the category's working days (in force on the day of receipt) after it.

    ``days`` is a :func:`rules.reply_days_resolver` when many messages are computed at once.
    """
    cal = cal or calendar.calendar_in_force()
    period = (days or rules.message_reply_days)(message.category, message.received_on)
    return cal.add_working_days(message.received_on, period)


def message_deadline(
    message: Message, *, cal=None, day: dt.date | None = None, soon: int | None = None, days=None
) -> Deadline:
    cal = cal or calendar.calendar_in_force()
    day = day or today()
    soon = soon if soon is not None else int(rules.value(rules.DUE_SOON_DAYS))
    try:
        return _deadline(cal, message_due(message, cal=cal, days=days), day, soon)
    except CalendarNotCovered as exc:
        return Deadline(None, None, soon, str(exc))


def staff_messages(
    *, state: str = "", category: str = "", department: str = "", assignee=None, q: str = ""
) -> QuerySet[Message]:
    qs = Message.objects.select_related("department", "assignee")
    if state == "open":
        qs = qs.filter(state__in=OPEN_MESSAGE_STATES)
    elif state:
        qs = qs.filter(state=state)
    if category:
        qs = qs.filter(category=category)
    if department:
        qs = qs.filter(department_id=department)
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    if q:
        qs = qs.filter(tracking_code__icontains=q) | qs.filter(subject__contains=q)
    return qs.order_by("received_at", "id")


def open_messages_with_deadlines(
    *, day: dt.date | None = None, qs: QuerySet[Message] | None = None
) -> list[tuple[Message, Deadline]]:
    """Open messages, soonest deadline first, the calendar read once."""
    cal = calendar.calendar_in_force()
    day = day or today()
    soon = int(rules.value(rules.DUE_SOON_DAYS))
    qs = qs if qs is not None else staff_messages(state="open")
    days = rules.reply_days_resolver()
    rows = [
        (m, message_deadline(m, cal=cal, day=day, soon=soon, days=days))
        for m in qs.filter(state__in=OPEN_MESSAGE_STATES)
    ]
    rows.sort(key=lambda r: (r[1].due or dt.date.max, r[0].pk))
    return rows


def message_detail(pk: int) -> Message:
    return (
        Message.objects.select_related("department", "assignee", "replied_by")
        .prefetch_related(Prefetch("notes", queryset=MessageNote.objects.select_related("by")), "attachments")
        .get(pk=pk)
    )


def message_by_code(code: str) -> Message | None:
    return Message.objects.select_related("department").filter(tracking_code=code).first()


def published_messages(*, category: str = "", q: str = "") -> QuerySet[Message]:
    """Published Q&A. Only the reviewed public texts and dates are read: never name or contact."""
    qs = Message.objects.filter(published_at__isnull=False).select_related("department")
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(public_subject__contains=q) | qs.filter(public_body__contains=q)
    return qs.only(
        "id",
        "category",
        "public_subject",
        "public_body",
        "public_reply",
        "received_on",
        "replied_on",
        "published_at",
        "department__name",
    ).order_by("-replied_on", "-id")


@dataclass
class MonthStats:
    month: dt.date
    received: int = 0
    replied: int = 0
    on_time: int = 0
    reply_days_total: int = 0
    rated: int = 0
    satisfied: int = 0  # 满意 + 基本满意

    @property
    def average_reply_days(self) -> float | None:
        return round(self.reply_days_total / self.replied, 1) if self.replied else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.replied, 1) if self.replied else None

    @property
    def satisfaction_rate(self) -> float | None:
        return round(100 * self.satisfied / self.rated, 1) if self.rated else None


def message_monthly_stats(*, months: int = 12, day: dt.date | None = None) -> list[MonthStats]:
    """Per month of receipt: received (valid), replied, average reply time in working days,
    on-time rate and satisfaction (满意 + 基本满意 among ratings). Invalid messages are left out."""
    day = day or today()
    first = _month_start(day, -(months - 1))
    cal = calendar.calendar_in_force()
    days = rules.reply_days_resolver()
    table = {_month_start(day, -i): MonthStats(_month_start(day, -i)) for i in range(months)}
    qs = (
        Message.objects.filter(received_on__gte=first)
        .exclude(state=MessageState.INVALID)
        .only("category", "received_on", "replied_on", "rating")
    )
    for m in qs:
        row = table.get(m.received_on.replace(day=1))
        if row is None:
            continue
        row.received += 1
        if m.replied_on is not None:
            row.replied += 1
            try:
                used = cal.working_days_between(m.received_on, m.replied_on)
                row.reply_days_total += used
                if m.replied_on <= message_due(m, cal=cal, days=days):
                    row.on_time += 1
            except CalendarNotCovered:
                pass
        if m.rating is not None:
            row.rated += 1
            row.satisfied += m.rating >= Satisfaction.BASIC
    return sorted(table.values(), key=lambda r: r.month)


def _month_start(day: dt.date, offset: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


# --- 依申请公开 ----------------------------------------------------------------------------------


def request_detail(pk: int) -> InfoRequest:
    return (
        InfoRequest.objects.select_related("department", "created_by")
        .prefetch_related(
            Prefetch("steps", queryset=RequestStep.objects.select_related("by", "approved_by")), "letters"
        )
        .get(pk=pk)
    )


def request_by_code(code: str) -> InfoRequest | None:
    return InfoRequest.objects.prefetch_related("steps", "letters").filter(tracking_code=code).first()


def staff_requests(*, state: str = "", q: str = "") -> QuerySet[InfoRequest]:
    qs = InfoRequest.objects.select_related("department").prefetch_related("steps")
    if state == "open":
        qs = qs.filter(state__in=OPEN_REQUEST_STATES)
    elif state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(number__icontains=q) | qs.filter(applicant_name__contains=q)
    return qs.order_by("-received_on", "-id")


def request_deadline(
    request: InfoRequest, *, cal=None, day: dt.date | None = None, soon: int = 2
) -> Deadline:
    """What is due next on a request: the applicant's correction or payment, or our reply."""
    cal = cal or calendar.calendar_in_force()
    day = day or today()
    try:
        clock = clockmod.compute(
            request.received_on, [clockmod.Step(s.kind, s.on, s.until) for s in request.steps.all()], cal
        )
    except CalendarNotCovered as exc:
        return Deadline(None, None, soon, str(exc))
    if request.state == RequestState.CORRECTION:
        until = clock.correction_due
        return Deadline(
            until,
            cal.working_days_between(day, until) if until else None,
            soon,
            paused=f"待申请人补正（期限{until:%Y-%m-%d}）" if until else "待申请人补正",
        )
    if request.state == RequestState.CONSULTING:
        due = clock.consultation_due
        return Deadline(
            due,
            cal.working_days_between(day, due) if due else None,
            soon,
            paused=f"征求第三方意见，暂停计时（意见期限{due:%Y-%m-%d}）" if due else "征求第三方意见",
        )
    if request.state == RequestState.FEE_PENDING:
        return Deadline(
            clock.fee_due,
            None,
            soon,
            paused=f"待缴费，暂停计时（缴费期限{clock.fee_due:%Y-%m-%d}）" if clock.fee_due else "待缴费",
        )
    if clock.reply_due is None:
        return Deadline(None, None, soon, "无法计算")
    return _deadline(cal, clock.reply_due, day, soon)


def open_requests_with_deadlines(*, day: dt.date | None = None) -> list[tuple[InfoRequest, Deadline]]:
    cal = calendar.calendar_in_force()
    soon = int(rules.value(rules.DUE_SOON_DAYS))
    rows = [
        (r, request_deadline(r, cal=cal, day=day, soon=soon))
        for r in staff_requests(state="open").order_by("received_on", "id")
    ]
    rows.sort(key=lambda r: (r[1].due or dt.date.max, r[0].pk))
    return rows


def correction_notices_due(*, day: dt.date | None = None) -> list[tuple[InfoRequest, dt.date]]:
    """Requests still open in 办理中 without a 补正 notice, whose 7-day window for one is open."""
    cal = calendar.calendar_in_force()
    day = day or today()
    rows = []
    for r in staff_requests(state=RequestState.RECEIVED):
        if any(s.kind == "correction_requested" for s in r.steps.all()):
            continue
        try:
            due = cal.add_working_days(r.received_on, clockmod.CORRECTION_NOTICE_DAYS)
        except CalendarNotCovered:
            continue
        if due >= day:
            rows.append((r, due))
    return rows


@dataclass
class RequestYearStats:
    received: int = 0
    answered: int = 0
    on_time: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.answered, 1) if self.answered else None


def request_monthly_stats(
    *, months: int = 12, day: dt.date | None = None
) -> list[tuple[dt.date, RequestYearStats]]:
    day = day or today()
    first = _month_start(day, -(months - 1))
    cal = calendar.calendar_in_force()
    table: dict[dt.date, RequestYearStats] = defaultdict(RequestYearStats)
    for i in range(months):
        table[_month_start(day, -i)]
    for r in InfoRequest.objects.filter(received_on__gte=first).prefetch_related("steps"):
        row = table[r.received_on.replace(day=1)]
        row.received += 1
        if r.state == RequestState.ANSWERED:
            row.answered += 1
            try:
                clock = clockmod.compute(
                    r.received_on, [clockmod.Step(s.kind, s.on, s.until) for s in r.steps.all()], cal
                )
            except CalendarNotCovered:
                continue
            row.on_time += bool(clock.answered_on_time)
    return sorted(table.items())


def published_reports() -> QuerySet[AnnualReport]:
    return AnnualReport.objects.filter(state="published").order_by("-year")


def letters_of(requests: Iterable[InfoRequest]):
    return [letter for r in requests for letter in r.letters.all()]
