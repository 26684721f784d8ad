"""Writes to the inspector register. Every write goes through here and is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import batched
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.core import audit
from gongkai.core.bulk import bulk_insert
from gongkai.core.models import District
from gongkai.inspectors.models import Conflict, Department, Officer
from gongkai.inspectors.records import OFFICER_FIELDS, OfficerChecker, OfficerRecord
from gongkai.registry.models import Entity
from gongkai.registry.services import UpsertResult

OFFICER_TYPE = "inspectors.officer"
CONFLICT_TYPE = "inspectors.conflict"
CONFLICT_FIELDS = ("officer_id", "entity_id", "reason", "declared_on", "declared_by")


def officer_checker() -> OfficerChecker:
    """A checker with the current departments, the city's districts and certificate holders."""
    city = settings.GONGKAI_CITY_CODE
    districts = dict(District.objects.filter(code__startswith=city[:4]).values_list("code", "name"))
    return OfficerChecker(
        departments=dict(Department.objects.values_list("code", "name")),
        district_names=districts,
        certificate_holders=dict(
            Officer.objects.exclude(certificate_no="").values_list("certificate_no", "code")
        ),
    )


def officers_upsert(
    *, actor: Any, records: Iterable[OfficerRecord], note: str = "", batch_size: int = 1000
) -> UpsertResult:
    """Create or update officers keyed by 人员编号; unchanged records write nothing.

    Records must already have passed :class:`OfficerChecker` and carry distinct codes and
    certificate numbers. Runs in one transaction: either every record is applied or none.
    """
    result = UpsertResult()
    with transaction.atomic():
        for batch in batched(records, batch_size):
            _upsert_batch(actor, list(batch), note, result)
    return result


def _upsert_batch(actor: Any, batch: list[OfficerRecord], note: str, result: UpsertResult) -> None:
    existing = {o.code: o for o in Officer.objects.filter(pk__in=[r.code for r in batch])}
    new: list[Officer] = []
    changed: list[Officer] = []
    changed_fields: set[str] = set()
    events: list[audit.EventData] = []
    for rec in batch:
        snap = rec.snapshot()
        officer = existing.get(rec.code)
        if officer is None:
            officer = Officer(**rec.officer_values())
            _validate(officer)
            new.append(officer)
            events.append(
                audit.EventData(
                    "inspectors.officer.create", OFFICER_TYPE, rec.code, rec.name, None, snap, note
                )
            )
            result.created += 1
            continue
        old = audit.snapshot(officer, OFFICER_FIELDS)
        if old == snap:
            result.unchanged += 1
            continue
        for name, value in rec.officer_values().items():
            if audit.jsonable(getattr(officer, name)) != audit.jsonable(value):
                setattr(officer, name, value)
                changed_fields.add(name)
        _validate(officer)
        changed.append(officer)
        before, after = audit.diff(old, snap)
        events.append(
            audit.EventData(
                "inspectors.officer.update", OFFICER_TYPE, rec.code, rec.name, before, after, note
            )
        )
        result.updated += 1
    bulk_insert(Officer, new)
    if changed:
        Officer.objects.bulk_update(changed, sorted(changed_fields | {"updated_at"}))
    audit.record_many(actor=actor, events=events)


def _validate(officer: Officer) -> None:
    # Foreign keys and uniqueness were judged by the checker against the whole batch; checking
    # them again here would cost queries per row.
    officer.full_clean(exclude=["department", "district"], validate_unique=False, validate_constraints=False)


def officer_save(*, actor: Any, record: OfficerRecord, note: str = "") -> Officer:
    """Create or update one officer, checking every rule first."""
    problems = officer_checker().check(record)
    if problems:
        raise ValidationError([f"{p.field}：{p.message}" for p in problems])
    officers_upsert(actor=actor, records=[record], note=note)
    return Officer.objects.get(pk=record.code)


@transaction.atomic
def officer_link_user(*, actor: Any, officer: Officer, user: Any) -> Officer:
    """Link an officer to the staff account they sign in with (我的检查任务), or unlink (``None``)."""
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    if officer.user_id == (user.pk if user is not None else None):
        return officer
    if user is not None and Officer.objects.filter(user=user).exclude(pk=officer.pk).exists():
        raise ValidationError(f"账号{user.get_username()}已关联其他执法检查人员")
    before = officer.user.get_username() if officer.user is not None else ""
    officer.user = user
    officer.save(update_fields=["user", "updated_at"])
    audit.record(
        actor=actor,
        action="inspectors.officer.link_user",
        obj=officer,
        before={"user": before},
        after={"user": user.get_username() if user is not None else ""},
    )
    return officer


@transaction.atomic
def conflict_declare(
    *,
    actor: Any,
    officer: Officer,
    entity: Entity,
    reason: str,
    declared_on: dt.date,
    declared_by: str,
) -> Conflict:
    """Record that ``officer`` must never inspect ``entity`` (回避), with who declared it and why."""
    reason, declared_by = reason.strip(), declared_by.strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "请填写回避理由"
    if not declared_by:
        errors["declared_by"] = "请填写申报人"
    if declared_on > timezone.localdate():
        errors["declared_on"] = "申报日期不能晚于今天"
    if errors:
        raise ValidationError(errors)
    earlier = Conflict.objects.filter(officer=officer, entity=entity).first()
    if earlier is not None:
        raise ValidationError(
            f"{officer.name}与{entity.name}的回避申报已于{earlier.declared_on}登记（申报人：{earlier.declared_by}）"
        )
    conflict = Conflict(
        officer=officer, entity=entity, reason=reason, declared_on=declared_on, declared_by=declared_by
    )
    conflict.full_clean()
    conflict.save()
    audit.record(
        actor=actor,
        action="inspectors.conflict.declare",
        obj=conflict,
        after=audit.snapshot(conflict, CONFLICT_FIELDS),
    )
    return conflict


@transaction.atomic
def conflict_withdraw(*, actor: Any, conflict: Conflict, reason: str) -> None:
    """Withdraw a declared conflict (e.g. declared in error, or the relationship has ended)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "撤销回避申报必须说明理由"})
    conflict = Conflict.objects.select_for_update().select_related("officer", "entity").get(pk=conflict.pk)
    before = audit.snapshot(conflict, CONFLICT_FIELDS)
    audit.record(
        actor=actor,
        action="inspectors.conflict.withdraw",
        object_type=CONFLICT_TYPE,
        object_id=str(conflict.pk),
        object_repr=str(conflict),
        before=before,
        note=reason,
    )
    conflict.delete()
