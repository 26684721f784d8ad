"""How list rows are built: plain rows instead of model instances, times formatted up front."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from gongkai.api import api as api_module

pytestmark = pytest.mark.django_db


def test_entity_list_reads_only_columns_the_public_selector_loads():
    from gongkai.portal import selectors as portal

    loaded, deferred = portal.public_entities().query.deferred_loading
    assert deferred is False  # .only(): these are the only columns the selector exposes
    allowed = set(loaded) | {f"{name}_id" for name in loaded}
    assert set(api_module.ENTITY_COLUMNS) <= allowed


def test_a_list_row_is_the_same_record_as_the_detail(api):
    from gongkai.registry.tests.factories import make_entity

    host = make_entity(is_cluster_host=True, name="集群托管有限公司")
    hosted = make_entity(cluster_host_code=host.credit_code, registered_capital="123.4500")
    individual = make_entity(
        entity_type="individual", legal_representative="欧阳小明", registered_capital=None
    )
    listed = {row["credit_code"]: row for row in api.json("/api/v1/entities")["items"]}
    for entity in (host, hosted, individual):
        detail = api.json(f"/api/v1/entities/{entity.credit_code}")
        assert {key: detail[key] for key in listed[entity.credit_code]} == listed[entity.credit_code]
    assert listed[hosted.credit_code]["cluster_host"]["name"] == "集群托管有限公司"
    assert listed[hosted.credit_code]["registered_capital"] == "123.45"


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 3, 2, 1, 2, 3, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, 1, 2, 3, 456789, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, 9, 2, 3, 1000, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        dt.datetime(2026, 3, 2, 9, 2, 3),
    ],
)
def test_times_are_written_as_the_json_encoder_writes_them(value):
    assert api_module._time(value) == DjangoJSONEncoder().default(value)


def _plain_values(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _plain_values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _plain_values(item)
    else:
        yield value


def test_the_entity_list_holds_only_plain_json_values_and_renders_as_djangos_encoder(rf):
    """The entity list is written by pydantic-core's encoder, which would write dates, times and
    decimals its own way: its rows must hold none (they are written as text while the row is built)."""
    import json

    from gongkai.api.pagination import Page
    from gongkai.registry.tests.factories import make_entity

    host = make_entity(is_cluster_host=True)
    make_entity(cluster_host_code=host.credit_code, registered_capital="123.4500")
    make_entity(entity_type="individual", legal_representative="欧阳小明", registered_capital=None)
    request = rf.get("/api/v1/entities")
    page = api_module.ENTITY_LIST.page(
        filters={}, sort=api_module.ENTITY_SORTS["credit_code"], cursor="", limit=20
    )
    items = api_module._entities(request, ((e, e.district__name, e.cluster_host__name) for e in page.rows))
    kinds = {type(v) for v in _plain_values(items)}
    assert kinds <= {str, bool, type(None)}, kinds
    response = api_module._list(request, Page(page.rows, "abc"), items, 20, plain=True)
    envelope = {
        "items": items,
        "limit": 20,
        "next_cursor": "abc",
        "next": "http://testserver/api/v1/entities?cursor=abc",
    }
    assert json.loads(response.content) == json.loads(json.dumps(envelope, cls=DjangoJSONEncoder))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "聊城市测试".encode() in response.content  # UTF-8, not \\u escapes


def test_a_plain_list_refuses_other_objects(rf):
    from gongkai.api.pagination import Page

    with pytest.raises(Exception, match="not a plain JSON value"):
        api_module._list(rf.get("/api/v1/entities"), Page([], None), [{"x": object()}], 20, plain=True)
