"""The staff dashboard shows what is due in every module, and survives a missing one."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from gongkai.conftest import make_user
from gongkai.core import roles
from gongkai.interaction.tests import factories as f
from gongkai.stats import due

pytestmark = pytest.mark.django_db


def test_overdue_messages_and_requests_come_first(client, staff_user):
    with time_machine.travel(dt.datetime(2025, 9, 1, 2, tzinfo=dt.UTC), tick=False):
        late = f.message(category="consult")
        request = f.info_request(received_on=dt.date(2025, 9, 1))
    with time_machine.travel(dt.datetime(2025, 10, 20, 2, tzinfo=dt.UTC), tick=False):
        client.force_login(staff_user)
        html = client.get(reverse("staff-due")).content.decode()
    assert late.tracking_code in html and request.number in html
    assert "已逾期" in html and "双随机、一公开" in html


def test_a_module_that_fails_is_named_and_skipped(client, monkeypatch):
    def broken(today):
        raise ImportError("module not installed")

    monkeypatch.setattr(due, "SOURCES", [("x", "某模块", "interaction.view_message", broken), *due.SOURCES])
    client.force_login(make_user("handler", roles.MESSAGE_HANDLER))
    html = client.get(reverse("staff-due")).content.decode()
    assert "该模块暂不可用" in html and "留言：待答复" in html
    # A message handler sees no inspection or penalty sections.
    assert "待公示的检查结果" not in html
