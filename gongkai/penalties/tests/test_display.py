"""Display boundaries on the exact day in Asia/Shanghai, across holidays, and the expiry command."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from gongkai.core.models import AuditEvent
from gongkai.penalties import selectors, services
from gongkai.penalties.choices import State
from gongkai.penalties.models import Decision
from gongkai.penalties.tests import factories as f

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def _public_urls(d: Decision) -> list[str]:
    return [
        reverse("public-penalties"),
        reverse("public-penalty", args=[d.public_id]),
        reverse("public-penalties-csv"),
        reverse("public-penalties-api"),
        reverse("public-penalty-api", args=[d.public_id]),
        reverse("opendata-feed", args=["penalties/"]),
    ]


def _visible(client, d: Decision) -> dict[str, bool]:
    seen = {}
    for url in _public_urls(d):
        r = client.get(url)
        body = b"".join(r.streaming_content) if r.streaming else r.content
        seen[url] = r.status_code == 200 and d.number.encode() in body
    return seen


def test_the_last_day_is_shown_until_midnight_in_shanghai_not_utc(client):
    # Published 2025-03-20 (Shanghai), a 3-month period: shown through 2025-06-20.
    d = f.published(circulated_criticism=True, fine=None)
    assert d.display_ends_on == dt.date(2025, 6, 20)
    # 23:59:59 in Shanghai on the last day is 15:59:59 UTC: still shown everywhere.
    with time_machine.travel(dt.datetime(2025, 6, 20, 15, 59, 59, tzinfo=UTC), tick=False):
        assert all(_visible(client, d).values())
        assert list(selectors.penalties_in_display(d.entity)) == [d]
    # One second later it is 2025-06-21 in Shanghai (still 2025-06-20 in UTC): gone from every
    # surface, although the expiry command has not run.
    with time_machine.travel(dt.datetime(2025, 6, 20, 16, 0, 0, tzinfo=UTC), tick=False):
        assert not any(_visible(client, d).values())
        assert list(selectors.penalties_in_display(d.entity)) == []
    d.refresh_from_db()
    assert d.state == State.PUBLISHED


def test_a_decision_published_just_after_midnight_in_shanghai_counts_from_that_shanghai_day():
    # 2025-03-19 16:30 UTC is 2025-03-20 00:30 in Shanghai.
    d = f.published(at=dt.datetime(2025, 3, 19, 16, 30, tzinfo=UTC))
    assert d.published_on == dt.date(2025, 3, 20)
    assert d.display_ends_on == dt.date(2028, 3, 20)


def test_a_period_ending_on_a_public_holiday_is_not_extended(client):
    # Published 2025-07-01, 3 months: the last day is 2025-10-01 (国庆节). 《民法典》第二百零三条's
    # extension protects people who must act within a period; a display period is not extended.
    d = f.published(at=dt.datetime(2025, 7, 1, 9, tzinfo=f.SHANGHAI), circulated_criticism=True, fine=None)
    assert d.display_ends_on == dt.date(2025, 10, 1)
    with time_machine.travel(dt.datetime(2025, 10, 2, 0, 0, 1, tzinfo=f.SHANGHAI), tick=False):
        assert not any(_visible(client, d).values())


def test_the_publication_deadline_counts_working_days_across_national_day():
    clerk, _ = f.reviewers()
    d = f.draft(actor=clerk, decision_date=dt.date(2025, 9, 26))
    deadline = selectors.publication_deadline(d, day=dt.date(2025, 10, 9))
    # 2025-09-28 (Sunday) is a 调休 working day; 10-01 to 10-08 are holidays; 10-11 (Saturday) works.
    assert deadline.due == dt.date(2025, 10, 30)
    assert deadline.remaining == 16 and not deadline.overdue  # 10-10, 10-11, then 14 more


def test_a_deadline_in_a_year_the_calendar_does_not_cover_says_so_instead_of_guessing():
    clerk, _ = f.reviewers()
    with time_machine.travel(dt.datetime(2026, 12, 21, 9, tzinfo=f.SHANGHAI), tick=False):
        d = f.draft(actor=clerk, decision_date=dt.date(2026, 12, 20))
    deadline = selectors.publication_deadline(d, day=dt.date(2026, 12, 21))
    assert deadline.due is None and "2027" in deadline.problem


def test_expire_is_idempotent_safe_to_run_twice_and_late():
    d = f.published(circulated_criticism=True, fine=None)
    other = f.published(fine=None, circulated_criticism=False, confiscated_gains=90)
    out = io.StringIO()
    with time_machine.travel(dt.datetime(2025, 6, 20, 12, tzinfo=f.SHANGHAI), tick=False):
        call_command("expire_penalties", stdout=out)
    assert Decision.objects.get(pk=d.pk).state == State.PUBLISHED
    # Run late (four days after the end), and twice.
    with time_machine.travel(dt.datetime(2025, 6, 25, 3, tzinfo=f.SHANGHAI), tick=False):
        call_command("expire_penalties", stdout=out)
        call_command("expire_penalties", stdout=out)
    d.refresh_from_db()
    assert d.state == State.EXPIRED
    assert Decision.objects.get(pk=other.pk).state == State.PUBLISHED
    assert AuditEvent.objects.filter(action="penalties.decision.expire", object_id=str(d.pk)).count() == 1
    assert "1条届满停止公示" in out.getvalue() and "0条届满停止公示" in out.getvalue()


def test_expire_refuses_a_date_in_the_future():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="晚于今天"):
        call_command("expire_penalties", "--date", "2099-01-01")


def test_a_changed_threshold_is_applied_by_the_next_expiry_run():
    from gongkai.core import parameters
    from gongkai.penalties import rules

    d = f.published(fine=30000)  # an organisation: 30,000 < 50,000 → 3 months
    assert d.display_ends_on == dt.date(2025, 6, 20)
    with time_machine.travel(dt.datetime(2025, 4, 1, 9, tzinfo=f.SHANGHAI), tick=False):
        parameters.parameter_set(
            actor="test",
            key=rules.LOWER_FINE,
            value={"natural_person": "1000", "organisation": "10000"},
            valid_from=dt.date(2021, 9, 1),
            source="测试：省局更正后的标准",
        )
        report = services.decisions_expire()
    d.refresh_from_db()
    assert report.recomputed == [d.number]
    assert d.display_ends_on == dt.date(2028, 3, 20)
