"""Seed the display-period rule sets and the 较低数额罚款 parameters, with their legal sources.

The rules are data (docs/penalties.md, ADR 0020): a later rule set is added the same way, by a data
migration, never by editing code. Article numbers marked unverified were taken from published
reprints and must be checked against the official gazette text (``verified`` stays False until then).
"""

import datetime as dt

from django.db import migrations

RULE_SETS = [
    {
        "code": "samr-45",
        "name": "市场监督管理行政处罚信息公示规定",
        "short_name": "总局令第45号",
        "source": "《市场监督管理行政处罚信息公示规定》（国家市场监督管理总局令第45号，2021年7月30日公布，"
        "2021年9月1日起施行）第十四条：仅受到通报批评或者较低数额罚款的行政处罚信息自公示之日起届满三个月的，"
        "停止公示；其他行政处罚信息自公示之日起届满三年的，停止公示；依照法律法规被限制开展生产经营活动、"
        "限制从业超过三年的，公示期按照实际限制期限执行。",
        "effective_from": dt.date(2021, 9, 1),
        "classification": "content",
        "starts_from": "publication",
        "restriction_months_over": 36,
        "restriction_article": "第十四条",
        "no_early_end_article": "",
        "verified": False,
        "note": "条款号依公开转载文本整理，待与总局公报正式文本核对。其他行政处罚信息公示满6个月后可申请信用修复"
        "（《市场监督管理信用修复管理办法》国市监信规〔2021〕3号），该月数待核对。",
        "tiers": [
            ("light", "仅受到通报批评或者较低数额罚款", "第十四条", 3, None),
            ("other", "其他行政处罚", "第十四条", 36, 6),
        ],
    },
    {
        "code": "samr-107",
        "name": "市场监督管理信用修复管理办法",
        "short_name": "总局令第107号",
        "source": "《市场监督管理信用修复管理办法》（国家市场监督管理总局令第107号，2025年12月25日起施行）："
        "行政处罚信息按失信程度分三档公示：轻微失信行为公示3个月后自动停止；一般失信行为最短3个月、最长1年，"
        "公示满3个月可申请信用修复，满1年自动停止；严重失信行为最短1年、最长3年，公示满1年可申请信用修复，"
        "满3年自动停止。受到吊销许可证件、责令停产停业、限制从业等处罚的不得提前停止公示。",
        "effective_from": dt.date(2025, 12, 25),
        "classification": "severity",
        "starts_from": "publication",
        "restriction_months_over": 36,
        "restriction_article": "（条款待核对）",
        "no_early_end_article": "（条款待核对）",
        "verified": False,
        "note": "三档的月数取自项目领域规则（shared/design/domain-rules.md §2）；条款号和公示期起算日（暂按"
        "“自公示之日起”）待与总局令第107号正式文本核对。限制期限超过3年按实际期限公示沿用总局令第45号第十四条。",
        "tiers": [
            ("minor", "轻微失信行为", "（条款待核对）", 3, None),
            ("general", "一般失信行为", "（条款待核对）", 12, 3),
            ("serious", "严重失信行为", "（条款待核对）", 36, 12),
        ],
    },
]

PARAMETERS = [
    (
        "penalties.lower_fine_threshold",
        {"natural_person": "5000", "organisation": "50000", "inclusive": False},
        "总局令第45号第十四条（较低数额罚款由省级市场监督管理部门规定）。山东省的标准未查到：暂参照贵州省、"
        "福建省的规定（自然人低于5000元、法人和其他组织低于50000元），待山东省市场监督管理局文件确认后修改",
    ),
    (
        "penalties.individual_business_threshold",
        "natural_person",
        "各省规定不一；多数省份对个体工商户按自然人标准执行（待山东省规定确认）",
    ),
]


def seed(apps, schema_editor):
    RuleSet = apps.get_model("penalties", "RuleSet")
    DisplayTier = apps.get_model("penalties", "DisplayTier")
    Parameter = apps.get_model("core", "Parameter")
    for data in RULE_SETS:
        data = dict(data)
        tiers = data.pop("tiers")
        rule_set, _ = RuleSet.objects.update_or_create(code=data.pop("code"), defaults=data)
        for position, (key, label, article, max_months, min_months) in enumerate(tiers):
            DisplayTier.objects.update_or_create(
                rule_set=rule_set,
                key=key,
                defaults={
                    "label": label,
                    "article": article,
                    "max_months": max_months,
                    "min_months": min_months,
                    "position": position,
                },
            )
    for key, value, source in PARAMETERS:
        Parameter.objects.get_or_create(
            key=key, valid_from=dt.date(2021, 9, 1), defaults={"value": value, "source": source[:300]}
        )


def unseed(apps, schema_editor):
    apps.get_model("penalties", "RuleSet").objects.filter(code__in=[r["code"] for r in RULE_SETS]).delete()
    apps.get_model("core", "Parameter").objects.filter(key__in=[p[0] for p in PARAMETERS]).delete()


class Migration(migrations.Migration):
    dependencies = [("penalties", "0001_initial"), ("core", "0002_liaocheng_districts_audit_guard")]

    operations = [migrations.RunPython(seed, unseed)]
