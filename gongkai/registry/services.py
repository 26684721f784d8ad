"""Writes to the market-entity register. Every write goes through here and is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import batched
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from gongkai.core import audit
from gongkai.core.bulk import NotPlainError, SecondaryIndexes, copy_payload, copy_rows, copy_text
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


Stored = tuple[tuple, list[list[str]]]


def stored_entities(codes: Sequence[str]) -> dict[str, Stored]:
    """The stored rows (in :data:`ENTITY_FIELDS` order) and addresses ([kind, district, text] in
    position order) of those of ``codes`` that are in the register."""
    if not codes:
        return {}
    # __any: the codes as one array parameter, not thousands of placeholders (core.lookups).
    rows = Entity.objects.filter(pk__any=list(codes)).values_list(*ENTITY_FIELDS)
    stored: dict[str, Stored] = {row[0]: (row, []) for row in rows}
    if stored:
        for entity_id, kind, district_id, text in (
            Address.objects.filter(entity_id__any=list(stored))
            .order_by("entity_id", "position")
            .values_list("entity_id", "kind", "district_id", "full_text")
        ):
            stored[entity_id][1].append([kind, district_id, text])
    return stored


def hosted_count(code: str) -> int:
    """How many entities the register has under cluster host ``code``."""
    return Entity.objects.filter(cluster_host_id=code).count()


def _stored_snapshot(row: tuple, addrs: list[list[str]]) -> dict[str, Any]:
    """The audit snapshot of a stored entity (a ``values_list`` row in :data:`ENTITY_FIELDS` order)."""
    values = dict(zip(ENTITY_FIELDS, map(audit.jsonable, row), strict=True))
    if values["registered_capital"] is not None:
        values["registered_capital"] = str(Decimal(values["registered_capital"]).quantize(_QUANTUM))
    values["addresses"] = addrs
    return values


def _address_rows(code: str, addrs: list[tuple[str, str, str]]) -> Iterator[tuple]:
    """Address table rows for (kind, district, cleaned text) triples, in :data:`ADDRESS_COLUMNS` order."""
    split = addresses.split_cleaned_fields
    for position, (kind, district, text) in enumerate(addrs):
        norm, town, village, street, number = split(text)
        yield (code, str(kind), position, district, text[:300], town, village, street, number, norm[:300])


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
    with transaction.atomic():
        writer = EntityWriter(actor=actor, note=note, batch_size=batch_size)
        for number, chunk in enumerate(batched(records, batch_size)):
            batch = list(chunk)
            if number == 0 and len(batch) == batch_size:
                writer.claim_if_empty()
            stored = {} if writer.empty else stored_entities([r.credit_code for r in batch])
            writer.write(writer.encoder.encode(batch, stored))
        writer.finish()
    return writer.result


_TABLES = (Entity._meta.db_table, Address._meta.db_table, StatusChange._meta.db_table)
# Kept while a first load writes: their entries arrive in order (ids from a sequence; a handful of
# statuses × districts, or a host that is nearly always empty, where equal keys go in heap order),
# so maintaining them costs an append per row, while the writer's other core has time to spare.

_KEPT_DURING_LOAD = (
    f"{Address._meta.db_table}_pkey",
    f"{StatusChange._meta.db_table}_pkey",
    "entity_status_district_idx",
    "entity_cluster_host_idx",
)


@dataclass
class EncodedBatch:
    """What one batch of records writes, computed without the database (see :class:`BatchEncoder`).

    Row sets are ``COPY`` text (PostgreSQL) or lists of tuples; ``changed`` holds the field
    values of the changed entities (by attname).
    """

    records: int
    created: int
    updated: int
    unchanged: int
    entities: bytes | list[tuple]
    addresses: bytes | list[tuple]
    status: bytes | list[tuple]
    changed: list[dict[str, Any]]
    changed_fields: list[str]
    readdress: list[str]
    events: audit.PreparedEvents
    stale: list[str]


class BatchEncoder:
    """Compares checked records with their stored rows and encodes what differs.

    Pure computation: it needs neither the database nor Django's connection, so an import may
    run it in a worker process while the main process writes the previous batch.
    """

    def __init__(self, *, actor_id: int | None, actor_name: str, note: str, now: Any, copy: bool):
        self.actor_id = actor_id
        self.actor_name = actor_name
        self.note = note
        self.now = now  # updated_at / recorded_at, in the form the rows carry
        self.copy = copy

    def _rows(self, rows: list[tuple]) -> bytes | list[tuple]:
        if self.copy:
            try:
                return copy_text(rows) if rows else b""
            except NotPlainError:
                return rows
        # SQLite: dates and decimals as the text Django stores.
        native = _SQLITE_NATIVE
        return [tuple([v if v.__class__ in native else str(v) for v in row]) for row in rows]

    def encode(self, batch: list[EntityRecord], stored: dict[str, Stored]) -> EncodedBatch:
        if self.copy:
            try:
                return self._encode(batch, stored, lines=True)
            except NotPlainError:  # a value COPY cannot take as text: the driver adapts the rows
                pass
        return self._encode(batch, stored, lines=False)

    def _encode(self, batch: list[EntityRecord], stored: dict[str, Stored], *, lines: bool) -> EncodedBatch:
        """``lines``: build each row's ``COPY`` line directly (:func:`_entity_line`…) instead of
        tuples for :func:`~gongkai.core.bulk.copy_text`; the bytes are the same."""
        now = self.now
        note = self.note
        created = updated = unchanged = 0
        new_entities: list[Any] = []
        new_addresses: list[Any] = []
        new_status: list[Any] = []
        changed: list[dict[str, Any]] = []
        changed_fields: set[str] = set()
        readdress: list[str] = []
        events: list[audit.EventData] = []
        event = audit.EventData
        address_rows = _address_lines if lines else _address_rows
        for rec in batch:
            code = rec.credit_code
            addrs = rec.address_list()
            old = stored.get(code)
            if old is None:
                if lines:
                    new_entities.append(_entity_line(rec, now))
                    new_status.append(_status_line(rec, now))
                else:
                    new_entities.append((*rec.entity_values().values(), now))
                    new_status.append((code, "", rec.status, rec.status_since or rec.established_on, now))
                new_addresses.extend(address_rows(code, addrs))
                events.append(
                    event(
                        "registry.entity.create",
                        ENTITY_TYPE,
                        code,
                        rec.name[:200],
                        note=note,
                        after_json=rec.snapshot_json(addrs),
                    )
                )
                created += 1
                continue
            values = rec.entity_values()
            snap = rec.snapshot(values, addrs)
            old_row, old_addrs = old
            old_snap = _stored_snapshot(old_row, old_addrs)
            if old_snap == snap:
                unchanged += 1
                continue
            before, after = audit.diff(old_snap, snap)
            if old_snap["status"] != snap["status"]:
                row = (code, old_row[_STATUS], rec.status, rec.status_since or rec.established_on, now)
                new_status.append(_line(row) if lines else row)
            for name, was, value in zip(ENTITY_FIELDS, old_row, values.values(), strict=True):
                if audit.jsonable(was) != audit.jsonable(value):
                    changed_fields.add(name)
            if old_snap["addresses"] != snap["addresses"]:
                readdress.append(code)
                new_addresses.extend(address_rows(code, addrs))
            changed.append(values)
            events.append(
                event("registry.entity.update", ENTITY_TYPE, code, rec.name[:200], before, after, note)
            )
            updated += 1
        prepared = audit.prepare_events(
            events, actor_id=self.actor_id, actor_name=self.actor_name, at=timezone.now(), copy=self.copy
        )
        rows = _lines_text if lines else self._rows
        return EncodedBatch(
            records=len(batch),
            created=created,
            updated=updated,
            unchanged=unchanged,
            entities=rows(new_entities),
            addresses=rows(new_addresses),
            status=rows(new_status),
            changed=changed,
            changed_fields=sorted(changed_fields),
            readdress=readdress,
            events=prepared,
            stale=[e.object_id for e in events],
        )


# --- COPY lines of new rows, assembled directly --------------------------------------------------
# Each gives what copy_text() gives for the row the tuple path builds (without the line's end), or
# passes that tuple to copy_text() when a value is not of the usual type or holds a character
# COPY escapes. Text cells are joined as they are: the str subclasses records hold are the
# choices' TextChoices members, whose text is their value, as str() gives it. A test compares
# both ways on tricky records.

_PLAIN = frozenset({int, dt.date, dt.datetime, Decimal})  # core.bulk: str() is COPY's text form
_N = "\\N"


def _line(row: tuple) -> str:
    """``row`` as a line of COPY text, without its end (:class:`NotPlainError` for odd values)."""
    return copy_text([row])[:-1].decode()


def _lines_text(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode() if lines else b""


def _entity_line(rec: EntityRecord, now: str) -> str:
    """The Entity row of a new record, :data:`ENTITY_FIELDS` then ``updated_at``."""
    capital, established, since = rec.registered_capital, rec.established_on, rec.status_since
    risk_date, host, host_code = rec.credit_risk_date, rec.is_cluster_host, rec.cluster_host_code
    plain = _PLAIN
    if not (
        established.__class__ in plain
        and (capital is None or capital.__class__ in plain)
        and (since is None or since.__class__ in plain)
        and (risk_date is None or risk_date.__class__ in plain)
        and host.__class__ is bool
    ):
        return _line((*rec.entity_values().values(), now))
    try:
        line = "\t".join(
            (
                rec.credit_code,
                rec.name,
                rec.entity_type,
                rec.legal_representative,
                _N if capital is None else str(capital),
                str(established),
                rec.status,
                _N if since is None else str(since),
                rec.industry_section,
                rec.industry_division,
                rec.registration_authority,
                rec.district_code,
                rec.contact_name,
                rec.contact_phone,
                rec.credit_risk_class,
                _N if risk_date is None else str(risk_date),
                "t" if host else "f",
                host_code or _N,
                now,
            )
        )
    except TypeError:  # a text field holding something else
        return _line((*rec.entity_values().values(), now))
    nulls = (capital is None) + (since is None) + (risk_date is None) + (not host_code)
    if line.count("\\") != nulls or line.count("\t") != 18 or "\n" in line or "\r" in line:
        return _line((*rec.entity_values().values(), now))
    return line


def _status_line(rec: EntityRecord, now: str) -> str:
    """The first StatusChange row of a new record (:data:`STATUS_COLUMNS`)."""
    code, status, since = rec.credit_code, rec.status, rec.status_since or rec.established_on
    if since.__class__ in _PLAIN:
        try:
            line = "\t".join((code, "", status, str(since), now))
        except TypeError:
            pass
        else:
            if line.count("\t") == 4 and "\\" not in line and "\n" not in line and "\r" not in line:
                return line
    return _line((code, "", status, since, now))


def _address_lines(code: str, addrs: list[tuple[str, str, str]]) -> list[str]:
    """:func:`_address_rows` as COPY lines."""
    split = addresses.split_cleaned_fields
    out = []
    for position, (kind, district, text) in enumerate(addrs):
        norm, town, village, street, number = split(text)
        row = (code, kind, str(position), district, text[:300], town, village, street, number, norm[:300])
        try:
            line = "\t".join(row)
        except TypeError:  # a district that is not text
            line = None
        if line is None or line.count("\t") != 9 or "\\" in line or "\n" in line or "\r" in line:
            line = _line((code, str(kind), position, *row[3:]))
        out.append(line)
    return out


class EntityWriter:
    """Writes encoded batches inside the caller's transaction: the database half of an upsert.

    A first large load into an empty register on PostgreSQL (:meth:`claim_if_empty`, then a first
    batch of at least ``first_load_min`` records) drops the tables' indexes, keys and foreign keys
    (also those of other tables that point at the register, which stay locked until commit) and
    :meth:`finish` rebuilds them (see :class:`~gongkai.core.bulk.SecondaryIndexes`).
    """

    def __init__(self, *, actor: Any, note: str, batch_size: int = 5000):
        self.postgresql = connection.vendor == "postgresql"
        self.batch_size = batch_size
        self.first_load_min = batch_size  # records in the first batch that make a large first load
        self.result = UpsertResult()
        self.empty = False
        self.indexes: SecondaryIndexes | None = None
        self.batches = 0
        now = timezone.now()
        self.now = now
        actor_id, actor_name = audit.actor_label(actor)
        self.encoder = BatchEncoder(
            actor_id=actor_id,
            actor_name=actor_name,
            note=note,
            # COPY text (PostgreSQL parses it) or what Django stores in SQLite: adapted once.
            now=str(now) if self.postgresql else connection.ops.adapt_datetimefield_value(now),
            copy=self.postgresql,
        )

    def claim_if_empty(self) -> bool:
        """Whether the register is empty; on PostgreSQL an empty register is then locked (ACCESS
        EXCLUSIVE, until commit) so it stays empty for everyone else while this load runs."""
        if Entity.objects.exists():
            return False
        if self.postgresql:
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {', '.join(_TABLES)} IN ACCESS EXCLUSIVE MODE")
            if Entity.objects.exists():
                return False
        self.empty = True
        return True

    def write(self, batch: EncodedBatch) -> None:
        if self.batches == 0 and self.empty and self.postgresql and batch.records >= self.first_load_min:
            # Keys too: the tables were empty and are locked, and a repeated credit code still
            # fails (the import refuses it as a row; anything else when the key is rebuilt).
            self.indexes = SecondaryIndexes(_TABLES, keys=True, keep=_KEPT_DURING_LOAD)
            self.indexes.drop()
        self.batches += 1
        result = self.result
        result.created += batch.created
        result.updated += batch.updated
        result.unchanged += batch.unchanged
        _copy(Entity, [*ENTITY_FIELDS, "updated_at"], batch.entities)
        if batch.changed:
            now = self.now
            Entity.objects.bulk_update(
                [Entity(**values, updated_at=now) for values in batch.changed],
                [*batch.changed_fields, "updated_at"],
            )
        if batch.readdress:
            Address.objects.filter(entity_id__in=batch.readdress).delete()
        _copy(Address, ADDRESS_COLUMNS, batch.addresses)
        _copy(StatusChange, STATUS_COLUMNS, batch.status)
        audit.append_prepared(batch.events)
        if batch.stale:
            from gongkai.search.services import index_mark_stale

            index_mark_stale(doc_type="entity", doc_ids=batch.stale)

    def finish(self) -> None:
        if self.indexes is not None:
            self.indexes.restore()
            self.indexes = None


def _copy(model: type[Any], columns: Sequence[str], rows: bytes | list[tuple]) -> None:
    if isinstance(rows, bytes):
        copy_payload(model, columns, rows)
    else:
        copy_rows(model, columns, rows)


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
