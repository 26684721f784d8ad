"""Working-day arithmetic on China's official calendar. Pure: no Django imports.

The maintained ``chinesecalendar`` package knows the State Council's holiday arrangements
(public holidays and 调休 working weekends) for the years it was released with. Years it does
not know are covered only when an administrator has entered them in full (``extra_years``) —
otherwise any date in such a year raises :class:`CalendarNotCovered`, never a silent guess.

Conventions (used by every deadline in Gongkai):

* ``add_working_days(d, n)`` is the date on which the n-th working day *after* ``d`` falls;
  ``d`` itself is not counted ("within 20 working days of the decision").
* ``working_days_between(a, b)`` counts the working days in ``(a, b]``, so that
  ``working_days_between(d, add_working_days(d, n)) == n``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

import chinese_calendar
from django.utils.translation import gettext

_ONE_DAY = dt.timedelta(days=1)


class CalendarNotCovered(ValueError):
    """A date falls in a year whose holiday arrangement nobody has entered."""

    def __init__(self, year: int):
        self.year = year
        # In the language of the request that met the gap (public pages may be in English).
        super().__init__(
            gettext(
                "工作日历未覆盖%(year)s年：请管理员先录入%(year)s年的节假日和调休安排（国务院办公厅通知），"
                "再计算涉及该年的期限。"
            )
            % {"year": year}
        )


@functools.cache
def package_years() -> range:
    """The years the installed ``chinesecalendar`` package knows."""
    years = [d.year for d in chinese_calendar.holidays] + [d.year for d in chinese_calendar.workdays]
    return range(min(years), max(years) + 1)


@dataclass(frozen=True)
class WorkdayCalendar:
    """The calendar in force: the package, plus administrator overrides and entered years."""

    overrides: Mapping[dt.date, bool] = field(default_factory=dict)
    extra_years: frozenset[int] = frozenset()

    def covers(self, year: int) -> bool:
        return year in package_years() or year in self.extra_years

    def is_workday(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in package_years():
            return bool(chinese_calendar.is_workday(day))
        if day.year in self.extra_years:
            # An entered year lists its holidays and 调休 days as overrides; the rest follow the week.
            return day.weekday() < 5
        raise CalendarNotCovered(day.year)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        if n < 0:
            raise ValueError("工作日数不能为负数")
        day = start
        remaining = n
        while remaining:
            day += _ONE_DAY
            if self.is_workday(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``(start, end]``; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += _ONE_DAY
            if self.is_workday(day):
                count += 1
        return count

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += _ONE_DAY
        return day


DEFAULT = WorkdayCalendar()
