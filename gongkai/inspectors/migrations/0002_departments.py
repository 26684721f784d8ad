"""The departments of a typical 部门联合抽查 in 聊城 (市场监管 leads)."""

from django.db import migrations

DEPARTMENTS = [
    ("SCJG", "市场监督管理局", True),
    ("SW", "税务局", False),
    ("WSJK", "卫生健康委员会", False),
    ("STHJ", "生态环境局", False),
    ("YJGL", "应急管理局", False),
    ("NYNC", "农业农村局", False),
    ("SWJ", "商务局", False),
    ("WHLY", "文化和旅游局", False),
    ("JT", "交通运输局", False),
    ("ZJ", "住房和城乡建设局", False),
]


def load(apps, schema_editor):
    Department = apps.get_model("inspectors", "Department")
    for code, name, lead in DEPARTMENTS:
        Department.objects.update_or_create(code=code, defaults={"name": name, "is_lead": lead})


def unload(apps, schema_editor):
    apps.get_model("inspectors", "Department").objects.filter(code__in=[d[0] for d in DEPARTMENTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("inspectors", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
