"""聊城's districts (GB/T 2260, with the statistical codes of its three zones) and database
triggers that make the audit log append-only."""

from django.db import migrations

DISTRICTS = [
    # code, name, short name, level, parent, sort order
    ("370000", "山东省", "山东", "province", None, 0),
    ("371500", "聊城市", "聊城", "city", "370000", 0),
    ("371502", "东昌府区", "东昌府", "county", "371500", 1),
    ("371503", "茌平区", "茌平", "county", "371500", 2),
    ("371581", "临清市", "临清", "county", "371500", 3),
    ("371521", "阳谷县", "阳谷", "county", "371500", 4),
    ("371522", "莘县", "莘县", "county", "371500", 5),
    ("371524", "东阿县", "东阿", "county", "371500", 6),
    ("371525", "冠县", "冠县", "county", "371500", 7),
    ("371526", "高唐县", "高唐", "county", "371500", 8),
    # Functional zones have no GB/T 2260 code; these are the codes of the statistical division
    # list (统计用区划代码) in common use — see docs/adr/0003-districts-and-zones.md.
    ("371571", "聊城经济技术开发区", "经济技术开发区", "county", "371500", 9),
    ("371572", "聊城高新技术产业开发区", "高新技术产业开发区", "county", "371500", 10),
    ("371573", "聊城市江北水城旅游度假区", "江北水城旅游度假区", "county", "371500", 11),
]


def load_districts(apps, schema_editor):
    District = apps.get_model("core", "District")
    for code, name, short, level, parent, order in DISTRICTS:
        District.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short, "level": level, "parent_id": parent, "sort_order": order}
        )


def unload_districts(apps, schema_editor):
    apps.get_model("core", "District").objects.filter(code__in=[d[0] for d in DISTRICTS]).delete()


PG_GUARD = """
CREATE OR REPLACE FUNCTION gongkai_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'core_auditevent is append-only: % refused', TG_OP;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
  FOR EACH ROW EXECUTE FUNCTION gongkai_audit_append_only();
"""
PG_UNGUARD = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS gongkai_audit_append_only();
"""
# SQLite: refuse updates. Deletes stay possible there because Django's test runner empties
# tables with DELETE; the chain head still reveals a deleted tail (verify-audit reports it).
SQLITE_GUARD = """
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE ON core_auditevent
BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only: UPDATE refused'); END;
"""
SQLITE_UNGUARD = "DROP TRIGGER IF EXISTS core_auditevent_append_only;"


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


def create_head(apps, schema_editor):
    apps.get_model("core", "AuditChainHead").objects.get_or_create(pk=1, defaults={"last_seq": 0, "last_hash": "0" * 64})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(load_districts, unload_districts),
        migrations.RunPython(guard, unguard),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
