"""Chinese explanations, criterion by criterion: ✔ / ✘ / ？, the fact's value and the requirement.

"✘ 研发投入达标：您的上年度研发费用占营业收入比例为3.2%，要求不低于5%（来源：税务）"

The requirement is spelled out when a criterion is a simple comparison of a fact (or of the years since
a date, or of a list's length) with a constant, a membership test against constants, a yes/no fact, or
an and/or of such; otherwise the explanation shows the criterion's label with the values it read.
An unknown criterion names the missing facts: that is what a 快申快享 form asks for, and nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .errors import EvaluationError
from .evaluate import PolicyResult, evaluate_policy, years_between
from .nodes import Binary, Call, ListLiteral, Literal, Name, Node, Not
from .policy import Criterion, Policy
from .types import Catalogue, FactSpec, check_facts

ICONS = {"pass": "✔", "fail": "✘", "unknown": "？"}
STATUS_TEXT = {
    "eligible": "符合条件",
    "ineligible": "不符合条件",
    "undetermined": "尚缺数据，暂无法判断",
    "not_in_force": "政策不在有效期内",
}
_COUNT_UNITS = frozenset({"人", "件", "次", "个", "个月", "项", "家", "年"})


@dataclass(slots=True)  # created 4,000 times per page of 1,000 policies: slots, not frozen
class CriterionExplanation:
    id: str
    label: str
    status: str
    text: str  # the whole sentence, icon first
    facts: dict[str, Any]
    missing: list[str]
    criterion: Criterion | None = None  # for wording the sentence in another language

    @property
    def icon(self) -> str:
        return ICONS[self.status]


@dataclass(slots=True)
class Explanation:
    policy: Policy
    on: dt.date
    status: str
    summary: str
    criteria: list[CriterionExplanation] = field(default_factory=list)
    amount: int | None = None
    missing: list[str] = field(default_factory=list)  # facts to ask for (undetermined only)
    # what the sentences were built from, for wording them in another language
    has_amount: bool = False
    as_of: Mapping[str, dt.date] | None = None
    sources: Mapping[str, str] | None = None

    @property
    def lines(self) -> list[str]:
        return [self.summary, *(c.text for c in self.criteria)]


# ---------------------------------------------------------------------------------------------------
# Formatting values
# ---------------------------------------------------------------------------------------------------


def format_yuan(value: int) -> str:
    if value != 0 and value % 10000 == 0:
        return f"{value // 10000}万元"
    return f"{value}元"


def format_value(spec: FactSpec | None, value: Any) -> str:
    """A fact value as shown to a beneficiary, with its unit."""
    if value is None:
        return "暂无数据"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(value) if value else "无"
    if isinstance(value, int):
        if spec is not None and spec.unit == "元" and spec.scale == 1:
            return format_yuan(value)
        unit = spec.unit if spec else ""
        scale = spec.scale if spec else 1
        if scale != 1:
            number = Decimal(value) / Decimal(scale)
            text = format(number.normalize(), "f") if number != number.to_integral() else str(int(number))
            return f"{text}{unit}"
        return f"{value}{unit}"
    return str(value)


def _words(spec: FactSpec | None, kind: str) -> dict[str, str]:
    if kind == "date":
        return {">=": "不早于", ">": "晚于", "<=": "不晚于", "<": "早于", "==": "为", "!=": "不为"}
    if kind == "integer" and spec is not None and spec.unit in _COUNT_UNITS:
        return {">=": "不少于", ">": "多于", "<=": "不多于", "<": "少于", "==": "为", "!=": "不为"}
    return {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "==": "为", "!=": "不为"}


_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_YEARS = {
    "<": "不满{k}年",
    "<=": "不超过{k}年",
    ">": "超过{k}年",
    ">=": "满{k}年",
    "==": "为{k}年",
    "!=": "不为{k}年",
}


# ---------------------------------------------------------------------------------------------------
# Understanding a criterion's shape (once per criterion)
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """One simple requirement on one fact: ``phrase`` is the requirement without the fact's label."""

    fact: str
    phrase: str
    years_to: str | None = None  # years_between(fact, X): X as an ISO date or "today"
    # the requirement as data, for wording it in another language (gongkai.policies.presentation):
    # test is "bool", "compare", "years", "len", "has" or "in"; value is the constant (TODAY for today)
    test: str = ""
    op: str = ""
    value: Any = None


@dataclass(frozen=True)
class _Shape:
    parts: tuple[_Part, ...]
    joiner: str  # "" for one part, "且" / "或" for several


def _constant_value(node: Node, today: str) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Name) and node.name == "today":
        return today
    if isinstance(node, ListLiteral) and all(isinstance(i, Literal) for i in node.items):
        return [i.value for i in node.items]  # type: ignore[attr-defined]
    return _NO


_NO = object()
TODAY = object()  # a _Part's value when the constant is ``today``


def _show_constant(value: Any, spec: FactSpec | None, kind: str) -> str:
    if kind in ("string", "date") and isinstance(value, str):
        return value if kind == "date" else f"“{value}”"
    return format_value(spec, value)


def _simple(node: Node, catalogue: Catalogue, today_word: str) -> _Part | None:
    """The requirement a simple criterion puts on one fact, or None if it is not that simple."""
    if isinstance(node, Name) and node.name in catalogue and catalogue[node.name].type == "boolean":
        return _Part(node.name, "为是", test="bool", value=True)
    operand = node.operand if isinstance(node, Not) else None
    if isinstance(operand, Name) and operand.name in catalogue and catalogue[operand.name].type == "boolean":
        return _Part(operand.name, "为否", test="bool", value=False)
    if not isinstance(node, Binary):
        return None
    if node.op in Binary.COMPARISON:
        left, right, op = node.left, node.right, node.op
        if left.constant and not right.constant:
            left, right, op = right, left, _FLIP[op]
        if not right.constant:
            return None
        value = _constant_value(right, today_word)
        if value is _NO:
            return None
        if isinstance(left, Name) and left.name in catalogue:
            spec = catalogue[left.name]
            if spec.type == "boolean" and op in ("==", "!="):
                yes = (value is True) == (op == "==")
                return _Part(left.name, "为是" if yes else "为否", test="bool", value=yes)
            phrase = _words(spec, spec.type)[op] + _show_constant(value, spec, spec.type)
            raw = TODAY if isinstance(right, Name) and right.name == "today" else value
            return _Part(left.name, phrase, test="compare", op=op, value=raw)
        if isinstance(left, Call) and left.func == "years_between" and isinstance(value, int):
            first, second = left.args
            if isinstance(first, Name) and first.name in catalogue and second.constant:
                to = _constant_value(second, "today")
                if isinstance(to, str):
                    return _Part(
                        first.name, _YEARS[op].format(k=value), years_to=to, test="years", op=op, value=value
                    )
        if isinstance(left, Call) and left.func == "len" and isinstance(value, int):
            arg = left.args[0]
            if isinstance(arg, Name) and arg.name in catalogue:
                words = _words(None, "integer")
                words = {**words, ">=": "不少于", ">": "多于", "<=": "不多于", "<": "少于"}
                return _Part(arg.name, f"{words[op]}{value}项", test="len", op=op, value=value)
        return None
    if node.op in Binary.MEMBERSHIP:
        needle, haystack = node.needle, node.haystack
        negated = node.op == "notin"
        if needle.constant and isinstance(haystack, Name) and haystack.name in catalogue:
            value = _constant_value(needle, today_word)
            if isinstance(value, str):
                raw = TODAY if isinstance(needle, Name) and needle.name == "today" else value
                phrase = f"{'不' if negated else ''}包含“{value}”"
                return _Part(haystack.name, phrase, test="has", op=node.op, value=raw)
        if isinstance(needle, Name) and needle.name in catalogue and haystack.constant:
            values = _constant_value(haystack, today_word)
            if isinstance(values, list) and values:
                spec = catalogue[needle.name]
                shown = "、".join(_show_constant(v, spec, spec.type) for v in values)
                if len(values) == 1:
                    phrase = f"{'不' if negated else ''}为{shown}"
                else:
                    phrase = f"不为{shown}中的任何一个" if negated else f"为{shown}之一"
                return _Part(needle.name, phrase, test="in", op=node.op, value=values)
    return None


def _shape(node: Node, catalogue: Catalogue) -> _Shape | None:
    part = _simple(node, catalogue, "今天")
    if part is not None:
        return _Shape((part,), "")
    if isinstance(node, Binary) and node.op in ("and", "or"):
        parts: list[_Part] = []

        def collect(sub: Node) -> bool:
            if isinstance(sub, Binary) and sub.op == node.op:
                return collect(sub.left) and collect(sub.right)
            p = _simple(sub, catalogue, "今天")
            if p is None:
                return False
            parts.append(p)
            return True

        if collect(node):
            return _Shape(tuple(parts), "且" if node.op == "and" else "或")
    return None


@dataclass(frozen=True)
class _Prepared:
    """What explaining a criterion needs that does not depend on the beneficiary (computed once)."""

    names: tuple[str, ...]
    shape: _Shape | None
    source_note: str  # without as-of dates
    requirement: str  # for a shape: the requirement part of the sentence
    shown: tuple[tuple[str, FactSpec, str | None], ...] = ()  # for a shape: (fact, spec, years_to), once each


def _prepared(criterion: Criterion, catalogue: Catalogue) -> _Prepared:
    prepared = criterion.__dict__.get("_explain")
    if prepared is not None:
        return prepared
    names = criterion.when.facts
    shape = _shape(criterion.when.node, catalogue)
    requirement = ""
    if shape is not None:
        if len(shape.parts) == 1:
            requirement = shape.parts[0].phrase
        else:
            requirement = shape.joiner.join(f"{catalogue[p.fact].label}{p.phrase}" for p in shape.parts)
    shown: dict[str, tuple[str, FactSpec, str | None]] = {}
    for part in shape.parts if shape is not None else ():
        shown.setdefault(part.fact, (part.fact, catalogue[part.fact], part.years_to))
    note = _source_note(list(names), catalogue, None)
    prepared = _Prepared(names, shape, note, requirement, tuple(shown.values()))
    criterion.__dict__["_explain"] = prepared  # cached on the (immutable) criterion itself
    return prepared


# ---------------------------------------------------------------------------------------------------
# Explaining
# ---------------------------------------------------------------------------------------------------


def _source_note(
    names: list[str],
    catalogue: Catalogue,
    as_of: Mapping[str, dt.date] | None,
    sources: Mapping[str, str] | None = None,
) -> str:
    notes = []
    for name in names:
        spec = catalogue.get(name)
        source = (sources.get(name) if sources else None) or (spec.source if spec else "")
        date = as_of.get(name) if as_of else None
        if source and date:
            notes.append(f"{source}，截至{date.isoformat()}")
        elif source:
            notes.append(source)
    notes = list(dict.fromkeys(notes))
    return f"（来源：{'；'.join(notes)}）" if notes else ""


def explain_criterion(
    criterion: Criterion,
    status: str,
    facts: Mapping[str, Any],
    catalogue: Catalogue,
    on: dt.date,
    as_of: Mapping[str, dt.date] | None = None,
    used: dict[str, Any] | None = None,
    sources: Mapping[str, str] | None = None,
) -> CriterionExplanation:
    """One criterion's sentence; ``used`` is the values it read, when the evaluation already has them.

    ``as_of`` and ``sources`` give, per fact, the date and the source of the value actually used (a
    stored value may come from somewhere other than the catalogue's usual source, e.g. 申请人填报).
    """
    prepared = _prepared(criterion, catalogue)
    if used is None:
        used = {name: facts.get(name) for name in prepared.names}
    missing = [name for name, value in used.items() if value is None]
    icon = ICONS[status]
    if status == "unknown":
        labels = "、".join(f"“{catalogue[name].label}”" for name in missing) or "所需数据"
        note = _source_note(missing, catalogue, as_of, sources)
        text = f"{icon} {criterion.label}：缺少{labels}数据，请补充{note}"
        return CriterionExplanation(criterion.id, criterion.label, status, text, used, missing, criterion)
    note = (
        prepared.source_note
        if as_of is None and sources is None
        else _source_note(list(prepared.names), catalogue, as_of, sources)
    )
    shape = prepared.shape
    if shape is None:
        shown = "；".join(
            f"{catalogue[name].label}：{format_value(catalogue[name], value)}" for name, value in used.items()
        )
        detail = f"（{shown}）" if shown else ""
        text = f"{icon} {criterion.label}{detail}{note}"
        return CriterionExplanation(criterion.id, criterion.label, status, text, used, missing, criterion)
    values = []
    for fact, spec, years_to in prepared.shown:
        value = used[fact]
        if value is None:
            values.append(f"{spec.label}暂无数据")
            continue
        shown = format_value(spec, value)
        if years_to is not None:
            to = on.isoformat() if years_to == "today" else years_to
            years = years_between(value, to)
            if years is not None and years >= 0:
                shown += f"（至{to}满{years}年）"
        values.append(f"{spec.label}为{shown}")
    text = f"{icon} {criterion.label}：您的{'，'.join(values)}，要求{prepared.requirement}{note}"
    return CriterionExplanation(criterion.id, criterion.label, status, text, used, missing, criterion)


def explain(
    policy: Policy,
    facts: Mapping[str, Any],
    on: dt.date,
    *,
    as_of: Mapping[str, dt.date] | None = None,
    result: PolicyResult | None = None,
    checked: bool = False,
    sources: Mapping[str, str] | None = None,
) -> Explanation:
    """Why ``policy`` does or does not apply to a beneficiary with ``facts`` on ``on``."""
    if result is None:
        result = evaluate_policy(policy, facts, on, checked=checked)
    if result.status == "not_in_force":
        until = f"至{policy.valid_to.isoformat()}" if policy.valid_to else "起长期有效"
        summary = f"{policy.title}：{STATUS_TEXT['not_in_force']}（{policy.valid_from.isoformat()}{until}）"
        return Explanation(policy, on, result.status, summary, as_of=as_of, sources=sources)
    catalogue = policy.catalogue
    criteria = [
        explain_criterion(c.criterion, c.status, facts, catalogue, on, as_of, c.facts, sources)
        for c in result.criteria
    ]
    summary = f"{policy.title}：{STATUS_TEXT[result.status]}"
    missing: list[str] = []
    if result.status == "eligible" and result.has_amount:
        summary += (
            f"，金额{format_yuan(result.amount)}" if result.amount is not None else "，金额待补充数据后核定"
        )
    elif result.status == "ineligible":
        failed = sum(1 for c in criteria if c.status == "fail")
        summary += f"（{failed}项条件未满足）"
    elif result.status == "undetermined":
        # only what an unknown criterion lacks: a fact missing where the answer is already known is not asked
        missing = list(dict.fromkeys(name for c in criteria if c.status == "unknown" for name in c.missing))
        summary += "，请补充：" + "、".join(catalogue[name].label for name in missing)
    return Explanation(
        policy,
        on,
        result.status,
        summary,
        criteria,
        result.amount,
        missing,
        has_amount=result.has_amount,
        as_of=as_of,
        sources=sources,
    )


def explain_all(
    policies: Sequence[Policy],
    facts: Mapping[str, Any],
    on: dt.date,
    *,
    as_of: Mapping[str, dt.date] | None = None,
) -> list[Explanation]:
    """One beneficiary against many policies (its page of matches): facts are checked once."""
    names: dict[str, None] = {}
    for policy in policies:
        names.update(dict.fromkeys(policy.facts_used))
    if policies:
        problem = check_facts(policies[0].catalogue, facts, names)
        if problem is not None:
            name, why = problem
            raise EvaluationError(f"数据项 {name}（{policies[0].catalogue[name].label}）的值{why}")
    return [explain(policy, facts, on, as_of=as_of, checked=True) for policy in policies]
