"""Migration ``core/0004`` (ADR 13) on a database that already holds a chain: the snapshots stored as
``jsonb`` become text, the chain still verifies, and the append-only guard survives both ways."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from gongkai.core import audit
from gongkai.core.models import AuditEvent
from gongkai.core.tests.schema import migrate, migrate_to_latest, refused

BEFORE = [("core", "0003_audit_no_hash_pattern_index")]


def _snapshot_type() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT data_type FROM information_schema.columns"
                " WHERE table_name = 'core_auditevent' AND column_name = 'after'"
            )
            return cursor.fetchone()[0]
    return "text"


def _update_refused() -> bool:
    return refused(lambda: AuditEvent.objects.filter(seq=1).update(note="forged"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_snapshots_survive_0004_and_the_chain_still_verifies():
    snapshot = {
        "名称": "食品",
        "capital": "12.5000",
        "list": [1, "二", None],
        "nested": {"b": True, "a": 1.5},
    }
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:  # events written the way 0003's schema stored them
            hashes = []
            prev = audit.GENESIS_HASH
            for seq in (1, 2):
                data = audit.EventData("t.change", "t.thing", str(seq), "物", None, snapshot, "")
                data.seq, data.at, data.actor_id, data.actor_name = seq, timezone.now(), None, "test"
                digest = audit.event_hash(data, prev)
                cursor.execute(
                    "INSERT INTO core_auditevent (seq, at, actor_name, action, object_type, object_id,"
                    " object_repr, before, after, note, prev_hash, hash)"
                    " VALUES (%s, %s, 'test', 't.change', 't.thing', %s, '物', NULL, %s, '', %s, %s)",
                    [seq, data.at, str(seq), audit.canonical(snapshot).decode(), prev, digest],
                )
                hashes.append(digest)
                prev = digest
            cursor.execute("UPDATE core_auditchainhead SET last_seq = 2, last_hash = %s WHERE id = 1", [prev])
        if connection.vendor == "postgresql":
            assert _snapshot_type() == "jsonb"
    finally:
        migrate_to_latest()
    assert _snapshot_type() == "text"
    assert [e.after for e in AuditEvent.objects.order_by("seq")] == [snapshot, snapshot]
    assert audit.verify_chain().ok and audit.verify_chain().checked == 2
    assert _update_refused()
    # And back: the snapshots become jsonb again, still the same values, still guarded.
    migrate(BEFORE)
    try:
        if connection.vendor == "postgresql":
            assert _snapshot_type() == "jsonb"
        assert audit.verify_chain().ok
        assert _update_refused()
    finally:
        migrate_to_latest()
