"""Statistics: the aggregates equal the register, the page reads without JavaScript, CSV = table."""

import csv
import datetime as dt
import io

import pytest
from django.db.models import Count
from django.urls import reverse

from gongkai.registry.models import Entity
from gongkai.registry.tests.factories import make_entity
from gongkai.stats import selectors, services
from gongkai.stats.models import EntityMonthly

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 7, 15)  # the last complete month is June


@pytest.fixture
def register():
    # 2026 (to June): 3 in 东昌府区 (371502), 1 in 临清市 (371581); 2025 same months: 2 in 东昌府区.
    for day in (dt.date(2026, 1, 5), dt.date(2026, 3, 9), dt.date(2026, 6, 1)):
        make_entity(established_on=day, district_code="371502")
    make_entity(established_on=dt.date(2026, 2, 2), district_code="371581", entity_type="individual")
    for day in (dt.date(2025, 1, 20), dt.date(2025, 6, 30)):
        make_entity(established_on=day, district_code="371502")
    make_entity(established_on=dt.date(2025, 7, 1), district_code="371502")  # after June: not in the period
    services.aggregates_refresh(actor="test")


def test_aggregates_equal_a_group_by_over_the_register(register):
    direct = {
        (e["established_on"].replace(day=1), e["district_id"], e["entity_type"], e["status"]): e["n"]
        for e in Entity.objects.values("established_on", "district_id", "entity_type", "status").annotate(
            n=Count("pk")
        )
    }
    merged: dict = {}
    for (month, *rest), n in direct.items():
        merged[(month, *rest)] = merged.get((month, *rest), 0) + n
    stored = {
        (r.month, r.district_code, r.entity_type, r.status): r.count for r in EntityMonthly.objects.all()
    }
    assert stored == merged


def test_numbers_computed_two_ways_agree(register):
    summary = selectors.summary(day=TODAY)
    # Way 1: the aggregates. Way 2: count the register rows directly.
    direct_now = Entity.objects.filter(
        established_on__gte=dt.date(2026, 1, 1), established_on__lte=TODAY
    ).count()
    direct_before = Entity.objects.filter(
        established_on__gte=dt.date(2025, 1, 1), established_on__lte=dt.date(2025, 6, 30)
    ).count()
    assert (summary["new"], summary["previous"]) == (direct_now, direct_before) == (4, 2)
    assert summary["growth"] == 100.0
    by_district = selectors.new_by_district(day=TODAY)
    rows = {r[0]: r for r in by_district.rows}
    assert rows["东昌府区"][1:] == [3, 2, "+50.0%"]
    assert rows["临清市"][1:] == [1, 0, "—"]
    assert sum(r[1] for r in by_district.rows) == direct_now
    status = selectors.by_status()
    assert status.rows[0][-1] == Entity.objects.filter(status="active").count()


def test_the_page_has_a_table_under_every_chart_and_a_csv_equal_to_it(client, register):
    html = client.get(reverse("public-stats")).content.decode()
    assert html.count('data-chart="') == html.count(">下载CSV</a>") == html.count("<table>") >= 5
    assert "新增经营主体" in html and "同比" in html
    csv_text = client.get(reverse("public-stats-csv", args=["new-by-district"])).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(csv_text)))
    dataset = selectors.new_by_district()
    assert rows[0] == dataset.header
    assert [r[0] for r in rows[1:]] == [r[0] for r in dataset.rows]
    assert client.get("/stats/nothing.csv").status_code == 404


def test_the_credit_risk_class_never_reaches_the_statistics(client, register):
    html = client.get(reverse("public-stats")).content.decode()
    for word in ("信用风险", "A类", "D类"):
        assert word not in html


def test_the_new_entities_by_district_are_reproduced_from_the_open_data_file(register, settings, tmp_path):
    """Anyone with the daily entities file gets the same numbers as the statistics page."""
    from gongkai.opendata import services as opendata

    settings.GONGKAI_OPENDATA_DIR = tmp_path
    report = opendata.open_data_export(datasets=["entities"], formats=["csv"])
    with (tmp_path / report.day.isoformat() / "entities.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    from_file: dict[str, int] = {}
    for row in rows:
        if dt.date(2026, 1, 1) <= dt.date.fromisoformat(row["成立日期"]) <= TODAY:
            from_file[row["所属区划"]] = from_file.get(row["所属区划"], 0) + 1
    page = {r[0]: r[1] for r in selectors.new_by_district(day=TODAY).rows if r[1]}
    assert from_file == page == {"东昌府区": 3, "临清市": 1}
    assert len(rows) == selectors.by_status().rows[0][-1] == Entity.objects.count()
