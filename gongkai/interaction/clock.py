"""The statutory clock of an 依申请公开 request. Pure: no Django imports.

政府信息公开条例 (国务院令第711号):

* 第三十条: a request that is unclear gets **one** 补正 notice within **7 working days** of receipt;
  the reply period then runs from the day the corrected request is received; no correction in the
  time the notice gave means the request is treated as abandoned.
* 第三十二条: a third party consulted has **15 working days** to answer; 第三十三条第三款: the time
  spent consulting third parties or other agencies does not count towards the reply period.
* 第三十三条: reply within **20 working days** of receipt; extendable **once** by at most **20**
  working days with the approval of the head of the disclosure office and notice to the applicant.
* 国办函〔2020〕109号: the time between a fee notice and the payment does not count either.

Working days follow the convention of :mod:`gongkai.core.workdays`: the n-th working day *after*
a date; a paused interval from ``a`` to ``b`` excludes the working days in ``(a, b]``. Everything is
computed from the steps and the calendar in force, so a calendar change moves every open date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

CORRECTION_NOTICE_DAYS = 7  # 条例第三十条
CONSULTATION_DAYS = 15  # 条例第三十二条
REPLY_DAYS = 20  # 条例第三十三条第一款
EXTENSION_DAYS = 20  # 条例第三十三条第二款 (once, at most)

PAUSE_STARTS = {"consultation_started": "consultation", "fee_notice": "fee"}
PAUSE_ENDS = {"consultation_ended": "consultation", "fee_paid": "fee"}


class Calendar(Protocol):
    def add_working_days(self, start: dt.date, n: int) -> dt.date: ...

    def working_days_between(self, start: dt.date, end: dt.date) -> int: ...


@dataclass(frozen=True)
class Step:
    """One event of the request's course, on the day it takes effect.

    ``until`` is the applicant's time limit a notice sets (补正 or payment), when it has one.
    """

    kind: str
    on: dt.date
    until: dt.date | None = None


@dataclass
class Clock:
    received_on: dt.date
    clock_start: dt.date
    correction_notice_due: dt.date
    correction_requested_on: dt.date | None = None
    correction_due: dt.date | None = None
    correction_received_on: dt.date | None = None
    pause: str = ""  # "consultation" | "fee" | "correction" while the clock stands still
    pause_since: dt.date | None = None
    consultation_due: dt.date | None = None
    fee_due: dt.date | None = None
    excluded_days: int = 0
    pauses: list[tuple[str, dt.date, dt.date]] = field(default_factory=list)
    extended_on: dt.date | None = None
    allowed_days: int = REPLY_DAYS
    reply_due: dt.date | None = None  # None while the clock stands still
    base_due: dt.date | None = None  # the due date before any extension
    closed_on: dt.date | None = None
    closing_kind: str = ""

    @property
    def extended(self) -> bool:
        return self.extended_on is not None

    @property
    def open(self) -> bool:
        return self.closed_on is None

    @property
    def answered_on_time(self) -> bool | None:
        if self.closing_kind != "answered" or self.closed_on is None or self.reply_due is None:
            return None
        return self.closed_on <= self.reply_due

    def used_days(self, cal: Calendar, today: dt.date) -> int:
        """Working days of the reply period used up by ``today`` (pauses excluded)."""
        end = self.closed_on or today
        if self.pause and self.pause_since is not None:
            end = min(end, self.pause_since)
        return max(0, cal.working_days_between(self.clock_start, end) - self.excluded_days)

    def remaining_days(self, cal: Calendar, today: dt.date) -> int:
        return self.allowed_days - self.used_days(cal, today)


class ClockError(ValueError):
    """The steps break a rule of the statute (the message says which, in Chinese)."""


def compute(
    received_on: dt.date,
    steps: Sequence[Step],
    cal: Calendar,
) -> Clock:
    """Replay ``steps`` (in order) from ``received_on`` and return every date of the request."""
    clock = Clock(
        received_on=received_on,
        clock_start=received_on,
        correction_notice_due=cal.add_working_days(received_on, CORRECTION_NOTICE_DAYS),
    )
    for step in steps:
        kind = step.kind
        if kind == "received":
            continue
        if clock.closed_on is not None:
            raise ClockError(f"申请已于{clock.closed_on}办结，不能再记录“{kind}”")
        if kind == "correction_requested":
            clock.correction_requested_on = step.on
            clock.correction_due = step.until
            clock.pause, clock.pause_since = "correction", step.on
        elif kind == "correction_received":
            clock.correction_received_on = step.on
            # 条例第三十条: the period runs afresh from the corrected request; earlier pauses
            # and an extension belong to the old period.
            clock.clock_start = step.on
            clock.excluded_days = 0
            clock.pause, clock.pause_since = "", None
        elif kind in PAUSE_STARTS:
            clock.pause, clock.pause_since = PAUSE_STARTS[kind], step.on
            if kind == "consultation_started":
                clock.consultation_due = cal.add_working_days(step.on, CONSULTATION_DAYS)
            else:
                clock.fee_due = step.until
        elif kind in PAUSE_ENDS:
            if clock.pause != PAUSE_ENDS[kind] or clock.pause_since is None:
                raise ClockError("没有正在进行的征求意见或收费通知，无法结束暂停")
            clock.excluded_days += cal.working_days_between(clock.pause_since, step.on)
            clock.pauses.append((clock.pause, clock.pause_since, step.on))
            clock.pause, clock.pause_since = "", None
        elif kind == "extended":
            clock.extended_on = step.on
        elif kind in {"answered", "withdrawn", "correction_lapsed", "fee_lapsed"}:
            clock.closed_on, clock.closing_kind = step.on, kind
        else:
            raise ClockError(f"未知的办理步骤：{kind}")
    clock.allowed_days = REPLY_DAYS + (EXTENSION_DAYS if clock.extended else 0)
    if not clock.pause or clock.closed_on is not None:
        clock.base_due = cal.add_working_days(clock.clock_start, REPLY_DAYS + clock.excluded_days)
        clock.reply_due = cal.add_working_days(clock.clock_start, clock.allowed_days + clock.excluded_days)
    return clock
