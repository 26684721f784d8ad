"""The entity list's SQL, compiled once per shape (ADR 0053), answers exactly what the ORM answers."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from gongkai.api import api as api_module
from gongkai.api.listquery import DATE, STR, ListQuery
from gongkai.api.pagination import _SIGNER, encode_cursor, paginate

pytestmark = pytest.mark.django_db

FILTERS = {
    "district_id": "371581",
    "status": "active",
    "entity_type": "individual",
    "industry_section": "F",
    "established_on__gte": dt.date(2021, 1, 1),
    "established_on__lte": dt.date(2024, 6, 30),
    "updated_at__gte": dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
}


@pytest.fixture
def register():
    """Entities that differ in every filtered column, two import times, a cluster host."""
    from gongkai.registry.tests.factories import make_code, make_entity

    host = make_entity(is_cluster_host=True)
    made = [host]
    for n, (district, status, kind, division, year) in enumerate(
        itertools.product(
            ("371502", "371581"),
            ("active", "cancelled"),
            ("enterprise", "individual"),
            ("52", "13"),
            (2020, 2022, 2025),
        )
    ):
        at = dt.datetime(2026, 3, 2, 9 if n % 3 else 11, tzinfo=dt.UTC)
        with time_machine.travel(at, tick=False):
            made.append(
                make_entity(
                    credit_code=make_code(region=district),
                    district_code=district,
                    status=status,
                    status_since=dt.date(year, 7, 1),
                    entity_type=kind,
                    legal_representative="欧阳小明",
                    industry_division=division,
                    established_on=dt.date(year, 3, 1 + n % 20),
                    registered_capital=None if kind == "individual" else Decimal("12.50"),
                    cluster_host_code=host.credit_code if n % 5 == 0 else "",
                )
            )
    return made


def _orm_pages(filters, sort, limit):
    qs = api_module.ENTITY_LIST.queryset(filters)
    pages, cursor = [], None
    while True:
        page = paginate(qs, sort, cursor=cursor, limit=limit)
        pages.append((list(page.rows), page.next_cursor))
        if not page.next_cursor:
            return pages
        cursor = page.next_cursor


def _compiled_pages(query, filters, sort, limit):
    pages, cursor = [], None
    while True:
        page = query.page(filters=filters, sort=sort, cursor=cursor, limit=limit)
        pages.append((list(page.rows), page.next_cursor))
        if not page.next_cursor:
            return pages
        cursor = page.next_cursor


@pytest.mark.parametrize("sort_name", ["credit_code", "updated_at"])
def test_every_shape_pages_exactly_as_the_orm(register, sort_name):
    query = ListQuery(
        api_module.portal.public_entities, api_module.ENTITY_COLUMNS, api_module.ENTITY_LIST.kinds
    )
    sort = api_module.ENTITY_SORTS[sort_name]
    shapes = [()] + [(name,) for name in FILTERS] + [tuple(FILTERS), ("district_id", "status")]
    for names in shapes:
        filters = {name: FILTERS[name] for name in names}
        expected = _orm_pages(filters, sort, 4)
        assert _compiled_pages(query, filters, sort, 4) == expected, names
        assert _compiled_pages(query, filters, sort, 4) == expected, names  # from the kept SQL
    assert sum(len(rows) for rows, _ in _orm_pages({}, sort, 4)) == len(register)
    # Every shape was kept (nothing the selector computes goes into its SQL).
    assert query._shapes and all(shape is not None for shape in query._shapes.values())


def test_rows_keep_their_types(register):
    page = api_module.ENTITY_LIST.page(
        filters={}, sort=api_module.ENTITY_SORTS["updated_at"], cursor=None, limit=100
    )
    row = next(r for r in page.rows if r.registered_capital is not None)
    assert isinstance(row.established_on, dt.date) and isinstance(row.status_since, dt.date)
    assert isinstance(row.updated_at, dt.datetime) and timezone.is_aware(row.updated_at)
    assert row.registered_capital == Decimal("12.50") and row.is_cluster_host is False
    assert any(r.cluster_host__name for r in page.rows)


def test_a_shape_is_built_through_the_selector_once(register):
    calls = []

    def selector():
        calls.append(1)
        return api_module.portal.public_entities()

    query = ListQuery(selector, api_module.ENTITY_COLUMNS, api_module.ENTITY_LIST.kinds)
    sort = api_module.ENTITY_SORTS["credit_code"]
    first = query.page(filters={"status": "active"}, sort=sort, cursor=None, limit=3)
    query.page(filters={"status": "cancelled"}, sort=sort, cursor=None, limit=3)
    query.page(filters={"status": "active"}, sort=sort, cursor=first.next_cursor, limit=3)
    query.page(filters={"status": "active"}, sort=sort, cursor=first.next_cursor, limit=3)
    assert len(calls) == 2  # one shape without a cursor, one with


def test_a_selector_that_computes_a_value_is_built_on_every_request(register):
    """ADR 52's reason against a cache of compiled SQL: a value the selector computes (here "today")
    would be frozen at the first request. Such a shape is never kept."""
    from gongkai.registry.models import Entity

    def established_by_today():
        return Entity.objects.filter(established_on__lte=timezone.localdate())

    query = ListQuery(established_by_today, ("credit_code", "established_on"), {"credit_code": STR})
    sort = api_module.ENTITY_SORTS["credit_code"]
    with time_machine.travel(dt.datetime(2023, 1, 1, 12, tzinfo=dt.UTC), tick=False):
        early = query.page(filters={}, sort=sort, cursor=None, limit=100).rows
    with time_machine.travel(dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC), tick=False):
        later = query.page(filters={}, sort=sort, cursor=None, limit=100).rows
    assert list(query._shapes.values()) == [None]
    assert all(r.established_on <= dt.date(2023, 1, 1) for r in early)
    assert len(later) > len(early) and max(r.established_on for r in later).year == 2025


def test_kept_shapes_are_bounded(register, monkeypatch):
    from gongkai.api import listquery

    monkeypatch.setattr(listquery, "MAX_SHAPES", 3)
    query = ListQuery(
        api_module.portal.public_entities, api_module.ENTITY_COLUMNS, api_module.ENTITY_LIST.kinds
    )
    for limit in range(1, 8):
        query.page(filters={}, sort=api_module.ENTITY_SORTS["credit_code"], cursor=None, limit=limit)
    assert len(query._shapes) == 3


def test_filter_dates_are_passed_as_the_orm_passes_them(register):
    query = ListQuery(
        api_module.portal.public_entities,
        ("credit_code", "established_on"),
        {"established_on__gte": DATE, "credit_code": STR},
    )
    sort = api_module.ENTITY_SORTS["credit_code"]
    rows = query.page(
        filters={"established_on__gte": dt.date(2025, 1, 1)}, sort=sort, cursor=None, limit=100
    ).rows
    assert rows and all(r.established_on >= dt.date(2025, 1, 1) for r in rows)


def test_a_signed_cursor_with_values_of_the_wrong_kind_is_a_400(api, register):
    for values in (["not a time", "91371502000000001X"], [20260302, "91371502000000001X"]):
        cursor = _SIGNER.sign_object({"s": "updated_at", "k": values})
        response = api.get(f"/api/v1/entities?sort=updated_at&cursor={cursor}")
        assert response.status_code == 400 and response.data["error"] == "invalid_cursor"
    cursor = _SIGNER.sign_object({"s": "credit_code", "k": [12]})
    assert api.get(f"/api/v1/entities?cursor={cursor}").status_code == 400


def test_an_empty_filter_parameter_filters_nothing(api, register):
    everything = api.json("/api/v1/entities?limit=100")["items"]
    assert api.json("/api/v1/entities?limit=100&district=&industry_section=")["items"] == everything


def test_cursor_values_round_trip_through_the_kept_sql(api, register):
    sort = api_module.ENTITY_SORTS["updated_at"]
    cursor = encode_cursor(sort, [dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), "ZZ"])
    after = api.json(f"/api/v1/entities?sort=updated_at&limit=100&cursor={cursor}")["items"]
    times = [r["updated_at"] for r in after]
    assert "2026-03-02T11:00:00Z" in times and "2026-03-02T09:00:00Z" not in times
    assert times == sorted(times)


@pytest.fixture
def no_statements():
    """No prepared statement on the connection (psycopg forgets its own when it sees DEALLOCATE)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")


def _prepared_statements():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_on_postgresql_the_kept_sql_runs_prepared_and_nothing_else_does(api, register, no_statements):
    for _ in range(3):
        first = api.json("/api/v1/entities?limit=5&status=active")
        api.json(f"/api/v1/entities?limit=5&status=active&cursor={first['next_cursor']}")
        api.json("/api/v1/penalties")  # through the ORM and Django's own cursor
    statements = _prepared_statements()
    assert len(statements) == 2 and all('FROM "registry_entity"' in s for s in statements)
    assert all("$1" in s for s in statements) and not any("penalties" in s for s in statements)


def test_preparing_can_be_switched_off(api, register, settings, no_statements):
    settings.GONGKAI_API_PREPARE = False
    for _ in range(3):
        assert api.json("/api/v1/entities?limit=5&entity_type=individual")["items"]
    assert _prepared_statements() == []
