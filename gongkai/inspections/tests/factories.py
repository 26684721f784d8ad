"""Inspection test data built through the real services."""

from __future__ import annotations

import datetime as dt
import itertools

import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from gongkai.inspections import services
from gongkai.inspections.models import Plan, ResultCategory, Task
from gongkai.inspections.selectors import active_targets, team_officers
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
    code: str | None = None,
):
    n = next(_serial)
    rec = OfficerRecord(
        code=code or f"T{n:05d}",
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


SEED = "31415926535897932384"


def announced_task(
    *, entities: int = 10, officers: int = 4, codes: tuple[str, ...] = ()
) -> tuple[Task, list]:
    """A task over ``entities`` new entities, announced, with ``officers`` new officers (or one per
    code in ``codes``) on its roster; returns the task and the officers."""
    from gongkai.registry.tests.factories import make_entity

    item, plan = published_item(), published_plan()
    for i in range(entities):
        make_entity(name=f"抽查对象{i}")
    roster = [officer(code=code) for code in codes] or [officer() for _ in range(officers)]
    return services.task_announce(actor="test", task=draft_task(plan, [item])), roster


def draw(task: Task, *, evidence: str = "仪式") -> Task:
    """Draw an announced task once its seed may be entered."""
    with time_machine.travel(task.seed_not_before + dt.timedelta(minutes=1)):
        return services.task_draw(actor="test", task=task, seed=SEED, evidence=evidence)


def drawn_task_with_a_published_result(plan: Plan | None = None, **fields) -> Task:
    """A task announced and drawn, its first selected entity replaced from the reserve, and the
    result of another recorded, signed and published: every part of the public task page. Needs
    enough entities in the register for a reserve, and two officers."""

    def user(name):
        return get_user_model().objects.get_or_create(username=name)[0]

    item = published_item()
    plan = plan or published_plan()
    task = services.task_announce(actor="test", task=draft_task(plan, [item], **fields))
    with time_machine.travel(task.seed_not_before + dt.timedelta(minutes=1), tick=False):
        task = services.task_draw(
            actor="test", task=task, seed="31415926535897932384", evidence="公开摇骰仪式，见证人：张三、李四"
        )
    out = task.targets.filter(role="selected").order_by("rank").first()
    services.target_replace(actor=user("planner"), task=task, credit_code=out.entity_id, reason="已注销")
    services.task_start_inspection(actor="test", task=task)
    target = active_targets(task)[0]
    signers = []
    for i, officer in enumerate(team_officers(target)):
        signers.append(user(f"inspector{target.pk}-{i}"))
        officer.user = signers[-1]
        officer.save(update_fields=["user"])
    services.record_save(
        actor=signers[0],
        target=target,
        item=item,
        categories=[ResultCategory.objects.get(code="no_problem")],
        findings="",
        follow_up="none",
        inspected_on=timezone.localdate(),
    )
    for signer in signers:
        services.target_sign(actor=signer, target=target)
    target.refresh_from_db()
    services.target_publish(actor=user("reviewer"), target=target)
    return Task.objects.get(pk=task.pk)
