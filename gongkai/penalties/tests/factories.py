"""Penalty-decision test data built through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from pathlib import Path

import time_machine
from django.utils import timezone

from gongkai.conftest import make_user
from gongkai.core import roles
from gongkai.penalties import services
from gongkai.penalties.models import Decision
from gongkai.registry.tests.factories import make_entity

CORPUS = Path(__file__).with_name("corpus")
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
_serial = itertools.count(1)

TEXT = """聊城市东昌府区市场监督管理局
行政处罚决定书

东市监处罚〔2025〕{n}号

当事人：聊城市测试商贸有限公司
统一社会信用代码：见名录库
法定代表人：赵德明
联系电话：13011868112
委托代理人：钱红梅，公民身份号码：320106199012012869

2025年2月17日，本局执法人员对当事人经营场所进行监督检查，发现当事人销售过期食品。
当事人的上述行为违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定。本局决定罚款人民币50000元。

聊城市东昌府区市场监督管理局
2025年3月12日
"""
PRIVATE_VALUES = ["13011868112", "320106199012012869", "钱红梅"]


def reviewers():
    """Two 信息公开审核员: one submits, the other approves."""
    return make_user(f"clerk{next(_serial)}", roles.DISCLOSURE_REVIEWER), make_user(
        f"reviewer{next(_serial)}", roles.DISCLOSURE_REVIEWER
    )


def values(**overrides) -> dict:
    n = next(_serial)
    entity = overrides.pop("entity", None)
    if entity is None and overrides.get("party_kind", "entity") == "entity":
        entity = make_entity()
    base = dict(
        number=f"东市监处罚〔2025〕{n}号",
        party_kind="entity",
        entity=entity,
        party_name="",
        violation_type="销售超过保质期的食品",
        violation_category="food",
        legal_basis="《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        fine=Decimal("50000"),
        procedure="ordinary",
        authority="聊城市东昌府区市场监督管理局",
        decision_date=dt.date(2025, 3, 12),
        district_id="371502",
    )
    if overrides.get("party_kind") == "person":
        base.update(
            entity=None,
            party_name="孙立平",
            party_id_type="resident_id",
            party_id_number="320106199012012869",
        )
    base.update(overrides)
    return base


def draft(actor="test", text: str | None = None, marks=(), **overrides) -> Decision:
    vals = values(**overrides)
    decision = services.decision_create(
        actor=actor, values=vals, text=text if text is not None else TEXT.format(n=1)
    )
    for fragment, kind in marks:
        decision = services.redaction_mark(actor=actor, decision=decision, fragment=fragment, kind=kind)
    return decision


def published(*, at: dt.datetime | None = None, marks=(("钱红梅", "name"),), **overrides) -> Decision:
    """A decision taken through submit, approve and publish (at ``at``, Asia/Shanghai)."""
    clerk, reviewer = reviewers()
    at = at or dt.datetime(2025, 3, 20, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(at, tick=False):
        decision = draft(actor=clerk, marks=marks, **overrides)
        decision = services.decision_submit(actor=clerk, decision=decision)
        decision = services.decision_approve(actor=reviewer, decision=decision)
        decision = services.decision_publish(actor=reviewer, decision=decision)
    return decision


def corpus_cases() -> list[tuple[str, dict]]:
    cases = []
    for path in sorted(CORPUS.glob("*.txt")):
        meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        cases.append((path.read_text(encoding="utf-8"), meta))
    return cases


def now_shanghai() -> dt.datetime:
    return timezone.localtime()
