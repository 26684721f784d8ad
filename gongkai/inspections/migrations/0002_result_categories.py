"""The result categories in use (domain rules §1; the national code table was not found)."""

from django.db import migrations

CATEGORIES = [
    # code, label, problem found, triggers 经营异常名录
    ("no_problem", "未发现问题", False, False),
    ("not_disclosed", "未按规定公示应当公示的信息", True, False),
    ("false_disclosure", "公示信息隐瞒真实情况、弄虚作假", True, True),
    ("unreachable", "通过登记的住所（经营场所）无法联系", True, True),
    ("corrected", "发现问题经责令已改正", True, False),
    ("pending", "发现问题待后续处理", True, False),
    ("no_activity", "未发现开展本次抽查涉及的经营活动", False, False),
    ("closed", "已关闭停业或正在组织清算", False, False),
    ("uncooperative", "不配合检查情节严重", True, False),
    ("deregistered", "已注销/被吊销/被撤销/已迁出", False, False),
]


def load(apps, schema_editor):
    ResultCategory = apps.get_model("inspections", "ResultCategory")
    for order, (code, label, problem, abnormal) in enumerate(CATEGORIES, start=1):
        ResultCategory.objects.update_or_create(
            code=code,
            defaults={"label": label, "sort_order": order, "problem_found": problem, "flags_abnormal": abnormal},
        )


def unload(apps, schema_editor):
    apps.get_model("inspections", "ResultCategory").objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
