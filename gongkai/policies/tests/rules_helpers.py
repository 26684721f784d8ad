"""Shared helpers for the rules-engine tests (no database needed)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from gongkai.policies.rules.loader import load_policy_text
from gongkai.policies.rules.nodes import Binary, Call, ListLiteral, Literal, Name, Negate, Node, Not
from gongkai.policies.rules.policy import Policy

DATA = Path(__file__).with_name("data")
VECTORS = Path("/work/shared/specs/vectors")
if not VECTORS.is_dir():  # the shared specs checked out beside the project
    VECTORS = Path(__file__).resolve().parents[4] / "shared" / "specs" / "vectors"

ON = dt.date(2026, 6, 30)


def sexpr(node: Node) -> str:
    """A compact rendering of a syntax tree: (op left right)."""
    if isinstance(node, Literal):
        if isinstance(node.value, bool):
            return "true" if node.value else "false"
        return repr(node.value) if isinstance(node.value, str) else str(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, ListLiteral):
        return "[" + " ".join(sexpr(i) for i in node.items) + "]"
    if isinstance(node, Negate):
        return f"(neg {sexpr(node.operand)})"
    if isinstance(node, Not):
        return f"(not {sexpr(node.operand)})"
    if isinstance(node, Call):
        return f"({node.func} " + " ".join(sexpr(a) for a in node.args) + ")"
    assert isinstance(node, Binary)
    return f"({node.op} {sexpr(node.left)} {sexpr(node.right)})"


def policy_yaml(
    criteria: dict[str, str] | str, *, amount: str | int | None = None, extra: str = "", **fields
) -> str:
    """A valid policy file around some criteria ({id: when}); ``fields`` override top-level fields."""
    top = {
        "rules": "gongkai-rules/1",
        "policy": "test-policy",
        "version": "1",
        "title": "测试政策",
        "source": "{document: 测试〔2026〕1号}",
        "mode": "免申即享",
        "beneficiary": "entity",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
    }
    top.update({k: str(v) for k, v in fields.items()})
    lines = [f"{k}: {v}" for k, v in top.items() if v != "DROP"]
    if isinstance(criteria, str):
        lines.append(textwrap.dedent(criteria).strip("\n"))
    else:
        lines.append("criteria:")
        for cid, when in criteria.items():
            quoted = "'" + when.replace("'", "''") + "'"
            lines += [f"  - id: {cid}", f"    label: 条件{cid}", f"    when: {quoted}"]
    if amount is not None:
        lines.append(f"amount: '{amount}'" if isinstance(amount, str) else f"amount: {amount}")
    if extra:
        lines.append(textwrap.dedent(extra).strip("\n"))
    return "\n".join(lines) + "\n"


def make_policy(criteria: dict[str, str] | str, *, amount: str | int | None = None, **fields) -> Policy:
    return load_policy_text(policy_yaml(criteria, amount=amount, **fields), file="test.yaml")
