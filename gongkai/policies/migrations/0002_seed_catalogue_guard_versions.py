"""Seed the fact catalogue from rules/data/facts.yaml; make published rule versions immutable."""

from django.db import migrations

from gongkai.policies.catalogue import seed_rows

FROZEN_COLUMNS = ("text", "sha256", "number", "policy_id", "valid_from", "valid_to", "mode", "beneficiary_kind", "state")

PG_GUARD = """
CREATE OR REPLACE FUNCTION gongkai_policyversion_frozen() RETURNS trigger AS $$
BEGIN
  IF OLD.state = 'published' THEN
    IF TG_OP = 'DELETE' THEN
      RAISE EXCEPTION 'a published policy version is never deleted';
    END IF;
    IF (NEW.text, NEW.sha256, NEW.number, NEW.policy_id, NEW.valid_from, NEW.valid_to, NEW.mode,
        NEW.beneficiary_kind, NEW.state) IS DISTINCT FROM
       (OLD.text, OLD.sha256, OLD.number, OLD.policy_id, OLD.valid_from, OLD.valid_to, OLD.mode,
        OLD.beneficiary_kind, OLD.state) THEN
      RAISE EXCEPTION 'a published policy version is never edited: write a new version';
    END IF;
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER policies_policyversion_frozen BEFORE UPDATE OR DELETE ON policies_policyversion
  FOR EACH ROW EXECUTE FUNCTION gongkai_policyversion_frozen();
"""
PG_UNGUARD = """
DROP TRIGGER IF EXISTS policies_policyversion_frozen ON policies_policyversion;
DROP FUNCTION IF EXISTS gongkai_policyversion_frozen();
"""
# SQLite: updates only (Django's test runner empties tables with DELETE).
SQLITE_GUARD = (
    "CREATE TRIGGER policies_policyversion_frozen BEFORE UPDATE ON policies_policyversion "
    "WHEN OLD.state = 'published' AND ("
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_COLUMNS)
    + ") BEGIN SELECT RAISE(ABORT, 'a published policy version is never edited: write a new version'); END;"
)
SQLITE_UNGUARD = "DROP TRIGGER IF EXISTS policies_policyversion_frozen;"


def guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_GUARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_GUARD)


def unguard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UNGUARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UNGUARD)


def seed(apps, schema_editor):
    Fact = apps.get_model("policies", "Fact")
    for row in seed_rows():
        Fact.objects.update_or_create(name=row["name"], defaults=row)


def unseed(apps, schema_editor):
    apps.get_model("policies", "Fact").objects.filter(name__in=[r["name"] for r in seed_rows()]).delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(guard, unguard),
    ]
