"""Writes of 双随机、一公开. Every function is a transaction and writes audit events.

Task states move forward only (草稿 → 已公告 → 已摇号 → 检查中 → 结果已公示 → 已完结); no function
here moves a task back, and none redraws — there is no such operation for anyone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.core import audit
from gongkai.inspections.choices import ItemStatus, PlanStatus, TaskState
from gongkai.inspections.models import InspectionItem, Plan, Task

ITEM_FIELDS = [
    "category", "name", "target", "level", "methods", "subject", "basis", "is_joint", "lead_department",
    "partner_departments", "tier",
]
TASK_EDITABLE = [
    "name", "is_joint", "required_departments", "districts", "entity_types", "industry_sections",
    "industry_divisions", "cluster_host", "strata_mode", "ratios", "min_count", "shared_address_threshold",
    "shared_address_ratio", "exclude_same_item_this_year", "apply_yearly_cap", "team_size", "cross_unit",
    "max_load", "period_start", "period_end", "seed_source", "seed_not_before",
]


# --- the item catalogue -----------------------------------------------------------------------


@transaction.atomic
def item_save(*, actor: Any, code: str, values: dict[str, Any]) -> InspectionItem:
    """Create a draft item, edit an existing draft, or start a new draft version of a published item."""
    latest = InspectionItem.objects.select_for_update().filter(code=code).order_by("-version").first()
    if latest is not None and latest.status == ItemStatus.DRAFT:
        item, before = latest, audit.snapshot(latest)
    else:
        item = InspectionItem(code=code, version=(latest.version + 1) if latest else 1)
        before = None
    for name in ITEM_FIELDS:
        if name in values:
            setattr(item, name, values[name])
    item.full_clean()
    if before is not None and all(before.get(k) == audit.jsonable(getattr(item, k)) for k in ITEM_FIELDS):
        return item
    item.save()
    after = audit.snapshot(item)
    changed_before, changed_after = audit.diff(before, after) if before else (None, after)
    audit.record(actor=actor, action="inspections.item.save", obj=item, before=changed_before, after=changed_after)
    return item


@transaction.atomic
def item_publish(*, actor: Any, item: InspectionItem) -> InspectionItem:
    """Publish a draft version; the previous published version of the code is retired."""
    item = InspectionItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ItemStatus.DRAFT:
        raise ValidationError(f"事项{item.code}第{item.version}版不是草稿，不能发布")
    now = timezone.now()
    for old in InspectionItem.objects.filter(code=item.code, status=ItemStatus.PUBLISHED):
        old.status, old.retired_at = ItemStatus.RETIRED, now
        old.save(update_fields=["status", "retired_at"])
        audit.record(actor=actor, action="inspections.item.retire", obj=old, after={"superseded_by": item.version})
    item.status, item.published_at = ItemStatus.PUBLISHED, now
    item.save(update_fields=["status", "published_at"])
    audit.record(actor=actor, action="inspections.item.publish", obj=item, after={"status": item.status})
    return item


@transaction.atomic
def item_retire(*, actor: Any, item: InspectionItem, note: str = "") -> InspectionItem:
    item = InspectionItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ItemStatus.PUBLISHED:
        raise ValidationError("只有已发布的事项可以停用")
    item.status, item.retired_at = ItemStatus.RETIRED, timezone.now()
    item.save(update_fields=["status", "retired_at"])
    audit.record(actor=actor, action="inspections.item.retire", obj=item, after={"status": item.status}, note=note)
    return item


# --- plans --------------------------------------------------------------------------------------


@transaction.atomic
def plan_save(*, actor: Any, plan: Plan) -> Plan:
    if plan.pk:
        stored = Plan.objects.select_for_update().get(pk=plan.pk)
        if stored.status != PlanStatus.DRAFT:
            raise ValidationError("已公布的计划不能修改")
        before = audit.snapshot(stored)
    else:
        before = None
    plan.full_clean()
    plan.save()
    b, a = audit.diff(before, audit.snapshot(plan)) if before else (None, audit.snapshot(plan))
    audit.record(actor=actor, action="inspections.plan.save", obj=plan, before=b, after=a)
    return plan


@transaction.atomic
def plan_publish(*, actor: Any, plan: Plan) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError("计划已公布")
    plan.status, plan.published_at = PlanStatus.PUBLISHED, timezone.now()
    plan.save(update_fields=["status", "published_at"])
    audit.record(actor=actor, action="inspections.plan.publish", obj=plan, after={"status": plan.status})
    return plan


# --- tasks: the draft -----------------------------------------------------------------------------


def _next_public_id(plan: Plan) -> str:
    prefix = f"{plan.year}-{plan.department_id}-"
    last = (
        Task.objects.filter(public_id__startswith=prefix).order_by("-public_id").values_list("public_id", flat=True).first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


@transaction.atomic
def task_save(*, actor: Any, task: Task, items: list[InspectionItem] | None = None) -> Task:
    """Create or edit a task while it is a draft; its plan must be published."""
    if task.pk:
        stored = Task.objects.select_for_update().get(pk=task.pk)
        if stored.state != TaskState.DRAFT:
            raise ValidationError("任务已公告，抽查范围、分层和规则不能再修改")
        before = audit.snapshot(stored, TASK_EDITABLE)
    else:
        before = None
        if task.plan.status != PlanStatus.PUBLISHED:
            raise ValidationError("只能在已公布的计划下创建任务")
        task.public_id = _next_public_id(task.plan)
    if items is not None:
        bad = [i.code for i in items if i.status != ItemStatus.PUBLISHED]
        if bad:
            raise ValidationError(f"事项{'、'.join(bad)}未发布或已停用，任务只能使用已发布的事项")
    task.full_clean()
    task.save()
    if items is not None:
        task.items.set(items)
    after = audit.snapshot(task, TASK_EDITABLE)
    after["items"] = sorted(task.items.values_list("code", flat=True)) if items is not None else None
    b, a = audit.diff(before, after) if before else (None, after)
    audit.record(actor=actor, action="inspections.task.save", obj=task, before=b, after=a)
    return task


def _advance(task: Task, to: TaskState) -> None:
    order = [s.value for s in TaskState]
    if order.index(to) != order.index(task.state) + 1:
        raise ValidationError(
            f"任务状态只能依次推进：当前为“{TaskState(task.state).label}”，不能变为“{to.label}”"
        )
    task.state = to


def next_state(task: Task) -> TaskState | None:
    order = list(TaskState)
    index = order.index(TaskState(task.state))
    return order[index + 1] if index + 1 < len(order) else None


def today() -> dt.date:
    return timezone.localdate()
