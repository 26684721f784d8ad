"""A loaded, validated policy (one version of one ``gongkai-rules/1`` file)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .nodes import Node
from .types import Catalogue

RULES_FORMAT = "gongkai-rules/1"
MODES = ("免申即享", "快申快享", "评审类")
STATUSES = ("eligible", "ineligible", "undetermined", "not_in_force")
CRITERION_STATUSES = ("pass", "fail", "unknown")

# A compiled expression: (facts, today as ISO string) -> value, None meaning unknown.
Compiled = Callable[[Mapping[str, Any], str], Any]


@dataclass(eq=False)
class Expression:
    """An expression as written (``source``), parsed and type-checked (``node``), and compiled."""

    source: str
    node: Node
    compiled: Compiled
    facts: tuple[str, ...]
    line: int | None = None
    path: str = ""


@dataclass(eq=False)
class Criterion:
    id: str
    label: str
    when: Expression


@dataclass(eq=False)
class PolicyTest:
    """One of the officers' own cases: facts on a date and the expected result."""

    name: str
    on: dt.date
    facts: dict[str, Any]
    expect_status: str
    expect_amount: Any = None
    has_expect_amount: bool = False
    expect_criteria: dict[str, str] | None = None
    line: int | None = None
    path: str = ""


@dataclass(eq=False)
class Policy:
    id: str
    version: int
    title: str
    source: dict[str, str]
    mode: str
    beneficiary: str
    valid_from: dt.date
    valid_to: dt.date | None
    criteria: tuple[Criterion, ...]
    amount: Expression | None
    tests: tuple[PolicyTest, ...]
    catalogue: Catalogue
    file: str | None = None
    facts_used: tuple[str, ...] = field(default=())

    def in_force(self, on: dt.date) -> bool:
        """Whether ``on`` lies inside the validity window (both ends inclusive)."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    @property
    def name(self) -> str:
        return f"{self.id} v{self.version}"

    def first_user(self, fact: str) -> str:
        """The first criterion id (or "amount") reading ``fact``, for messages about bad values."""
        for criterion in self.criteria:
            if fact in criterion.when.facts:
                return criterion.id
        return "amount"
