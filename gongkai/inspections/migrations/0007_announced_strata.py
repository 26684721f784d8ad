"""Each announced task keeps its strata's names, sizes and quotas beside its frozen document.

Pages then show a task's strata without reading the document, which holds the whole population.
Tasks announced before this migration get theirs from their stored document.
"""

import json

from django.db import migrations, models

FIELD = models.JSONField(
    blank=True, default=list, help_text="冻结文件中每层的名称、户数和配额", verbose_name="公告的分层"
)
ADD_ON_SQLITE = (
    'ALTER TABLE "inspections_task" ADD COLUMN "announced_strata" text NOT NULL DEFAULT \'[]\''
    ' CHECK ((JSON_VALID("announced_strata") OR "announced_strata" IS NULL))'
)


def _field():
    field = FIELD.clone()
    field.set_attributes_from_name("announced_strata")
    return field


def add_column(apps, schema_editor):
    # SQLite would re-make the task table for a new column with a default, and the targets' checks
    # (ADR 9), which name that table, refuse it being renamed: a plain ADD COLUMN instead.
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(ADD_ON_SQLITE)
    else:
        schema_editor.add_field(apps.get_model("inspections", "Task"), _field())


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('ALTER TABLE "inspections_task" DROP COLUMN "announced_strata"')
    else:
        schema_editor.remove_field(apps.get_model("inspections", "Task"), _field())


def fill(apps, schema_editor):
    from gongkai.inspections import engine

    Task = apps.get_model("inspections", "Task")
    for pk in Task.objects.exclude(frozen_text="").values_list("pk", flat=True).iterator():
        text = Task.objects.values_list("frozen_text", flat=True).get(pk=pk).encode("utf-8")
        # The product's reading of a stored text (member arrays as columns); JSON where it declines.
        frozen = engine._stored_frozen(text) or json.loads(text)
        strata = [
            {"name": stratum["name"], "size": len(stratum["members"]), "quota": stratum["quota"]}
            for stratum in frozen["strata"]
        ]
        Task.objects.filter(pk=pk).update(announced_strata=strata)


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0006_team_on_the_target_row"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField(model_name="task", name="announced_strata", field=FIELD)],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
