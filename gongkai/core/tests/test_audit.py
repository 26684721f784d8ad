import datetime as dt
from unittest.mock import patch

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.core import audit
from gongkai.core.models import AuditChainHead, AuditEvent, District


def _events(n):
    with transaction.atomic():
        for i in range(n):
            audit.record(
                actor="test",
                action="thing.change",
                object_type="test.thing",
                object_id=str(i),
                before={"v": i},
                after={"v": i + 1, "名称": "食品"},
            )


@pytest.mark.django_db
def test_chain_links_each_event_to_the_previous():
    _events(3)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == audit.GENESIS_HASH
    assert events[1].prev_hash == events[0].hash and events[2].prev_hash == events[1].hash
    assert audit.verify_chain().ok
    assert audit.verify_chain().checked == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit.record(actor="test", action="x", object_type="t", object_id="1")


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Simulate an insider with table-owner rights switching the guard off.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only")
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_update_is_refused_by_the_database():
    _events(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(action="forged")


@pytest.mark.django_db
@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="SQLite keeps DELETE for the test runner's flush"
)
def test_delete_is_refused_by_postgresql():
    _events(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=1).delete()


@pytest.mark.django_db
def test_edited_content_is_reported_at_the_edited_event(capsys):
    _events(5)
    _raw("UPDATE core_auditevent SET after = %s WHERE seq = 3", ['{"v": 999}'])
    report = audit.verify_chain()
    assert report.broken_at == 3 and "已被修改" in report.reason
    with pytest.raises(SystemExit) as exc:
        call_command("verify_audit")
    assert exc.value.code == 1
    assert "#3" in capsys.readouterr().out


@pytest.mark.django_db
def test_deleted_middle_event_is_reported():
    _events(5)
    _raw("DELETE FROM core_auditevent WHERE seq = 2")
    report = audit.verify_chain()
    assert report.broken_at == 2 and "缺失" in report.reason


@pytest.mark.django_db
def test_deleted_tail_is_reported_through_the_head():
    _events(4)
    _raw("DELETE FROM core_auditevent WHERE seq = 4")
    report = audit.verify_chain()
    assert not report.ok and "链尾" in report.reason


@pytest.mark.django_db
def test_rehashed_forgery_breaks_the_next_link():
    _events(4)
    forged = AuditEvent.objects.get(seq=2)
    forged.action = "forged"
    new_hash = audit.event_hash(forged, forged.prev_hash)
    _raw("UPDATE core_auditevent SET action = 'forged', hash = %s WHERE seq = 2", [new_hash])
    report = audit.verify_chain()
    assert report.broken_at == 3


@pytest.mark.django_db
def test_verify_audit_command_reports_ok(capsys):
    _events(2)
    call_command("verify_audit")
    assert "共校验 2 条" in capsys.readouterr().out


@pytest.mark.django_db
def test_history_returns_events_of_one_object_in_order():
    district = District.objects.get(code="371502")
    with transaction.atomic():
        audit.record(actor="a", action="x.one", obj=district, after={"n": 1})
        audit.record(actor="b", action="x.two", obj=district, before={"n": 1}, after={"n": 2})
        audit.record(actor="c", action="x.other", object_type="core.district", object_id="371503")
    assert [e.action for e in audit.history(district)] == ["x.one", "x.two"]


def test_diff_keeps_only_changed_fields():
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == ({"b": 2}, {"b": 3, "c": 4})


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)


@given(
    action=_TEXT,
    object_id=_TEXT,
    object_repr=_TEXT,
    note=_TEXT,
    before=_JSON,
    after=_JSON,
    actor=st.none() | _TEXT,
)
@settings(max_examples=200)
def test_bulk_chain_text_is_the_canonical_payload(action, object_id, object_repr, note, before, after, actor):
    """record_bulk assembles the hashed text field by field; it must be what event_hash hashes."""
    at = dt.datetime(2025, 6, 30, 1, 2, 3, 456789, tzinfo=dt.UTC)
    events = [
        audit.EventData(action, "t.thing", object_id, object_repr, before, after, note) for _ in range(2)
    ]
    head = AuditChainHead(last_seq=41, last_hash="ab" * 32)
    with (
        patch.object(audit, "_lock_head", return_value=head),
        patch.object(transaction, "get_connection") as conn,
    ):
        conn.return_value.in_atomic_block = True
        rows = audit._chained_rows(actor, events, at)
    prev = head.last_hash
    for data, row in zip(events, rows, strict=True):
        assert row[-2] == prev
        assert row[-1] == audit.event_hash(data, prev)
        assert row[8] == (None if before is None else audit.canonical_text(before))
        prev = row[-1]


def _copy_cells(line: bytes) -> list[str | None]:
    """A line of COPY text back into its values (PostgreSQL's text-format rules)."""
    unescape = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
    cells: list[str | None] = []
    for cell in line.decode().removesuffix("\n").split("\t"):
        if cell == "\\N":
            cells.append(None)
            continue
        out, chars = [], iter(cell)
        for c in chars:
            out.append(unescape[next(chars)] if c == "\\" else c)
        cells.append("".join(out))
    return cells


@given(
    action=_TEXT,
    object_id=_TEXT,
    object_repr=_TEXT,
    note=_TEXT,
    before=_JSON,
    after=_JSON,
    actor=st.none() | _TEXT,
)
@settings(max_examples=200)
def test_prepared_copy_text_is_the_canonical_payload_and_the_stored_values(
    action, object_id, object_repr, note, before, after, actor
):
    """Events prepared away from the database (an import's worker) and chained later: the text
    hashed is byte for byte what event_hash hashes, and the COPY line holds exactly the values."""
    at = dt.datetime(2025, 6, 30, 1, 2, 3, 456789, tzinfo=dt.UTC)
    actor_id, name = audit.actor_label(actor)
    events = [
        audit.EventData(action, "t.thing", object_id, object_repr, before, after, note) for _ in range(2)
    ]
    prepared = audit.prepare_events(events, actor_id=actor_id, actor_name=name, at=at, copy=True)
    payload, last_seq, last_hash = audit.chain_prepared(prepared, seq=41, prev="ab" * 32)
    lines = payload.splitlines(keepends=True)
    assert len(lines) == 2 and last_seq == 43
    prev = "ab" * 32
    for seq, (data, head, line) in enumerate(zip(events, prepared.heads, lines, strict=True), start=42):
        data.seq, data.at, data.actor_id, data.actor_name = seq, at, actor_id, name
        payload_text = audit.canonical(
            {
                "seq": seq,
                "at": "2025-06-30T01:02:03.456789Z",
                "actor": actor_id,
                "actor_name": name,
                "action": action,
                "object_type": "t.thing",
                "object_id": object_id,
                "object_repr": object_repr,
                "before": before,
                "after": after,
                "note": note,
                "prev": prev,
            }
        )
        assert head + f'{prev}","seq":{seq}}}'.encode() == payload_text
        digest = audit.event_hash(data, prev)
        json_or_none = lambda v: None if v is None else audit.canonical_text(v)  # noqa: E731
        assert _copy_cells(line) == [
            at.isoformat(),
            None,
            name,
            action,
            "t.thing",
            object_id,
            object_repr,
            json_or_none(before),
            json_or_none(after),
            note,
            str(seq),
            prev,
            digest,
        ]
        prev = digest
    assert last_hash == prev


@pytest.mark.django_db
def test_bulk_and_plain_recording_make_one_chain():
    _events(2)
    with transaction.atomic():
        n = audit.record_bulk(
            actor="import",
            events=[
                audit.EventData(
                    "thing.create", "test.thing", str(i), f"物{i}", None, {"名称": f"物{i}", "n": i}
                )
                for i in range(300)
            ],
        )
    _events(1)
    assert n == 300
    assert audit.verify_chain().checked == 303
    event = AuditEvent.objects.get(seq=3)
    assert event.before is None and event.after == {"名称": "物0", "n": 0}
    assert AuditChainHead.objects.get().last_seq == 303


@pytest.mark.django_db
def test_snapshots_are_stored_as_the_canonical_text_that_was_hashed():
    """``before``/``after`` are text columns holding canonical JSON (ADR 13), whichever way the
    event was written (one by one, or in bulk through COPY), and read back as values."""
    snapshot = {"名称": "食品", "n": 1, "list": [1, "二"], "nested": {"b": None, "a": True}}
    with transaction.atomic():
        audit.record(actor="t", action="a", object_type="t.x", object_id="1", before=None, after=snapshot)
        audit.record_bulk(actor="t", events=[audit.EventData("a", "t.x", "2", "", snapshot, snapshot)])
    with connection.cursor() as cursor:
        cursor.execute("SELECT before, after FROM core_auditevent ORDER BY seq")
        stored = cursor.fetchall()
    text = audit.canonical_text(snapshot)
    assert stored == [(None, text), (text, text)]
    assert [(e.before, e.after) for e in AuditEvent.objects.order_by("seq")] == [
        (None, snapshot),
        (snapshot, snapshot),
    ]
    assert audit.verify_chain().ok
