"""The fact catalogue and the static type checker.

A policy may only use facts in the catalogue, each with one type. Checking happens once, when a policy
is loaded, so evaluation meets a type error only when a *fact value* has the wrong type. Types:

* ``integer`` (64-bit; money in yuan or fen, counts, ratios in a catalogued integer unit),
* ``string``; ``date`` is a string holding a valid ISO date (``"2019-03-01"``) and mixes freely with
  strings — a string literal that is a valid ISO date is a date, so ``years_between`` accepts it,
* ``boolean``,
* ``list`` of strings (facts); list literals may hold any one scalar type.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Place, RulesTypeError
from .nodes import Binary, Call, ListLiteral, Literal, Name, Negate, Node, Not
from .parser import INT_MAX, INT_MIN


@dataclass(frozen=True, slots=True)
class Type:
    name: str  # integer string date boolean any list
    elem: Type | None = None

    def __str__(self) -> str:
        if self.name == "list":
            return "列表" if self.elem is None or self.elem.name == "any" else f"{self.elem}列表"
        return _TYPE_NAMES[self.name]

    @property
    def is_string(self) -> bool:
        return self.name in ("string", "date")


_TYPE_NAMES = {
    "integer": "整数",
    "string": "字符串",
    "date": "日期",
    "boolean": "布尔值（true/false）",
    "any": "任意",
}

INT = Type("integer")
STR = Type("string")
DATE = Type("date")
BOOL = Type("boolean")
ANY = Type("any")
STR_LIST = Type("list", STR)

FACT_TYPES = {"integer": INT, "string": STR, "date": DATE, "boolean": BOOL, "list": STR_LIST}

FUNCTIONS = ("years_between", "len", "min", "max")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(text: str) -> dt.date | None:
    """The date written as ``YYYY-MM-DD``, or None when ``text`` is not exactly that."""
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------------

BENEFICIARY_KINDS = ("entity", "person")
_FACT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class FactSpec:
    """One catalogued fact: what it is called, its type, and how to show it to a beneficiary."""

    name: str
    type: str
    label: str
    unit: str = ""  # shown after the value: 元, 人, 个月, %
    scale: int = 1  # the stored integer divided by this is the shown number (万分之一 → % : 100)
    source: str = ""  # 登记注册, 税务, 人社/社保, 工信, 人才办 …
    refresh: str = ""  # how often it is refreshed
    applies_to: frozenset[str] = frozenset(BENEFICIARY_KINDS)

    @property
    def static_type(self) -> Type:
        return FACT_TYPES[self.type]


@dataclass(frozen=True)
class Catalogue:
    """The facts a policy may use. Later the database holds it; the engine only needs this mapping."""

    facts: Mapping[str, FactSpec] = field(default_factory=dict)

    def __contains__(self, name: object) -> bool:
        return name in self.facts

    def get(self, name: str) -> FactSpec | None:
        return self.facts.get(name)

    def __getitem__(self, name: str) -> FactSpec:
        return self.facts[name]

    @classmethod
    def from_data(cls, data: Any, origin: str = "数据目录") -> Catalogue:
        """Build from ``{"facts": {name: {type, label, unit?, scale?, source?, refresh?, applies_to?}}}``."""
        if not isinstance(data, Mapping) or not isinstance(data.get("facts"), Mapping):
            raise ValueError(f"{origin}：应为 {{facts: {{数据项名: {{type, label, …}}}}}}")
        facts: dict[str, FactSpec] = {}
        allowed = {"type", "label", "unit", "scale", "source", "refresh", "applies_to"}
        for name, spec in data["facts"].items():
            where = f"{origin}：数据项 {name}"
            if not isinstance(name, str) or not _FACT_NAME.fullmatch(name) or name == "today":
                raise ValueError(f"{where}：名称只能由英文字母、数字和下划线组成（且不能是 today）")
            if not isinstance(spec, Mapping):
                raise ValueError(f"{where}：应为一个映射")
            extra = set(spec) - allowed
            if extra:
                raise ValueError(f"{where}：未知字段 {', '.join(sorted(map(str, extra)))}")
            if spec.get("type") not in FACT_TYPES:
                raise ValueError(f"{where}：type 应为 {' | '.join(FACT_TYPES)}")
            if not isinstance(spec.get("label"), str) or not spec["label"]:
                raise ValueError(f"{where}：缺少 label（中文名称）")
            scale = spec.get("scale", 1)
            if type(scale) is not int or scale < 1:
                raise ValueError(f"{where}：scale 应为正整数")
            applies = spec.get("applies_to", list(BENEFICIARY_KINDS))
            if isinstance(applies, str):
                applies = [applies]
            if not applies or any(kind not in BENEFICIARY_KINDS for kind in applies):
                raise ValueError(f"{where}：applies_to 应为 entity 和/或 person")
            facts[name] = FactSpec(
                name=name,
                type=spec["type"],
                label=spec["label"],
                unit=str(spec.get("unit", "")),
                scale=scale,
                source=str(spec.get("source", "")),
                refresh=str(spec.get("refresh", "")),
                applies_to=frozenset(applies),
            )
        return cls(facts)

    @classmethod
    def load(cls, path: str | Path) -> Catalogue:
        import yaml

        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ValueError(f"{path}：无法读取数据目录（{exc}）") from None
        return cls.from_data(data, origin=str(path))


@functools.cache
def default_catalogue() -> Catalogue:
    """The catalogue shipped with Gongkai (``rules/data/facts.yaml``), for the database-free tools; the
    product reads the database's catalogue, seeded from the same file."""
    return Catalogue.load(Path(__file__).with_name("data") / "facts.yaml")


# ---------------------------------------------------------------------------------------------------
# The checker
# ---------------------------------------------------------------------------------------------------


def compatible(a: Type, b: Type) -> bool:
    """May values of these two types be compared (or share a list)?"""
    if a.name == "any" or b.name == "any":
        return True
    if a.is_string and b.is_string:
        return True
    return a == b


def join(a: Type, b: Type) -> Type:
    if a.name == "any":
        return b
    if b.name == "any" or a == b:
        return a
    return STR  # date with string


class TypeChecker:
    """Checks one expression against a catalogue, setting ``node.ty`` on every node."""

    def __init__(self, catalogue: Catalogue, beneficiary: str, source: str):
        self.catalogue = catalogue
        self.beneficiary = beneficiary
        self.source = source

    def fail(self, node: Node, message: str, column: int | None = None) -> RulesTypeError:
        col = column if column is not None else node.start + 1
        return RulesTypeError(message, Place(column=col, source=self.source))

    def check(self, node: Node, expected: Type, role: str) -> Type:
        ty = self.visit(node)
        if ty != expected and not (expected == STR and ty.is_string):
            raise self.fail(node, f"{role}应为{expected}，这里得到的是{ty}")
        return ty

    def visit(self, node: Node) -> Type:
        ty = self._visit(node)
        node.ty = ty
        return ty

    def _visit(self, node: Node) -> Type:
        if isinstance(node, Literal):
            if isinstance(node.value, bool):
                return BOOL
            if isinstance(node.value, int):
                return INT
            return DATE if parse_iso_date(node.value) else STR
        if isinstance(node, Name):
            return self.fact_type(node)
        if isinstance(node, ListLiteral):
            elem = ANY
            for item in node.items:
                ity = self.visit(item)
                if ity.name == "list":
                    raise self.fail(item, "列表里不能再套列表")
                if not compatible(elem, ity):
                    raise self.fail(item, f"列表里的值类型应一致：前面是{elem}，这里是{ity}")
                elem = join(elem, ity)
            return Type("list", elem)
        if isinstance(node, Negate):
            self.expect(node.operand, INT, "负号后面的值")
            return INT
        if isinstance(node, Not):
            self.expect(node.operand, BOOL, "not 后面的条件")
            return BOOL
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Binary):
            return self.binary(node)
        raise AssertionError(f"unexpected node {node!r}")

    def expect(self, node: Node, expected: Type, role: str) -> Type:
        ty = self.visit(node)
        if not (ty == expected or (expected == STR and ty.is_string)):
            raise self.fail(node, f"{role}应为{expected}，这里是{ty}")
        return ty

    def fact_type(self, node: Name) -> Type:
        if node.name == "today":
            return DATE
        spec = self.catalogue.get(node.name)
        if spec is None:
            message = f"未知的数据项“{node.name}”：政策只能使用数据目录中登记的数据项"
            close = difflib.get_close_matches(node.name, list(self.catalogue.facts), n=3)
            if close:
                message += f"（是否想写 {'、'.join(close)}？）"
            raise self.fail(node, message)
        if self.beneficiary not in spec.applies_to:
            who = "市场主体" if self.beneficiary == "entity" else "个人"
            raise self.fail(
                node, f"数据项“{node.name}”（{spec.label}）不适用于{who}（beneficiary: {self.beneficiary}）"
            )
        return spec.static_type

    def call(self, node: Call) -> Type:
        name, args = node.func, node.args
        if name not in FUNCTIONS:
            message = f"未知的函数“{name}”：可用的函数有 {'、'.join(FUNCTIONS)}"
            if name == "today":
                message += "（today 是日期值，不加括号）"
            raise self.fail(node, message)
        if name == "years_between":
            if len(args) != 2:
                raise self.fail(
                    node, f"years_between 需要 2 个参数（起始日期, 截止日期），这里有 {len(args)} 个"
                )
            for arg, role in zip(args, ("起始日期", "截止日期"), strict=True):
                ty = self.visit(arg)
                if ty != DATE:
                    hint = "（字符串须是有效的 YYYY-MM-DD 日期）" if ty == STR else ""
                    raise self.fail(arg, f"years_between 的{role}应为日期，这里是{ty}{hint}")
            return INT
        if name == "len":
            if len(args) != 1:
                raise self.fail(node, f"len 需要 1 个参数（列表），这里有 {len(args)} 个")
            ty = self.visit(args[0])
            if ty.name != "list":
                raise self.fail(args[0], f"len 的参数应为列表，这里是{ty}")
            return INT
        # min / max
        if not args:
            raise self.fail(node, f"{name} 至少需要 1 个参数")
        result: Type | None = None
        for arg in args:
            ty = self.visit(arg)
            if ty != INT and not ty.is_string:
                raise self.fail(arg, f"{name} 的参数应为整数或字符串（日期），这里是{ty}")
            if result is not None and not compatible(result, ty):
                raise self.fail(arg, f"{name} 的参数类型应一致：前面是{result}，这里是{ty}")
            result = ty if result is None else join(result, ty)
        assert result is not None
        return result

    def binary(self, node: Binary) -> Type:
        op = node.op
        if op in ("and", "or"):
            self.expect(node.left, BOOL, f"{op} 左边的条件")
            self.expect(node.right, BOOL, f"{op} 右边的条件")
            return BOOL
        if op in Binary.ARITHMETIC:
            self.expect(node.left, INT, f"“{op}”左边的值")
            self.expect(node.right, INT, f"“{op}”右边的值")
            if op == "//" and isinstance(node.right, Literal) and node.right.value == 0:
                raise self.fail(node.right, "除数为 0")
            return INT
        if op in Binary.COMPARISON:
            left = self.visit(node.left)
            right = self.visit(node.right)
            for side, ty in ((node.left, left), (node.right, right)):
                if ty.name == "list":
                    raise self.fail(side, f"列表不能用“{op}”比较（判断是否包含请用 in 或 has）")
            if not compatible(left, right):
                raise self.fail(
                    node, f"“{op}”两边的类型应相同：左边是{left}，右边是{right}", column=node.op_start + 1
                )
            return BOOL
        # membership: in, not in, has
        needle, haystack = node.needle, node.haystack
        nty = self.visit(needle)
        hty = self.visit(haystack)
        word = {"in": "in 右边", "notin": "not in 右边", "has": "has 左边"}[op]
        if hty.name != "list":
            hint = "（判断相等请用 ==）" if hty.is_string or hty == INT else ""
            raise self.fail(haystack, f"{word}应为列表，这里是{hty}{hint}")
        if nty.name == "list":
            raise self.fail(needle, "要查找的值不能是列表")
        assert hty.elem is not None
        if not compatible(nty, hty.elem):
            raise self.fail(node, f"要查找的值是{nty}，但列表里是{hty.elem}", column=node.op_start + 1)
        return BOOL


def check_expression(
    node: Node, *, catalogue: Catalogue, beneficiary: str, source: str, expected: Type, role: str
) -> Type:
    """Type-check ``node``; raise :class:`RulesTypeError` (with the column) on the first problem."""
    return TypeChecker(catalogue, beneficiary, source).check(node, expected, role)


def check_fact_value(spec: FactSpec, value: Any) -> str | None:
    """Why ``value`` is not a valid value of the fact (None when it is; null means unknown)."""
    if value is None:
        return None
    kind = spec.type
    if kind == "integer":
        if type(value) is not int:
            return f"应为整数，实际为{describe_json(value)}"
        if not INT_MIN <= value <= INT_MAX:
            return f"整数超出范围：{value}"
        return None
    if kind == "boolean":
        return None if type(value) is bool else f"应为 true 或 false，实际为{describe_json(value)}"
    if kind == "string":
        return None if type(value) is str else f"应为字符串，实际为{describe_json(value)}"
    if kind == "date":
        if type(value) is not str or parse_iso_date(value) is None:
            return f"应为 YYYY-MM-DD 格式的日期字符串，实际为{describe_json(value)}"
        return None
    if kind == "list":
        if type(value) is not list or any(type(item) is not str for item in value):
            return f"应为字符串列表，实际为{describe_json(value)}"
        return None
    raise AssertionError(kind)


def describe_json(value: Any) -> str:
    import json

    kind = {bool: "布尔值", int: "整数", float: "小数", str: "字符串", list: "列表", dict: "对象"}.get(
        type(value), type(value).__name__
    )
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > 60:
        text = text[:57] + "…"
    return f"{kind} {text}"


def check_facts(
    catalogue: Catalogue, facts: Mapping[str, Any], names: Iterable[str]
) -> tuple[str, str] | None:
    """The first (fact name, problem) among ``names`` whose value in ``facts`` is invalid, or None."""
    for name in names:
        problem = check_fact_value(catalogue[name], facts.get(name))
        if problem:
            return name, problem
    return None
