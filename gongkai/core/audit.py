"""The append-only, hash-chained audit log.

Every service that writes a domain object calls :func:`record` (or :func:`record_many` for
bulk work) inside its transaction. Each event stores the SHA-256 of the previous event, so any
edit, insertion or deletion inside the chain breaks a link that :func:`verify_chain` reports.

The hash of an event is ``sha256(canonical_json(payload))`` where the payload is::

    {"seq", "at" (ISO 8601, UTC, microseconds), "actor" (user id or null), "actor_name",
     "action", "object_type", "object_id", "object_repr", "before", "after", "note", "prev"}

and canonical JSON sorts keys, uses no whitespace and keeps non-ASCII characters as UTF-8.

Bulk writers (imports) use :func:`record_bulk`: the same events and the same chain, but the
canonical text is assembled field by field from a shared encoder (a test checks it is byte for
byte what :func:`event_hash` hashes) and the rows go in through ``COPY`` on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from gongkai.core.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64


def jsonable(value: Any) -> Any:
    """Turn a model field value into the JSON value stored (and hashed) in an audit event."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, models.Model):
        return jsonable(value.pk)
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` (foreign keys by their id), for before/after."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: jsonable(getattr(instance, name)) for name in names}


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> tuple[dict, dict]:
    """Only the fields that changed, as (before, after)."""
    before = before or {}
    after = after or {}
    keys = [k for k in {**before, **after} if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys if k in before}, {k: after.get(k) for k in keys if k in after}


def canonical(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# One encoder with the canonical options: ``json.dumps`` with options builds a new one per call.
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
canonical_text = _ENCODER.encode
# What _ENCODER writes for a str (ensure_ascii=False): the C escaper when there is one.
_escape = json.encoder.encode_basestring


def _utc_iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(event: AuditEvent | EventData, prev_hash: str) -> str:
    payload = {
        "seq": event.seq,
        "at": _utc_iso(event.at) if event.at else None,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "note": event.note,
        "prev": prev_hash,
    }
    return hashlib.sha256(canonical(payload)).hexdigest()


@dataclass
class EventData:
    """An event before it is chained: what :func:`record_many` takes."""

    action: str
    object_type: str
    object_id: str
    object_repr: str = ""
    before: Any = None
    after: Any = None
    note: str = ""
    seq: int = 0
    at: dt.datetime | None = None
    actor_id: int | None = None
    actor_name: str = ""
    # canonical_text(after), for a bulk writer that assembles it itself (only prepare_events reads
    # it, instead of encoding ``after``; a test per writer checks the two agree).
    after_json: str | None = None


def actor_label(actor: Any) -> tuple[int | None, str]:
    """(user id, name) for a user, or (None, label) for a system actor given as a string."""
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        return None, actor
    return actor.pk, actor.get_username()


def object_label(obj: models.Model) -> str:
    return obj._meta.label_lower


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: Any = None,
    after: Any = None,
    note: str = "",
) -> AuditEvent:
    """Append one event. Must run inside the caller's transaction."""
    if obj is not None:
        object_type = object_type or object_label(obj)
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    data = EventData(
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        before=jsonable(before),
        after=jsonable(after),
        note=note,
    )
    return record_many(actor=actor, events=[data])[0]


def record_many(*, actor: Any, events: list[EventData], at: dt.datetime | None = None) -> list[AuditEvent]:
    """Append many events in order, chained, in one statement batch. Must run inside a transaction."""
    if not events:
        return []
    rows = []
    for data, row in zip(events, _chained_rows(actor, events, at), strict=True):
        obj = AuditEvent(**dict(zip(_COLUMNS, row, strict=True)))
        obj.before, obj.after = data.before, data.after  # the values, not their JSON text
        rows.append(obj)
    AuditEvent.objects.bulk_create(rows, batch_size=2000)
    _move_head(rows[-1].seq, rows[-1].hash)
    return rows


def record_bulk(*, actor: Any, events: Iterable[EventData], at: dt.datetime | None = None) -> int:
    """Append many events like :func:`record_many`, without building model instances.

    For imports of up to millions of objects: ``COPY`` on PostgreSQL, one ``executemany``
    elsewhere. Returns how many events were appended. Must run inside a transaction.
    """
    _require_transaction()
    actor_id, name = actor_label(actor)
    prepared = prepare_events(
        events, actor_id=actor_id, actor_name=name, at=at or timezone.now(), copy=uses_postgresql()
    )
    return append_prepared(prepared)


@dataclass
class PreparedEvents:
    """Events made ready for the chain away from the database (a bulk writer's worker process).

    Per event: ``heads`` holds the UTF-8 canonical text hashed for it up to the previous hash
    (``"prev"`` and ``"seq"`` sort last), ``rows`` its stored columns up to ``seq`` — a line
    of ``COPY`` text without its end (``copy``) or a tuple. :func:`append_prepared` adds the
    sequence number and the hashes.
    """

    heads: list[bytes]
    rows: list[Any]
    copy: bool

    def __len__(self) -> int:
        return len(self.heads)


# The stored columns in the order of PreparedEvents rows; the chain adds the last three.
_PREPARED_COLUMNS = (
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "note",
    "seq",
    "prev_hash",
    "hash",
)
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_NULL = "\\N"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_cell(text: str) -> str:
    """``text`` as a cell of ``COPY``'s text format."""
    return text.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(text) else text


def prepare_events(
    events: Iterable[EventData], *, actor_id: int | None, actor_name: str, at: dt.datetime, copy: bool
) -> PreparedEvents:
    """Encode ``events`` (all by one actor at one time) for :func:`append_prepared`.

    Pure computation (no database), so a bulk writer may run it in a worker process. The text
    hashed is assembled from the payload's fields in sorted-key order, which is what
    :func:`canonical` produces for the payload of :func:`event_hash` (a test checks it).
    """
    encode, string, cell, text = canonical_text, _json_string, _copy_cell, _text_json
    fixed = f',"actor":{encode(actor_id)},"actor_name":{encode(actor_name)},"after":'
    at_text = f',"at":{encode(_utc_iso(at))},"before":'
    row_start = f"{at.isoformat()}\t{'\\N' if actor_id is None else actor_id}\t{cell(actor_name)}\t"
    heads: list[bytes] = []
    rows: list[Any] = []
    for data in events:
        before = None if data.before is None else encode(data.before)
        after = data.after_json
        if after is None and data.after is not None:
            after = encode(data.after)
        heads.append(
            (
                f'{{"action":{string(data.action)}{fixed}{after or "null"}{at_text}{before or "null"}'
                f',"note":{string(data.note)},"object_id":{text(data.object_id)}'
                f',"object_repr":{text(data.object_repr)},"object_type":{string(data.object_type)},"prev":"'
            ).encode()
        )
        if copy:
            cells = (
                data.action,
                data.object_type,
                data.object_id,
                data.object_repr,
                before,
                after,
                data.note,
            )
            line = "\t".join([_NULL if c is None else c for c in cells])
            # One look at the whole line; only a line with a special character is rebuilt escaped.
            nulls = (before is None) + (after is None)
            if line.count("\\") != nulls or line.count("\t") != 6 or "\n" in line or "\r" in line:
                line = "\t".join([_NULL if c is None else cell(c) for c in cells])
            rows.append(f"{row_start}{line}\t".encode())
        else:
            row = (at, actor_id, actor_name, data.action, data.object_type, data.object_id)
            rows.append((*row, data.object_repr, before, after, data.note))
    return PreparedEvents(heads, rows, copy)


def chain_prepared(prepared: PreparedEvents, *, seq: int, prev: str) -> tuple[Any, int, str]:
    """Number and hash ``prepared`` after event ``seq`` whose hash is ``prev``.

    Returns the rows to store (``COPY`` text, or tuples in :data:`_PREPARED_COLUMNS` order), the
    last sequence number and the last hash.
    """
    sha256 = hashlib.sha256
    out: list[Any] = []
    append = out.append
    if prepared.copy:
        for head, row in zip(prepared.heads, prepared.rows, strict=True):
            seq += 1
            digest = sha256(head + f'{prev}","seq":{seq}}}'.encode()).hexdigest()
            append(row + f"{seq}\t{prev}\t{digest}\n".encode())
            prev = digest
        return b"".join(out), seq, prev
    for head, row in zip(prepared.heads, prepared.rows, strict=True):
        seq += 1
        digest = sha256(head + f'{prev}","seq":{seq}}}'.encode()).hexdigest()
        append((*row, seq, prev, digest))
        prev = digest
    return out, seq, prev


def append_prepared(prepared: PreparedEvents) -> int:
    """Chain ``prepared`` after the head and store it. Must run inside a transaction."""
    from gongkai.core.bulk import copy_payload, copy_rows

    if not len(prepared):
        return 0
    _require_transaction()
    head = _lock_head()
    rows, seq, last = chain_prepared(prepared, seq=head.last_seq, prev=head.last_hash)
    if prepared.copy:
        copy_payload(AuditEvent, _PREPARED_COLUMNS, rows)
    else:
        adapt = connection.ops.adapt_datetimefield_value
        stored_at = adapt(rows[0][0])
        copy_rows(AuditEvent, _PREPARED_COLUMNS, [(stored_at, *r[1:]) for r in rows])
    _move_head(seq, last)
    return len(prepared)


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit events must be recorded inside the transaction that makes the change")


_STRINGS: dict[str, str] = {}


def _text_json(value: Any) -> str:
    """``canonical_text(value)``; a string (the usual case) goes straight to the C escaper, which is
    what the encoder calls for it."""
    return _escape(value) if isinstance(value, str) else canonical_text(value)


def _json_string(text: str) -> str:
    """``canonical_text(text)`` for a string, memoised for the few strings that repeat."""
    if len(text) <= 64:
        cached = _STRINGS.get(text)
        if cached is None:
            if len(_STRINGS) > 4096:
                _STRINGS.clear()
            cached = _STRINGS[text] = canonical_text(text)
        return cached
    return canonical_text(text)


def _chained_rows(actor: Any, events: list[EventData], at: dt.datetime | None) -> list[tuple]:
    """Lock the head and chain ``events`` after it: one row per event, in :data:`_COLUMNS` order,
    with ``before`` and ``after`` as canonical JSON text (or None). The hashed text is that of
    :func:`prepare_events`, so both ways of recording build it in one place."""
    _require_transaction()
    actor_id, name = actor_label(actor)
    at = at or timezone.now()
    head = _lock_head()
    prepared = prepare_events(events, actor_id=actor_id, actor_name=name, at=at, copy=False)
    chained, _, _ = chain_prepared(prepared, seq=head.last_seq, prev=head.last_hash)
    rows = []
    for data, row in zip(events, chained, strict=True):
        data.seq, data.at, data.actor_id, data.actor_name = row[10], at, actor_id, name
        rows.append((row[10], *row[:10], row[11], row[12]))  # _PREPARED_COLUMNS → _COLUMNS
    return rows


# The stored columns in the order of _chained_rows' rows: the sequence number first.
_COLUMNS = ("seq", *(c for c in _PREPARED_COLUMNS if c != "seq"))


def _move_head(seq: int, last_hash: str) -> None:
    AuditChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=last_hash)


def _lock_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.get_or_create(pk=1, defaults={"last_seq": 0, "last_hash": GENESIS_HASH})
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def _iter_events(batch: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        chunk = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def verify_chain() -> ChainReport:
    """Recompute every link; report the first event whose stored hash or link does not hold."""
    prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for event in _iter_events():
        if event.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"事件 #{expected_seq} 缺失（下一条是 #{event.seq}）")
        if event.prev_hash != prev:
            return ChainReport(
                checked, event.seq, f"事件 #{event.seq} 记录的上一条哈希与事件 #{event.seq - 1} 不符"
            )
        if event_hash(event, prev) != event.hash:
            return ChainReport(checked, event.seq, f"事件 #{event.seq} 的内容与其哈希不符（已被修改）")
        prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != checked or head.last_hash != prev):
        return ChainReport(
            checked,
            checked + 1,
            f"链尾不符：记录的最后一条为 #{head.last_seq}，实际最后一条为 #{checked}（末尾事件被删除）",
        )
    return ChainReport(checked)


def history(obj: models.Model | None = None, *, object_type: str = "", object_id: str = ""):
    """Selector: every event about one object, oldest first."""
    if obj is not None:
        object_type, object_id = object_label(obj), str(obj.pk)
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id).select_related("actor")


def uses_postgresql() -> bool:
    return connection.vendor == "postgresql"
