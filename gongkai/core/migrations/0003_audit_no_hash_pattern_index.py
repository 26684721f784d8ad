"""Drop the text-pattern copy of the audit hash index: no query looks a hash up by prefix.

Django makes a ``varchar_pattern_ops`` index (``…_like``) for every unique CharField on
PostgreSQL; for ``hash`` it only served ``LIKE 'abc%'`` lookups, which nothing runs (the chain is
verified by sequence number, events are found by object). Each appended event paid for it with a
second insert at a random place in a large index. The unique index on ``hash`` stays. Other
databases have no such index.
"""

from django.db import migrations

INDEX = "core_auditevent_hash_f08202aa_like"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "core_auditevent" ("hash" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_liaocheng_districts_audit_guard")]

    operations = [migrations.RunPython(drop, create, elidable=False)]
