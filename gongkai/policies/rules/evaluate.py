"""The scalar interpreter: one beneficiary, one policy, three-valued logic.

Expressions are compiled once into nested closures (faster than walking the tree on every call:
explaining one beneficiary against 1,000 policies must take well under 50 ms). ``None`` is *unknown*.

Semantics beyond the contract's text, chosen so that both engines agree exactly:

* ``and``/``or`` evaluate left to right and skip the right side when the left decides (``false and …``,
  ``true or …``), so an error on the skipped side is not raised.
* A list literal with an unknown element is unknown.
* Integers are 64-bit: a result outside [-2^63, 2^63-1] is an error, like division by zero.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import EvaluationError, Place
from .nodes import Binary, Call, ListLiteral, Literal, Name, Negate, Node, Not
from .parser import INT_MAX, INT_MIN
from .policy import Compiled, Criterion, Expression, Policy
from .types import check_fact_value


class _Fault(Exception):
    """Raised inside compiled code; turned into an EvaluationError naming the criterion."""

    def __init__(self, message: str, node: Node):
        self.message = message
        self.node = node


@functools.lru_cache(maxsize=65536)
def date_parts(text: str) -> tuple[int, int] | None:
    """(year, month*100 + day) of an ISO date string, or None if it is not one."""
    from .types import parse_iso_date

    day = parse_iso_date(text)
    return None if day is None else (day.year, day.month * 100 + day.day)


def years_between(a: str, b: str) -> int | None:
    """Whole years from ``a`` to ``b``: the age rule (one less if b's month-day is before a's).

    None when either is not a valid ISO date (the caller turns that into an error).
    """
    pa, pb = date_parts(a), date_parts(b)
    if pa is None or pb is None:
        return None
    return pb[0] - pa[0] - (1 if pb[1] < pa[1] else 0)


def _checked(value: int, node: Node) -> int:
    if INT_MIN <= value <= INT_MAX:
        return value
    raise _Fault(f"计算结果超出整数范围（±2^63）：{value}", node)


def compile_expr(node: Node) -> Compiled:
    """Compile a type-checked expression into ``f(facts, today) -> value | None``."""
    if isinstance(node, Literal):
        value = node.value
        return lambda facts, today: value
    if isinstance(node, Name):
        if node.name == "today":
            return lambda facts, today: today
        name = node.name
        return lambda facts, today: facts.get(name)
    if isinstance(node, ListLiteral):
        items = [compile_expr(item) for item in node.items]

        def list_literal(facts, today):
            values = [item(facts, today) for item in items]
            return None if any(v is None for v in values) else values

        return list_literal
    if isinstance(node, Negate):
        operand = compile_expr(node.operand)

        def negate(facts, today):
            v = operand(facts, today)
            return None if v is None else _checked(-v, node)

        return negate
    if isinstance(node, Not):
        operand = compile_expr(node.operand)

        def not_(facts, today):
            v = operand(facts, today)
            return None if v is None else not v

        return not_
    if isinstance(node, Call):
        return _compile_call(node)
    if isinstance(node, Binary):
        return _compile_binary(node)
    raise AssertionError(f"unexpected node {node!r}")


def _compile_call(node: Call) -> Compiled:
    args = [compile_expr(arg) for arg in node.args]
    if node.func == "years_between":
        fa, fb = args

        def years(facts, today):
            a, b = fa(facts, today), fb(facts, today)
            if a is None or b is None:
                return None
            result = years_between(a, b)
            if result is None:
                bad = a if date_parts(a) is None else b
                raise _Fault(f"years_between 的参数“{bad}”不是有效的 YYYY-MM-DD 日期", node)
            return result

        return years
    if node.func == "len":
        (fl,) = args

        def length(facts, today):
            v = fl(facts, today)
            return None if v is None else len(v)

        return length
    pick = min if node.func == "min" else max

    def minmax(facts, today):
        values = [arg(facts, today) for arg in args]
        return None if any(v is None for v in values) else pick(values)

    return minmax


def _compile_binary(node: Binary) -> Compiled:
    op = node.op
    left = compile_expr(node.left)
    right = compile_expr(node.right)
    if op == "and":

        def and_(facts, today):
            a = left(facts, today)
            if a is False:
                return False
            b = right(facts, today)
            if b is False:
                return False
            return None if a is None or b is None else True

        return and_
    if op == "or":

        def or_(facts, today):
            a = left(facts, today)
            if a is True:
                return True
            b = right(facts, today)
            if b is True:
                return True
            return None if a is None or b is None else False

        return or_
    if op in ("in", "notin", "has"):
        needle, haystack = (right, left) if op == "has" else (left, right)
        negated = op == "notin"

        def member(facts, today):
            n, h = needle(facts, today), haystack(facts, today)
            if n is None or h is None:
                return None
            return (n in h) != negated

        return member
    fn = _OPERATIONS[op]
    if op in ("+", "-", "*"):

        def arithmetic(facts, today):
            a, b = left(facts, today), right(facts, today)
            if a is None or b is None:
                return None
            return _checked(fn(a, b), node)

        return arithmetic
    if op == "//":

        def divide(facts, today):
            a, b = left(facts, today), right(facts, today)
            if a is None or b is None:
                return None
            if b == 0:
                raise _Fault("除数为 0", node.right)
            return _checked(a // b, node)

        return divide

    def compare(facts, today):
        a, b = left(facts, today), right(facts, today)
        if a is None or b is None:
            return None
        return fn(a, b)

    return compare


_OPERATIONS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "//": lambda a, b: a // b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


# ---------------------------------------------------------------------------------------------------
# Evaluating policies
# ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)  # not frozen: a frozen dataclass is several times slower to create
class CriterionResult:
    """One criterion for one beneficiary: pass/fail/unknown and the fact values it read."""

    criterion: Criterion
    status: str
    facts: dict[str, Any]

    @property
    def id(self) -> str:
        return self.criterion.id

    @property
    def missing(self) -> list[str]:
        """The facts it read that are unknown (what to ask the beneficiary for)."""
        return [name for name, value in self.facts.items() if value is None]


@dataclass(slots=True)
class PolicyResult:
    """A policy for one beneficiary on one date (``gongkai-rules/1`` §4)."""

    status: str
    criteria: tuple[CriterionResult, ...] = ()
    amount: int | None = None
    has_amount: bool = False  # whether the output carries an "amount" key (eligible + policy has one)

    def criteria_statuses(self) -> dict[str, str]:
        return {c.id: c.status for c in self.criteria}


def run(expression: Expression, facts: Mapping[str, Any], today: str, criterion: str | None) -> Any:
    """Evaluate one expression, turning faults into errors that name the criterion and the column."""
    try:
        return expression.compiled(facts, today)
    except _Fault as fault:
        raise EvaluationError(
            fault.message,
            Place(
                line=expression.line,
                path=expression.path,
                criterion=criterion,
                column=fault.node.start + 1,
                source=expression.source,
            ),
        ) from None


def check_policy_facts(policy: Policy, facts: Mapping[str, Any]) -> None:
    """Raise :class:`EvaluationError` if a fact the policy reads has a value of the wrong type."""
    catalogue = policy.catalogue
    for name in policy.facts_used:
        problem = check_fact_value(catalogue[name], facts.get(name))
        if problem:
            who = policy.first_user(name)
            raise EvaluationError(
                f"数据项 {name}（{catalogue[name].label}）的值{problem}",
                Place(criterion=who if who != "amount" else None, path=None if who != "amount" else "amount"),
            )


def evaluate_policy(
    policy: Policy, facts: Mapping[str, Any], on: dt.date, *, checked: bool = False
) -> PolicyResult:
    """The result of ``policy`` for a beneficiary with ``facts`` on date ``on``.

    ``checked=True`` skips validating fact values (the caller has done it for all facts at once).
    """
    if not policy.in_force(on):
        return PolicyResult("not_in_force")
    if not checked:
        check_policy_facts(policy, facts)
    today = on.isoformat()
    results = []
    any_fail = any_unknown = False
    for criterion in policy.criteria:
        value = run(criterion.when, facts, today, criterion.id)
        if value is True:
            status = "pass"
        elif value is False:
            status = "fail"
            any_fail = True
        else:
            status = "unknown"
            any_unknown = True
        used = {name: facts.get(name) for name in criterion.when.facts}
        results.append(CriterionResult(criterion, status, used))
    if any_fail:
        return PolicyResult("ineligible", tuple(results))
    if any_unknown:
        return PolicyResult("undetermined", tuple(results))
    if policy.amount is None:
        return PolicyResult("eligible", tuple(results))
    amount = run(policy.amount, facts, today, None)
    return PolicyResult("eligible", tuple(results), amount, True)
