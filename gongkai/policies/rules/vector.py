"""Vectorised evaluation: many policies over many beneficiaries at once, with numpy.

Data layout (a :class:`Frame`): one column per fact. Integers are int64 arrays; strings and dates are
int32 codes into one sorted vocabulary shared by all columns (so codes compare as the strings do);
booleans are packed bitsets; lists are CSR (offsets + element codes). Unknown (null) values are
tracked by a packed *known* bitset per column (``None`` when every value is known).

Three-valued logic is two packed bitsets per condition, *known* and *true* (true ⊆ known); ``and``,
``or`` and ``not`` are then a few byte-wise operations over N/8 bytes. Equal sub-expressions anywhere
in a batch of policies (``penalties_last_year == 0`` is in half of them) are evaluated once: a plan
counts how often each is needed, keeps the result while it is still needed and frees it after its
last use, so memory stays bounded however many policies share it.

The scalar interpreter (:mod:`.evaluate`) is the reference. Rows where the vectorised path cannot be
sure of the answer — a division by zero or a 64-bit overflow somewhere, possibly on a side that the
scalar interpreter would skip — are flagged and re-evaluated by the scalar interpreter, which either
raises the same error it would raise anyway or gives the answer. A property test checks that both
engines agree on random expressions and facts.

Re-evaluating a subset of beneficiaries (an import touched 10,000 of them) is ``frame.take(rows)``
followed by the same match: cost is proportional to the rows taken.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import EvaluationError
from .evaluate import PolicyResult, _Fault, compile_expr, evaluate_policy, years_between
from .nodes import Binary, Call, ListLiteral, Name, Negate, Node, Not
from .parser import INT_MAX, INT_MIN
from .policy import Policy
from .types import Catalogue, check_fact_value, parse_iso_date

# ---------------------------------------------------------------------------------------------------
# Packed bitsets
# ---------------------------------------------------------------------------------------------------


def pack(mask: np.ndarray) -> np.ndarray:
    """Pack a boolean array into bytes (bit i of the result is mask[i]); padding bits are zero."""
    return np.packbits(mask, bitorder="little")


def unpack(bits: np.ndarray, n: int) -> np.ndarray:
    return np.unpackbits(bits, count=n, bitorder="little").view(bool)


@functools.lru_cache(maxsize=64)
def _all_bits(n: int) -> np.ndarray:
    bits = pack(np.ones(n, dtype=bool))
    bits.flags.writeable = False
    return bits


@functools.lru_cache(maxsize=64)
def _no_bits(n: int) -> np.ndarray:
    bits = np.zeros((n + 7) // 8, dtype=np.uint8)
    bits.flags.writeable = False
    return bits


def rows_of(bits: np.ndarray, n: int) -> np.ndarray:
    """Indices of the set bits (ascending); fast when few are set, as for the eligible of a policy."""
    nonzero = np.flatnonzero(bits)
    if len(nonzero) * 8 > n // 4:
        return np.flatnonzero(unpack(bits, n))
    expanded = np.unpackbits(bits[nonzero], bitorder="little").view(bool)
    rows = (nonzero[:, None] * 8 + np.arange(8)).ravel()[expanded]
    return rows[rows < n]


def popcount(bits: np.ndarray) -> int:
    return int(np.bitwise_count(bits).sum(dtype=np.int64))


def _and(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    """AND of two known-bitsets where None means all known."""
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def _or_err(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None:
        return b
    if b is None:
        return a
    return a | b


# ---------------------------------------------------------------------------------------------------
# Vocabulary and columns
# ---------------------------------------------------------------------------------------------------


class Vocab:
    """Sorted distinct strings; a string's code is its index, so codes order like the strings."""

    def __init__(self, strings: Iterable[str]):
        # "" is always present, so code 0 (what unknown rows hold) indexes something in any vocabulary
        self.strings: list[str] = sorted({"", *strings})
        self.index: dict[str, int] = {s: i for i, s in enumerate(self.strings)}
        self._dates: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.strings)

    def code(self, s: str) -> int | None:
        return self.index.get(s)

    def codes(self, strings: Sequence[str]) -> np.ndarray:
        return np.fromiter((self.index[s] for s in strings), dtype=np.int32, count=len(strings))

    def left(self, s: str) -> int:
        return bisect.bisect_left(self.strings, s)

    def right(self, s: str) -> int:
        return bisect.bisect_right(self.strings, s)

    def date_parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per code: year, month*100+day, and whether the string is a valid ISO date."""
        if self._dates is None:
            years = np.zeros(len(self.strings), dtype=np.int64)
            mds = np.zeros(len(self.strings), dtype=np.int64)
            valid = np.zeros(len(self.strings), dtype=bool)
            for i, s in enumerate(self.strings):
                day = parse_iso_date(s)
                if day is not None:
                    years[i], mds[i], valid[i] = day.year, day.month * 100 + day.day, True
            self._dates = (years, mds, valid)
        return self._dates

    def extended(self, extra: Iterable[str]) -> tuple[Vocab, np.ndarray]:
        """A vocabulary with ``extra`` added, and the old→new code map."""
        new = Vocab([*self.strings, *extra])
        remap = np.fromiter((new.index[s] for s in self.strings), dtype=np.int32, count=len(self.strings))
        return new, remap


@dataclass
class IntColumn:
    values: np.ndarray  # int64; 0 where unknown
    known: np.ndarray | None = None  # packed


@dataclass
class StrColumn:
    codes: np.ndarray  # int32 codes into the frame's vocabulary; 0 where unknown
    known: np.ndarray | None = None


@dataclass
class BoolColumn:
    true: np.ndarray  # packed; zero where unknown (enforced: three-valued logic relies on true ⊆ known)
    known: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.known is not None:
            self.true = self.true & self.known


@dataclass
class ListColumn:
    offsets: np.ndarray  # int64, n + 1
    elems: np.ndarray  # int32 codes
    known: np.ndarray | None = None
    _rows: np.ndarray | None = field(default=None, repr=False)

    @property
    def row_of_elem(self) -> np.ndarray:
        if self._rows is None:
            lengths = np.diff(self.offsets)
            self._rows = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
        return self._rows


Column = IntColumn | StrColumn | BoolColumn | ListColumn


class Frame:
    """Facts of n beneficiaries, column by column."""

    def __init__(self, n: int, vocab: Vocab, columns: Mapping[str, Column], types: Mapping[str, str]):
        self.n = n
        self.vocab = vocab
        self.columns = dict(columns)
        self.types = dict(types)  # fact name -> catalogue type

    @classmethod
    def from_records(
        cls,
        records: Sequence[Mapping[str, Any]],
        catalogue: Catalogue,
        names: Iterable[str] | None = None,
        *,
        validate: bool = True,
    ) -> Frame:
        """Columns for ``names`` (default: every catalogued fact) from per-beneficiary fact mappings."""
        names = list(names) if names is not None else list(catalogue.facts)
        n = len(records)
        if validate:
            for row, record in enumerate(records):
                for name in names:
                    problem = check_fact_value(catalogue[name], record.get(name))
                    if problem:
                        raise ValueError(f"第{row + 1}个对象的数据项 {name}{problem}")
        strings: set[str] = set()
        for name in names:
            kind = catalogue[name].type
            if kind in ("string", "date"):
                strings.update(v for r in records if (v := r.get(name)) is not None)
            elif kind == "list":
                for r in records:
                    strings.update(r.get(name) or ())
        vocab = Vocab(strings)
        columns: dict[str, Column] = {}
        for name in names:
            kind = catalogue[name].type
            raw = [r.get(name) for r in records]
            known_mask = np.fromiter((v is not None for v in raw), dtype=bool, count=n)
            known = None if known_mask.all() else pack(known_mask)
            if kind == "integer":
                values = np.fromiter((0 if v is None else v for v in raw), dtype=np.int64, count=n)
                columns[name] = IntColumn(values, known)
            elif kind in ("string", "date"):
                codes = np.fromiter(
                    (0 if v is None else vocab.index[v] for v in raw), dtype=np.int32, count=n
                )
                columns[name] = StrColumn(codes, known)
            elif kind == "boolean":
                true = np.fromiter((v is True for v in raw), dtype=bool, count=n)
                columns[name] = BoolColumn(pack(true), known)
            else:
                lengths = np.fromiter((0 if v is None else len(v) for v in raw), dtype=np.int64, count=n)
                offsets = np.zeros(n + 1, dtype=np.int64)
                np.cumsum(lengths, out=offsets[1:])
                elems = np.fromiter(
                    (vocab.index[s] for v in raw if v for s in v), dtype=np.int32, count=int(offsets[-1])
                )
                columns[name] = ListColumn(offsets, elems, known)
        return cls(n, vocab, columns, {name: catalogue[name].type for name in names})

    def take(self, rows: np.ndarray, names: Iterable[str] | None = None) -> Frame:
        """The frame restricted to ``rows`` (and optionally to some facts): for re-matching a subset."""
        rows = np.asarray(rows, dtype=np.int64)
        names = list(names) if names is not None else list(self.columns)
        m = len(rows)
        columns: dict[str, Column] = {}
        for name in names:
            col = self.columns[name]
            known = None if col.known is None else pack(unpack(col.known, self.n)[rows])
            if isinstance(col, IntColumn):
                columns[name] = IntColumn(col.values[rows], known)
            elif isinstance(col, StrColumn):
                columns[name] = StrColumn(col.codes[rows], known)
            elif isinstance(col, BoolColumn):
                columns[name] = BoolColumn(pack(unpack(col.true, self.n)[rows]), known)
            else:
                starts = col.offsets[rows]
                lengths = col.offsets[rows + 1] - starts
                offsets = np.zeros(m + 1, dtype=np.int64)
                np.cumsum(lengths, out=offsets[1:])
                index = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1], dtype=np.int64)
                columns[name] = ListColumn(offsets, col.elems[index], known)
        return Frame(m, self.vocab, columns, {name: self.types[name] for name in names})

    def record(self, row: int) -> dict[str, Any]:
        """The facts of one beneficiary, as the scalar interpreter takes them."""
        out: dict[str, Any] = {}
        strings = self.vocab.strings
        byte, bit = divmod(row, 8)
        for name, col in self.columns.items():
            if col.known is not None and not (col.known[byte] >> bit) & 1:
                out[name] = None
            elif isinstance(col, IntColumn):
                out[name] = int(col.values[row])
            elif isinstance(col, StrColumn):
                out[name] = strings[col.codes[row]]
            elif isinstance(col, BoolColumn):
                out[name] = bool((col.true[byte] >> bit) & 1)
            else:
                out[name] = [strings[c] for c in col.elems[col.offsets[row] : col.offsets[row + 1]]]
        return out


# ---------------------------------------------------------------------------------------------------
# Values during evaluation
# ---------------------------------------------------------------------------------------------------


class Val:
    """A vectorised value: ``kind`` is const, int, str, bool, list (a list fact) or litlist.

    ``known`` is a packed bitset (None: all known); ``err`` a boolean array of rows the scalar
    interpreter must decide (None: none).
    """

    __slots__ = ("data", "err", "kind", "known", "vocab")

    def __init__(
        self, kind: str, data: Any, known: np.ndarray | None = None, err=None, vocab: Vocab | None = None
    ):
        self.kind = kind
        self.data = data
        self.known = known
        self.err = err
        self.vocab = vocab


_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_NP_CMP = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


class VectorEvaluator:
    """Evaluates type-checked expressions over a frame on one date, sharing equal sub-expressions."""

    def __init__(self, frame: Frame, on: dt.date, plan: Mapping[tuple, int] | None = None):
        self.frame = frame
        self.n = frame.n
        self.today = on.isoformat()
        self.plan = plan or {}
        self.cache: dict[tuple, Val] = {}
        self.remaining: dict[tuple, int] = {}
        self.all = _all_bits(self.n)
        self.none = _no_bits(self.n)

    # -- plumbing ---------------------------------------------------------------------------------
    def eval(self, node: Node) -> Val:
        key = node.key
        cached = self.cache.get(key)
        if cached is not None:
            left = self.remaining[key] - 1
            if left <= 0:
                del self.cache[key]
                del self.remaining[key]
            else:
                self.remaining[key] = left
            return cached
        value = self._constant(node) if is_constant(node) else self._eval(node)
        uses = self.plan.get(key, 1)
        if uses > 1:
            self.cache[key] = value
            self.remaining[key] = uses - 1
        return value

    def _constant(self, node: Node) -> Val:
        try:
            value = compile_expr(node)({}, self.today)
        except _Fault:
            return Val("const", 0, err=np.ones(self.n, dtype=bool))
        if isinstance(value, list):
            value = tuple(value)
        return Val("const", value)

    def bits(self, v: Val) -> tuple[np.ndarray, np.ndarray]:
        """(known, true) packed for a boolean value."""
        if v.kind == "const":
            return self.all, (self.all if v.data else self.none)
        return (self.all if v.known is None else v.known), v.data

    def known_mask(self, known: np.ndarray | None) -> np.ndarray:
        return np.ones(self.n, dtype=bool) if known is None else unpack(known, self.n)

    def flag(self, problem: np.ndarray, known: np.ndarray | None) -> np.ndarray | None:
        """Rows where ``problem`` holds and the operands are known, or None if there are none."""
        if not problem.any():
            return None
        rows = problem & self.known_mask(known)
        return rows if rows.any() else None

    def boolean(self, true: np.ndarray, known: np.ndarray | None, err) -> Val:
        """A boolean value from an unpacked truth array, masked by ``known``."""
        t = pack(true)
        if known is not None:
            t &= known
        return Val("bool", t, known, err)

    # -- nodes ------------------------------------------------------------------------------------
    def _eval(self, node: Node) -> Val:
        if isinstance(node, Name):
            return self.fact(node.name)
        if isinstance(node, ListLiteral):
            items = [self.eval(item) for item in node.items]
            known = None
            err = None
            for item in items:
                known = _and(known, item.known)
                err = _or_err(err, item.err)
            return Val("litlist", items, known, err)
        if isinstance(node, Negate):
            a = self.eval(node.operand)
            values = a.data
            with np.errstate(over="ignore"):
                result = -values
            err = _or_err(a.err, self.flag(values == INT_MIN, a.known))
            return Val("int", result, a.known, err)
        if isinstance(node, Not):
            a = self.eval(node.operand)
            k, t = self.bits(a)
            return Val("bool", k & ~t, a.known, a.err)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Binary):
            return self.binary(node)
        raise AssertionError(f"unexpected node {node!r}")

    def fact(self, name: str) -> Val:
        col = self.frame.columns[name]
        if isinstance(col, IntColumn):
            return Val("int", col.values, col.known)
        if isinstance(col, StrColumn):
            return Val("str", col.codes, col.known, vocab=self.frame.vocab)
        if isinstance(col, BoolColumn):
            return Val("bool", col.true, col.known)
        return Val("list", col, col.known, vocab=self.frame.vocab)

    def binary(self, node: Binary) -> Val:
        op = node.op
        a = self.eval(node.left)
        b = self.eval(node.right)
        err = _or_err(a.err, b.err)
        if op in ("and", "or"):
            ka, ta = self.bits(a)
            kb, tb = self.bits(b)
            if op == "and":
                t = ta & tb
                k = (ka & kb) | (ka & ~ta) | (kb & ~tb)
            else:
                t = ta | tb
                k = (ka & kb) | ta | tb
            return Val("bool", t, k, err)
        if op in Binary.ARITHMETIC:
            return self.arithmetic(op, a, b, err)
        if op in Binary.COMPARISON:
            return self.compare(op, a, b, node.left.ty, err)
        needle, haystack = (b, a) if op == "has" else (a, b)
        needle_ty = (node.right if op == "has" else node.left).ty
        result = self.member(needle, haystack, needle_ty, err)
        if op == "notin":
            k, t = self.bits(result)
            return Val("bool", k & ~t, result.known, result.err)
        return result

    # -- arithmetic -------------------------------------------------------------------------------
    def arithmetic(self, op: str, a: Val, b: Val, err) -> Val:
        known = _and(a.known, b.known)
        x, y = a.data, b.data
        with np.errstate(all="ignore"):
            if op == "//":
                zero = np.asarray(y == 0)
                if zero.any():
                    y = np.where(zero, 1, y)
                    err = _or_err(err, self.flag(np.broadcast_to(zero, (self.n,)), known))
                result = np.floor_divide(x, y)
                overflow = np.asarray((np.asarray(x) == INT_MIN) & (np.asarray(y) == -1))
                if overflow.any():
                    err = _or_err(err, self.flag(np.broadcast_to(overflow, (self.n,)).copy(), known))
                return Val("int", np.broadcast_to(result, (self.n,)), known, err)
            bound_x, bound_y = _bound(x), _bound(y)
            if op == "*":
                result = np.multiply(x, y)
                if bound_x * bound_y > INT_MAX:
                    exact = _exact_overflow(x, y, self.n)
                    err = _or_err(err, self.flag(exact, known))
            else:
                result = np.add(x, y) if op == "+" else np.subtract(x, y)
                if bound_x + bound_y > INT_MAX:
                    xa, ya, r = np.asarray(x), np.asarray(y), np.asarray(result)
                    # two's complement: the sign flips against both operands (add) or the minuend (sub)
                    overflow = ((xa ^ r) & (ya ^ r) if op == "+" else (xa ^ ya) & (xa ^ r)) < 0
                    err = _or_err(err, self.flag(np.broadcast_to(overflow, (self.n,)).copy(), known))
        return Val("int", np.broadcast_to(result, (self.n,)), known, err)

    # -- comparisons ------------------------------------------------------------------------------
    def compare(self, op: str, a: Val, b: Val, ty, err) -> Val:
        if a.kind == "const" and b.kind == "const":  # e.g. an element of a list literal
            return Val("const", bool(_NP_CMP[op](a.data, b.data)), None, err)
        known = _and(a.known, b.known)
        if a.kind == "const":
            a, b, op = b, a, _FLIP[op]
        if ty.name == "boolean":
            ka, ta = self.bits(a)
            kb, tb = self.bits(b)
            if op == "==":
                t = ~(ta ^ tb)
            elif op == "!=":
                t = ta ^ tb
            elif op == "<":
                t = ~ta & tb
            elif op == "<=":
                t = ~ta | tb
            elif op == ">":
                t = ta & ~tb
            else:
                t = ta | ~tb
            k = ka & kb
            return Val("bool", t & k, known, err)
        if ty.is_string:
            if b.kind == "const":
                return self.boolean(self._str_vs_const(op, a, b.data), known, err)
            _, (xa, xb) = self.unify(a, b)
            return self.boolean(_NP_CMP[op](xa, xb), known, err)
        return self.boolean(_NP_CMP[op](a.data, b.data), known, err)

    def _str_vs_const(self, op: str, a: Val, s: str) -> np.ndarray:
        vocab: Vocab = a.vocab  # type: ignore[assignment]
        codes = a.data
        if op in ("==", "!="):
            code = vocab.code(s)
            if code is None:
                return np.full(self.n, op == "!=")
            return codes == code if op == "==" else codes != code
        if op == "<":
            return codes < vocab.left(s)
        if op == "<=":
            return codes < vocab.right(s)
        if op == ">":
            return codes >= vocab.right(s)
        return codes >= vocab.left(s)

    @staticmethod
    def unify(*vals: Val) -> tuple[Vocab, list[Any]]:
        """One vocabulary for string values, and their codes in it (constants become scalar codes).

        Columns share the frame's vocabulary, so this is free unless a constant is missing from it
        (``min(established_on, "2000-01-01")``) or values come from different vocabularies.
        """
        vocabs: dict[int, Vocab] = {
            id(v.vocab): v.vocab for v in vals if v.kind != "const" and v.vocab is not None
        }
        consts = [v.data for v in vals if v.kind == "const"]
        if len(vocabs) == 1:
            base = next(iter(vocabs.values()))
            if all(base.code(s) is not None for s in consts):
                return base, [v.data if v.kind != "const" else base.index[v.data] for v in vals]
        strings: set[str] = set(consts)
        for vocab in vocabs.values():
            strings.update(vocab.strings)
        merged = Vocab(strings)
        out: list[Any] = []
        for v in vals:
            if v.kind == "const":
                out.append(merged.index[v.data])
            else:
                remap = np.fromiter((merged.index[s] for s in v.vocab.strings), dtype=np.int32)  # type: ignore[union-attr]
                out.append(remap[v.data])
        return merged, out

    # -- membership -------------------------------------------------------------------------------
    def member(self, needle: Val, haystack: Val, needle_ty, err) -> Val:
        known = _and(needle.known, haystack.known)
        if haystack.kind == "list":
            col: ListColumn = haystack.data
            vocab: Vocab = haystack.vocab  # type: ignore[assignment]
            if needle.kind == "const":
                code = vocab.code(needle.data)
                if code is None:
                    return Val("bool", self.none, known, err)
                hit_rows = col.row_of_elem[col.elems == code]
            else:
                _, (elems, codes) = self.unify(Val("str", col.elems, vocab=vocab), needle)
                hit_rows = col.row_of_elem[elems == codes[col.row_of_elem]]
            mask = np.zeros(self.n, dtype=bool)
            mask[hit_rows] = True
            return self.boolean(mask, known, err)
        if haystack.kind == "const":
            values = haystack.data
            if not values:
                return Val("bool", self.none, known, err)
            if needle_ty.name == "boolean":
                k, t = self.bits(needle)
                has_true, has_false = True in values, False in values
                if has_true and has_false:
                    hit = k
                elif has_true:
                    hit = t
                else:
                    hit = k & ~t
                return Val("bool", hit & (self.all if known is None else known), known, err)
            if needle_ty.is_string:
                vocab = needle.vocab  # type: ignore[assignment]
                present = [c for s in values if (c := vocab.code(s)) is not None]
                if not present:
                    return Val("bool", self.none, known, err)
                return self.boolean(_any_equal(needle.data, present), known, err)
            return self.boolean(_any_equal(needle.data, list(values)), known, err)
        # a list literal with computed elements: any element equal, unknown if any element unknown
        truth: np.ndarray | None = None
        for item in haystack.data:
            _, eq = self.bits(self.compare("==", needle, item, needle_ty, None))
            truth = eq if truth is None else truth | eq
        assert truth is not None
        return Val("bool", truth & (self.all if known is None else known), known, err)

    # -- functions --------------------------------------------------------------------------------
    def call(self, node: Call) -> Val:
        args = [self.eval(arg) for arg in node.args]
        err = None
        known = None
        for arg in args:
            err = _or_err(err, arg.err)
            known = _and(known, arg.known)
        if node.func == "len":
            (v,) = args
            if v.kind == "list":
                return Val("int", np.diff(v.data.offsets), known, err)
            return Val("int", np.full(self.n, len(v.data), dtype=np.int64), known, err)
        if node.func == "years_between":
            parts = []
            invalid = np.zeros(self.n, dtype=bool)
            for v in args:
                if v.kind == "const":
                    day = parse_iso_date(v.data)
                    if day is None:
                        invalid[:] = True
                        parts.append((0, 0))
                    else:
                        parts.append((day.year, day.month * 100 + day.day))
                else:
                    years, mds, valid = v.vocab.date_parts()  # type: ignore[union-attr]
                    parts.append((years[v.data], mds[v.data]))
                    invalid |= ~valid[v.data]
            (ya, ma), (yb, mb) = parts
            result = np.broadcast_to(np.asarray(yb - ya - (np.asarray(mb) < ma), dtype=np.int64), (self.n,))
            err = _or_err(err, self.flag(invalid, known))
            return Val("int", result, known, err)
        # min / max
        pick = np.minimum if node.func == "min" else np.maximum
        if node.ty.is_string:
            vocab, codes = self.unify(*args)
            result = functools.reduce(pick, codes)
            return Val(
                "str", np.broadcast_to(np.asarray(result, dtype=np.int32), (self.n,)), known, err, vocab
            )
        result = functools.reduce(pick, [a.data for a in args])
        return Val("int", np.broadcast_to(np.asarray(result, dtype=np.int64), (self.n,)), known, err)


def _any_equal(values: np.ndarray, candidates: list) -> np.ndarray:
    """values == c1 | values == c2 | … — for a handful of candidates much faster than np.isin, whose
    default strategy is slow on columns with few distinct values."""
    if len(candidates) > 8:
        return np.isin(values, candidates, kind="sort")
    mask = values == candidates[0]
    for candidate in candidates[1:]:
        mask |= values == candidate
    return mask


def _bound(x: Any) -> int:
    """An upper bound of |x| over all rows."""
    if isinstance(x, np.ndarray):
        if x.size == 0:
            return 0
        return max(abs(int(x.min())), abs(int(x.max())))
    return abs(int(x))


def _exact_overflow(x: Any, y: Any, n: int) -> np.ndarray:
    """Rows where x*y leaves int64, computed exactly for the rows a float estimate finds suspect."""
    xa = np.broadcast_to(np.asarray(x, dtype=np.int64), (n,))
    ya = np.broadcast_to(np.asarray(y, dtype=np.int64), (n,))
    estimate = np.abs(xa.astype(np.float64) * ya.astype(np.float64))
    suspect = np.flatnonzero(estimate >= 2.0**62)
    overflow = np.zeros(n, dtype=bool)
    for row in suspect:
        product = int(xa[row]) * int(ya[row])
        overflow[row] = not (INT_MIN <= product <= INT_MAX)
    return overflow


def is_constant(node: Node) -> bool:
    return node.constant


# ---------------------------------------------------------------------------------------------------
# Matching policies
# ---------------------------------------------------------------------------------------------------

ELIGIBLE, INELIGIBLE, UNDETERMINED, NOT_IN_FORCE = 0, 1, 2, 3
STATUS_NAMES = ("eligible", "ineligible", "undetermined", "not_in_force")
_CRITERION_NAMES = ("fail", "pass", "unknown")


@dataclass
class PolicyMatch:
    """One policy over a frame: who is eligible or undetermined (packed bitsets), and the amounts.

    Amounts are aligned with the eligible rows in ascending order (``amount_values``/``amount_known``),
    or one constant (``amount_constant``). ``criteria`` holds per-criterion (known, true) bitsets when
    detail was asked for. ``overrides`` are rows decided by the scalar interpreter.
    """

    policy: Policy
    n: int
    in_force: bool
    eligible: np.ndarray | None = None
    undetermined: np.ndarray | None = None
    amount_constant: int | None = None
    amount_values: np.ndarray | None = None
    amount_known: np.ndarray | None = None
    criteria: list[tuple[str, np.ndarray, np.ndarray]] | None = None
    overrides: dict[int, PolicyResult] = field(default_factory=dict)
    near_miss: np.ndarray | None = None  # rows failing exactly one criterion ("差一点"), when asked for
    _ranks: np.ndarray | None = field(default=None, repr=False)

    def statuses(self) -> np.ndarray:
        """Status code per row: 0 eligible, 1 ineligible, 2 undetermined, 3 not in force."""
        if not self.in_force:
            return np.full(self.n, NOT_IN_FORCE, dtype=np.uint8)
        out = np.full(self.n, INELIGIBLE, dtype=np.uint8)
        out[unpack(self.eligible, self.n)] = ELIGIBLE  # type: ignore[arg-type]
        out[unpack(self.undetermined, self.n)] = UNDETERMINED  # type: ignore[arg-type]
        return out

    def counts(self) -> dict[str, int]:
        if not self.in_force:
            return {"not_in_force": self.n}
        eligible = popcount(self.eligible)  # type: ignore[arg-type]
        undetermined = popcount(self.undetermined)  # type: ignore[arg-type]
        return {
            "eligible": eligible,
            "undetermined": undetermined,
            "ineligible": self.n - eligible - undetermined,
        }

    def eligible_rows(self) -> np.ndarray:
        if not self.in_force:
            return np.zeros(0, dtype=np.int64)
        return rows_of(self.eligible, self.n)  # type: ignore[arg-type]

    def undetermined_rows(self) -> np.ndarray:
        if not self.in_force:
            return np.zeros(0, dtype=np.int64)
        return rows_of(self.undetermined, self.n)  # type: ignore[arg-type]

    def near_miss_rows(self) -> np.ndarray:
        """Rows failing exactly one criterion (the others pass or are unknown): staff's "差一点" list."""
        if not self.in_force or self.near_miss is None:
            return np.zeros(0, dtype=np.int64)
        return rows_of(self.near_miss, self.n)

    def amounts(self) -> list[int | None]:
        """Amounts of the eligible rows in ascending row order (None: unknown)."""
        rows = self.eligible_rows()
        if self.policy.amount is None:
            return [None] * len(rows)
        if self.amount_constant is not None:
            return [self.amount_constant] * len(rows)
        assert self.amount_values is not None and self.amount_known is not None
        return [int(v) if k else None for v, k in zip(self.amount_values, self.amount_known, strict=True)]

    def result(self, row: int) -> PolicyResult:
        """The full result of one row (as the scalar interpreter gives it, without fact values)."""
        if row in self.overrides:
            return self.overrides[row]
        if not self.in_force:
            return PolicyResult("not_in_force")
        byte, bit = divmod(row, 8)
        criteria: tuple[_Status, ...] = ()
        if self.criteria is not None:
            criteria = tuple(
                _Status(
                    cid,
                    "unknown" if not (k[byte] >> bit) & 1 else ("pass" if (t[byte] >> bit) & 1 else "fail"),
                )
                for cid, k, t in self.criteria
            )
        if (self.eligible[byte] >> bit) & 1:  # type: ignore[index]
            if self.policy.amount is None:
                return PolicyResult("eligible", criteria)  # type: ignore[arg-type]
            if self.amount_constant is not None:
                return PolicyResult("eligible", criteria, self.amount_constant, True)  # type: ignore[arg-type]
            if self._ranks is None:  # eligible rows before each byte, computed once
                counts = np.bitwise_count(self.eligible).astype(np.int64)  # type: ignore[arg-type]
                self._ranks = np.concatenate(([0], np.cumsum(counts)[:-1]))
            below = int(self.eligible[byte]) & ((1 << bit) - 1)  # type: ignore[index]
            rank = int(self._ranks[byte]) + below.bit_count()
            amount = int(self.amount_values[rank]) if self.amount_known[rank] else None  # type: ignore[index]
            return PolicyResult("eligible", criteria, amount, True)  # type: ignore[arg-type]
        if (self.undetermined[byte] >> bit) & 1:  # type: ignore[index]
            return PolicyResult("undetermined", criteria)  # type: ignore[arg-type]
        return PolicyResult("ineligible", criteria)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class _Status:
    """A criterion status from the vectorised path (same ``id``/``status`` as CriterionResult)."""

    id: str
    status: str


def shared_amounts(policies: Sequence[Policy]) -> set[tuple]:
    """Amount expressions used by several policies: evaluated once over the whole frame and shared.

    An amount used once is evaluated only over that policy's eligible rows instead.
    """
    counts = Counter(
        p.amount.node.key for p in policies if p.amount is not None and not p.amount.node.constant
    )
    return {key for key, count in counts.items() if count > 1}


def plan(policies: Sequence[Policy], amounts: set[tuple] | frozenset[tuple] = frozenset()) -> Counter:
    """How many times each shared sub-expression will be asked for, in evaluation order.

    Mirrors :meth:`VectorEvaluator.eval`: a node found in the cache does not evaluate its children,
    and a constant node has no children evaluated. Amount expressions in ``amounts`` are evaluated
    (after the policy's criteria) by the same evaluator, so they are counted too.
    """
    counts: Counter = Counter()
    seen: set[tuple] = set()

    def visit(node: Node) -> None:
        key = node.key
        counts[key] += 1
        if key in seen:
            return
        seen.add(key)
        if is_constant(node):
            return
        for child in node.children():
            visit(child)

    for policy in policies:
        for criterion in policy.criteria:
            visit(criterion.when.node)
        if policy.amount is not None and policy.amount.node.key in amounts:
            visit(policy.amount.node)
    return counts


class Matcher:
    """Matches policies over one frame on one date, sharing work across them.

    ``match_all`` is the batch entry point; ``match`` does one policy (with ``detail`` for the
    per-criterion bitsets that the command-line matcher prints).
    """

    def __init__(self, frame: Frame, on: dt.date, policies: Sequence[Policy] = ()):
        self.frame = frame
        self.on = on
        in_force = [p for p in policies if p.in_force(on)]
        self.shared_amounts = shared_amounts(in_force)
        self.evaluator = VectorEvaluator(frame, on, plan(in_force, self.shared_amounts))

    def match(self, policy: Policy, *, detail: bool = False, near_miss: bool = False) -> PolicyMatch:
        """One policy. ``detail``: keep per-criterion bitsets; ``near_miss``: find the "差一点" rows."""
        n = self.frame.n
        if not policy.in_force(self.on):
            return PolicyMatch(policy, n, False)
        ev = self.evaluator
        # The three-valued AND of the criteria, kept as "every criterion known" and "some criterion
        # failed": eligible = all known and none failed; undetermined = not all known and none failed.
        all_known = ev.all.copy()
        any_failed = ev.none.copy()
        failed_twice = ev.none.copy() if near_miss else None
        err = None
        criteria: list[tuple[str, np.ndarray, np.ndarray]] | None = [] if detail else None
        for criterion in policy.criteria:
            value = ev.eval(criterion.when.node)
            k, t = ev.bits(value)
            err = _or_err(err, value.err)
            if criteria is not None:
                # copies: k and t may be shared (cached, or a fact's own column) and fallback patches them
                criteria.append((criterion.id, k.copy(), t.copy()))
            failed = ~t
            failed &= k
            if failed_twice is not None:
                failed_twice |= any_failed & failed
            any_failed |= failed
            all_known &= k
        eligible = all_known & ~any_failed
        undetermined = ev.all & ~all_known
        undetermined &= ~any_failed
        result = PolicyMatch(policy, n, True, eligible, undetermined, criteria=criteria)
        if failed_twice is not None:
            result.near_miss = any_failed & ~failed_twice
        amount_err_rows = np.zeros(0, dtype=np.int64)
        if policy.amount is not None:
            amount_err_rows = self._amounts(policy, result)
        candidates = set(amount_err_rows.tolist())
        if err is not None:
            candidates.update(np.flatnonzero(err).tolist())
        if candidates:
            self._fallback(policy, result, sorted(candidates))
        return result

    def _amounts(self, policy: Policy, result: PolicyMatch) -> np.ndarray:
        """Fill in the amounts of the eligible rows; return rows (frame indices) needing the scalar path."""
        node = policy.amount.node  # type: ignore[union-attr]
        if is_constant(node):
            value = self.evaluator._constant(node)
            if value.err is None:
                result.amount_constant = value.data
                return np.zeros(0, dtype=np.int64)
            # every eligible row meets the error: the scalar path reports it at the first one
            rows = result.eligible_rows()
            result.amount_values = np.zeros(len(rows), dtype=np.int64)
            result.amount_known = np.zeros(len(rows), dtype=bool)
            return rows
        rows = result.eligible_rows()
        if node.key in self.shared_amounts:
            # shared with other policies: the whole column once (cached), then this policy's rows
            value = self.evaluator.eval(node)
            result.amount_values = np.asarray(value.data)[rows].astype(np.int64, copy=False)
            result.amount_known = (
                np.ones(len(rows), dtype=bool)
                if value.known is None
                else unpack(value.known, self.frame.n)[rows]
            )
            if value.err is not None:
                return rows[value.err[rows]]
            return np.zeros(0, dtype=np.int64)
        sub = self.frame.take(rows, policy.amount.facts)  # type: ignore[union-attr]
        value = VectorEvaluator(sub, self.on).eval(node)
        result.amount_values = np.array(value.data, dtype=np.int64)
        result.amount_known = (
            np.ones(len(rows), dtype=bool) if value.known is None else unpack(value.known, len(rows))
        )
        if value.err is not None:
            return rows[value.err]
        return np.zeros(0, dtype=np.int64)

    def _fallback(self, policy: Policy, result: PolicyMatch, rows: list[int]) -> None:
        """Let the scalar interpreter decide ``rows`` (raising its error if it has one)."""
        before = result.eligible_rows()
        before_amounts = result.amounts() if policy.amount is not None else None
        for row in rows:
            record = self.frame.record(row)
            try:
                scalar = evaluate_policy(policy, record, self.on, checked=True)
            except EvaluationError as exc:
                exc.row = row  # type: ignore[attr-defined]
                raise
            result.overrides[row] = scalar
            byte, bit = divmod(row, 8)
            mask = np.uint8(1 << bit)
            result.eligible[byte] &= ~mask  # type: ignore[index]
            result.undetermined[byte] &= ~mask  # type: ignore[index]
            if scalar.status == "eligible":
                result.eligible[byte] |= mask  # type: ignore[index]
            elif scalar.status == "undetermined":
                result.undetermined[byte] |= mask  # type: ignore[index]
            if result.near_miss is not None:
                result.near_miss[byte] &= ~mask
                if sum(1 for c in scalar.criteria if c.status == "fail") == 1:
                    result.near_miss[byte] |= mask
            if result.criteria is not None:
                for (cid, k, t), c in zip(result.criteria, scalar.criteria, strict=True):
                    assert cid == c.id
                    k[byte] = (k[byte] & ~mask) | (mask if c.status != "unknown" else 0)
                    t[byte] = (t[byte] & ~mask) | (mask if c.status == "pass" else 0)
        result._ranks = None
        if before_amounts is not None and result.amount_constant is None:
            old = dict(zip(before.tolist(), before_amounts, strict=True))
            after = result.eligible_rows().tolist()
            values = [result.overrides[r].amount if r in result.overrides else old[r] for r in after]
            result.amount_values = np.array([0 if v is None else v for v in values], dtype=np.int64)
            result.amount_known = np.array([v is not None for v in values], dtype=bool)

    def match_all(
        self, policies: Sequence[Policy], *, detail: bool = False, near_miss: bool = False
    ) -> list[PolicyMatch]:
        return [self.match(policy, detail=detail, near_miss=near_miss) for policy in policies]


def match_all(
    policies: Sequence[Policy], frame: Frame, on: dt.date, *, detail: bool = False, near_miss: bool = False
) -> list[PolicyMatch]:
    """Every policy over every row of ``frame`` on date ``on``."""
    return Matcher(frame, on, policies).match_all(policies, detail=detail, near_miss=near_miss)


def match_policy(policy: Policy, frame: Frame, on: dt.date) -> PolicyMatch:
    """One policy with per-criterion detail (what the command-line matcher prints)."""
    return Matcher(frame, on, [policy]).match(policy, detail=True)


__all__ = [
    "Frame",
    "Matcher",
    "PolicyMatch",
    "Vocab",
    "match_all",
    "match_policy",
    "pack",
    "popcount",
    "unpack",
    "years_between",
]
