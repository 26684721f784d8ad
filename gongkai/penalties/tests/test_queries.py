"""The list pages run a fixed number of queries whatever the number of decisions."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongkai.penalties import selectors
from gongkai.penalties.tests import factories as f

pytestmark = pytest.mark.django_db
LOOK = dt.datetime(2025, 4, 1, 10, tzinfo=f.SHANGHAI)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("public-penalties", []),
        ("public-penalties-api", []),
        ("public-penalties-csv", []),
        ("opendata-feed", ["penalties/"]),
    ],
)
def test_public_lists_do_not_grow_with_the_number_of_decisions(client, name, args):
    f.published()
    with time_machine.travel(LOOK, tick=False):
        one = _count(client, reverse(name, args=args))
    for _ in range(4):
        f.published()
    with time_machine.travel(LOOK, tick=False):
        assert _count(client, reverse(name, args=args)) == one


def test_the_staff_dashboard_does_not_grow_with_the_number_of_decisions(client):
    clerk, _ = f.reviewers()
    f.draft(actor=clerk)
    client.force_login(clerk)
    with time_machine.travel(LOOK, tick=False):
        one = _count(client, reverse("staff-penalties"))
        for _ in range(4):
            f.draft(actor=clerk)
        assert _count(client, reverse("staff-penalties")) == one


def test_the_entity_selector_for_the_portal(db):
    d = f.published()
    with time_machine.travel(LOOK, tick=False):
        rows = list(selectors.penalties_in_display(d.entity))
        assert rows == [d] and rows[0].penalty_summary == "罚款50,000元"
        assert list(selectors.penalties_in_display(d.entity.credit_code)) == [d]
