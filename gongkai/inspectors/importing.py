"""Import of the inspector register from .xlsx/.csv files (``gongkai import-inspectors`` and the upload page).

Same rules as the entity import (:mod:`gongkai.registry.importing`): one streaming pass, every
row checked, valid rows upserted by 人员编号 in one transaction, a report and a file of the
refused rows. An absent optional column (执法证号, 执法证有效期至, 可检查事项, 状态) keeps an
existing officer's value.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import batched
from pathlib import Path
from typing import Any

from django.utils import translation

from gongkai.core import tabular
from gongkai.core.tabular import ImportResult, Problem, Row
from gongkai.inspectors.choices import OfficerStatus
from gongkai.inspectors.columns import OFFICER_COLUMNS, OFFICER_HEADERS, OFFICER_REQUIRED
from gongkai.inspectors.models import Officer
from gongkai.inspectors.records import OfficerRecord
from gongkai.inspectors.services import officer_checker, officers_upsert
from gongkai.registry.importing import Counts, ImportContext, RegisterSpec, parse_cell, run_import

OFFICERS = RegisterSpec("inspectors", "执法检查人员", OFFICER_HEADERS, OFFICER_REQUIRED)
HEADER = {attr: header for header, attr in OFFICER_COLUMNS}
ATTR = dict(OFFICER_COLUMNS)
# Optional columns whose absence keeps an existing officer's value, and the defaults for new ones.
KEPT_WHEN_ABSENT: dict[str, Any] = {
    "certificate_no": "",
    "certificate_expires": None,
    "qualified_items": [],
    "status": OfficerStatus.ON_DUTY,
}
CHUNK = 1000
_ITEM_SPLIT = re.compile(r"[；;，,、\r\n]+")


@functools.cache
def status_labels() -> tabular.Labels:
    with translation.override("zh-hans"):
        return tabular.Labels(OfficerStatus.choices, what="状态")


def parse_items(text: str) -> list[str]:
    return [tabular.norm(part) for part in _ITEM_SPLIT.split(text) if tabular.clean(part)]


def import_officers(
    path: str | os.PathLike[str], *, actor: Any, name: str | None = None, report_dir: Path | None = None
) -> ImportResult:
    """Import an inspector file; see the module docstring for the rules."""
    file_name = name or Path(path).name

    def apply(ctx: ImportContext) -> Counts:
        rows = _OfficerRows(ctx)
        result = officers_upsert(actor=actor, records=rows.records(), note=f"导入文件“{file_name}”")
        return Counts(result.created, result.updated, result.unchanged)

    return run_import(path, spec=OFFICERS, apply=apply, name=file_name, report_dir=report_dir)


class _OfficerRows:
    def __init__(self, ctx: ImportContext):
        self.ctx = ctx
        self.columns = ctx.columns
        self.checker = officer_checker()
        self.seen: dict[str, int] = {}
        self.certificates: dict[str, int] = {}
        self.absent = {ATTR[h] for h in self.columns.absent if ATTR[h] in KEPT_WHEN_ABSENT}

    def records(self) -> Iterator[OfficerRecord]:
        for chunk in batched(self.ctx.table.rows(), CHUNK):
            yield from self._chunk(chunk)

    def _chunk(self, rows: Iterable[Row]) -> Iterator[OfficerRecord]:
        parsed = [self._parse(row) for row in rows]
        existing: dict[str, dict[str, Any]] = {}
        if self.absent:
            codes = [values["code"] for _, values, _ in parsed if values["code"]]
            for row in Officer.objects.filter(pk__in=codes).values("code", *sorted(self.absent)):
                existing[row["code"]] = row
        for row, values, problems in parsed:
            record = self._decide(row, values, problems, existing.get(values["code"]))
            if record is not None:
                yield record

    def _parse(self, row: Row) -> tuple[Row, dict[str, Any], list[Problem]]:
        get = self.columns.get
        problems: list[Problem] = []
        values: dict[str, Any] = {
            "code": tabular.norm(get(row, "人员编号")),
            "name": get(row, "姓名"),
            "unit": get(row, "单位"),
            "district_code": tabular.norm(get(row, "所在区划代码")),
        }

        def cell(attr: str, parser: Callable[[str], Any], default: Any = None) -> None:
            if self.columns.has(HEADER[attr]):
                values[attr] = parse_cell(
                    problems, row, HEADER[attr], get(row, HEADER[attr]), parser, default
                )

        department = get(row, "部门")
        values["department_code"] = self.checker.department_code(department) or department
        cell("is_law_enforcement", tabular.parse_yes_no, False)
        if not get(row, "执法资格"):
            problems.append(Problem(row.number, "执法资格", "执法资格不能为空，应填“是”或“否”"))
            # Judge the certificate cells as the rest of the row suggests, not against a guess.
            values["is_law_enforcement"] = bool(get(row, "执法证号"))
        cell("certificate_no", tabular.norm, "")
        cell("certificate_expires", tabular.parse_date)
        cell("qualified_items", parse_items, [])
        cell("status", status_labels().parse, OfficerStatus.ON_DUTY)
        return row, values, problems

    def _decide(
        self, row: Row, values: dict[str, Any], problems: list[Problem], old: dict[str, Any] | None
    ) -> OfficerRecord | None:
        code = values["code"]
        if code:
            first = self.seen.setdefault(code, row.number)
            if first != row.number:
                problems.append(
                    Problem(row.number, "人员编号", f"与第{first}行重复：同一人员编号在文件中只能出现一次")
                )
        for attr in self.absent:
            values[attr] = old[attr] if old is not None else KEPT_WHEN_ABSENT[attr]
            if attr == "qualified_items":
                values[attr] = list(values[attr])
        certificate = values["certificate_no"]
        if certificate:
            first = self.certificates.setdefault(certificate, row.number)
            if first != row.number:
                problems.append(Problem(row.number, "执法证号", f"执法证号与第{first}行重复"))
        unreadable = {p.column for p in problems}
        record = OfficerRecord(**values)
        for finding in self.checker.check(record):
            if finding.field not in unreadable:
                problems.append(Problem(row.number, finding.field, finding.message))
        if problems:
            self.ctx.reject(row, problems)
            return None
        return record
