import datetime as dt

import pytest

from gongkai.core.workdays import CalendarNotCovered, WorkdayCalendar

D = dt.date
CAL = WorkdayCalendar()


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2025, 9, 30), 1, D(2025, 10, 9)),  # National Day 10-01..10-08 off
        (D(2025, 9, 26), 1, D(2025, 9, 28)),  # Sunday 09-28 is a 调休 working day
        (D(2025, 10, 10), 1, D(2025, 10, 11)),  # Saturday 10-11 is a 调休 working day
        (D(2025, 1, 24), 1, D(2025, 1, 26)),  # Spring Festival 2025: Sunday 01-26 works
        (D(2025, 1, 27), 1, D(2025, 2, 5)),  # 01-28..02-04 off
        (D(2024, 2, 9), 1, D(2024, 2, 18)),  # Spring Festival 2024: 02-10..02-17 off, Sunday 02-18 works
        (D(2024, 9, 30), 1, D(2024, 10, 8)),  # National Day 2024
        (D(2023, 9, 28), 1, D(2023, 10, 7)),  # 2023: 09-29..10-06 off, Saturday 10-07 works
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Spring Festival 2026: Saturday 02-14 works
        (D(2025, 9, 30), 0, D(2025, 9, 30)),
    ],
)
def test_add_working_days_across_holidays(start, n, expected):
    assert CAL.add_working_days(start, n) == expected


def test_twenty_working_days_over_national_day():
    # 09-26, 09-28, 09-29, 09-30, then 10-09, 10-10, 10-11 (Saturday), 10-13 … 10-29 is the 20th
    assert CAL.add_working_days(D(2025, 9, 25), 20) == D(2025, 10, 29)


def test_between_is_inverse_of_add():
    for start in (D(2024, 1, 31), D(2025, 9, 20), D(2026, 2, 1)):
        for n in (1, 7, 15, 20, 40):
            assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


def test_between_counts_half_open_interval():
    assert CAL.working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert CAL.working_days_between(D(2025, 10, 9), D(2025, 9, 30)) == -1
    assert CAL.working_days_between(D(2025, 10, 9), D(2025, 10, 9)) == 0


def test_year_not_covered_is_an_error_not_a_guess():
    with pytest.raises(CalendarNotCovered, match="2099年"):
        CAL.add_working_days(D(2099, 1, 5), 1)


def test_entered_year_is_covered_with_its_overrides():
    cal = WorkdayCalendar(
        overrides={D(2099, 1, 1): False, D(2099, 1, 3): True}, extra_years=frozenset({2099})
    )
    assert cal.is_workday(D(2099, 1, 3))  # a Saturday made a working day
    assert not cal.is_workday(D(2099, 1, 1))
    assert cal.add_working_days(D(2098, 12, 31), 1) if cal.covers(2098) else True
    assert cal.add_working_days(D(2099, 1, 1), 1) == D(2099, 1, 2)


def test_negative_count_is_refused():
    with pytest.raises(ValueError):
        CAL.add_working_days(D(2025, 1, 1), -1)


def test_calendar_not_covered_is_told_in_the_language_of_the_request():
    """Public pages in English show the gap in English; staff pages (always Chinese) in Chinese."""
    from django.utils import translation

    with translation.override("en"):
        assert str(CalendarNotCovered(2099)).startswith("The working-day calendar does not cover 2099 yet")
    with translation.override("zh-hans"):
        assert str(CalendarNotCovered(2099)).startswith("工作日历未覆盖2099年")
