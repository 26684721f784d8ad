"""The public statistics page in English (ADR 0060): titles, headers, labels and the CSV downloads
follow the visitor's language, district names are marked Chinese, and the Chinese page is unchanged."""

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from gongkai.portal.tests.i18n import chinese_outside_chinese_parts, choose
from gongkai.registry.tests.factories import make_entity
from gongkai.stats import selectors, services

pytestmark = pytest.mark.django_db

ZH = ' lang="zh-Hans"'
TODAY = dt.datetime(2026, 7, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the last complete month: June


@pytest.fixture
def register():
    for day in (dt.date(2026, 1, 5), dt.date(2026, 3, 9), dt.date(2026, 6, 1)):
        make_entity(established_on=day, district_code="371502")
    make_entity(established_on=dt.date(2026, 2, 2), district_code="371581", entity_type="individual")
    make_entity(established_on=dt.date(2025, 1, 20), district_code="371502")
    with time_machine.travel(TODAY):
        services.aggregates_refresh(actor="test")


def chart_data_removed(html: str) -> str:
    """The page without the charts' JSON: data for the script that draws the charts, not text. The
    same numbers and names are in the table under each chart, where the names are marked."""
    return re.sub(r'<script type="application/json"[^>]*>.*?</script>', "", html)


def test_the_english_page_has_no_chinese_but_district_names(client, register):
    choose(client, "en")
    with time_machine.travel(TODAY):
        html = client.get(reverse("public-stats")).content.decode()
    assert '<html lang="en"' in html and '<main id="main" class="wrap" tabindex="-1">' in html
    assert chinese_outside_chinese_parts(chart_data_removed(html)) == []
    for text in (
        "<title>Statistics - ",
        "New businesses in the city, January to June 2026: <strong>4</strong>, up <strong>300.0%</strong> "
        "on the same period a year earlier. Businesses in existence (active): <strong>5</strong>.",
        "Business figures were compiled on 15 July 2026, 10:00 (they are compiled daily)",
        '<nav aria-label="On this page">',
        "<h2>Businesses</h2>",
        "<h2>Supervision and enforcement</h2>",
        '<h3 id="new-by-district-title">New businesses by district, January to June 2026</h3>',
        '<th scope="col">January to June 2026 (businesses)</th><th scope="col">Same period of 2025 (businesses)</th>',
        f'<th scope="row"{ZH}>东昌府区</th>',
        '<th scope="row">2026 (to July)</th>',
        '<th scope="row">Individual business</th>',
        '<th scope="row">Active (in business)</th>',
        'aria-label="Chart: New businesses by year. The numbers are in the table below."',
        ">Download CSV</a>",
        "On time: published within 20 working days",
    ):
        assert text in html, text
    chart = re.search(r'<script type="application/json" id="chart-new-by-month">(.*?)</script>', html)[1]
    assert '"name": "New"' in chart and '"name": "Same month a year earlier"' in chart


def test_the_chinese_page_is_unchanged(client, register):
    with time_machine.travel(TODAY):
        html = client.get(reverse("public-stats")).content.decode()
    assert ZH not in html.partition("<main")[2]
    for text in (
        "<title>数据统计 - ",
        "2026年1—6月，全市新增经营主体 <strong>4</strong> 户，同比增长 <strong>300.0%</strong>；"
        "实有（存续）经营主体 <strong>5</strong> 户。",
        "经营主体数据汇总于2026年7月15日 10:00（每日更新）",
        '<h3 id="new-by-district-title">2026年1—6月新增经营主体（按区划）</h3>',
        '<th scope="row">东昌府区</th>',
        '<th scope="row">2026年（截至7月）</th>',
        'aria-label="新增经营主体（按年）图表，数字见下表"',
        '"series": [{"name": "新增", "data": [',
    ):
        assert text in html, text


def test_the_headline_says_down_when_fewer_were_registered(client):
    make_entity(established_on=dt.date(2025, 2, 1), district_code="371502")
    make_entity(established_on=dt.date(2025, 3, 1), district_code="371502")
    make_entity(established_on=dt.date(2026, 2, 1), district_code="371502")
    services.aggregates_refresh(actor="test")
    with time_machine.travel(TODAY):
        assert "同比下降 <strong>50.0%</strong>" in client.get(reverse("public-stats")).content.decode()
        choose(client, "en")
        assert (
            ", down <strong>50.0%</strong> on the same period"
            in client.get(reverse("public-stats")).content.decode()
        )


def test_the_csv_follows_the_visitors_language(client, register):
    with time_machine.travel(TODAY):
        chinese = client.get(reverse("public-stats-csv", args=["new-by-district"])).content.decode(
            "utf-8-sig"
        )
        choose(client, "en")
        english = client.get(reverse("public-stats-csv", args=["new-by-district"])).content.decode(
            "utf-8-sig"
        )
    assert next(csv.reader(io.StringIO(chinese))) == [
        "区划",
        "2026年1—6月（户）",
        "2025年同期（户）",
        "同比增长",
    ]
    rows = list(csv.reader(io.StringIO(english)))
    assert rows[0] == [
        "District",
        "January to June 2026 (businesses)",
        "Same period of 2025 (businesses)",
        "Change on a year earlier",
    ]
    assert rows[1][0] == "东昌府区"  # content


def test_datasets_are_chinese_outside_a_visitors_request(client, register):
    """The API and the open data files read the datasets in the default language."""
    choose(client, "en")
    client.get(reverse("public-stats"))
    assert selectors.new_by_year(day=TODAY.date()).header == ["年度", "新增（户）", "同比增长"]
    with translation.override("en"):
        data = selectors.new_by_year(day=TODAY.date())
    assert data.header == ["Year", "New businesses", "Change on a year earlier"]
    assert [r[0] for r in data.rows][-2:] == ["2025", "2026 (to July)"]


def test_month_names_follow_the_language():
    assert selectors.month_name(dt.date(2026, 10, 1)) == "10月"
    with translation.override("en"):
        assert selectors.month_name(dt.date(2026, 10, 1)) == "October"
