"""List pages run a fixed number of queries, whatever the number of rows (no N+1)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.conftest import make_user
from gongkai.core import roles
from gongkai.inspectors.models import Department
from gongkai.interaction import services
from gongkai.interaction.tests import factories as f

pytestmark = pytest.mark.django_db


def _published(n):
    for _ in range(n):
        m = f.message()
        services.message_route(actor="t", message=m, department=Department.objects.get(pk="SCJG"))
        m = services.message_reply(actor="t", message=m, text="您好，答复如下：请携带身份证件办理。")
        services.message_publish(
            actor="t", message=m, public_subject="咨询", public_body="问题内容", public_reply="答复内容"
        )


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    ["public-messages", "staff-messages", "staff-requests", "public-satisfaction", "public-foi"],
)
def test_list_pages_query_count_does_not_grow_with_rows(client, url):
    client.force_login(make_user("handler", roles.MESSAGE_HANDLER))
    _published(2)
    f.info_request(received_on=dt.date(2025, 9, 1))
    small = _count(client, reverse(url))
    _published(6)
    for _ in range(4):
        f.info_request(received_on=dt.date(2025, 9, 2))
    assert _count(client, reverse(url)) == small
