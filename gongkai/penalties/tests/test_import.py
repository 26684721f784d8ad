"""Importing a month of decisions: row-level validation, report and refused rows, as the register imports."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from gongkai.penalties.choices import State
from gongkai.penalties.importing import HEADERS, import_decisions
from gongkai.penalties.models import Decision
from gongkai.penalties.tests import factories as f
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2025, 4, 2, 10, tzinfo=f.SHANGHAI)


def _row(**cells):
    row = dict.fromkeys(HEADERS, "")
    row.update(
        {
            "决定书文号": "聊市监处罚〔2025〕101号",
            "当事人类型": "经营主体",
            "违法行为类型": "销售过期食品",
            "违法行为类别": "食品安全",
            "处罚依据": "《食品安全法》第一百二十四条",
            "罚款（元）": "50000",
            "处罚程序": "普通程序",
            "作出决定机关": "聊城市市场监督管理局",
            "作出决定日期": "2025-03-12",
            "警告": "否",
            "通报批评": "否",
        }
    )
    row.update(cells)
    return row


def _xlsx(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row[h] for h in HEADERS])
    book.save(path)
    return path


def _rows(entity):
    code = entity.credit_code
    return [
        _row(**{"统一社会信用代码": code, "决定书全文": f.TEXT.format(n=101)}),  # 2 ok
        _row(
            **{
                "决定书文号": "聊市监处罚〔2025〕102号",
                "当事人类型": "自然人",
                "当事人名称（姓名）": "孙立平",
                "证件类型": "居民身份证",
                "证件号码": "320106199012012869",
                "所属区划代码": "371581",
            }
        ),  # 3 ok
        _row(**{"决定书文号": "", "统一社会信用代码": code}),  # 4 no number
        _row(
            **{
                "决定书文号": "聊市监处罚〔2025〕104号",
                "统一社会信用代码": code,
                "作出决定日期": "2025-02-30",
            }
        ),  # 5
        _row(
            **{"决定书文号": "聊市监处罚〔2025〕105号", "统一社会信用代码": "91371500MA3C0000X1"}
        ),  # 6 bad code
        _row(**{"统一社会信用代码": code}),  # 7 duplicate
        _row(
            **{
                "决定书文号": "聊市监处罚〔2025〕107号",
                "当事人类型": "自然人",
                "当事人名称（姓名）": "李四",
                "证件类型": "居民身份证",
                "证件号码": "320106199012012868",
                "所属区划代码": "371502",
            }
        ),  # 8 bad ID
        _row(
            **{"决定书文号": "聊市监处罚〔2025〕108号", "统一社会信用代码": code, "限制种类": "限制从业"}
        ),  # 9
        _row(
            **{"决定书文号": "聊市监处罚〔2025〕109号", "统一社会信用代码": code, "违法行为类别": "乱收费"}
        ),  # 10
        _row(
            **{"决定书文号": "聊市监处罚〔2025〕110号", "统一社会信用代码": code, "罚款（元）": "五万"}
        ),  # 11
    ]


def test_good_rows_become_drafts_and_bad_rows_are_reported_with_their_reasons(tmp_path):
    entity = make_entity(name="聊城市放心超市有限公司")
    path = _xlsx(tmp_path / "2025年3月.xlsx", _rows(entity))
    with time_machine.travel(NOW, tick=False):
        result = import_decisions(path, actor="import:test", report_dir=tmp_path / "out")
    assert (result.created, result.rejected) == (2, 8)
    first = Decision.objects.get(number="聊市监处罚〔2025〕101号")
    assert (
        first.state == State.DRAFT and first.entity == entity and first.party_name == "聊城市放心超市有限公司"
    )
    assert first.full_text.startswith("聊城市东昌府区") and first.review_findings
    person = Decision.objects.get(number="聊市监处罚〔2025〕102号")
    assert person.party_kind == "person" and person.district_id == "371581" and person.is_minor is False
    report = list(csv.reader(io.StringIO(result.report_path.read_text(encoding="utf-8-sig"))))
    by_row = {}
    for number, column, message, _outcome in report[1:]:
        by_row.setdefault(int(number), []).append((column, message))
    assert by_row[4] == [("决定书文号", "决定书文号不能为空")]
    assert "2025年没有2月30日" in by_row[5][0][1]
    assert by_row[6][0][0] == "统一社会信用代码"
    assert "与第2行重复" in by_row[7][0][1]
    assert by_row[8] == [("证件号码", "居民身份证号码不正确（校验码或出生日期有误）")]
    assert by_row[9] == [("限制期限（月）", "请填写限制期限（月），或选择终身限制")]
    assert "未知的违法行为类别“乱收费”" in by_row[10][0][1]
    assert "罚款“五万”不是数字" in by_row[11][0][1]
    refused = openpyxl.load_workbook(result.rejected_path).active
    rows = list(refused.iter_rows(values_only=True))
    assert rows[0][-1] == "错误原因" and len(rows) == 9


def test_importing_the_same_file_again_changes_nothing_and_a_published_decision_is_not_overwritten(tmp_path):
    entity = make_entity()
    path = _xlsx(tmp_path / "a.xlsx", _rows(entity)[:2])
    with time_machine.travel(NOW, tick=False):
        import_decisions(path, actor="test", report_dir=tmp_path / "1")
        again = import_decisions(path, actor="test", report_dir=tmp_path / "2")
        assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 2, 0)
        changed = _rows(entity)[:2]
        changed[1]["违法行为类型"] = "无照经营"
        result = import_decisions(
            _xlsx(tmp_path / "b.xlsx", changed), actor="test", report_dir=tmp_path / "3"
        )
        assert (result.updated, result.unchanged) == (1, 1)
    published = f.published(number="已公示〔2025〕1号")
    rows = [_row(**{"决定书文号": published.number, "统一社会信用代码": entity.credit_code})]
    with time_machine.travel(NOW, tick=False):
        result = import_decisions(_xlsx(tmp_path / "c.xlsx", rows), actor="test", report_dir=tmp_path / "4")
    assert result.rejected == 1
    published.refresh_from_db()
    assert published.state == State.PUBLISHED and published.entity != entity


def test_the_command_exits_1_with_refused_rows_and_2_for_a_file_it_cannot_read(tmp_path):
    entity = make_entity()
    path = _xlsx(tmp_path / "m.xlsx", _rows(entity)[:4])
    out, err = io.StringIO(), io.StringIO()
    with time_machine.travel(NOW, tick=False), pytest.raises(SystemExit) as exc:
        call_command("import_penalties", str(path), "--report", str(tmp_path / "r"), stdout=out, stderr=err)
    assert exc.value.code == 1 and "新增2条" in out.getvalue()
    bad = tmp_path / "x.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(SystemExit) as exc:
        call_command("import_penalties", str(bad), stdout=out, stderr=err)
    assert exc.value.code == 2 and "没有任何改动" in err.getvalue()


def test_the_upload_page_imports_and_links_the_report(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    clerk, _ = f.reviewers()
    entity = make_entity()
    path = _xlsx(tmp_path / "upload.xlsx", _rows(entity)[:4])
    client.force_login(clerk)
    with time_machine.travel(NOW, tick=False), open(path, "rb") as fh:
        r = client.post(reverse("staff-penalties-import"), {"file": fh})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "有 2 行未导入" in page
    name = r["Location"].rstrip("/").rsplit("/", 1)[1]
    report = client.get(reverse("staff-penalties-import-report", args=[name]))
    assert report.status_code == 200
    assert not any(p.name.startswith("上传-") for p in (tmp_path / "imports" / "penalties" / name).iterdir())
