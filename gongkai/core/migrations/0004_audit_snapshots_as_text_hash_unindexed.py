"""Audit snapshots as text on PostgreSQL, and no index on the event hash (ADR 13).

``before``/``after`` become ``text`` on PostgreSQL (the existing ``jsonb`` values are cast to
their text; readers decode either). The unique index on ``hash`` goes: nothing looks an event
up by hash, and each append paid a random insert into it. This rewrites ``core_auditevent`` on
PostgreSQL (an exclusive lock while it runs; see docs/operations.md). On SQLite the table is
re-made, which drops its append-only trigger, so the trigger is put back afterwards.
"""

from django.db import migrations, models

import gongkai.core.models

SQLITE_GUARD = """
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, "core_auditevent is append-only: UPDATE refused"); END;
"""


def _snapshots_as(schema_editor, kind: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'ALTER TABLE "core_auditevent" ALTER COLUMN "before" TYPE {kind} USING "before"::{kind},'
            f' ALTER COLUMN "after" TYPE {kind} USING "after"::{kind}'
        )


def snapshots_as_text(apps, schema_editor):
    _snapshots_as(schema_editor, "text")


def snapshots_as_jsonb(apps, schema_editor):
    _snapshots_as(schema_editor, "jsonb")


def reguard_sqlite(apps, schema_editor):
    """Re-create the SQLite append-only trigger that re-making the table dropped (0002"s)."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_append_only")
        schema_editor.execute(SQLITE_GUARD)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_no_hash_pattern_index"),
    ]

    operations = [
        # Backwards, the AlterField re-makes the SQLite table again: guard it after that.
        migrations.RunPython(migrations.RunPython.noop, reguard_sqlite, elidable=False),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="after",
                    field=gongkai.core.models.JSONTextField(blank=True, null=True, verbose_name="修改后"),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="before",
                    field=gongkai.core.models.JSONTextField(blank=True, null=True, verbose_name="修改前"),
                ),
            ],
            # One rewrite for both columns, with the casts PostgreSQL needs each way.
            database_operations=[migrations.RunPython(snapshots_as_text, snapshots_as_jsonb, elidable=False)],
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(max_length=64, verbose_name="哈希"),
        ),
        migrations.RunPython(reguard_sqlite, migrations.RunPython.noop, elidable=False),
    ]
