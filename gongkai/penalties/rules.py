"""The display-period rules in force, read from the database, and the provincial parameters.

The 较低数额罚款 thresholds are set by each province (总局令第45号 leaves them to 省级市场监督管理部门),
so they are :mod:`gongkai.core.parameters` values with a source and an effective date. They are
declared here and added to the parameter table when the app starts (:func:`register_parameters`),
and seeded with their source by migration 0002.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from gongkai.core import parameters
from gongkai.core.parameters import ParameterSpec
from gongkai.penalties import periods

LOWER_FINE = "penalties.lower_fine_threshold"
INDIVIDUAL_BUSINESS_AS = "penalties.individual_business_threshold"

LOWER_FINE_SOURCE = (
    "总局令第45号第十四条（较低数额罚款由省级市场监督管理部门规定）。山东省的标准未查到：暂参照贵州省、福建省"
    "市场监督管理局的规定（自然人低于5000元、法人和其他组织低于50000元），待山东省市场监督管理局文件确认后修改"
)
SPECS = [
    ParameterSpec(
        key=LOWER_FINE,
        label="行政处罚信息公示：较低数额罚款标准（元）",
        default={"natural_person": "5000", "organisation": "50000", "inclusive": False},
        source=LOWER_FINE_SOURCE,
    ),
    ParameterSpec(
        key=INDIVIDUAL_BUSINESS_AS,
        label="个体工商户适用的较低数额罚款标准",
        default="natural_person",
        choices=("natural_person", "organisation"),
        source="各省规定不一；多数省份对个体工商户按自然人标准执行（待山东省规定确认）",
    ),
]


def register_parameters() -> None:
    """Add this module's parameters to the declared set (idempotent; called from ``AppConfig.ready``)."""
    for spec in SPECS:
        parameters.SPECS.setdefault(spec.key, spec)


def threshold_on(day: dt.date) -> periods.Threshold:
    """The 较低数额罚款 threshold in force on ``day``."""
    from gongkai.core.models import Parameter

    value = parameters.parameter_value(LOWER_FINE, day)
    row = Parameter.objects.filter(key=LOWER_FINE, valid_from__lte=day).order_by("-valid_from").first()
    source = row.source if row else parameters.SPECS[LOWER_FINE].source
    try:
        return periods.Threshold(
            natural_person=Decimal(str(value["natural_person"])),
            organisation=Decimal(str(value["organisation"])),
            inclusive=bool(value.get("inclusive", False)),
            source=source,
        )
    except (KeyError, TypeError, InvalidOperation) as exc:
        raise ValueError(
            f'参数{LOWER_FINE}的取值{value!r}无效：应为{{"natural_person": "5000", "organisation": "50000"}}'
        ) from exc


def individual_business_as_person(day: dt.date) -> bool:
    return parameters.parameter_value(INDIVIDUAL_BUSINESS_AS, day) == "natural_person"


def all_rules() -> list[periods.Rules]:
    """Selector: every rule set with its tiers, oldest first."""
    from gongkai.penalties.models import RuleSet

    return [r.as_rules() for r in RuleSet.objects.prefetch_related("tiers").order_by("effective_from")]


def rules_on(day: dt.date) -> periods.Rules | None:
    return periods.rules_for(all_rules(), day)
