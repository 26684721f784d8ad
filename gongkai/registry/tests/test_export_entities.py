"""Staff export of the entity register: the columns, and an exported file imports back unchanged."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from gongkai.core.models import AuditEvent
from gongkai.registry.exporting import decimal_text, entity_headers, entity_rows, export_entities
from gongkai.registry.importing import import_entities
from gongkai.registry.services import entity_status_change
from gongkai.registry.tests.factories import AddressRecord, make_entity
from gongkai.registry.tests.importfiles import read_csv, read_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def a_varied_register():
    host = make_entity(is_cluster_host=True, name="聊城市众创空间管理有限公司")
    hosted = make_entity(cluster_host_code=host.pk, entity_type="individual", registered_capital=None)
    multi = make_entity(
        premises=[
            AddressRecord("371503", "山东省聊城市茌平区振兴路3号"),
            AddressRecord("371581", "山东省聊城市临清市（新华路街道）永青路12号"),
        ],
        credit_risk_class="C",
        credit_risk_date=dt.date(2024, 6, 30),
        registered_capital=Decimal("12.3456"),
        contact_phone="+86 635 1234567",
        contact_name="=SUM(A1)",
    )
    closed = make_entity(entity_type="branch", industry_division="62", name="聊城市某某餐饮有限公司分店")
    entity_status_change(actor="t", entity=closed, status="cancelled", effective_on=dt.date(2024, 12, 1))
    return host, hosted, multi, closed


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_an_exported_file_imports_back_with_no_change_and_no_audit_event(tmp_path, suffix):
    a_varied_register()
    events = AuditEvent.objects.count()
    path = tmp_path / f"名录.{suffix}"
    assert export_entities(path) == 4
    result = import_entities(path, actor="t", report_dir=tmp_path / "out")
    assert (result.created, result.updated, result.unchanged, result.rejected, result.warnings) == (
        0,
        0,
        4,
        0,
        [],
    )
    assert AuditEvent.objects.count() == events


def test_export_cells_follow_the_column_layout(tmp_path):
    host, hosted, multi, closed = a_varied_register()
    export_entities(tmp_path / "名录.csv")
    rows = {r["统一社会信用代码"]: r for r in read_csv(tmp_path / "名录.csv")}
    assert rows[multi.pk]["其他经营场所"] == (
        "371503 山东省聊城市茌平区振兴路3号\n371581 山东省聊城市临清市(新华路街道)永青路12号"
    )
    assert rows[multi.pk]["注册资本（万元）"] == "12.3456"
    assert rows[multi.pk]["信用风险分类"] == "C" and rows[multi.pk]["分类日期"] == "2024-06-30"
    assert rows[hosted.pk]["托管机构统一社会信用代码"] == host.pk
    assert rows[hosted.pk]["住所"].endswith("（集群注册）")
    assert rows[host.pk]["集群注册托管机构"] == "是"
    assert (rows[closed.pk]["登记状态"], rows[closed.pk]["状态变更日期"]) == ("注销", "2024-12-01")
    assert rows[closed.pk]["主体类型"] == "分支机构"


def test_formula_like_cells_are_quoted_in_csv_and_stay_text_in_xlsx(tmp_path):
    _, _, multi, _ = a_varied_register()
    export_entities(tmp_path / "名录.csv")
    raw = (tmp_path / "名录.csv").read_text(encoding="utf-8-sig")
    assert "'=SUM(A1)" in raw and "'+86 635 1234567" in raw
    export_entities(tmp_path / "名录.xlsx")
    row = next(r for r in read_xlsx(tmp_path / "名录.xlsx") if r["统一社会信用代码"] == multi.pk)
    assert row["联络人"] == "=SUM(A1)"


def test_the_csv_starts_with_a_bom_so_excel_reads_utf8(tmp_path):
    make_entity()
    export_entities(tmp_path / "名录.csv")
    assert (tmp_path / "名录.csv").read_bytes().startswith(b"\xef\xbb\xbf\xe7\xbb\x9f")


def test_internal_columns_can_be_left_out_and_district_limits_apply():
    inside = make_entity(credit_risk_class="D", credit_risk_date=dt.date(2025, 1, 1))
    make_entity(district_code="371526", domicile="山东省聊城市高唐县人和路5号")
    headers = entity_headers(include_internal=False)
    assert "信用风险分类" not in headers and "分类日期" not in headers
    rows = list(entity_rows(include_internal=False, districts=["371502"]))
    assert [r[0] for r in rows] == [inside.pk]
    assert len(rows[0]) == len(headers) and "D" not in rows[0]


def test_decimal_text_never_uses_exponents():
    assert [decimal_text(Decimal(v)) for v in ("100.0000", "0.0000", "12.5000", "1E+3")] == [
        "100",
        "0",
        "12.5",
        "1000",
    ]
    assert decimal_text(None) == ""


def test_export_command_reports_count_and_refuses_unknown_extensions(tmp_path, capsys):
    make_entity()
    call_command("export_entities", str(tmp_path / "x.xlsx"))
    assert "已导出1条市场主体" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        call_command("export_entities", str(tmp_path / "x.pdf"))
    assert exc.value.code == 2
    assert "只能导出.xlsx或.csv文件" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        call_command("export_entities", str(tmp_path / "no-such-dir" / "x.csv"))
    assert not list(tmp_path.glob("*.part"))
