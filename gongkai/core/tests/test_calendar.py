import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.conftest import make_user
from gongkai.core import calendar, roles
from gongkai.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_add_working_days_command_prints_the_date(capsys):
    call_command("add_working_days", "2025-09-30", "1")
    assert capsys.readouterr().out.strip() == "2025-10-09"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2025-13-01", "1"), "格式不正确"),
        (("2025-09-30", "x"), "不是整数"),
        (("2025-09-30", "-2"), "不能为负数"),
        (("2099-01-05", "1"), "未覆盖2099年"),
    ],
)
def test_add_working_days_command_rejects_bad_input(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("add_working_days", *args)


def test_entering_a_new_year_makes_it_computable_and_moves_deadlines():
    with pytest.raises(calendar.CalendarNotCovered):
        calendar.add_working_days(dt.date(2099, 12, 31), 1)
    calendar.year_declare(actor="admin", year=2099, source="国办发明电〔2098〕1号")
    # Thursday 2099-12-31 + 1 working day = Friday 2100-01-01? 2100 is not covered either.
    assert calendar.add_working_days(dt.date(2099, 1, 1), 1) == dt.date(2099, 1, 2)
    calendar.override_set(actor="admin", day=dt.date(2099, 1, 2), is_workday=False, name="元旦")
    assert calendar.add_working_days(dt.date(2099, 1, 1), 1) == dt.date(2099, 1, 5)
    assert AuditEvent.objects.filter(action__startswith="calendar.").count() == 2


def test_override_changes_a_known_year_too():
    before = calendar.add_working_days(dt.date(2026, 3, 5), 1)
    calendar.override_set(actor="admin", day=before, is_workday=False, name="临时调整")
    assert calendar.add_working_days(dt.date(2026, 3, 5), 1) > before


def test_only_system_admins_edit_the_calendar(client):
    client.force_login(make_user("planner", roles.PLANNER))
    assert client.post("/staff/calendar/", {"o-date": "2026-03-06", "o-is_workday": "0"}).status_code == 403
    client.force_login(make_user("sysadmin", roles.SYSTEM_ADMIN))
    response = client.post(
        "/staff/calendar/", {"o-date": "2026-03-06", "o-is_workday": "0", "o-name": "测试"}
    )
    assert response.status_code == 302
    page = client.get("/staff/calendar/?start=2026-03-05&days=1").content.decode()
    assert "2026-03-09" in page


def test_calendar_page_says_when_a_year_is_not_covered(client):
    client.force_login(make_user("clerk", roles.PLANNER))
    page = client.get("/staff/calendar/?start=2099-01-05&days=3").content.decode()
    assert "未覆盖2099年" in page
