"""Build test entities through the real services (no fixtures that bypass the audit log)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from gongkai.registry import creditcode
from gongkai.registry.records import AddressRecord, EntityRecord
from gongkai.registry.services import entities_upsert

_serial = itertools.count(1)


def make_code(kind: str = "91", region: str = "371502") -> str:
    return creditcode.complete(f"{kind}{region}{next(_serial):09d}")


def record(**overrides) -> EntityRecord:
    values = dict(
        credit_code=make_code(),
        name=f"聊城市测试商贸有限公司{next(_serial)}",
        entity_type="enterprise",
        legal_representative="张三",
        established_on=dt.date(2020, 5, 1),
        industry_division="52",
        registration_authority="聊城市东昌府区市场监督管理局",
        district_code="371502",
        domicile="山东省聊城市东昌府区古楼街道兴华路88号",
        registered_capital=Decimal("100"),
    )
    values.update(overrides)
    return EntityRecord(**values)


def make_entity(actor="test", **overrides):
    from gongkai.registry.models import Entity

    rec = record(**overrides)
    entities_upsert(actor=actor, records=[rec])
    return Entity.objects.get(pk=rec.credit_code)


__all__ = ["AddressRecord", "make_code", "make_entity", "record"]
