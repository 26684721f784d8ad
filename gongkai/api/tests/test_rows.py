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
