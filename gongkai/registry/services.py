"""Writes to the market-entity register. Every write goes through here and is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import batched
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from gongkai.core import audit
from gongkai.core.bulk import bulk_insert
from gongkai.core.models import District
from gongkai.core.parameters import parameter_value
from gongkai.registry import addresses
from gongkai.registry.models import Address, Entity, StatusChange
from gongkai.registry.records import EntityRecord, RecordChecker

ENTITY_TYPE = "registry.entity"


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def record_checker(extra_host_codes: Iterable[str] = ()) -> RecordChecker:
    """A checker with the current districts, scope setting and cluster hosts."""
    from django.conf import settings

    city = settings.GONGKAI_CITY_CODE
    districts = dict(
        District.objects.filter(code__startswith=city[:4]).exclude(code=city).values_list("code", "name")
    )
    hosts = set(Entity.objects.filter(is_cluster_host=True).values_list("credit_code", flat=True))
    return RecordChecker(
        district_names=districts,
        city_code=city,
        multi_address_scope=parameter_value("registry.multi_address_scope"),
        host_codes=hosts | set(extra_host_codes),
    )


def _current_snapshot(entity: Entity, addrs: list[tuple[str, str, str]]) -> dict[str, Any]:
    values = {
        name: audit.jsonable(getattr(entity, name))
        for name in (
            "credit_code",
            "name",
            "entity_type",
            "legal_representative",
            "registered_capital",
            "established_on",
            "status",
            "status_since",
            "industry_section",
            "industry_division",
            "registration_authority",
            "district_id",
            "contact_name",
            "contact_phone",
            "credit_risk_class",
            "credit_risk_date",
            "is_cluster_host",
            "cluster_host_id",
        )
    }
    if values["registered_capital"] is not None:
        values["registered_capital"] = str(Decimal(values["registered_capital"]).quantize(Decimal("0.0001")))
    values["addresses"] = [list(a) for a in addrs]
    return values


def _address_rows(code: str, rec: EntityRecord) -> list[Address]:
    rows = []
    for position, (kind, district, text) in enumerate(rec.address_list()):
        parts = addresses.split(text)
        rows.append(
            Address(
                entity_id=code,
                kind=kind,
                position=position,
                district_id=district,
                full_text=text[:300],
                town=parts.town,
                village=parts.village,
                street=parts.street,
                number=parts.number,
                normalised=addresses.normalised(text)[:300],
            )
        )
    return rows


def entities_upsert(
    *, actor: Any, records: Iterable[EntityRecord], note: str = "", batch_size: int = 5000
) -> UpsertResult:
    """Create or update entities keyed by credit code; unchanged records write nothing.

    Records must already have passed :class:`RecordChecker` and carry distinct credit codes.
    Runs in one transaction: either every record is applied or none.
    """
    result = UpsertResult()
    with transaction.atomic():
        for batch in batched(records, batch_size):
            _upsert_batch(actor, list(batch), note, result)
    return result


def _upsert_batch(actor: Any, batch: list[EntityRecord], note: str, result: UpsertResult) -> None:
    codes = [r.credit_code for r in batch]
    existing = {e.credit_code: e for e in Entity.objects.filter(pk__in=codes)}
    current_addrs: dict[str, list[tuple[str, str, str]]] = {code: [] for code in existing}
    for entity_id, kind, district_id, text in (
        Address.objects.filter(entity_id__in=list(existing))
        .order_by("entity_id", "position")
        .values_list("entity_id", "kind", "district_id", "full_text")
    ):
        current_addrs[entity_id].append((kind, district_id, text))

    new_entities: list[Entity] = []
    new_addresses: list[Address] = []
    new_status: list[StatusChange] = []
    changed: list[Entity] = []
    changed_fields: set[str] = set()
    readdress: list[str] = []
    events: list[audit.EventData] = []

    for rec in batch:
        snap = rec.snapshot()
        values = rec.entity_values()
        entity = existing.get(rec.credit_code)
        if entity is None:
            entity = Entity(**values)
            new_entities.append(entity)
            new_addresses.extend(_address_rows(rec.credit_code, rec))
            new_status.append(
                StatusChange(
                    entity_id=rec.credit_code,
                    from_status="",
                    to_status=rec.status,
                    effective_on=rec.status_since or rec.established_on,
                )
            )
            events.append(
                audit.EventData(
                    "registry.entity.create", ENTITY_TYPE, rec.credit_code, rec.name[:200], None, snap, note
                )
            )
            result.created += 1
            continue
        old = _current_snapshot(entity, current_addrs[rec.credit_code])
        if old == snap:
            result.unchanged += 1
            continue
        before, after = audit.diff(old, snap)
        if old["status"] != snap["status"]:
            new_status.append(
                StatusChange(
                    entity_id=rec.credit_code,
                    from_status=entity.status,
                    to_status=rec.status,
                    effective_on=rec.status_since or rec.established_on,
                )
            )
        for name, value in values.items():
            if audit.jsonable(getattr(entity, name)) != audit.jsonable(value):
                setattr(entity, name, value)
                changed_fields.add(name)
        if old["addresses"] != snap["addresses"]:
            readdress.append(rec.credit_code)
            new_addresses.extend(_address_rows(rec.credit_code, rec))
        changed.append(entity)
        events.append(
            audit.EventData(
                "registry.entity.update", ENTITY_TYPE, rec.credit_code, rec.name[:200], before, after, note
            )
        )
        result.updated += 1

    bulk_insert(Entity, new_entities)
    if changed:
        Entity.objects.bulk_update(
            changed, sorted(changed_fields | {"updated_at"}) if changed_fields else ["updated_at"]
        )
    if readdress:
        Address.objects.filter(entity_id__in=readdress).delete()
    bulk_insert(Address, new_addresses)
    bulk_insert(StatusChange, new_status)
    audit.record_many(actor=actor, events=events)


def entity_save(*, actor: Any, record: EntityRecord, note: str = "") -> Entity:
    """Create or update one entity from a form, checking every rule first."""
    problems = record_checker().check(record)
    if problems:
        raise ValidationError([f"{p.field}：{p.message}" for p in problems])
    entities_upsert(actor=actor, records=[record], note=note)
    return Entity.objects.get(pk=record.credit_code)


@transaction.atomic
def entity_status_change(
    *, actor: Any, entity: Entity, status: str, effective_on: dt.date, note: str = ""
) -> Entity:
    """Record a registration status change (注销, 吊销, 迁出…) with the date it took effect."""
    entity = Entity.objects.select_for_update().get(pk=entity.pk)
    if status == entity.status:
        raise ValidationError("登记状态没有变化")
    if effective_on < entity.status_since:
        raise ValidationError(f"生效日期不能早于上一次状态变更（{entity.status_since}）")
    before = audit.snapshot(entity, ["status", "status_since"])
    old_status = entity.status
    entity.status, entity.status_since = status, effective_on
    entity.full_clean()
    entity.save(update_fields=["status", "status_since", "updated_at"])
    StatusChange.objects.create(
        entity=entity, from_status=old_status, to_status=status, effective_on=effective_on
    )
    audit.record(
        actor=actor,
        action="registry.entity.status_change",
        obj=entity,
        before=before,
        after=audit.snapshot(entity, ["status", "status_since"]),
        note=note,
    )
    return entity
