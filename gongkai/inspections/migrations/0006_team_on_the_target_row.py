"""A target's team is stored on its row; the team-member table is gone (ADR 14).

A draw wrote one ``TeamMember`` row per officer per selected entity — 52,000 rows with three indexes
for a million-entity register, 900,000 for fifteen million — in a statement that could only start
once every target was written. ``Target.team`` now holds the officers' codes in the order the
draw took them (the same list as the stored result's ``assignments``), and the targets are written
with their teams while §6 assigns the rest.

The officers' codes are checked as the rows' other references are (ADR 9): on PostgreSQL by one
set-based check per statement, and deleting an officer who is on a team is refused; on SQLite by row
triggers (deleting is left to the ORM, which ``InspectionsConfig`` guards). SQLite gets the column
with plain SQL: ``AddField`` would re-make the table there and drop migration 0004's triggers.
"""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models

import gongkai.inspections.models

BATCH = 2000

PG_FUNCTIONS = """
CREATE OR REPLACE FUNCTION gongkai_check_team_officers() RETURNS trigger AS $$
-- AFTER INSERT/UPDATE on inspections_target, per statement: every officer code of every new row's
-- team must be an officer. Each distinct code is looked up once.
DECLARE missing text;
BEGIN
  SELECT n.code INTO missing
    FROM (SELECT DISTINCT jsonb_array_elements_text(team) AS code FROM gongkai_new_rows) n
    WHERE NOT EXISTS (SELECT 1 FROM inspectors_officer o WHERE o.code = n.code)
    LIMIT 1;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
      MESSAGE = format('inspections_target.team = %s: no such row in inspectors_officer', missing);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION gongkai_check_team_unreferenced() RETURNS trigger AS $$
-- AFTER DELETE on inspectors_officer, per statement: no team may still hold a deleted officer.
DECLARE found text;
BEGIN
  SELECT o.code INTO found FROM gongkai_old_rows o
    WHERE EXISTS (SELECT 1 FROM inspections_target t WHERE t.team @> jsonb_build_array(o.code))
    LIMIT 1;
  IF found IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
      MESSAGE = format('inspectors_officer.code = %s is still referred to by inspections_target.team', found);
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
"""

# Migration 0004's checks of the team-member table, removed with it and put back by a reverse.
OLD_REFERENCES = [
    ("target_id", "inspections_target", "id"),
    ("officer_id", "inspectors_officer", "code"),
]
OLD = "inspections_teammember"


def _team_field():
    # The field as the state after this migration has it (RunPython inside SeparateDatabaseAndState
    # sees the state before it).
    field = gongkai.inspections.models.TeamField(default=list, blank=True)
    field.set_attributes_from_name("team")
    return field


def add_team_column(apps, schema_editor):
    Target = apps.get_model("inspections", "Target")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            'ALTER TABLE "inspections_target" ADD COLUMN "team" text NOT NULL DEFAULT \'[]\''
            ' CHECK ((JSON_VALID("team") OR "team" IS NULL))'
        )
    else:
        schema_editor.add_field(Target, _team_field())


def drop_team_column(apps, schema_editor):
    Target = apps.get_model("inspections", "Target")
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('ALTER TABLE "inspections_target" DROP COLUMN "team"')
    else:
        schema_editor.remove_field(Target, _team_field())


def teams_onto_targets(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # one statement: millions of rows in seconds
        schema_editor.execute(
            "UPDATE inspections_target t SET team = m.team"
            " FROM (SELECT target_id, jsonb_agg(officer_id ORDER BY position) AS team"
            " FROM inspections_teammember GROUP BY target_id) m WHERE t.id = m.target_id"
        )
        return
    TeamMember = apps.get_model("inspections", "TeamMember")
    Target = apps.get_model("inspections", "Target")
    teams = defaultdict(list)
    rows = TeamMember.objects.order_by("target_id", "position").values_list("target_id", "officer_id")
    for target_id, officer_id in rows.iterator(chunk_size=BATCH):
        teams[target_id].append(officer_id)
    ids = sorted(teams)
    for start in range(0, len(ids), BATCH):
        Target.objects.bulk_update(
            [Target(pk=pk, team=teams[pk]) for pk in ids[start : start + BATCH]], ["team"]
        )


def teams_into_members(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "INSERT INTO inspections_teammember (target_id, officer_id, position)"
            " SELECT t.id, m.code, m.position FROM inspections_target t,"
            " jsonb_array_elements_text(t.team) WITH ORDINALITY AS m(code, position)"
        )
        return
    TeamMember = apps.get_model("inspections", "TeamMember")
    Target = apps.get_model("inspections", "Target")
    batch = []
    for pk, team in Target.objects.exclude(team=[]).values_list("pk", "team").iterator(chunk_size=BATCH):
        batch += [TeamMember(target_id=pk, officer_id=code, position=i) for i, code in enumerate(team, 1)]
        if len(batch) >= BATCH:
            TeamMember.objects.bulk_create(batch)
            batch = []
    TeamMember.objects.bulk_create(batch)


def drop_member_checks(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite's row triggers go with the table
    for column, parent, _key in OLD_REFERENCES:
        for suffix in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {OLD}_{column}_{suffix} ON {OLD}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {OLD}_{column}_parent_delete ON {parent}")


def create_member_checks(apps, schema_editor):
    """Migration 0004's triggers of the team-member table, as it made them."""
    vendor = schema_editor.connection.vendor
    for column, parent, key in OLD_REFERENCES:
        if vendor == "postgresql":
            for event in ("INSERT", "UPDATE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {OLD}_{column}_{event.lower()} AFTER {event} ON {OLD}"
                    " REFERENCING NEW TABLE AS gongkai_new_rows FOR EACH STATEMENT"
                    f" EXECUTE FUNCTION gongkai_check_references('{column}', '{parent}', '{key}')"
                )
            schema_editor.execute(
                f"CREATE TRIGGER {OLD}_{column}_parent_delete AFTER DELETE ON {parent}"
                " REFERENCING OLD TABLE AS gongkai_old_rows FOR EACH STATEMENT"
                f" EXECUTE FUNCTION gongkai_check_unreferenced('{OLD}', '{column}', '{key}')"
            )
        elif vendor == "sqlite":
            for event, suffix in (("INSERT", "insert"), (f"UPDATE OF {column}", "update")):
                schema_editor.execute(
                    f"CREATE TRIGGER {OLD}_{column}_{suffix} BEFORE {event} ON {OLD}"
                    f" WHEN NOT EXISTS (SELECT 1 FROM {parent} WHERE {key} = NEW.{column})"
                    f" BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: {OLD}.{column}'); END"
                )


def create_team_checks(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTIONS, params=None)
        for event in ("INSERT", "UPDATE"):
            schema_editor.execute(
                f"CREATE TRIGGER inspections_target_team_{event.lower()} AFTER {event} ON inspections_target"
                " REFERENCING NEW TABLE AS gongkai_new_rows FOR EACH STATEMENT"
                " EXECUTE FUNCTION gongkai_check_team_officers()"
            )
        schema_editor.execute(
            "CREATE TRIGGER inspections_target_team_parent_delete AFTER DELETE ON inspectors_officer"
            " REFERENCING OLD TABLE AS gongkai_old_rows FOR EACH STATEMENT"
            " EXECUTE FUNCTION gongkai_check_team_unreferenced()"
        )
    elif vendor == "sqlite":
        for event, suffix in (("INSERT", "insert"), ("UPDATE OF team", "update")):
            schema_editor.execute(
                f"CREATE TRIGGER inspections_target_team_{suffix} BEFORE {event} ON inspections_target"
                " WHEN EXISTS (SELECT 1 FROM json_each(NEW.team) j WHERE NOT EXISTS"
                " (SELECT 1 FROM inspectors_officer o WHERE o.code = j.value))"
                " BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: inspections_target.team'); END"
            )


def drop_team_checks(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    on = " ON inspections_target" if vendor == "postgresql" else ""
    if vendor not in ("postgresql", "sqlite"):
        return
    for suffix in ("insert", "update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS inspections_target_team_{suffix}{on}")
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS inspections_target_team_parent_delete ON inspectors_officer")
        schema_editor.execute("DROP FUNCTION IF EXISTS gongkai_check_team_officers()")
        schema_editor.execute("DROP FUNCTION IF EXISTS gongkai_check_team_unreferenced()")


class Migration(migrations.Migration):
    dependencies = [
        ("inspectors", "0003_officer_user"),
        ("inspections", "0005_team_member_officer_index_without_pattern_copy"),
    ]

    operations = [
        # The old table's reverse accessor was called ``team`` too: out of the new field's way while
        # both exist (state only; a related name is nothing in the database).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="teammember",
                    name="target",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="inspections.target",
                        verbose_name="抽查对象",
                    ),
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="target",
                    name="team",
                    field=gongkai.inspections.models.TeamField(
                        blank=True,
                        default=list,
                        help_text="检查人员编号，按摇号选定的顺序；空：未能分配检查组",
                        verbose_name="检查组",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(add_team_column, drop_team_column, elidable=False)],
        ),
        migrations.RunPython(teams_onto_targets, teams_into_members, elidable=False),
        migrations.RunPython(drop_member_checks, create_member_checks, elidable=False),
        migrations.DeleteModel(name="TeamMember"),
        migrations.RunPython(create_team_checks, drop_team_checks, elidable=False),
    ]
