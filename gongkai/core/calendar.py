"""The working-day calendar in force, with the administrator's entries from the database.

Deadlines are computed from it whenever they are shown, never stored alone, so entering next
year's holidays moves the deadlines of every open case at once.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from gongkai.core import audit
from gongkai.core.models import CalendarOverride, CalendarYear
from gongkai.core.workdays import CalendarNotCovered, WorkdayCalendar

__all__ = [
    "CalendarNotCovered",
    "add_working_days",
    "calendar_in_force",
    "override_set",
    "working_days_between",
    "year_declare",
]


def calendar_in_force() -> WorkdayCalendar:
    """Selector: the package calendar plus every override and completed year in the database."""
    overrides = dict(CalendarOverride.objects.values_list("date", "is_workday"))
    years = frozenset(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
    return WorkdayCalendar(overrides=overrides, extra_years=years)


def add_working_days(start: dt.date, n: int) -> dt.date:
    return calendar_in_force().add_working_days(start, n)


def working_days_between(start: dt.date, end: dt.date) -> int:
    return calendar_in_force().working_days_between(start, end)


@transaction.atomic
def override_set(*, actor, day: dt.date, is_workday: bool, name: str = "") -> CalendarOverride:
    """Set one day's working status (a holiday, or a 调休 working weekend)."""
    existing = CalendarOverride.objects.filter(date=day).first()
    before = audit.snapshot(existing) if existing else None
    override, _ = CalendarOverride.objects.update_or_create(
        date=day, defaults={"is_workday": is_workday, "name": name}
    )
    override.full_clean()
    audit.record(
        actor=actor,
        action="calendar.override_set",
        obj=override,
        before=before,
        after=audit.snapshot(override),
    )
    return override


@transaction.atomic
def year_declare(*, actor, year: int, source: str, complete: bool = True) -> CalendarYear:
    """Mark a year as entered in full (its holidays and 调休 days are overrides)."""
    existing = CalendarYear.objects.filter(year=year).first()
    before = audit.snapshot(existing) if existing else None
    entry = CalendarYear(year=year, source=source, complete=complete)
    entry.full_clean(validate_unique=False)
    entry.save()
    audit.record(
        actor=actor, action="calendar.year_declare", obj=entry, before=before, after=audit.snapshot(entry)
    )
    return entry
