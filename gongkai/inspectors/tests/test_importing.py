"""Importing and exporting the inspector register."""

import datetime as dt

import pytest
from django.core.management import call_command

from gongkai.core.models import AuditEvent
from gongkai.core.tabular import TableError
from gongkai.inspectors.columns import OFFICER_HEADERS, OFFICER_REQUIRED
from gongkai.inspectors.exporting import export_officers
from gongkai.inspectors.importing import import_officers
from gongkai.inspectors.models import Officer
from gongkai.inspectors.records import OfficerRecord
from gongkai.inspectors.services import officers_upsert
from gongkai.registry.columns import ENTITY_HEADERS
from gongkai.registry.tests.importfiles import (
    entity_row,
    officer_row,
    problems_of,
    read_csv,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(tmp_path, rows, *, name="人员.csv", writer=write_csv, headers=OFFICER_HEADERS):
    path = writer(tmp_path / name, rows, headers)
    return import_officers(path, actor="test-import", report_dir=tmp_path / "out")


BAD_ROWS = [
    ("law enforcement without certificate", {"执法证号": ""}, "执法证号", "必须填写执法证号"),
    ("law enforcement without expiry", {"执法证有效期至": ""}, "执法证有效期至", "必须填写执法证有效期"),
    ("auxiliary with certificate", {"执法资格": "否"}, "执法证号", "辅助人员不能填写执法证号"),
    ("auxiliary with expiry", {"执法资格": "否", "执法证号": ""}, "执法证有效期至", "不能填写执法证有效期"),
    ("qualification not yes/no", {"执法资格": "可能"}, "执法资格", "应填“是”或“否”"),
    ("qualification empty", {"执法资格": ""}, "执法资格", "执法资格不能为空"),
    ("unknown department", {"部门": "宇宙管理局"}, "部门", "未知的部门“宇宙管理局”"),
    ("district outside city", {"所在区划代码": "110101"}, "所在区划代码", "不是本市或本市县区的区划代码"),
    ("bad expiry date", {"执法证有效期至": "2030-02-31"}, "执法证有效期至", "2030年没有2月31日"),
    ("unknown status", {"状态": "休假"}, "状态", "未知的状态“休假”"),
    ("empty name", {"姓名": ""}, "姓名", "姓名不能为空"),
    ("empty unit", {"单位": " "}, "单位", "不能为空"),
    ("repeated item", {"可检查事项": "SCJG-001,SCJG-001"}, "可检查事项", "事项编码“SCJG-001”重复"),
    ("code too long", {"人员编号": "X" * 31}, "人员编号", "人员编号过长"),
    ("empty code", {"人员编号": ""}, "人员编号", "人员编号不能为空"),
]


@pytest.mark.parametrize(("case", "cells", "column", "words"), BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_a_bad_officer_row_is_refused_with_its_column_and_reason(tmp_path, case, cells, column, words):
    good, bad = officer_row(), officer_row(**cells)
    result = run(tmp_path, [good, bad])
    assert (result.created, result.rejected) == (1, 1)
    problems = problems_of(result, 3)
    assert any(c == column and words in m for c, m in problems), problems
    assert Officer.objects.count() == 1


def test_duplicate_codes_and_certificates_within_the_file(tmp_path):
    first = officer_row()
    same_code = officer_row(**{"人员编号": first["人员编号"]})
    same_certificate = officer_row(**{"执法证号": first["执法证号"]})
    result = run(tmp_path, [first, same_code, same_certificate])
    assert problems_of(result, 3) == [("人员编号", "与第2行重复：同一人员编号在文件中只能出现一次")]
    assert problems_of(result, 4) == [("执法证号", "执法证号与第2行重复")]


def test_a_certificate_held_by_another_officer_in_the_register(tmp_path):
    officers_upsert(
        actor="t",
        records=[
            OfficerRecord(
                code="OLD1",
                name="老同志",
                department_code="SCJG",
                unit="某所",
                district_code="371502",
                certificate_no="CERT-1",
                certificate_expires=dt.date(2030, 1, 1),
            )
        ],
    )
    result = run(tmp_path, [officer_row(**{"执法证号": "CERT-1"})])
    assert problems_of(result, 2) == [("执法证号", "执法证号CERT-1已登记在人员编号OLD1名下")]


def test_import_is_idempotent_and_departments_are_read_by_code_or_name(tmp_path):
    rows = [
        officer_row(**{"部门": "SCJG"}),
        officer_row(**{"部门": " 税务局 ", "可检查事项": "SW-01、SW-02\nSW-03"}),
        officer_row(**{"执法资格": "否", "执法证号": "", "执法证有效期至": "", "状态": "离岗"}),
        officer_row(**{"所在区划代码": "371500", "单位": "聊城市市场监督管理局执法支队"}),
    ]
    first = run(tmp_path, rows)
    assert (first.created, first.rejected) == (4, 0)
    assert Officer.objects.get(pk=rows[1]["人员编号"]).qualified_items == ["SW-01", "SW-02", "SW-03"]
    events = AuditEvent.objects.count()
    second = run(tmp_path, rows, name="人员.xlsx", writer=write_xlsx)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 4)
    assert AuditEvent.objects.count() == events


def test_absent_optional_columns_keep_certificate_items_and_status(tmp_path):
    row = officer_row(**{"状态": "离岗"})
    run(tmp_path, [row])
    row["姓名"] = "王执法（改名）"
    result = run(tmp_path, [row], headers=[h for h in OFFICER_HEADERS if h in OFFICER_REQUIRED])
    assert result.updated == 1
    person = Officer.objects.get(pk=row["人员编号"])
    assert (person.name, person.status, person.certificate_no) == (
        "王执法（改名）",
        "off_duty",
        row["执法证号"],
    )
    assert person.qualified_items == ["SCJG-001", "SCJG-002"]


def test_an_entity_file_is_not_an_inspector_file(tmp_path):
    path = write_csv(tmp_path / "主体.csv", [entity_row()], ENTITY_HEADERS)
    with pytest.raises(TableError, match=r"缺少必需的列.*看起来不是执法检查人员文件"):
        import_officers(path, actor="t", report_dir=tmp_path / "out")


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_exported_file_imports_back_with_no_change(tmp_path, suffix):
    run(
        tmp_path,
        [
            officer_row(**{"姓名": "=公式样的名字"}),
            officer_row(**{"执法资格": "否", "执法证号": "", "执法证有效期至": "", "可检查事项": ""}),
            officer_row(**{"部门": "WSJK", "状态": "离岗"}),
        ],
    )
    events = AuditEvent.objects.count()
    path = tmp_path / f"导出.{suffix}"
    call_command("export_inspectors", str(path))
    back = import_officers(path, actor="t", report_dir=tmp_path / "back")
    assert (back.created, back.updated, back.unchanged, back.rejected, back.warnings) == (0, 0, 3, 0, [])
    assert AuditEvent.objects.count() == events


def test_the_export_uses_department_names_and_chinese_labels(tmp_path):
    run(tmp_path, [officer_row(**{"部门": "SW", "状态": "离岗"})])
    export_officers(tmp_path / "o.csv")
    (row,) = read_csv(tmp_path / "o.csv")
    assert (row["部门"], row["状态"], row["执法资格"]) == ("税务局", "离岗", "是")
