"""The syntax tree of rule expressions.

Every node records its span in the expression text (``start``/``end``, 0-based) for error messages,
its static type once :mod:`.types` has checked it (``ty``), and a structural ``key`` that ignores
positions and spelling (``b has a`` and ``a in b`` have the same key), so that the vectorised matcher
can share the work of equal sub-expressions across criteria and policies.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


class Node:
    __slots__ = ("_constant", "_key", "end", "start", "ty")

    def __init__(self, start: int, end: int):
        self.start = start
        self.end = end
        self.ty: Any = None
        self._key: tuple | None = None
        self._constant: bool | None = None

    @property
    def constant(self) -> bool:
        """True when the expression reads no fact (``today`` is fixed for one evaluation)."""
        if self._constant is None:
            self._constant = not facts_used(self)
        return self._constant

    def children(self) -> tuple[Node, ...]:
        return ()

    def _make_key(self) -> tuple:
        raise NotImplementedError

    @property
    def key(self) -> tuple:
        if self._key is None:
            self._key = self._make_key()
        return self._key

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children():
            yield from child.walk()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Node) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.key!r}>"


class Literal(Node):
    """An integer, string or boolean written in the expression."""

    __slots__ = ("value",)

    def __init__(self, value: int | str | bool, start: int, end: int):
        super().__init__(start, end)
        self.value = value

    def _make_key(self) -> tuple:
        # bool is a subclass of int: keep true and 1 apart.
        return ("lit", type(self.value).__name__, self.value)


class ListLiteral(Node):
    __slots__ = ("items",)

    def __init__(self, items: list[Node], start: int, end: int):
        super().__init__(start, end)
        self.items = items

    def children(self) -> tuple[Node, ...]:
        return tuple(self.items)

    def _make_key(self) -> tuple:
        return ("list", *(item.key for item in self.items))


class Name(Node):
    """A fact, or ``today``."""

    __slots__ = ("name",)

    def __init__(self, name: str, start: int, end: int):
        super().__init__(start, end)
        self.name = name

    def _make_key(self) -> tuple:
        return ("name", self.name)


class Call(Node):
    __slots__ = ("args", "func", "func_end")

    def __init__(self, func: str, args: list[Node], start: int, end: int, func_end: int):
        super().__init__(start, end)
        self.func = func
        self.args = args
        self.func_end = func_end

    def children(self) -> tuple[Node, ...]:
        return tuple(self.args)

    def _make_key(self) -> tuple:
        return ("call", self.func, *(arg.key for arg in self.args))


class Negate(Node):
    """Unary minus."""

    __slots__ = ("operand",)

    def __init__(self, operand: Node, start: int, end: int):
        super().__init__(start, end)
        self.operand = operand

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)

    def _make_key(self) -> tuple:
        return ("neg", self.operand.key)


class Not(Node):
    __slots__ = ("operand",)

    def __init__(self, operand: Node, start: int, end: int):
        super().__init__(start, end)
        self.operand = operand

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)

    def _make_key(self) -> tuple:
        return ("not", self.operand.key)


class Binary(Node):
    """A binary operator. ``op`` is one of: and or == != < <= > >= + - * // in notin has.

    ``op_start`` is the operator's position, for messages about the operator itself.
    """

    __slots__ = ("left", "op", "op_start", "right")

    ARITHMETIC = frozenset({"+", "-", "*", "//"})
    COMPARISON = frozenset({"==", "!=", "<", "<=", ">", ">="})
    MEMBERSHIP = frozenset({"in", "notin", "has"})
    LOGICAL = frozenset({"and", "or"})

    def __init__(self, op: str, left: Node, right: Node, start: int, end: int, op_start: int):
        super().__init__(start, end)
        self.op = op
        self.left = left
        self.right = right
        self.op_start = op_start

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)

    @property
    def needle(self) -> Node:
        """For membership: the element looked for."""
        return self.right if self.op == "has" else self.left

    @property
    def haystack(self) -> Node:
        """For membership: the list looked in."""
        return self.left if self.op == "has" else self.right

    def _make_key(self) -> tuple:
        if self.op == "has":
            return ("in", self.right.key, self.left.key)
        return (self.op, self.left.key, self.right.key)


def facts_used(node: Node) -> list[str]:
    """The fact names an expression reads, in order of first appearance (``today`` is not a fact)."""
    seen: dict[str, None] = {}
    for sub in node.walk():
        if isinstance(sub, Name) and sub.name != "today":
            seen.setdefault(sub.name, None)
    return list(seen)
