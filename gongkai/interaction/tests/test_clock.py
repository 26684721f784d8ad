"""The statutory clock, on the real calendar, across the 2025 National Day holiday.

2025: Oct 1–8 off; Sunday Sep 28 and Saturday Oct 11 are working days (国办发明电〔2024〕12号).
Expected dates are counted by hand from that arrangement, not computed with the code under test.
"""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.core.workdays import DEFAULT as CAL
from gongkai.interaction import clock, fees
from gongkai.interaction.clock import Step

D = dt.date
RECEIVED = D(2025, 9, 26)  # a Friday before the holiday


def test_reply_due_twenty_working_days_after_receipt_across_the_holiday():
    c = clock.compute(RECEIVED, [], CAL)
    assert c.reply_due == D(2025, 10, 30)  # weekdays alone would say Oct 24
    assert c.correction_notice_due == D(2025, 10, 13)


def test_a_correction_restarts_the_clock_from_its_receipt():
    steps = [
        Step("correction_requested", D(2025, 9, 30), D(2025, 10, 21)),
        Step("correction_received", D(2025, 10, 15)),
    ]
    c = clock.compute(RECEIVED, steps[:1], CAL)
    assert c.pause == "correction" and c.reply_due is None
    c = clock.compute(RECEIVED, steps, CAL)
    assert c.clock_start == D(2025, 10, 15) and c.reply_due == D(2025, 11, 12)


def test_third_party_consultation_is_not_counted():
    started, ended = D(2025, 9, 30), D(2025, 10, 13)
    c = clock.compute(RECEIVED, [Step("consultation_started", started)], CAL)
    assert c.reply_due is None and c.consultation_due == D(2025, 10, 28)
    c = clock.compute(
        RECEIVED, [Step("consultation_started", started), Step("consultation_ended", ended)], CAL
    )
    # Oct 9, 10, 11 (worked Saturday) and 13 are excluded: 4 more working days after Oct 30.
    assert c.excluded_days == 4 and c.reply_due == D(2025, 11, 5)


def test_one_extension_adds_twenty_working_days():
    c = clock.compute(RECEIVED, [Step("extended", D(2025, 10, 28))], CAL)
    assert c.base_due == D(2025, 10, 30) and c.reply_due == D(2025, 11, 27) and c.allowed_days == 40


def test_fee_notice_stops_the_clock_until_payment():
    steps = [Step("fee_notice", D(2025, 10, 9), D(2025, 11, 6)), Step("fee_paid", D(2025, 10, 14))]
    c = clock.compute(RECEIVED, steps, CAL)
    # Oct 10, 11 (worked Saturday), 13 and 14 are excluded.
    assert c.excluded_days == 4 and c.reply_due == D(2025, 11, 5)


def test_answer_on_time_or_late():
    assert clock.compute(RECEIVED, [Step("answered", D(2025, 10, 30))], CAL).answered_on_time is True
    assert clock.compute(RECEIVED, [Step("answered", D(2025, 10, 31))], CAL).answered_on_time is False
    with pytest.raises(clock.ClockError):
        clock.compute(RECEIVED, [Step("answered", D(2025, 10, 30)), Step("extended", D(2025, 10, 31))], CAL)


@given(st.dates(D(2018, 1, 1), D(2026, 6, 30)), st.integers(0, 30))
def test_a_pause_moves_the_due_date_by_exactly_the_working_days_it_covers(received, length):
    start = CAL.add_working_days(received, 2)
    end = CAL.add_working_days(start, length)
    c = clock.compute(received, [Step("consultation_started", start), Step("consultation_ended", end)], CAL)
    assert c.reply_due is not None
    assert CAL.working_days_between(received, c.reply_due) == clock.REPLY_DAYS + length


def test_fees_by_item_per_applicant_per_month():
    assert [fees.fee_by_item(n) for n in (1, 10, 11, 30, 31, 40, 41, 50, 51)] == [
        0,
        0,
        100,
        100,
        200,
        200,
        300,
        300,
        400,
    ]


def test_fees_by_page_each_band_at_its_own_price():
    assert fees.fee_by_page(30) == 0
    assert fees.fee_by_page(31) == 10
    assert fees.fee_by_page(100) == 700
    assert fees.fee_by_page(101) == 720
    assert fees.fee_by_page(200) == 700 + 2000
    assert fees.fee_by_page(201) == 700 + 2000 + 40
