"""A target's ``(task, entity)`` pair is unique through one index on ``(entity, task)`` (ADR 15).

Before, the pair had a unique index ``(task, entity)`` and a plain index ``(entity, task)``. The
second holds the same pairs and serves an entity's targets; a task's targets are served by the
unique ``(task, stratum_index, role, rank)``. One index fewer is written for every target a draw
stores.

PostgreSQL gets exactly the new schema. SQLite cannot drop a unique constraint declared in its
``CREATE TABLE`` without re-making the table, which the targets' checks (ADR 9) refuse: there the
two old indexes stay as they are. They enforce the same uniqueness and serve the same look-ups, and
a later re-making of the table (which builds it from the models) leaves only the new one.
"""

from django.db import migrations, models

NEW = models.UniqueConstraint(fields=["entity", "task"], name="target_entity_task_unique")
OLD = models.UniqueConstraint(fields=["task", "entity"], name="target_task_entity_unique")
OLD_INDEX = models.Index(fields=["entity", "task"], name="target_entity_task_idx")


def one_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        return
    target = apps.get_model("inspections", "Target")
    schema_editor.add_constraint(target, NEW)
    schema_editor.remove_constraint(target, OLD)
    schema_editor.remove_index(target, OLD_INDEX)


def two_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        return
    target = apps.get_model("inspections", "Target")
    schema_editor.add_index(target, OLD_INDEX)
    schema_editor.add_constraint(target, OLD)
    schema_editor.remove_constraint(target, NEW)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0007_announced_strata"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(model_name="target", constraint=NEW),
                migrations.RemoveConstraint(model_name="target", name=OLD.name),
                migrations.RemoveIndex(model_name="target", name=OLD_INDEX.name),
            ],
            database_operations=[migrations.RunPython(one_index, two_indexes)],
        ),
    ]
