"""Configurable rule values: declared here with their default and source, overridable as data.

A deployment changes a value by adding a :class:`~gongkai.core.models.Parameter` row with the
date it takes effect; the value in force on a date is the latest row on or before it, or the
default below. Rules that change over time are data, never literals in code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongkai.core import audit
from gongkai.core.models import Parameter


@dataclass(frozen=True)
class ParameterSpec:
    key: str
    label: str
    default: Any
    source: str
    choices: tuple[Any, ...] | None = None


SPECS: dict[str, ParameterSpec] = {
    spec.key: spec
    for spec in [
        ParameterSpec(
            key="registry.multi_address_scope",
            label="一照多址经营场所的允许范围",
            default="city",
            choices=("district", "city"),
            source="国务院《市场主体登记管理条例实施细则》第二十八条；山东省一照多址改革（范围由省市规定）",
        ),
        ParameterSpec(
            key="inspections.yearly_cap_per_entity",
            label="同一经营主体每年被抽查次数上限（本部门）",
            default=2,
            source="国办发〔2024〕54号 规范涉企行政检查（上限由各部门公布，无全国统一数字）",
        ),
        ParameterSpec(
            key="inspections.shared_address_threshold",
            label="同一地址登记主体数达到该值时提高抽查比例",
            default=10,
            source="地方实践（例：同一地址≥10户按10%抽取）",
        ),
    ]
}


def parameter_value(key: str, on: dt.date | None = None) -> Any:
    """Selector: the value of ``key`` in force on ``on`` (today by default)."""
    spec = SPECS[key]
    on = on or timezone.localdate()
    row = Parameter.objects.filter(key=key, valid_from__lte=on).order_by("-valid_from").first()
    return row.value if row else spec.default


@transaction.atomic
def parameter_set(
    *, actor, key: str, value: Any, valid_from: dt.date, source: str, note: str = ""
) -> Parameter:
    """Record a new value for ``key`` from ``valid_from`` on."""
    spec = SPECS.get(key)
    if spec is None:
        raise ValueError(f"未知参数：{key}")
    if spec.choices is not None and value not in spec.choices:
        raise ValueError(f"参数{spec.label}的取值必须是以下之一：{'、'.join(map(str, spec.choices))}")
    existing = Parameter.objects.filter(key=key, valid_from=valid_from).first()
    before = audit.snapshot(existing) if existing else None
    row = existing or Parameter(key=key, valid_from=valid_from)
    row.value, row.source, row.note = value, source, note
    row.full_clean()
    row.save()
    audit.record(actor=actor, action="parameter.set", obj=row, before=before, after=audit.snapshot(row))
    return row
