import pytest
from django.core.management import call_command
from openpyxl import Workbook

from gongkai.inspections.catalogue import ITEM_COLUMNS
from gongkai.inspections.models import InspectionItem

pytestmark = pytest.mark.django_db
HEADERS = [h for h, _ in ITEM_COLUMNS]
ROW = [
    "SCJG-QY-01",
    "企业公示信息",
    "年度报告公示情况",
    "企业",
    "一般",
    "书面检查",
    "市场监管部门",
    "《企业信息公示暂行条例》第十四条",
    "",
    "",
    "市级",
]


def _xlsx(path, rows, headers=HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return str(path)


def test_import_publishes_and_reimport_changes_nothing(tmp_path):
    path = _xlsx(
        tmp_path / "items.xlsx",
        [
            ROW,
            [
                "SCJG-SP-01",
                "食品安全",
                "食品经营许可情况",
                "食品经营者",
                "重点",
                "现场检查",
                "市场监管部门",
                "《食品安全法》第三十五条",
                "",
                "",
                "",
            ],
        ],
    )
    call_command("import_items", path, "--publish")
    assert InspectionItem.objects.filter(status="published").count() == 2
    call_command("import_items", path, "--publish")
    assert InspectionItem.objects.count() == 2


def test_changed_row_makes_a_new_version_and_retires_the_old(tmp_path):
    call_command("import_items", _xlsx(tmp_path / "a.xlsx", [ROW]), "--publish")
    changed = [*ROW[:7], "《企业信息公示暂行条例》第十四条；总局令第101号", *ROW[8:]]
    call_command("import_items", _xlsx(tmp_path / "b.xlsx", [changed]), "--publish")
    versions = list(InspectionItem.objects.filter(code="SCJG-QY-01").values_list("version", "status"))
    assert sorted(versions) == [(1, "retired"), (2, "published")]


def test_bad_rows_are_reported_and_good_rows_applied(tmp_path, capsys):
    bad_level = [*ROW[:4], "特别", *ROW[5:]]
    bad_level[0] = "SCJG-QY-02"
    missing = ["SCJG-QY-03", "", *ROW[2:]]
    with pytest.raises(SystemExit) as exc:
        call_command("import_items", _xlsx(tmp_path / "c.xlsx", [ROW, bad_level, missing, ROW]))
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "第3行 事项类别" in out and "第4行 抽查类别" in out and "与第2行的事项编码重复" in out
    assert list(InspectionItem.objects.values_list("code", flat=True)) == ["SCJG-QY-01"]


def test_wrong_file_is_rejected_whole(tmp_path, capsys):
    path = _xlsx(tmp_path / "d.xlsx", [ROW], headers=["名称", "地址"])
    with pytest.raises(SystemExit) as exc:
        call_command("import_items", path)
    assert exc.value.code == 2
    assert "缺少必需的列" in capsys.readouterr().err
    not_xlsx = tmp_path / "e.xlsx"
    not_xlsx.write_text("not a workbook")
    with pytest.raises(SystemExit) as exc:
        call_command("import_items", str(not_xlsx))
    assert exc.value.code == 2
    assert not InspectionItem.objects.exists()


def test_upload_page_imports_and_reports(client, tmp_path):
    from gongkai.conftest import make_user
    from gongkai.core import roles

    client.force_login(make_user("planner", roles.PLANNER))
    path = _xlsx(tmp_path / "f.xlsx", [ROW, ["SCJG-QY-09", "", *ROW[2:]]])
    with open(path, "rb") as fh:
        page = client.post(
            "/staff/inspections/items/", {"file": fh, "publish": "1"}, follow=True
        ).content.decode()
    assert "新增或修订 1 项" in page and "第3行 抽查类别" in page
    assert InspectionItem.objects.get(code="SCJG-QY-01").status == "published"
