"""The command-line matcher's behaviour (``gongkai-rules/1`` §5), without Django.

``gongkai match-policy POLICY FACTS.jsonl --on DATE`` reads the beneficiaries, evaluates the policy for
each, and prints one JSON object per line in input order, keys sorted, no spaces after separators.
Everything is read and checked before the first line is printed, so a bad input never leaves half an
output behind.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import EvaluationError, FactsError, Place, RulesError
from .evaluate import PolicyResult, check_policy_facts, evaluate_policy
from .policy import Policy
from .types import parse_iso_date


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """One line of a facts file."""

    id: str
    facts: dict[str, Any]
    line: int | None = None


def parse_on(text: str) -> dt.date:
    """The ``--on`` date (strict ``YYYY-MM-DD``)."""
    day = parse_iso_date(text)
    if day is None:
        raise RulesError(f"--on 应为 YYYY-MM-DD 格式的有效日期（如 2026-03-01），实际为“{text}”")
    return day


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"键“{key}”重复")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"不支持 {name}")


def read_facts(lines: Iterable[str], *, file: str = "FACTS.jsonl") -> list[Beneficiary]:
    """Parse JSON lines ``{"id": "...", "facts": {...}}``; blank lines are skipped.

    Raises :class:`FactsError` naming the file and line of the first malformed one.
    """
    out: list[Beneficiary] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.lstrip("\ufeff") if number == 1 else raw
        if not text.strip():
            continue
        place = Place(file=file, line=number)
        try:
            obj = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise FactsError(f"不是有效的 JSON（{exc.msg}，第{exc.colno}列）", place) from None
        except ValueError as exc:
            raise FactsError(f"不是有效的 JSON（{exc}）", place) from None
        if not isinstance(obj, dict):
            raise FactsError('每行应为一个 JSON 对象：{"id": "…", "facts": {…}}', place)
        bid = obj.get("id")
        if not isinstance(bid, str) or not bid:
            raise FactsError('缺少 "id" 或它不是非空字符串', place)
        facts = obj.get("facts")
        if not isinstance(facts, dict):
            raise FactsError(f'id {bid}："facts" 应为 JSON 对象（数据项名: 值）', place)
        out.append(Beneficiary(bid, facts, number))
    return out


def output_line(beneficiary_id: str, result: PolicyResult) -> str:
    """The contract's output line for one beneficiary."""
    obj: dict[str, Any] = {"id": beneficiary_id, "status": result.status}
    if result.status != "not_in_force":
        obj["criteria"] = result.criteria_statuses()
    if result.has_amount:
        obj["amount"] = result.amount
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def _wrap(exc: RulesError, policy: Policy, beneficiary: Beneficiary, facts_file: str) -> FactsError:
    """An evaluation error for one beneficiary: where in the facts file, then where in the policy."""
    exc.at(file=policy.file)
    return FactsError(f"id {beneficiary.id}：{exc.render()}", Place(file=facts_file, line=beneficiary.line))


def match_beneficiaries(
    policy: Policy,
    beneficiaries: Sequence[Beneficiary],
    on: dt.date,
    *,
    engine: str = "scalar",
    facts_file: str = "FACTS.jsonl",
) -> list[str]:
    """Output lines for every beneficiary, in input order; raise on the first error (in input order)."""
    if not policy.in_force(on):
        return [output_line(b.id, PolicyResult("not_in_force")) for b in beneficiaries]
    for b in beneficiaries:
        try:
            check_policy_facts(policy, b.facts)
        except EvaluationError as exc:
            raise _wrap(exc, policy, b, facts_file) from None
    if engine == "vector":
        from .vector import Frame, match_policy

        frame = Frame.from_records(
            [b.facts for b in beneficiaries], policy.catalogue, policy.facts_used, validate=False
        )
        try:
            match = match_policy(policy, frame, on)
        except EvaluationError as exc:
            assert exc.row is not None
            raise _wrap(exc, policy, beneficiaries[exc.row], facts_file) from None
        return [output_line(b.id, match.result(row)) for row, b in enumerate(beneficiaries)]
    if engine != "scalar":
        raise ValueError(f"unknown engine {engine!r}")
    lines = []
    for b in beneficiaries:
        try:
            result = evaluate_policy(policy, b.facts, on, checked=True)
        except EvaluationError as exc:
            raise _wrap(exc, policy, b, facts_file) from None
        lines.append(output_line(b.id, result))
    return lines
