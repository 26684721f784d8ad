"""The open-data page, the downloads (only listed files of the export directory) and the feeds."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from gongkai.opendata import services
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(settings):
    make_entity(name="聊城市开放数据页面测试有限公司")
    services.open_data_export(datasets=["entities", "statistics"])
    return settings.GONGKAI_OPENDATA_DIR / timezone.localdate().isoformat()


def test_the_page_says_when_no_file_exists_yet(client):
    response = client.get("/open-data/")
    assert response.status_code == 200
    assert "数据文件尚未生成" in response.content.decode()


def test_the_page_lists_each_dataset_with_formats_sizes_checksums_and_dictionary(client, exported):
    body = client.get("/open-data/").content.decode()
    day = exported.name
    for name in ("entities.csv", "entities.xlsx", "entities.jsonl", "entities.dictionary.csv", "SHA256SUMS"):
        assert f"/open-data/{day}/{name}" in body
    assert "经营主体登记信息" in body and "统一社会信用代码" in body  # title and dictionary
    sha = (exported / "SHA256SUMS").read_text().split("  entities.csv")[0].splitlines()[-1]
    assert sha[:16] in body
    assert "订阅源" in body and "/penalties/feed" in body and "邮件提醒" in body


def test_a_listed_file_is_downloaded_as_written(client, exported):
    response = client.get(f"/open-data/{exported.name}/entities.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == (exported / "entities.csv").read_bytes()


@pytest.mark.parametrize(
    "url",
    [
        "/open-data/{day}/../../settings.py",
        "/open-data/{day}/..%2F..%2Fgongkai.sqlite3",
        "/open-data/{day}/%2e%2e%2fmanifest.json",
        "/open-data/..%2F..%2Fetc/passwd",
        "/open-data/{day}/%2Fetc%2Fpasswd",
        "/open-data/{day}/secret.csv",  # present in the folder but not listed
        "/open-data/{day}/.entities.csv.part",
        "/open-data/{day}/.lock",
        "/open-data/2000-01-01/entities.csv",
        "/open-data/not-a-day/entities.csv",
        "/open-data/{day}/outside.csv",  # a symbolic link leading out of the directory
    ],
)
def test_paths_outside_the_listed_files_are_refused(client, exported, tmp_path, url):
    (exported / "secret.csv").write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    (exported / ".entities.csv.part").write_text("half", encoding="utf-8")
    target = tmp_path / "outside.csv"
    target.write_text("OUTSIDE-CONTENT", encoding="utf-8")
    os.symlink(target, exported / "outside.csv")
    response = client.get(url.format(day=exported.name))
    assert response.status_code == 404
    assert b"TOP-SECRET-CONTENT" not in response.content and b"OUTSIDE-CONTENT" not in response.content


def test_a_symlinked_listed_name_pointing_outside_is_refused(client, exported, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("elsewhere", encoding="utf-8")
    (exported / "entities.csv").unlink()
    os.symlink(outside, exported / "entities.csv")
    assert client.get(f"/open-data/{exported.name}/entities.csv").status_code == 404


def test_a_bad_or_missing_date_on_the_page_gets_a_message(client, exported):
    response = client.get("/open-data/", {"date": "2026-02-30"})
    assert response.status_code == 404
    assert "日期“2026-02-30”无法识别：请写成 YYYY-MM-DD" in response.content.decode()
    response = client.get("/open-data/", {"date": "2000-01-01"})
    assert "没有 2000-01-01 的数据文件" in response.content.decode()


def test_an_older_day_can_be_chosen(client, settings):
    import time_machine

    shanghai = dt.timezone(dt.timedelta(hours=8))
    with time_machine.travel(dt.datetime(2026, 11, 1, 3, tzinfo=shanghai)):
        services.open_data_export(datasets=["statistics"])
    services.open_data_export(datasets=["statistics"])
    body = client.get("/open-data/", {"date": "2026-11-01"}).content.decode()
    assert "2026年11月1日的数据文件" in body and "/open-data/2026-11-01/statistics.csv" in body


def test_the_navigation_links_to_the_open_data_page(client):
    assert 'href="/open-data/"' in client.get("/").content.decode()


# --- feeds ---------------------------------------------------------------------------------------


def test_a_filtered_list_has_a_feed_with_the_same_filter(client):
    from gongkai.penalties.tests import factories as pf

    now = timezone.localtime()
    a = pf.published(at=now - dt.timedelta(days=1), district_id="371502")
    b = pf.published(at=now - dt.timedelta(days=1), district_id="371521")
    body = client.get("/penalties/feed", {"district": "371502"}).content.decode()
    assert a.number in body and b.number not in body
    assert "筛选：district=371502" in body
    assert 'href="http://testserver/penalties/?district=371502"' in body
    everything = client.get("/penalties/feed").content.decode()
    assert a.number in everything and b.number in everything


def test_list_pages_announce_their_feed(client):
    body = client.get("/penalties/", {"district": "371502"}).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in body
    assert 'href="/penalties/feed?district=371502"' in body
    assert 'href="/policies/feed"' in client.get("/policies/").content.decode()
    assert "application/atom+xml" not in client.get("/open-data/").content.decode().split("</head>")[0]


def test_the_penalty_list_links_its_filtered_feed_and_alert(client):
    page = client.get("/penalties/", {"district": "371502"}).content.decode()
    body = page.split("</head>")[1]
    assert 'href="/penalties/feed?district=371502"' in body
    assert 'href="/open-data/subscribe/?url=/penalties/%3Fdistrict%3D371502"' in body


def test_the_old_penalty_feed_address_redirects_to_the_list_feed_keeping_the_filter(client):
    response = client.get("/penalties/feed.xml", {"district": "371502"})
    assert response.status_code == 301
    assert response["Location"] == "/penalties/feed?district=371502"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/nowhere/feed", "本站没有这个页面：/nowhere/"),
        ("/open-data/feed", "该页面不是可订阅的列表页面：/open-data/"),
        ("/query/entities/feed", "该页面不是可订阅的列表页面"),
    ],
)
def test_a_feed_of_something_that_is_not_a_list_is_a_404_with_a_message(client, url, message):
    from gongkai.opendata import feeds

    assert client.get(url).status_code == 404
    with pytest.raises(feeds.UnknownList, match=message):
        feeds.list_ref(url.removesuffix("feed"))


def test_api_paths_ending_in_feed_are_left_to_the_api(client):
    response = client.get("/api/v1/penalties/feed")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_unknown_filter_values_are_ignored_as_on_the_page(client):
    assert client.get("/penalties/feed", {"year": "abc", "district": "x" * 500}).status_code == 200
    assert client.get("/policies/feed", {"topic": "nope", "year": "2026x"}).status_code == 200
    assert client.get("/inspections/feed", {"tab": "secret"}).status_code == 200
    assert client.get("/search/feed", {"q": ""}).status_code == 200


def test_the_page_reads_the_manifest_not_the_database(client, exported, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        assert client.get("/open-data/").status_code == 200


def test_a_feed_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    from gongkai.penalties.tests import factories as pf

    for _ in range(3):
        pf.published(at=timezone.localtime() - dt.timedelta(days=1))
    with django_assert_max_num_queries(6):
        assert client.get("/penalties/feed").status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get("/inspections/feed", {"tab": "results"}).status_code == 200


def test_the_page_shows_when_each_file_was_generated_in_beijing_time(client, exported):
    import json
    import re

    manifest = json.loads((exported / "manifest.json").read_text())
    generated = dt.datetime.fromisoformat(manifest["datasets"]["entities"]["generated_at"])
    body = client.get("/open-data/").content.decode()
    assert timezone.localtime(generated).strftime("%Y-%m-%d %H:%M") in body
    assert not re.search(r"\d{4}-\d\d-\d\d\d\d:\d\d", body)  # date and time never run together


def test_the_alert_form_help_text_is_what_the_field_points_to(client):
    body = client.get("/open-data/subscribe/?url=/penalties/").content.decode()
    assert 'aria-describedby="id_url_helptext"' in body and 'id="id_url_helptext"' in body
