"""The team members' officer index without its text-pattern copy.

``TeamMember.officer`` was indexed by the field itself, for which Django adds on PostgreSQL a
``varchar_pattern_ops`` copy (``…_like``) that serves only ``LIKE 'abc%'`` — nothing runs that on
officer codes, and every team member a draw writes paid for a second insert. The field's index is
replaced by ``team_member_officer_idx`` (same column, no copy). The indexes are changed with plain
SQL instead of ``AlterField``, because on SQLite ``AlterField`` re-makes the table, which would drop
the reference-checking triggers of migration 0004 (ADR 9).
"""

import django.db.models.deletion
from django.db import migrations, models

OLD = "inspections_teammember_officer_id_45f98078"
NEW = "team_member_officer_idx"


def forwards(apps, schema_editor):
    schema_editor.execute(f'DROP INDEX IF EXISTS "{OLD}_like"')
    schema_editor.execute(f'DROP INDEX IF EXISTS "{OLD}"')
    schema_editor.execute(f'CREATE INDEX "{NEW}" ON "inspections_teammember" ("officer_id")')


def backwards(apps, schema_editor):
    schema_editor.execute(f'DROP INDEX IF EXISTS "{NEW}"')
    schema_editor.execute(f'CREATE INDEX "{OLD}" ON "inspections_teammember" ("officer_id")')
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{OLD}_like" ON "inspections_teammember" ("officer_id" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("inspectors", "0001_initial"),
        ("inspections", "0004_draw_rows_checked_by_statement"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="teammember",
                    name="officer",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="inspectors.officer",
                        verbose_name="检查人员",
                    ),
                ),
                migrations.AddIndex(
                    model_name="teammember",
                    index=models.Index(fields=["officer"], name=NEW),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        ),
    ]
