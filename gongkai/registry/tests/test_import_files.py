"""Files refused as a whole (nothing changes), and the encodings and layouts that are accepted."""

import io
import zipfile

import pytest

from gongkai.core.models import AuditEvent
from gongkai.core.tabular import TableError
from gongkai.inspectors.columns import OFFICER_HEADERS
from gongkai.registry import importing
from gongkai.registry.columns import ENTITY_HEADERS
from gongkai.registry.importing import import_entities
from gongkai.registry.models import Entity
from gongkai.registry.tests.importfiles import entity_row, officer_row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True, params=[False, True], ids=["here", "worker"])
def _worker(request, monkeypatch):
    """Every case both ways: rows read and checked in this process, and in a forked worker."""
    monkeypatch.setattr(importing, "fork_is_safe", lambda: request.param)


def refused(path, words):
    with pytest.raises(TableError) as exc:
        import_entities(path, actor="t", report_dir=path.parent / "out")
    assert words in str(exc.value), str(exc.value)
    assert Entity.objects.count() == 0 and AuditEvent.objects.count() == 0
    assert not (path.parent / "out").exists()
    return str(exc.value)


def valid_xlsx_bytes(tmp_path, rows=None):
    return write_xlsx(tmp_path / "ok.xlsx", rows or [entity_row()]).read_bytes()


def test_an_xlsx_that_is_plain_text(tmp_path):
    path = tmp_path / "主体.xlsx"
    path.write_text("统一社会信用代码,名称\n", encoding="utf-8")
    refused(path, "内容不是Excel工作簿")


def test_a_truncated_xlsx(tmp_path):
    data = valid_xlsx_bytes(tmp_path)
    path = tmp_path / "截断.xlsx"
    path.write_bytes(data[: len(data) // 2])
    refused(path, "已损坏或不完整")


def test_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "压缩包.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    refused(path, "无法打开Excel工作簿")


def test_an_xlsx_whose_sheet_breaks_half_way_applies_none_of_its_rows(tmp_path):
    rows = [entity_row() for _ in range(30)]
    source = zipfile.ZipFile(io.BytesIO(valid_xlsx_bytes(tmp_path, rows)))
    path = tmp_path / "坏表.xlsx"
    with zipfile.ZipFile(path, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: int(len(data) * 0.8)]
            out.writestr(item, data)
    refused(path, "读取Excel工作簿第")


def test_a_legacy_xls_file(tmp_path):
    path = tmp_path / "旧版.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    refused(path, "旧版Excel")
    legacy = tmp_path / "旧版.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    refused(legacy, "不支持旧版Excel文件（.xls）")


def test_a_csv_that_is_really_a_workbook(tmp_path):
    path = tmp_path / "主体.csv"
    path.write_bytes(valid_xlsx_bytes(tmp_path))
    refused(path, "扩展名是.csv，但内容是Excel工作簿")


def test_a_binary_csv(tmp_path):
    path = tmp_path / "二进制.csv"
    path.write_bytes(bytes(range(256)) * 10)
    refused(path, "二进制内容")


def test_bytes_in_no_known_encoding(tmp_path):
    path = tmp_path / "乱码.csv"
    path.write_bytes(b"abc" + b"\x80\xff\xfd\x81\x30" * 50 + b"\n")
    message = refused(path, "无法识别文件编码")
    assert "UTF-8" in message


def test_a_utf16_csv(tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes("统一社会信用代码,名称\n".encode("utf-16"))
    refused(path, "UTF-16")


def test_other_file_types(tmp_path):
    path = tmp_path / "主体.txt"
    path.write_text("x")
    refused(path, "只能导入.xlsx或.csv文件")


def test_an_empty_file(tmp_path):
    path = tmp_path / "空.csv"
    path.write_bytes(b"")
    refused(path, "文件是空的")


def test_a_file_of_blank_lines(tmp_path):
    path = tmp_path / "空行.csv"
    path.write_text("\n , ,\n\n", encoding="utf-8")
    refused(path, "没有列标题行")


def test_missing_required_columns_are_named(tmp_path):
    path = write_csv(
        tmp_path / "缺列.csv",
        [entity_row()],
        headers=[h for h in ENTITY_HEADERS if h not in {"住所", "成立日期"}],
    )
    refused(path, "缺少必需的列：成立日期、住所")


def test_a_file_of_the_other_register(tmp_path):
    path = write_csv(tmp_path / "人员.csv", [officer_row()], headers=OFFICER_HEADERS)
    refused(path, "看起来不是市场主体文件")


def test_a_column_given_twice(tmp_path):
    path = write_csv(tmp_path / "重复列.csv", [entity_row()], headers=[*ENTITY_HEADERS, " 名称 "])
    refused(path, "列“名称”出现了两次（第B列和第U列）")


def test_undecodable_bytes_after_thousands_of_good_rows_apply_none_of_them(tmp_path):
    # More rows than one write batch (5,000) before the damage, so some were already written.
    path = write_csv(tmp_path / "半坏.csv", [entity_row() for _ in range(5200)], encoding="utf-8")
    with open(path, "ab") as fh:
        fh.write(b"9" + b"\xff\xfe\xfa" + ",坏行\n".encode())
    message = refused(path, "第5202行附近有无法按UTF-8解码的字节")
    assert "混用了不同的编码" in message


# --- accepted encodings and layouts ----------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030(tmp_path, encoding):
    # 䶮 is outside GBK: only a real GB18030 decoder reads it.
    row = entity_row(**{"名称": "聊城市䶮记商贸有限公司", "法定代表人": "欧阳䶮"})
    path = write_csv(tmp_path / f"{encoding}.csv", [row], encoding=encoding)
    result = import_entities(path, actor="t", report_dir=tmp_path / "out")
    assert (result.created, result.rejected) == (1, 0)
    assert Entity.objects.get(pk=row["统一社会信用代码"]).legal_representative == "欧阳䶮"
    expected = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8（带BOM）", "gb18030": "GB18030/GBK"}[encoding]
    assert result.description == f"CSV，{expected}编码"


def test_a_gb18030_file_whose_first_chinese_bytes_come_late(tmp_path):
    rows = [
        entity_row(
            **{"名称": "ABC Trading Co", "法定代表人": "Zhang", "住所": "No. 1 Road", "登记机关": "AMR"}
        )
    ]
    rows.append(entity_row(**{"名称": "聊城市兴华商店"}))
    path = write_csv(tmp_path / "gbk.csv", rows, encoding="gb18030")
    result = import_entities(path, actor="t", report_dir=tmp_path / "out")
    assert result.created == 2


def test_tab_separated_text_saved_by_excel(tmp_path):
    row = entity_row()
    path = tmp_path / "制表符.csv"
    lines = ["\t".join(ENTITY_HEADERS), "\t".join(row[h] for h in ENTITY_HEADERS)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="gb18030")
    result = import_entities(path, actor="t", report_dir=tmp_path / "out")
    assert (result.created, result.rejected) == (1, 0)


def test_formula_quotes_written_by_our_exports_are_removed(tmp_path):
    row = entity_row(**{"联系电话": "'+86 635 8888888", "联络人": "'=张三"})
    result = import_entities(write_csv(tmp_path / "q.csv", [row]), actor="t", report_dir=tmp_path / "out")
    entity = Entity.objects.get(pk=row["统一社会信用代码"])
    assert result.created == 1
    assert (entity.contact_phone, entity.contact_name) == ("+86 635 8888888", "=张三")
