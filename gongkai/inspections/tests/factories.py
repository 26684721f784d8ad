"""Inspection test data built through the real services."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from gongkai.inspections import services
from gongkai.inspections.models import Plan, Task
from gongkai.inspectors.records import OfficerRecord
from gongkai.inspectors.services import officer_save

_serial = itertools.count(1)

ITEM_VALUES = {
    "category": "企业公示信息",
    "name": "企业年度报告公示情况检查",
    "target": "企业",
    "level": "general",
    "methods": "书面检查、现场检查",
    "subject": "市场监管部门",
    "basis": "《企业信息公示暂行条例》第十四条",
}


def published_item(code: str = "SCJG-QY-01", **values):
    item = services.item_save(actor="test", code=code, values={**ITEM_VALUES, **values})
    return services.item_publish(actor="test", item=item)


def published_plan(department: str = "SCJG", year: int = 2026) -> Plan:
    plan = services.plan_save(
        actor="test",
        plan=Plan(
            department_id=department,
            year=year,
            name=f"{year}年度企业公示信息抽查计划",
            content="企业年度报告",
            period="全年",
            ratio="不低于3%",
            frequency="每年一次",
        ),
    )
    return services.plan_publish(actor="test", plan=plan)


def officer(
    *,
    department: str = "SCJG",
    district: str = "371502",
    items=("SCJG-QY-01",),
    expires: dt.date = dt.date(2030, 12, 31),
    enforcement: bool = True,
    user=None,
):
    n = next(_serial)
    rec = OfficerRecord(
        code=f"T{n:05d}",
        name=f"检查员{n}",
        department_code=department,
        unit=f"{district}市场监管所",
        district_code=district,
        is_law_enforcement=enforcement,
        certificate_no=f"37150{n:07d}" if enforcement else "",
        certificate_expires=expires if enforcement else None,
        qualified_items=list(items),
    )
    result = officer_save(actor="test", record=rec)
    if user is not None:
        result.user = user
        result.save(update_fields=["user"])
    return result


def draft_task(plan: Plan, items, **fields) -> Task:
    values = dict(
        name="企业年度报告公示情况抽查",
        strata_mode="none",
        ratios={"*": "50"},
        team_size=2,
        period_start=dt.date(2026, 12, 1),
        period_end=dt.date(2026, 12, 31),
        seed_source="drand 第5000000轮",
        seed_not_before=timezone.now() + dt.timedelta(hours=1),
    )
    values.update(fields)
    return services.task_save(actor="test", task=Task(plan=plan, **values), items=list(items))
