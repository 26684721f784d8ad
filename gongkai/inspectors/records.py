"""Validated, source-neutral descriptions of an officer: what forms, imports and the demo produce.

A record is checked by :class:`OfficerChecker` (departments, districts, certificate numbers held
by others) before :func:`gongkai.inspectors.services.officers_upsert` writes it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from gongkai.core.audit import jsonable
from gongkai.inspectors.choices import OfficerStatus
from gongkai.registry.records import Problem

# Field lengths of :class:`gongkai.inspectors.models.Officer`.
MAX_CODE, MAX_NAME, MAX_CERTIFICATE, MAX_UNIT, MAX_ITEM = 30, 50, 30, 100, 50

OFFICER_FIELDS = (
    "code",
    "name",
    "is_law_enforcement",
    "certificate_no",
    "certificate_expires",
    "department_id",
    "unit",
    "district_id",
    "qualified_items",
    "status",
)


@dataclass
class OfficerRecord:
    code: str
    name: str
    department_code: str
    unit: str
    district_code: str
    is_law_enforcement: bool = True
    certificate_no: str = ""
    certificate_expires: dt.date | None = None
    qualified_items: list[str] = field(default_factory=list)
    status: str = OfficerStatus.ON_DUTY

    def officer_values(self) -> dict[str, Any]:
        """Field values of the Officer row (by attname), as stored."""
        return {
            "code": self.code,
            "name": self.name,
            "is_law_enforcement": self.is_law_enforcement,
            "certificate_no": self.certificate_no,
            "certificate_expires": self.certificate_expires,
            "department_id": self.department_code,
            "unit": self.unit,
            "district_id": self.district_code,
            "qualified_items": list(self.qualified_items),
            "status": str(self.status),
        }

    def snapshot(self) -> dict[str, Any]:
        """What the audit log stores (and what "unchanged" is judged on)."""
        return {k: jsonable(v) for k, v in self.officer_values().items()}


class OfficerChecker:
    """Checks officer records against the rules that need context; built once per import or form."""

    def __init__(
        self,
        *,
        departments: dict[str, str],
        district_names: dict[str, str],
        certificate_holders: dict[str, str],
    ):
        self.departments = departments  # code → name
        self.district_names = district_names
        self.certificate_holders = certificate_holders  # certificate number → officer code
        self._department_lookup = {_key(code): code for code in departments} | {
            _key(name): code for code, name in departments.items()
        }

    def department_code(self, text: str) -> str | None:
        """The code of the department named (by code or name) in ``text``."""
        return self._department_lookup.get(_key(text))

    def check(self, rec: OfficerRecord) -> list[Problem]:
        problems: list[Problem] = []
        if not rec.code:
            problems.append(Problem("人员编号", "人员编号不能为空"))
        elif len(rec.code) > MAX_CODE:
            problems.append(Problem("人员编号", f"人员编号过长（{len(rec.code)}字符，最多{MAX_CODE}个）"))
        elif any(ch.isspace() for ch in rec.code):
            problems.append(Problem("人员编号", "人员编号不能含空格"))
        if not rec.name.strip():
            problems.append(Problem("姓名", "姓名不能为空"))
        elif len(rec.name) > MAX_NAME:
            problems.append(Problem("姓名", f"姓名过长（{len(rec.name)}字，最多{MAX_NAME}字）"))
        if rec.department_code not in self.departments:
            known = "、".join(self.departments.values())
            problems.append(
                Problem("部门", f"未知的部门“{rec.department_code}”，应为以下部门的名称或代码之一：{known}")
            )
        if not rec.unit.strip():
            problems.append(Problem("单位", "单位（所/科室）不能为空"))
        elif len(rec.unit) > MAX_UNIT:
            problems.append(Problem("单位", f"单位名称过长（{len(rec.unit)}字，最多{MAX_UNIT}字）"))
        if rec.district_code not in self.district_names:
            problems.append(Problem("所在区划代码", f"“{rec.district_code}”不是本市或本市县区的区划代码"))
        if rec.is_law_enforcement:
            if not rec.certificate_no:
                problems.append(Problem("执法证号", "具有执法资格的人员必须填写执法证号"))
            if rec.certificate_expires is None:
                problems.append(Problem("执法证有效期至", "具有执法资格的人员必须填写执法证有效期"))
        else:
            if rec.certificate_no:
                problems.append(Problem("执法证号", "没有执法资格的辅助人员不能填写执法证号"))
            if rec.certificate_expires is not None:
                problems.append(Problem("执法证有效期至", "没有执法资格的辅助人员不能填写执法证有效期"))
        if rec.certificate_no:
            holder = self.certificate_holders.get(rec.certificate_no)
            if len(rec.certificate_no) > MAX_CERTIFICATE:
                problems.append(Problem("执法证号", f"执法证号过长（最多{MAX_CERTIFICATE}个字符）"))
            elif holder is not None and holder != rec.code:
                problems.append(
                    Problem("执法证号", f"执法证号{rec.certificate_no}已登记在人员编号{holder}名下")
                )
        seen: set[str] = set()
        for item in rec.qualified_items:
            if not item:
                problems.append(Problem("可检查事项", "可检查事项中有空的事项编码"))
            elif len(item) > MAX_ITEM:
                problems.append(Problem("可检查事项", f"事项编码“{item[:20]}…”过长（最多{MAX_ITEM}个字符）"))
            elif item in seen:
                problems.append(Problem("可检查事项", f"事项编码“{item}”重复"))
            seen.add(item)
        if rec.status not in OfficerStatus.values:
            problems.append(Problem("状态", f"未知的状态“{rec.status}”，应为在岗或离岗"))
        return problems


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()
