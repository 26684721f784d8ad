"""Build real register files (.csv in any encoding, .xlsx through openpyxl) for the import tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import openpyxl

from gongkai.inspectors.columns import OFFICER_HEADERS
from gongkai.registry.columns import ENTITY_HEADERS
from gongkai.registry.tests.factories import make_code

CERTIFICATES = iter(range(100000, 999999))
OFFICER_CODES = iter(range(1, 999999))


def entity_row(**cells: str) -> dict[str, str]:
    """A valid entity row keyed by Chinese header; keyword arguments use the headers too (via **{})."""
    row = {
        "统一社会信用代码": make_code(),
        "名称": "聊城市测试商贸有限公司",
        "主体类型": "企业",
        "法定代表人": "张三",
        "注册资本（万元）": "100",
        "成立日期": "2020-05-01",
        "登记状态": "存续（在营）",
        "状态变更日期": "2020-05-01",
        "行业门类": "F",
        "行业大类": "52",
        "登记机关": "聊城市东昌府区市场监督管理局",
        "住所区划代码": "371502",
        "住所": "山东省聊城市东昌府区古楼街道兴华路88号",
        "其他经营场所": "",
        "联络人": "李四",
        "联系电话": "0635-8888888",
        "信用风险分类": "",
        "分类日期": "",
        "集群注册托管机构": "否",
        "托管机构统一社会信用代码": "",
    }
    row.update(cells)
    return row


def officer_row(**cells: str) -> dict[str, str]:
    row = {
        "人员编号": f"LC{next(OFFICER_CODES):05d}",
        "姓名": "王执法",
        "执法资格": "是",
        "执法证号": f"37150{next(CERTIFICATES)}",
        "执法证有效期至": "2030-12-31",
        "部门": "市场监督管理局",
        "单位": "东昌府区市场监督管理局古楼所",
        "所在区划代码": "371502",
        "可检查事项": "SCJG-001；SCJG-002",
        "状态": "在岗",
    }
    row.update(cells)
    return row


def _table(rows: Iterable[Mapping[str, str]], headers: Sequence[str]) -> list[list[str]]:
    return [list(headers)] + [[row.get(h, "") for h in headers] for row in rows]


def write_csv(
    path: Path,
    rows: Iterable[Mapping[str, str]],
    headers: Sequence[str] = ENTITY_HEADERS,
    *,
    encoding: str = "utf-8-sig",
) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(_table(rows, headers))
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(
    path: Path, rows: Iterable[Mapping[str, str]], headers: Sequence[str] = ENTITY_HEADERS
) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in _table(rows, headers):
        sheet.append(line)
    book.save(path)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def read_xlsx(path: Path) -> list[dict[str, str]]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = [["" if v is None else str(v) for v in r] for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]


def report(result) -> list[dict[str, str]]:
    return read_csv(result.report_path)


def problems_of(result, row: int) -> list[tuple[str, str]]:
    """(column, message) of every problem the report lists for spreadsheet row ``row``."""
    return [
        (r["列"], r["问题"])
        for r in report(result)
        if r["行号"] == str(row) and r["处理结果"] == "该行未导入"
    ]


__all__ = [
    "ENTITY_HEADERS",
    "OFFICER_HEADERS",
    "entity_row",
    "officer_row",
    "problems_of",
    "read_csv",
    "read_xlsx",
    "report",
    "write_csv",
    "write_xlsx",
]
