"""The daily files: formats, dictionary, checksums, atomic writes, retention and bad input."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from gongkai.opendata import datasets, exporting, services
from gongkai.opendata.tests.helpers import csv_rows, jsonl_rows, xlsx_rows
from gongkai.registry.records import AddressRecord
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _folder(settings, day=None):
    return settings.GONGKAI_OPENDATA_DIR / (day or timezone.localdate()).isoformat()


@pytest.fixture
def entities(db):
    company = make_entity(
        name="聊城市一照多址有限公司",
        registered_capital=Decimal("250.5"),
        premises=[AddressRecord(full_text="山东省聊城市东昌府区柳园路2号", district_code="371502")],
    )
    shop = make_entity(name="东昌府区明月小吃店", entity_type="individual", legal_representative="欧阳明月")
    return company, shop


def test_export_writes_three_formats_a_dictionary_and_checksums(settings, entities):
    company, shop = entities
    report = services.open_data_export(datasets=["entities"])
    folder = _folder(settings)
    assert report.written == {"entities": 2}
    assert (folder / "entities.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    header, *rows = csv_rows(folder / "entities.csv")
    assert header == [f.label for f in datasets.ENTITIES.fields]
    assert {r[0] for r in rows} == {company.credit_code, shop.credit_code}
    records = {r["credit_code"]: r for r in jsonl_rows(folder / "entities.jsonl")}
    assert records[company.credit_code]["registered_capital"] == 250.5
    assert records[company.credit_code]["is_cluster_host"] is False
    assert records[company.credit_code]["premises"] == "山东省聊城市东昌府区柳园路2号"
    assert records[company.credit_code]["established_on"] == "2020-05-01"
    assert records[shop.credit_code]["registered_capital"] is None
    sheet = xlsx_rows(folder / "entities.xlsx")
    assert sheet[0] == header and len(sheet) == 3
    dictionary = json.loads((folder / "entities.dictionary.json").read_text(encoding="utf-8"))
    assert [f["field"] for f in dictionary["fields"]] == list(records[company.credit_code])
    assert csv_rows(folder / "entities.dictionary.csv")[0] == ["字段", "中文名称", "类型", "含义"]
    sums = dict(reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {
        "entities.csv",
        "entities.xlsx",
        "entities.jsonl",
        "entities.dictionary.csv",
        "entities.dictionary.json",
    }
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["datasets"]["entities"]["rows"] == 2
    assert not list(folder.glob(".*.part"))


def test_entity_rows_show_what_the_public_record_page_shows(settings, entities):
    from gongkai.portal import selectors as portal

    services.open_data_export(datasets=["entities"])
    rows = {r["credit_code"]: r for r in jsonl_rows(_folder(settings) / "entities.jsonl")}
    for entity in entities:
        page = dict(portal.public_entity_fields(portal.public_entity(entity.credit_code)))
        row = rows[entity.credit_code]
        assert row["name"] == page["名称"] and row["entity_type"] == page["主体类型"]
        person = page.get("法定代表人（负责人）") or page["经营者"]
        assert row["legal_representative"] == person
        assert row["status"] == page["登记状态"] and row["industry"] == page["所属行业"]
        assert row["domicile"] == page["住所"]
        assert ("注册资本" in page) == (row["registered_capital"] is not None)
    assert rows[entities[1].credit_code]["legal_representative"] == "欧***"


def test_a_formula_like_cell_is_quoted_in_csv_and_text_in_excel(settings):
    make_entity(name='=HYPERLINK("http://x")有限公司')
    services.open_data_export(datasets=["entities"])
    folder = _folder(settings)
    assert csv_rows(folder / "entities.csv")[1][1].startswith("'=")
    assert xlsx_rows(folder / "entities.xlsx")[1][1].startswith("=HYPERLINK")


def test_a_long_dataset_continues_on_a_second_sheet(settings, monkeypatch, entities):
    monkeypatch.setattr(exporting, "XLSX_SHEET_ROWS", 1)
    services.open_data_export(datasets=["entities"], formats=["xlsx"])
    from openpyxl import load_workbook

    book = load_workbook(_folder(settings) / "entities.xlsx", read_only=True)
    assert len(book.worksheets) == 2
    assert all(next(ws.iter_rows(values_only=True))[0] == "统一社会信用代码" for ws in book.worksheets)


def test_a_failed_export_leaves_the_listed_files_as_they_were(settings, monkeypatch, entities):
    services.open_data_export(datasets=["entities"])
    folder = _folder(settings)
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}

    def broken(day):
        yield ["x"] * len(datasets.ENTITIES.fields)
        raise RuntimeError("database went away")

    monkeypatch.setitem(
        datasets.DATASETS,
        "entities",
        datasets.Dataset("entities", "经营主体", "", "", datasets.ENTITIES.fields, broken),
    )
    with pytest.raises(RuntimeError):
        services.open_data_export(datasets=["entities"])
    after = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    assert after == before  # no half-written file, no .part left, manifest untouched


def test_old_versions_are_deleted_after_the_retention_period(settings, entities):
    for day in (dt.date(2026, 11, 1), dt.date(2026, 11, 5), dt.date(2026, 11, 9)):
        with time_machine.travel(dt.datetime.combine(day, dt.time(3), tzinfo=SHANGHAI)):
            services.open_data_export(datasets=["statistics"], keep_days=5)
    root = settings.GONGKAI_OPENDATA_DIR
    assert exporting.days(root) == [dt.date(2026, 11, 9), dt.date(2026, 11, 5)]
    # The newest folder stays even when it is older than the period.
    assert exporting.prune(root=root, today=dt.date(2027, 1, 1), keep_days=1) == [dt.date(2026, 11, 5)]
    assert exporting.days(root) == [dt.date(2026, 11, 9)]


def test_a_second_run_on_the_same_day_replaces_the_files_and_keeps_other_datasets(settings, entities):
    services.open_data_export(datasets=["entities", "statistics"])
    make_entity(name="第三户")
    services.open_data_export(datasets=["entities"], formats=["csv"])
    manifest = json.loads((_folder(settings) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["datasets"]["entities"]["rows"] == 3
    assert set(manifest["datasets"]["entities"]["files"]) == {
        "entities.csv",
        "entities.dictionary.csv",
        "entities.dictionary.json",
    }
    assert not (_folder(settings) / "entities.xlsx").exists()  # a format no longer written goes
    assert "statistics" in manifest["datasets"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-13-01"], "日期“2026-13-01”无法识别：请写成 YYYY-MM-DD"),
        (["--date", "昨天"], "日期“昨天”无法识别"),
        (["--date", "2999-01-01"], "不能导出未来的日期（2999-01-01）"),
        (["--dataset", "secrets"], "没有数据集“secrets”。可选：entities、"),
        (["--format", "pdf"], "没有格式“pdf”。可选：csv、xlsx、jsonl"),
        (["--keep-days", "0"], "保留天数至少为 1 天"),
    ],
)
def test_bad_input_to_the_command_is_refused_with_a_message_and_writes_nothing(settings, args, message):
    with pytest.raises(CommandError, match=message.replace("（", r"\（").replace("）", r"\）")):
        call_command("export_open_data", *args)
    root = settings.GONGKAI_OPENDATA_DIR
    assert not root.exists() or not any(p for p in root.iterdir() if p.name != ".lock")


def test_the_command_writes_every_dataset(settings, capsys, entities):
    call_command("export_open_data")
    out = capsys.readouterr().out
    assert "entities: 2 行" in out and "已写出" in out
    manifest = json.loads((_folder(settings) / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest["datasets"]) == list(datasets.DATASETS)


def test_an_expired_penalty_disappears_from_the_next_days_files(settings):
    from gongkai.penalties.tests import factories as pf

    decision = pf.published(at=dt.datetime(2025, 3, 20, 10, 0, tzinfo=SHANGHAI))
    last = decision.display_ends_on
    assert last is not None
    with time_machine.travel(dt.datetime.combine(last + dt.timedelta(days=1), dt.time(1), tzinfo=SHANGHAI)):
        services.open_data_export(day=last, datasets=["penalties"])
        services.open_data_export(datasets=["penalties"])
    on_last = jsonl_rows(settings.GONGKAI_OPENDATA_DIR / last.isoformat() / "penalties.jsonl")
    next_day = settings.GONGKAI_OPENDATA_DIR / (last + dt.timedelta(days=1)).isoformat()
    assert [r["number"] for r in on_last] == [decision.number]
    assert jsonl_rows(next_day / "penalties.jsonl") == []
    assert decision.number not in (next_day / "penalties.csv").read_text(encoding="utf-8-sig")
