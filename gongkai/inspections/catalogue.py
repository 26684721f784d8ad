"""Import of the 随机抽查事项清单 from a spreadsheet (.xlsx or .csv).

Each row is one item. A row whose values differ from the item's latest version becomes a draft
(a new version when the latest is published); identical rows change nothing. With ``publish``
the imported drafts are published at once — each publication retires the previous version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from gongkai.core import tabular
from gongkai.inspections import services
from gongkai.inspections.choices import ItemLevel, ItemStatus
from gongkai.inspections.models import InspectionItem

ITEM_COLUMNS: list[tuple[str, str]] = [
    ("事项编码", "code"),
    ("抽查类别", "category"),
    ("抽查事项", "name"),
    ("检查对象", "target"),
    ("事项类别", "level"),
    ("检查方式", "methods"),
    ("检查主体", "subject"),
    ("检查依据", "basis"),
    ("发起部门", "lead_department"),
    ("配合部门", "partner_departments"),
    ("抽查层级", "tier"),
]
ITEM_REQUIRED = {
    "事项编码",
    "抽查类别",
    "抽查事项",
    "检查对象",
    "事项类别",
    "检查方式",
    "检查主体",
    "检查依据",
}
LEVELS = {
    "一般": ItemLevel.GENERAL,
    "一般检查事项": ItemLevel.GENERAL,
    "重点": ItemLevel.KEY,
    "重点检查事项": ItemLevel.KEY,
}


@dataclass
class ItemImportResult:
    saved: list[str] = field(default_factory=list)
    unchanged: int = 0
    published: int = 0
    problems: list[tabular.Problem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def _row_values(
    columns: tabular.ColumnMap, row: tabular.Row
) -> tuple[str, dict[str, Any], list[tabular.Problem]]:
    problems: list[tabular.Problem] = []
    values: dict[str, Any] = {}
    code = tabular.norm(columns.get(row, "事项编码"))
    if not code:
        problems.append(tabular.Problem(row.number, "事项编码", "事项编码不能为空"))
    for header, name in ITEM_COLUMNS[1:]:
        text = columns.get(row, header)
        if header in ITEM_REQUIRED and not text:
            problems.append(tabular.Problem(row.number, header, f"{header}不能为空"))
        values[name] = text
    level = LEVELS.get(tabular.norm(values["level"]))
    if values["level"] and level is None:
        problems.append(
            tabular.Problem(row.number, "事项类别", f"事项类别应为“一般”或“重点”，实际为“{values['level']}”")
        )
    values["level"] = level
    values["is_joint"] = bool(values["lead_department"] or values["partner_departments"])
    return code, values, problems


def import_items(
    *, actor: Any, path: str | Path, publish: bool = False, name: str | None = None
) -> ItemImportResult:
    """Import the catalogue; raises :class:`tabular.TableError` when the file is rejected whole."""
    result = ItemImportResult()
    seen: dict[str, int] = {}
    with tabular.open_table(path, name=name) as table, transaction.atomic():
        columns = tabular.ColumnMap(
            table.header,
            columns=[h for h, _ in ITEM_COLUMNS],
            required=ITEM_REQUIRED,
            register="抽查事项清单",
        )
        for row in table.rows():
            code, values, problems = _row_values(columns, row)
            if code in seen:
                problems.append(tabular.Problem(row.number, "事项编码", f"与第{seen[code]}行的事项编码重复"))
            seen.setdefault(code, row.number)
            if problems:
                result.problems.extend(problems)
                continue
            latest = InspectionItem.objects.filter(code=code).order_by("-version").first()
            if latest and all(getattr(latest, k) == v for k, v in values.items()):
                result.unchanged += 1
                item = latest
            else:
                try:
                    with transaction.atomic():
                        item = services.item_save(actor=actor, code=code, values=values)
                except services.ValidationError as exc:
                    result.problems.extend(tabular.Problem(row.number, "", m) for m in exc.messages)
                    continue
                result.saved.append(code)
            if publish and item.status == ItemStatus.DRAFT:
                services.item_publish(actor=actor, item=item)
                result.published += 1
    return result
