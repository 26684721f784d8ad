"""Writes to the market-entity register. Every write goes through here and is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import batched
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from gongkai.core import audit
from gongkai.core.bulk import SecondaryIndexes, copy_rows
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


# The Entity columns a record describes, in one fixed order (attnames; ``updated_at`` comes last).
ENTITY_FIELDS: tuple[str, ...] = (
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
ADDRESS_COLUMNS = (
    "entity_id",
    "kind",
    "position",
    "district_id",
    "full_text",
    "town",
    "village",
    "street",
    "number",
    "normalised",
)
STATUS_COLUMNS = ("entity_id", "from_status", "to_status", "effective_on", "recorded_at")
_STATUS = ENTITY_FIELDS.index("status")
_QUANTUM = Decimal("0.0001")
_SQLITE_NATIVE = frozenset({str, int, float, bool, type(None), bytes})


def _stored_snapshot(row: tuple, addrs: list[list[str]]) -> dict[str, Any]:
    """The audit snapshot of a stored entity (a ``values_list`` row in :data:`ENTITY_FIELDS` order)."""
    values = dict(zip(ENTITY_FIELDS, map(audit.jsonable, row), strict=True))
    if values["registered_capital"] is not None:
        values["registered_capital"] = str(Decimal(values["registered_capital"]).quantize(_QUANTUM))
    values["addresses"] = addrs
    return values


def _address_rows(code: str, addrs: list[tuple[str, str, str]]) -> Iterator[tuple]:
    """Address table rows for (kind, district, cleaned text) triples, in :data:`ADDRESS_COLUMNS` order."""
    for position, (kind, district, text) in enumerate(addrs):
        norm, parts = addresses.split_cleaned(text)
        yield (
            code,
            str(kind),
            position,
            district,
            text[:300],
            parts.town,
            parts.village,
            parts.street,
            parts.number,
            norm[:300],
        )


def entities_upsert(
    *, actor: Any, records: Iterable[EntityRecord], note: str = "", batch_size: int = 5000
) -> UpsertResult:
    """Create or update entities keyed by credit code; unchanged records write nothing.

    Records must already have passed :class:`RecordChecker` and carry distinct credit codes.
    Runs in one transaction: either every record is applied or none. New rows are written as
    plain tuples (``COPY`` on PostgreSQL), with one audit event per created or changed entity
    (:func:`gongkai.core.audit.record_bulk`); the search index learns of them through
    :func:`gongkai.search.services.index_mark_stale` (see docs/imports.md).
    """
    result = UpsertResult()
    writer = _BatchWriter(actor, note)
    indexes: SecondaryIndexes | None = None
    with transaction.atomic():
        for number, chunk in enumerate(batched(records, batch_size)):
            batch = list(chunk)
            if number == 0 and len(batch) == batch_size and _first_load():
                indexes = SecondaryIndexes(_TABLES)
                indexes.drop()
            writer.write(batch, result)
        if indexes is not None:
            indexes.restore()
    return result


_TABLES = (Entity._meta.db_table, Address._meta.db_table, StatusChange._meta.db_table)


def _first_load() -> bool:
    """Whether this is a large load into an empty register on PostgreSQL (then the secondary
    indexes and foreign keys are rebuilt once at the end instead of row by row).

    The tables are locked first, so the register stays empty for everyone else until commit.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {', '.join(_TABLES)} IN ACCESS EXCLUSIVE MODE")
    return not Entity.objects.exists()


class _BatchWriter:
    """Compares a batch of records with the stored rows and writes what differs."""

    def __init__(self, actor: Any, note: str):
        self.actor = actor
        self.note = note
        self.postgresql = connection.vendor == "postgresql"
        now = timezone.now()
        self.now = now if self.postgresql else connection.ops.adapt_datetimefield_value(now)
        self.now_value = now

    def _rows(self, rows: list[tuple]) -> list[tuple]:
        if self.postgresql:
            return rows
        # SQLite: dates and decimals as the text Django stores.
        native = _SQLITE_NATIVE
        return [tuple([v if v.__class__ in native else str(v) for v in row]) for row in rows]

    def write(self, batch: list[EntityRecord], result: UpsertResult) -> None:
        codes = [r.credit_code for r in batch]
        existing = {row[0]: row for row in Entity.objects.filter(pk__in=codes).values_list(*ENTITY_FIELDS)}
        stored_addrs: dict[str, list[list[str]]] = {code: [] for code in existing}
        if existing:
            for entity_id, kind, district_id, text in (
                Address.objects.filter(entity_id__in=list(existing))
                .order_by("entity_id", "position")
                .values_list("entity_id", "kind", "district_id", "full_text")
            ):
                stored_addrs[entity_id].append([kind, district_id, text])

        now = self.now
        note = self.note
        new_entities: list[tuple] = []
        new_addresses: list[tuple] = []
        new_status: list[tuple] = []
        changed: list[Entity] = []
        changed_fields: set[str] = set()
        readdress: list[str] = []
        events: list[audit.EventData] = []
        event = audit.EventData
        for rec in batch:
            code = rec.credit_code
            addrs = rec.address_list()
            values = rec.entity_values()
            snap = rec.snapshot(values, addrs)
            old = existing.get(code)
            if old is None:
                new_entities.append((*values.values(), now))
                new_addresses.extend(_address_rows(code, addrs))
                new_status.append((code, "", rec.status, rec.status_since or rec.established_on, now))
                events.append(
                    event("registry.entity.create", ENTITY_TYPE, code, rec.name[:200], None, snap, note)
                )
                result.created += 1
                continue
            old_snap = _stored_snapshot(old, stored_addrs[code])
            if old_snap == snap:
                result.unchanged += 1
                continue
            before, after = audit.diff(old_snap, snap)
            if old_snap["status"] != snap["status"]:
                new_status.append(
                    (code, old[_STATUS], rec.status, rec.status_since or rec.established_on, now)
                )
            for name, stored, value in zip(ENTITY_FIELDS, old, values.values(), strict=True):
                if audit.jsonable(stored) != audit.jsonable(value):
                    changed_fields.add(name)
            if old_snap["addresses"] != snap["addresses"]:
                readdress.append(code)
                new_addresses.extend(_address_rows(code, addrs))
            changed.append(Entity(**values, updated_at=self.now_value))
            events.append(
                event("registry.entity.update", ENTITY_TYPE, code, rec.name[:200], before, after, note)
            )
            result.updated += 1

        copy_rows(Entity, [*ENTITY_FIELDS, "updated_at"], self._rows(new_entities))
        if changed:
            Entity.objects.bulk_update(changed, sorted(changed_fields | {"updated_at"}))
        if readdress:
            Address.objects.filter(entity_id__in=readdress).delete()
        copy_rows(Address, ADDRESS_COLUMNS, self._rows(new_addresses))
        copy_rows(StatusChange, STATUS_COLUMNS, self._rows(new_status))
        audit.record_bulk(actor=self.actor, events=events)
        if events:
            from gongkai.search.services import index_mark_stale

            index_mark_stale(doc_type="entity", doc_ids=[e.object_id for e in events])


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
