"""Cursor pagination: every row exactly once, in a stable order, and a day's changes by filter."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from gongkai.api.pagination import Sort, decode_cursor, encode_cursor

pytestmark = pytest.mark.django_db


def _all_pages(api, url):
    seen, pages = [], 0
    while url:
        data = api.json(url)
        seen += data["items"]
        pages += 1
        assert len(data["items"]) <= data["limit"]
        url = data["next"]
        if url:
            assert data["next_cursor"] in url
            url = url.removeprefix("http://testserver")
    return seen, pages


def test_entities_page_through_every_row_once_in_order(api):
    from gongkai.registry.tests.factories import make_entity

    codes = sorted(make_entity().credit_code for _ in range(23))
    rows, pages = _all_pages(api, "/api/v1/entities?limit=10")
    assert pages == 3
    assert [r["credit_code"] for r in rows] == codes


def test_a_row_inserted_mid_way_does_not_shift_the_pages(api):
    from gongkai.registry.tests.factories import make_code, make_entity

    for _ in range(6):
        make_entity()
    first = api.json("/api/v1/entities?limit=3")
    early = make_entity(credit_code=make_code(region="371500"))  # sorts before everything read so far
    assert early.credit_code < first["items"][0]["credit_code"]
    second = api.json(f"/api/v1/entities?limit=3&cursor={first['next_cursor']}")
    assert not {r["credit_code"] for r in first["items"]} & {r["credit_code"] for r in second["items"]}
    assert len(second["items"]) == 3


def test_filters_stay_on_the_next_page_url(api):
    from gongkai.registry.tests.factories import make_entity

    for _ in range(4):
        make_entity(district_code="371502")
    data = api.json("/api/v1/entities?limit=2&district=371502")
    assert "district=371502" in data["next"]


def test_a_days_changes_are_pulled_with_updated_since_and_a_cursor(api):
    from gongkai.registry.tests.factories import make_entity

    with time_machine.travel(dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)):
        old = [make_entity() for _ in range(3)]
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        new = [make_entity() for _ in range(5)]
    rows, pages = _all_pages(
        api, "/api/v1/entities?updated_since=2026-03-02T00:00:00%2B08:00&sort=updated_at&limit=2"
    )
    assert pages == 3
    assert {r["credit_code"] for r in rows} == {e.credit_code for e in new}
    assert not {r["credit_code"] for r in rows} & {e.credit_code for e in old}
    stamps = [dt.datetime.fromisoformat(r["updated_at"]) for r in rows]
    assert stamps == sorted(stamps)


def test_a_cursor_of_another_sort_is_refused(api):
    from gongkai.registry.tests.factories import make_entity

    for _ in range(3):
        make_entity()
    cursor = api.json("/api/v1/entities?limit=1")["next_cursor"]
    assert (
        api.json(f"/api/v1/entities?limit=1&sort=updated_at&cursor={cursor}", 400)["error"]
        == "invalid_cursor"
    )
    tampered = cursor[:-3] + ("aaa" if not cursor.endswith("aaa") else "bbb")
    assert api.json(f"/api/v1/entities?limit=1&cursor={tampered}", 400)["error"] == "invalid_cursor"


def test_cursor_round_trip_keeps_dates_and_times():
    sort = Sort("x", (("a", True), ("b", False)))
    when = timezone.now()
    assert decode_cursor(sort, encode_cursor(sort, [when, 7])) == [when.isoformat(), 7]


def test_penalties_page_newest_decision_first(api):
    from gongkai.penalties.tests import factories as pf

    made = [pf.published(decision_date=dt.date(2025, 3, d)) for d in (3, 10, 5)]
    rows, _ = _all_pages(api, "/api/v1/penalties?limit=1")
    assert [r["id"] for r in rows] == [made[1].public_id, made[2].public_id, made[0].public_id]
    rows, _ = _all_pages(api, "/api/v1/penalties?decided_from=2025-03-04&decided_until=2025-03-09")
    assert [r["id"] for r in rows] == [made[2].public_id]


def test_rows_sharing_a_time_page_by_credit_code_from_the_index(api, django_assert_num_queries):
    from django.db import connection

    from gongkai.registry.tests.factories import make_entity

    # One import gives every row the same updated_at: the cursor must still start at its row
    # (a row comparison the index answers), not re-read every row of that time before it.
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):
        batch = [make_entity() for _ in range(5)]
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False):
        later = [make_entity() for _ in range(2)]
    rows, pages = _all_pages(api, "/api/v1/entities?sort=updated_at&limit=2")
    assert [r["credit_code"] for r in rows] == sorted(e.credit_code for e in batch) + sorted(
        e.credit_code for e in later
    )
    assert pages == 4
    cursor = api.json("/api/v1/entities?sort=updated_at&limit=2")["next_cursor"]
    with django_assert_num_queries(1) as queries:
        api.get(f"/api/v1/entities?sort=updated_at&limit=2&cursor={cursor}")
    if connection.features.supports_tuple_lookups:
        assert '("registry_entity"."updated_at", "registry_entity"."credit_code") >' in queries[0]["sql"]


def test_descending_sorts_compare_rows_the_other_way():
    from gongkai.api.api import PENALTY_SORTS
    from gongkai.api.pagination import after_q
    from gongkai.penalties.models import Decision

    condition = after_q(PENALTY_SORTS["-decision_date"], ["2026-03-02", 7])
    sql = str(Decision.objects.filter(condition).query)
    assert '("penalties_decision"."decision_date", "penalties_decision"."id") <' in sql
