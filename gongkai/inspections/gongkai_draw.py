#!/usr/bin/env python3
"""gongkai_draw — engine and stand-alone verifier for the draw protocol ``gongkai-draw/1``.

This one file is both the engine the Gongkai platform uses to draw inspection targets and
inspectors (双随机), and the verifier anyone can download from a task's public page. It needs only
Python's standard library (3.9 or newer), so that an enterprise, a journalist or a court can check a
draw without installing anything and without trusting the platform.

Usage::

    python gongkai_draw.py verify BUNDLE.json                 # prints VALID or INVALID: <reason>
    python gongkai_draw.py compute FROZEN.json --seed SEED    # prints the result as canonical JSON
    python gongkai_draw.py commitment FROZEN.json             # prints the commitment
    python gongkai_draw.py replace BUNDLE.json EVENTS.json    # replays published replacements

Exit status: 0 success / VALID, 1 INVALID, 2 unreadable or refused input (with a message, never a
traceback).

The protocol, step by step (the numbers are the sections of the specification):

1. **Frozen document.** When a task is announced, the bureau fixes a JSON document: the strata of
   entities (each sorted by id, with a quota), the task's inspection items, the team rules, the
   roster of inspectors and the conflicts of interest. ``check_frozen`` enforces every rule of §1.
2. **Commitment.** ``commitment = hex(SHA-256(canonical JSON of the frozen document))``, canonical
   JSON being RFC 8785 restricted to integers, strings, booleans, null, arrays and objects with
   ASCII keys. It is published *before* the seed exists, so the population cannot be edited to suit
   a seed.
3. **Seed.** A string from a future public event (a drand beacon round, a witnessed dice ceremony),
   normalised to Unicode NFC with surrounding white space stripped.
4. **Tickets.** ``ticket(kind, p1, p2, ...) = hex(SHA-256(UTF-8(commitment ␟ seed ␟ kind ␟ p1 ␟
   p2 ...)))`` where ␟ is U+001F. Hex strings of equal length compare like the numbers they encode.
5. **Selection.** In each stratum, members are ordered by ``(ticket("entity", id), id)``; the first
   ``quota`` are selected and the next ``quota`` form the reserve.
6. **Assignment.** Selected members are taken in order (strata as listed, ticket order inside); for
   each, the eligible inspectors (qualified for every item, not from the same unit when 所所交叉
   applies, not in conflict, under the load cap) are ordered by ``(load, ticket("inspector", entity
   id, inspector id), inspector id)``; one inspector per required department is taken, then the team
   is filled in that order. A member who cannot get a full team is unassigned.
7. **Result.** The commitment, seed, selections with tickets, teams and unassigned members, printed
   as canonical JSON. A *bundle* (frozen document, seed as entered, result) is valid exactly when
   recomputing gives the same result.
8. **Replacements.** An out-of-scope selected entity is replaced by the first unused reserve member
   of its stratum; its team is chosen by the rules of step 6 with the loads as they stand.

Performance notes, for readers who wonder why the code is shaped as it is: hashing is the whole
cost. Tickets are computed from a SHA-256 state that has already absorbed the common prefix
(``commitment ␟ seed ␟ kind ␟``), ids travel as one UTF-8 byte string joined by U+001F (which the
protocol forbids inside any string, so it is an unambiguous separator), only the members that can be
among the ``2 × quota`` smallest tickets are kept, and large populations are hashed in several
processes (CPython holds its global lock while hashing short messages, so threads would not help).
Inspector tickets are computed only for the least-loaded officers a team can come from. A verifier
checks teams in parallel too, reading the loads from the claimed teams (see ``_check_team_range``).

Inside the Gongkai platform, the two ticket loops (§5's scan of a stratum, and §6's choice of one
member's team) run in an optional compiled module, ``gongkai.inspections._drawhash`` (C over
OpenSSL's SHA-256), when it is installed: about a tenth of a microsecond per ticket instead of half a
microsecond or more. It computes exactly the same bytes; this file never needs it, and uses its own
loops when it is absent (a downloaded copy, a machine without a compiler) or when the environment
variable ``GONGKAI_DRAW_PURE`` is set to a non-empty value.
"""

# This file must run on Python 3.9 (strangers' machines), so it cannot use zip(strict=), which
# the project-wide lint rules would otherwise ask for.
# ruff: noqa: B905

from __future__ import annotations

import os
import sys

if __name__ == "__main__" and sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
    # Run as a script, Python puts this file's folder first on the import path; in the Gongkai
    # source tree that folder holds modules (selectors.py...) that would shadow the standard library.
    del sys.path[0]

import argparse
import gc
import hashlib
import json
import math
import operator
import re
import threading
import unicodedata
from array import array
from datetime import datetime, timedelta, timezone
from itertools import chain, islice, repeat

PROTOCOL = "gongkai-draw/1"
SEPARATOR = "\x1f"
_SEP = b"\x1f"
MAX_INTEGER = 2**53  # integers must satisfy |n| < 2**53 so that every JSON reader agrees on them


def _load_compiled():
    """The optional compiled ticket loops, or None to use the pure-Python ones below.

    Only the Gongkai platform has them (``gongkai/inspections/_drawhash.c``, built on installation
    when a C compiler and OpenSSL's headers are present). A module from another version of that
    file (``API`` differs) is ignored rather than trusted.
    """
    if os.environ.get("GONGKAI_DRAW_PURE"):
        return None
    try:
        from gongkai.inspections import _drawhash
    except Exception:  # not there (or an unrelated "gongkai" package): this file needs nothing else
        return None
    return _drawhash if getattr(_drawhash, "API", None) == 1 else None


# The compiled module, or None. Read at each use, so that tests can set it to None.
_drawhash = _load_compiled()

# Above this many members the entity tickets are hashed in several processes when possible.
PARALLEL_THRESHOLD = 200_000
# Bytes of joined ids handed to one hashing task (about 100,000 ids of 18 characters).
_TASK_BYTES = 2 * 1024 * 1024

__all__ = [
    "MAX_INTEGER",
    "PROTOCOL",
    "SEPARATOR",
    "BundleError",
    "DrawError",
    "DrawRun",
    "DrawWarning",
    "FrozenError",
    "MemberColumns",
    "ReplacementError",
    "SeedError",
    "apply_replacements",
    "build_frozen",
    "canonical_json",
    "check_frozen",
    "check_seed_time",
    "commitment",
    "compute_draw",
    "draw_committed",
    "freeze",
    "load_json",
    "main",
    "normalise_seed",
    "read_json_file",
    "run_draw",
    "ticket",
    "verify_bundle",
]


# ---------------------------------------------------------------------------------------------
# Errors and warnings
# ---------------------------------------------------------------------------------------------


class DrawError(ValueError):
    """Anything the protocol refuses. ``code`` is stable (for translation); ``str()`` explains."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class FrozenError(DrawError):
    """The frozen document breaks a rule of §1; nothing may be drawn from it."""


class SeedError(DrawError):
    """The seed is refused (empty, U+001F, or control characters when entering a seed)."""


class BundleError(DrawError):
    """A file or bundle is unreadable: not UTF-8, not JSON, ambiguous JSON, wrong shape."""


class ReplacementError(DrawError):
    """A replacement event does not follow §8."""


class DrawWarning:
    """Something the protocol allows but a task owner should refuse or know about.

    ``code`` is one of ``empty_population``, ``empty_stratum``, ``quota_exceeds_stratum``,
    ``team_larger_than_qualified``, ``department_without_inspector``, ``unassigned``.
    """

    __slots__ = ("code", "detail", "message")

    def __init__(self, code: str, message: str, **detail: object):
        self.code = code
        self.message = message
        self.detail = detail

    def __repr__(self) -> str:
        return f"DrawWarning({self.code!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DrawWarning) and (self.code, self.detail) == (other.code, other.detail)

    __hash__ = None  # type: ignore[assignment]


def _fail(code: str, message: str) -> FrozenError:
    return FrozenError(code, f"frozen document breaks §1 ({code}): {message}")


def _show(value: object, limit: int = 60) -> str:
    """A short, unambiguous rendering of a value for error messages."""
    text = json.dumps(value, ensure_ascii=True) if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# Reading JSON strictly
# ---------------------------------------------------------------------------------------------


def _object_without_duplicates(pairs: list) -> dict:
    # Duplicate keys make JSON ambiguous (readers keep the first or the last); a verifier must not
    # accept a bundle that two honest readers would understand differently.
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set = set()
        for key, _ in pairs:
            if key in seen:
                raise BundleError("duplicate_key", f"duplicate key {_show(key)} in an object")
            seen.add(key)
    return result


def _refuse_constant(name: str) -> object:
    raise BundleError("not_json", f"{name} is not a JSON number")


def load_json(data: bytes | str) -> object:
    """Parse JSON text strictly: UTF-8, no duplicate keys, no NaN/Infinity (a UTF-8 BOM is ignored)."""
    if isinstance(data, bytes):
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BundleError("not_utf8", f"not UTF-8 text (byte {exc.start})") from None
    elif data.startswith("\ufeff"):
        data = data[1:]
    with _gc_paused():  # millions of new objects: the collector would scan them for nothing
        try:
            return json.loads(
                data, object_pairs_hook=_object_without_duplicates, parse_constant=_refuse_constant
            )
        except json.JSONDecodeError as exc:
            raise BundleError(
                "not_json", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
        except (RecursionError, ValueError) as exc:  # too deep, or a number too long to convert
            if isinstance(exc, BundleError):
                raise
            raise BundleError("not_json", f"not usable JSON: {exc}") from None


def read_json_file(path: str) -> object:
    """Read and parse a JSON file; every failure becomes a ``BundleError`` naming the file."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise BundleError("unreadable", f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return load_json(data)
    except BundleError as exc:
        raise BundleError(exc.code, f"{path}: {exc.message}") from None


class _gc_paused:
    """Pause the cyclic garbage collector (restoring its state afterwards).

    Parsing or building millions of small objects triggers collections that scan every live object
    again and again; nothing here creates cycles, so pausing roughly halves those times. Forked
    hashing workers inherit the paused state, so they do not touch (and copy) the parent's pages.
    """

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was_enabled:
            gc.enable()


# ---------------------------------------------------------------------------------------------
# Canonical JSON (RFC 8785, for the subset the protocol allows)
# ---------------------------------------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters JSON requires to be escaped (U+001F excluded: it is refused on its own, and it is our
# separator inside joined id strings).
_NEEDS_ESCAPE = re.compile('[\x00-\x1e"\\\\]')
_NEEDS_ESCAPE_BYTES = re.compile(b'[\x00-\x1e"\\\\]')


def _check_json(value: object, where: str) -> None:
    """Check that ``value`` lies in the JSON subset of the protocol (§1, last paragraph)."""
    kind = type(value)
    if kind is str:
        _check_string(value, where)
    elif kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise _fail("json-subset", f"{where}: object key {_show(key)} is not a string")
            if not key.isascii():
                raise _fail("ascii-keys", f"{where}: object key {_show(key)} is not ASCII")
            _check_string(key, f"{where} key")
            _check_json(item, f"{where}.{key}")
    elif kind is list:
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]")
    elif kind is int:
        if not -MAX_INTEGER < value < MAX_INTEGER:
            raise _fail("integer-range", f"{where}: {value} is not below 2^53 in absolute value")
    elif kind is float:
        raise _fail("integers-only", f"{where}: {value!r} is not an integer (numbers must be integers)")
    elif isinstance(value, MemberColumns):
        value.check(where)
    elif value is not None and kind is not bool:
        raise _fail("json-subset", f"{where}: a {kind.__name__} is not a JSON value")


def _check_string(text: str, where: str) -> None:
    if SEPARATOR in text:
        raise _fail("no-unit-separator", f"{where}: {_show(text)} contains U+001F")
    if _SURROGATE.search(text):
        raise _fail("unicode", f"{where}: {_show(text)} contains an unpaired surrogate (not Unicode text)")


def _json_string(text: str) -> str:
    # json.dumps with ensure_ascii=False escapes exactly what RFC 8785 requires: '"', '\\', and the
    # controls below U+0020 (as \b \t \n \f \r or \u00xx with lowercase hex), nothing else.
    return json.dumps(text, ensure_ascii=False)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)


def _frozen_parts(frozen: dict, out: list, texts: dict) -> None:
    """Append the canonical text of a frozen document to ``out``.

    Identical to ``_dumps(frozen)`` (keys sorted by Python string order, which equals RFC 8785's
    UTF-16 order for the ASCII keys the protocol allows), but the members of each stratum take a
    fast path (``texts`` maps ``id(members)`` to their canonical text, made while checking them),
    and ``MemberColumns`` are left in ``out`` to be streamed as bytes.
    """
    out.append("{")
    for number, key in enumerate(sorted(frozen)):
        out.append(("," if number else "") + _json_string(key) + ":")
        strata = frozen[key]
        if key != "strata" or type(strata) is not list or not all(type(s) is dict for s in strata):
            out.append(_dumps(strata))
            continue
        out.append("[")
        for position, stratum in enumerate(strata):
            out.append("," if position else "")
            out.append("{")
            for inner, field in enumerate(sorted(stratum)):
                out.append(("," if inner else "") + _json_string(field) + ":")
                value = stratum[field]
                if field == "members" and isinstance(value, MemberColumns):
                    out.append(value)
                elif field == "members" and texts.get(id(value)) is not None:
                    out.append(texts[id(value)])
                else:
                    out.append(_dumps(value))
            out.append("}")
        out.append("]")
    out.append("}")


def _iter_canonical_bytes(value: object, texts: dict | None = None):
    """Yield the canonical JSON of ``value`` as UTF-8 pieces (streamed for ``MemberColumns``)."""
    if type(value) is not dict or not isinstance(value.get("strata"), list):
        yield _dumps(value).encode("utf-8")
        return
    parts: list = []
    _frozen_parts(value, parts, texts or {})
    pending: list = []
    for part in parts:
        if isinstance(part, MemberColumns):
            if pending:
                yield "".join(pending).encode("utf-8")
                pending = []
            yield from part.iter_json()
        else:
            pending.append(part)
    if pending:
        yield "".join(pending).encode("utf-8")


def canonical_json(value: object) -> bytes:
    """RFC 8785 canonical JSON (UTF-8 bytes) of a value in the protocol's JSON subset.

    Refuses floats, integers with |n| ≥ 2^53, non-ASCII keys, U+001F and unpaired surrogates.
    """
    _check_json(value, "value")
    return b"".join(_iter_canonical_bytes(value))


# ---------------------------------------------------------------------------------------------
# Compact members for very large populations
# ---------------------------------------------------------------------------------------------


def _raw_chunks(data: bytes, size: int = 1 << 20):
    """Yield ``(index of first id, slice)`` over ids joined by U+001F, cut on id boundaries."""
    position, index, end = 0, 0, len(data)
    while position < end:
        stop = data.find(_SEP, position + size)
        stop = end if stop == -1 else stop
        piece = data[position:stop]
        yield index, piece
        index += piece.count(_SEP) + 1
        position = stop + 1


class MemberColumns:
    """A stratum's members held compactly: the form for populations of many millions.

    A list of 15 million ``{"id", "unit"}`` dictionaries needs over 4 GiB in CPython; this form
    needs about 20 bytes per member. ``ids`` is the UTF-8 encoding of the ids, in ascending order,
    joined by U+001F (which no id may contain); ``units`` (optional) holds for each member an index
    into ``unit_names``, where a name of ``None`` means the member has no unit. It stands in a
    frozen document wherever a ``members`` array may, and its canonical JSON is exactly that of the
    equivalent array.
    """

    def __init__(self, ids: bytes, units=None, unit_names=()):
        self.ids = bytes(ids)
        self.count = self.ids.count(_SEP) + 1 if self.ids else 0
        self.units = units
        self.unit_names = list(unit_names)

    @classmethod
    def from_members(cls, members, chunk: int = 65536) -> MemberColumns:
        """Build from an iterable of ``(id, unit or None)`` pairs or member dicts, in id order."""
        names: dict = {}
        codes = array("H")
        pieces: list = []
        iterator = iter(members)
        while True:
            block = list(islice(iterator, chunk))
            if not block:
                break
            if type(block[0]) is dict:
                block = [(member["id"], member.get("unit")) for member in block]
            ids, units = zip(*block)
            pieces.append(SEPARATOR.join(ids).encode("utf-8"))
            codes.extend(names.setdefault(unit, len(names)) for unit in units)
        if len(names) > 65536:
            raise ValueError("MemberColumns supports at most 65,536 distinct units")
        unit_names = sorted(names, key=names.__getitem__)
        if unit_names in ([], [None]):
            return cls(_SEP.join(pieces))
        return cls(_SEP.join(pieces), codes, unit_names)

    def __len__(self) -> int:
        return self.count

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MemberColumns) and self.to_list() == other.to_list()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"MemberColumns({self.count} members)"

    def unit(self, index: int) -> str | None:
        return None if self.units is None else self.unit_names[self.units[index]]

    def units_of(self, wanted: set) -> dict:
        """``{id: unit}`` for the ids in ``wanted``, in one pass of C-level set operations."""
        wanted_bytes = {member_id.encode("utf-8") for member_id in wanted}
        found: dict = {}
        for index, piece in _raw_chunks(self.ids) if wanted_bytes else ():
            block = piece.split(_SEP)
            for hit in wanted_bytes.intersection(block):
                found[hit.decode("utf-8")] = self.unit(index + block.index(hit))
        return found

    def to_list(self) -> list:
        """The equivalent list of member objects (for small populations and tests)."""
        if not self.count:
            return []
        ids = self.ids.decode("utf-8").split(SEPARATOR)
        if self.units is None:
            return [{"id": member_id} for member_id in ids]
        names = self.unit_names
        return [
            {"id": member_id} if names[code] is None else {"id": member_id, "unit": names[code]}
            for member_id, code in zip(ids, self.units)
        ]

    def check(self, where: str) -> None:
        """§1 rules for members: non-empty UTF-8 ids, strictly ascending, valid unit codes."""
        data = self.ids
        if data.startswith(_SEP) or data.endswith(_SEP) or _SEP + _SEP in data:
            raise _fail("member-id", f"{where}: a member id is empty")
        if self.units is not None:
            if len(self.units) != self.count:
                raise _fail("member-unit", f"{where}: {len(self.units)} unit codes for {self.count} ids")
            if self.count and max(self.units) >= len(self.unit_names):
                raise _fail("member-unit", f"{where}: a unit code has no name")
            for name in self.unit_names:
                if name is not None:
                    if type(name) is not str:
                        raise _fail("member-unit", f"{where}: unit {_show(name)} is not a string")
                    _check_string(name, f"{where} unit")
        previous = None
        for index, piece in _raw_chunks(data):
            try:
                piece.decode("utf-8")  # U+001F is ASCII, so no cut splits a UTF-8 sequence
            except UnicodeDecodeError:
                raise _fail("unicode", f"{where}: an id near member {index} is not UTF-8") from None
            block = piece.split(_SEP)
            if previous is not None and not previous < block[0]:
                _explain_unsorted(where, [previous, block[0]], index - 1)
            if not all(map(operator.lt, block, islice(block, 1, None))):
                _explain_unsorted(where, block, index)
            previous = block[-1]

    def iter_json(self):
        """Yield the canonical JSON of the equivalent member array, as UTF-8 pieces."""
        yield b"["
        head = b'{"id":"'
        tails = middles = None
        if self.units is not None:
            tails = [
                b'"}' if name is None else b'","unit":' + _json_string(name).encode("utf-8") + b"}"
                for name in self.unit_names
            ]
            middles = [tail + b"," + head for tail in tails]
        for index, piece in _raw_chunks(self.ids):
            block = piece.split(_SEP)
            if _NEEDS_ESCAPE_BYTES.search(piece):
                block = [_json_string(i.decode("utf-8"))[1:-1].encode("utf-8") for i in block]
            if index:
                yield b","
            if tails is None:
                yield head + b'"},{"id":"'.join(block) + b'"}'
                continue
            # {"id":"<id>"<middle>"<id>"<middle>...<id><tail>: interleaving in C, not per member.
            codes = self.units[index : index + len(block)]
            parts = [head] * (2 * len(block))
            parts[1::2] = block
            parts[2::2] = [middles[code] for code in islice(codes, len(block) - 1)]
            parts.append(tails[codes[-1]])
            yield b"".join(parts)
        yield b"]"


def _explain_unsorted(where: str, ids: list, first_index: int) -> None:
    for offset, (before, after) in enumerate(zip(ids, islice(ids, 1, None))):
        if not before < after:
            if isinstance(before, bytes):
                before, after = before.decode("utf-8", "replace"), after.decode("utf-8", "replace")
            if before == after:
                raise _fail("member-duplicate", f"{where}: id {_show(before)} appears twice")
            raise _fail(
                "members-sorted",
                f"{where}[{first_index + offset + 1}]: id {_show(after)} comes after {_show(before)}; "
                "members must be sorted ascending by id (Unicode code point order)",
            )


# ---------------------------------------------------------------------------------------------
# §1 The frozen document
# ---------------------------------------------------------------------------------------------

_REQUIRED = (
    ("protocol", str),
    ("plan", str),
    ("seed_source", str),
    ("seed_not_before", str),
    ("strata", list),
    ("items", list),
    ("team", dict),
    ("inspectors", list),
    ("rules", dict),
    ("conflicts", list),
)
_GET_ID = operator.itemgetter("id")
_TYPE_NAMES = {str: "a string", list: "an array", dict: "an object", int: "an integer", bool: "a boolean"}
_ISO_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)\Z",
    re.ASCII,
)


def _require(container: dict, key: str, kind: type, where: str, code: str):
    if key not in container:
        raise _fail(code, f"{where} is missing the member {_show(key)}")
    value = container[key]
    if type(value) is not kind:
        raise _fail(code, f"{where}.{key} must be {_TYPE_NAMES[kind]}, not {_show(value)}")
    return value


def _require_count(container: dict, key: str, where: str, minimum: int, code: str) -> int:
    value = _require(container, key, int, where, code)
    if value < minimum:
        raise _fail(code, f"{where}.{key} must be an integer ≥ {minimum}, not {value}")
    return value


def _check_extras(container: dict, known: tuple, where: str) -> None:
    # Members the protocol does not define may be present (titles, names, counts): they mean
    # nothing to the computation but are committed, so they must still be canonical-JSON values.
    for key, value in container.items():
        if key not in known:
            _check_json({key: value}, where)


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 time with offset (extended format) into an aware ``datetime``.

    Parsed field by field rather than with ``datetime.fromisoformat``, whose accepted forms differ
    between Python versions.
    """
    match = _ISO_TIME.match(text)
    if not match:
        raise ValueError(
            f"{_show(text)} is not an ISO 8601 time with offset (e.g. 2026-03-02T10:00:00+08:00)"
        )
    year, month, day, hour, minute, second, fraction, utc, sign, off_hours, off_minutes = match.groups()
    offset = timedelta(0) if utc else timedelta(hours=int(off_hours), minutes=int(off_minutes or 0))
    microsecond = int((fraction or "0")[:6].ljust(6, "0"))
    zone = timezone(-offset if sign == "-" else offset)
    fields = (year, month, day, hour, minute, second or "0")
    return datetime(*map(int, fields), microsecond, tzinfo=zone)


class _Stratum:
    """What the engine needs from one stratum, whatever form its members take."""

    __slots__ = ("blob", "count", "ids", "members", "name", "quota", "text")

    def __init__(self, name: str, quota: int, members, blob: bytes, ids=None, text=None):
        self.name, self.quota, self.members, self.blob = name, quota, members, blob
        self.ids, self.text = ids, text  # list members only: their ids, their canonical text
        self.count = len(members)

    def unit(self, index: int) -> str | None:
        if isinstance(self.members, MemberColumns):
            return self.members.unit(index)
        return self.members[index].get("unit")


def _check_members(members: list, where: str) -> tuple:
    """Check one stratum's member array (§1); return ``(joined UTF-8 ids, ids, canonical text)``.

    The canonical text is None when the members need the generic encoder (other keys, escapes).
    Everything runs in C over whole lists (a million members in about a tenth of a second); the
    member-by-member loops below only run to explain a failure.
    """
    if not members:
        return b"", [], "[]"
    try:
        ids = list(map(_GET_ID, members))  # fails on anything that is not an object with an id
        joined = SEPARATOR.join(ids)
    except (TypeError, KeyError):
        for index, member in enumerate(members):
            if type(member) is not dict:
                raise _fail("member", f"{where}[{index}] must be an object, not {_show(member)}") from None
            _require(member, "id", str, f"{where}[{index}]", "member-id")
        raise AssertionError("unreachable") from None
    empty = (SEPARATOR + SEPARATOR) in joined or joined[:1] in ("", SEPARATOR) or joined[-1] == SEPARATOR
    if empty or joined.count(SEPARATOR) != len(ids) - 1:
        for index, member_id in enumerate(ids):
            if not member_id:
                raise _fail("member-id", f"{where}[{index}].id must be a non-empty string")
            _check_string(member_id, f"{where}[{index}].id")
    if not all(map(operator.lt, ids, islice(ids, 1, None))):
        _explain_unsorted(where, ids, 0)
    try:
        blob = joined.encode("utf-8")
    except UnicodeEncodeError:
        for index, member_id in enumerate(ids):
            _check_string(member_id, f"{where}[{index}].id")
        raise
    try:
        units = list(map(dict.get, members, repeat("unit")))
    except TypeError:  # a mapping that is not a dict (only possible from Python callers)
        index = next(i for i, member in enumerate(members) if type(member) is not dict)
        raise _fail("member", f"{where}[{index}] must be an object, not {_show(members[index])}") from None
    with_unit = len(units) - units.count(None)
    joined_units = ""
    if with_unit:
        present = units if with_unit == len(units) else [unit for unit in units if unit is not None]
        try:
            joined_units = "".join(present)
            _check_string(joined_units, where)
        except (TypeError, FrozenError):
            for index, unit in enumerate(units):
                if unit is not None:
                    if type(unit) is not str:
                        raise _fail(
                            "member-unit", f"{where}[{index}].unit must be a string, not {_show(unit)}"
                        ) from None
                    _check_string(unit, f"{where}[{index}].unit")
            raise
    simple = sum(map(len, members)) == len(members) + with_unit
    if not simple:
        for index, member in enumerate(members):
            if "unit" in member and member["unit"] is None:
                raise _fail("member-unit", f"{where}[{index}].unit must be a string, not null")
            _check_extras(member, ("id", "unit"), f"{where}[{index}]")
    text = None
    if simple and not _NEEDS_ESCAPE.search(joined) and not _NEEDS_ESCAPE.search(joined_units):
        # Canonical text built by joins in C, five times faster than encoding a million objects.
        if with_unit == 0:
            text = '[{"id":"' + '"},{"id":"'.join(ids) + '"}]'
        elif with_unit == len(members):
            text = '[{"id":"' + '"},{"id":"'.join(map('","unit":"'.join, zip(ids, units))) + '"}]'
    return blob, ids, text


def _check_disjoint_lists(strata: list) -> None:
    # Each stratum's ids are already known to be strictly ascending: sorting their concatenation
    # merges those runs, and an id in two strata shows up as two equal neighbours. Twice as fast as
    # a set of a million strings.
    if sum(1 for stratum in strata if stratum.count) < 2:
        return
    merged = sorted(chain.from_iterable(stratum.ids for stratum in strata))
    if all(map(operator.lt, merged, islice(merged, 1, None))):
        return
    owner: dict = {}
    for stratum in strata:
        for member_id in stratum.ids:
            if member_id in owner:
                raise _fail(
                    "one-stratum",
                    f"id {_show(member_id)} is in stratum {_show(owner[member_id])} "
                    f"and in stratum {_show(stratum.name)}; an id may appear in at most one stratum",
                )
            owner[member_id] = stratum.name


def _check_disjoint_streams(strata: list) -> None:
    """Ids appear in one stratum at most: a chunked k-way merge of the sorted strata.

    A set of fifteen million ids would not fit the memory budget; each stratum is sorted, so
    every id is compared within a window of at most one chunk per stratum instead.
    """
    streams = [
        (piece.split(_SEP) for _, piece in _raw_chunks(stratum.blob)) for stratum in strata if stratum.count
    ]
    names = [stratum.name for stratum in strata if stratum.count]
    buffers = [next(stream) for stream in streams]
    positions = [0] * len(streams)
    while buffers:
        bound = min(buffer[-1] for buffer in buffers)
        window: list = []
        for number, buffer in enumerate(buffers):
            stop = _bisect_right(buffer, bound, positions[number])
            window.extend(islice(buffer, positions[number], stop))
            positions[number] = stop
        if len(set(window)) != len(window):
            seen: dict = {}
            for number, buffer in enumerate(buffers):
                for member_id in buffer:
                    if member_id <= bound and seen.setdefault(member_id, names[number]) != names[number]:
                        raise _fail(
                            "one-stratum",
                            f"id {_show(member_id.decode('utf-8'))} is in stratum {_show(seen[member_id])} "
                            f"and in stratum {_show(names[number])}; an id may appear in at most one stratum",
                        )
        for number in reversed(range(len(buffers))):
            if positions[number] == len(buffers[number]):
                refill = next(streams[number], None)
                if refill is None:
                    del buffers[number], streams[number], positions[number], names[number]
                else:
                    buffers[number], positions[number] = refill, 0


def _bisect_right(items: list, value, low: int) -> int:
    high = len(items)
    while low < high:
        middle = (low + high) // 2
        if value < items[middle]:
            high = middle
        else:
            low = middle + 1
    return low


class _Prepared:
    """A checked frozen document, with what the computation needs extracted once."""

    def __init__(self, frozen: dict, strata: list, warnings: list):
        self.frozen = frozen
        self.strata = strata
        self.warnings = warnings
        self._commitment = None

    @property
    def commitment(self) -> str:
        if self._commitment is None:
            digest = hashlib.sha256()
            texts = {id(stratum.members): stratum.text for stratum in self.strata}
            for piece in _iter_canonical_bytes(self.frozen, texts):
                digest.update(piece)
            self._commitment = digest.hexdigest()
        return self._commitment


def _prepare(frozen: object) -> _Prepared:
    """Enforce every rule of §1 and collect warnings; raise ``FrozenError`` naming the broken rule."""
    if type(frozen) is not dict:
        raise _fail("document", f"the frozen document must be a JSON object, not {_show(frozen)}")
    for key, kind in _REQUIRED:
        _require(frozen, key, kind, "the document", key)
    if frozen["protocol"] != PROTOCOL:
        raise _fail(
            "protocol", f"protocol must be exactly {_show(PROTOCOL)}, not {_show(frozen['protocol'])}"
        )
    if not frozen["plan"]:
        raise _fail("plan", "plan must be a non-empty string")
    try:
        parse_time(frozen["seed_not_before"])
    except ValueError as exc:
        raise _fail("seed_not_before", f"seed_not_before: {exc}") from None

    # Strata and their members.
    if not frozen["strata"]:
        raise _fail("strata", "strata must list at least one stratum")
    strata: list = []
    seen_names: set = set()
    for number, raw in enumerate(frozen["strata"]):
        where = f"strata[{number}]"
        if type(raw) is not dict:
            raise _fail("strata", f"{where} must be an object, not {_show(raw)}")
        name = _require(raw, "name", str, where, "stratum-name")
        if name in seen_names:
            raise _fail("stratum-name", f"stratum name {_show(name)} is used twice; names must be unique")
        seen_names.add(name)
        quota = _require_count(raw, "quota", where, 0, "quota")
        if "members" not in raw:
            raise _fail("members", f'{where} is missing the member "members"')
        members = raw["members"]
        if isinstance(members, MemberColumns):
            members.check(f"{where}.members")
            stratum = _Stratum(name, quota, members, members.ids)
        elif type(members) is list:
            stratum = _Stratum(name, quota, members, *_check_members(members, f"{where}.members"))
        else:
            raise _fail("members", f"{where}.members must be an array, not {_show(members)}")
        _check_extras(raw, ("name", "quota", "members"), where)
        strata.append(stratum)
    if any(isinstance(stratum.members, MemberColumns) for stratum in strata):
        _check_disjoint_streams(strata)
    else:
        _check_disjoint_lists(strata)

    _check_json(frozen["items"], "items")
    for index, code in enumerate(frozen["items"]):
        if type(code) is not str:
            raise _fail("items", f"items[{index}] must be a string, not {_show(code)}")

    team = frozen["team"]
    size = _require_count(team, "size", "team", 1, "team")
    departments = _require(team, "departments", list, "team", "team")
    _check_json(team, "team")
    if not all(type(department) is str for department in departments):
        raise _fail("team", "team.departments must be an array of strings")
    if len(set(departments)) != len(departments):
        raise _fail("team", f"team.departments lists a department twice: {_show(departments)}")
    if len(departments) > size:
        raise _fail("team", f"team.departments has {len(departments)} entries, more than team.size {size}")

    _check_inspectors(frozen["inspectors"])

    rules = frozen["rules"]
    _require(rules, "cross_unit", bool, "rules", "rules")
    _require_count(rules, "max_load", "rules", 0, "rules")
    _check_json(rules, "rules")

    conflicts = frozen["conflicts"]
    for index, pair in enumerate(conflicts):
        if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str or type(pair[1]) is not str:
            raise _fail(
                "conflicts", f"conflicts[{index}] must be a pair [inspector id, member id], not {_show(pair)}"
            )
    _check_json(conflicts, "conflicts")
    if not all(map(operator.le, conflicts, islice(conflicts, 1, None))):
        index = next(i for i in range(1, len(conflicts)) if conflicts[i - 1] > conflicts[i])
        raise _fail(
            "conflicts-sorted",
            f"conflicts[{index}] {_show(conflicts[index])} comes after {_show(conflicts[index - 1])}; "
            "conflicts must be sorted by inspector id, then member id",
        )

    known = tuple(key for key, _ in _REQUIRED)
    _check_extras(frozen, known, "the document")
    for key in ("protocol", "plan", "seed_source", "seed_not_before"):
        _check_string(frozen[key], key)
    return _Prepared(frozen, strata, _frozen_warnings(frozen, strata))


def _check_inspectors(inspectors: list) -> None:
    previous = None
    for index, inspector in enumerate(inspectors):
        where = f"inspectors[{index}]"
        if type(inspector) is not dict:
            raise _fail("inspector", f"{where} must be an object, not {_show(inspector)}")
        inspector_id = _require(inspector, "id", str, where, "inspector")
        _require(inspector, "department", str, where, "inspector")
        _require(inspector, "unit", str, where, "inspector")
        codes = _require(inspector, "items", list, where, "inspector")
        if not all(type(code) is str for code in codes):
            raise _fail("inspector", f"{where}.items must be an array of strings")
        _check_json(inspector, where)
        if previous is not None and not previous["id"] < inspector_id:
            if previous["id"] == inspector_id:
                if previous != inspector:
                    raise _fail(
                        "inspector-duplicate",
                        f"inspector {_show(inspector_id)} appears twice with conflicting data "
                        f"(inspectors[{index - 1}] and {where}); inspector ids must be unique",
                    )
                raise _fail("inspector-duplicate", f"inspector {_show(inspector_id)} appears twice ({where})")
            raise _fail(
                "inspectors-sorted",
                f"{where}: id {_show(inspector_id)} comes after {_show(previous['id'])}; "
                "inspectors must be sorted by id",
            )
        previous = inspector


def _qualified(frozen: dict) -> list:
    needed = set(frozen["items"])
    return [inspector for inspector in frozen["inspectors"] if needed <= set(inspector["items"])]


def _frozen_warnings(frozen: dict, strata: list) -> list:
    warnings = []
    if not any(stratum.count for stratum in strata):
        warnings.append(DrawWarning("empty_population", "the population is empty: nothing can be drawn"))
    for stratum in strata:
        if not stratum.count:
            warnings.append(
                DrawWarning("empty_stratum", f"stratum {stratum.name} is empty", stratum=stratum.name)
            )
        elif stratum.quota > stratum.count:
            warnings.append(
                DrawWarning(
                    "quota_exceeds_stratum",
                    f"stratum {stratum.name}: quota {stratum.quota} exceeds its {stratum.count} members; "
                    "all are selected and there is no reserve",
                    stratum=stratum.name,
                    quota=stratum.quota,
                    size=stratum.count,
                )
            )
    qualified = _qualified(frozen)
    size = frozen["team"]["size"]
    if len(qualified) < size:
        warnings.append(
            DrawWarning(
                "team_larger_than_qualified",
                f"team size {size} exceeds the {len(qualified)} inspectors qualified for every item: "
                "every selected member will be unassigned",
                size=size,
                qualified=len(qualified),
            )
        )
    departments = {inspector["department"] for inspector in qualified}
    for department in frozen["team"]["departments"]:
        if department not in departments:
            warnings.append(
                DrawWarning(
                    "department_without_inspector",
                    f"no qualified inspector belongs to the required department {department}: "
                    "every selected member will be unassigned",
                    department=department,
                )
            )
    return warnings


def check_frozen(frozen: object) -> list:
    """Check a frozen document against §1. Returns warnings; raises ``FrozenError`` on a broken rule."""
    return _prepare(frozen).warnings


def commitment(frozen: object) -> str:
    """§2: lowercase hex SHA-256 of the canonical JSON of a (checked) frozen document."""
    return _prepare(frozen).commitment


def freeze(frozen: object) -> tuple:
    """Check a frozen document (§1) once; return ``(canonical JSON bytes, commitment, warnings)``.

    The same as ``canonical_json``, ``commitment`` and ``check_frozen`` together, which would each
    check the whole document again.
    """
    with _gc_paused():
        prepared = _prepare(frozen)
        texts = {id(stratum.members): stratum.text for stratum in prepared.strata}
        data = b"".join(_iter_canonical_bytes(frozen, texts))
    return data, hashlib.sha256(data).hexdigest(), prepared.warnings


# ---------------------------------------------------------------------------------------------
# §3 Seed and §4 tickets
# ---------------------------------------------------------------------------------------------

# Unicode White_Space characters. Python's str.strip() would also strip U+001C..U+001F; spelling the
# set out keeps every implementation in agreement.
_WHITE_SPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_ORDINARY_SPACE = frozenset("\t\n\r")
_CATEGORY_NAMES = {
    "Cc": "control character",
    "Cf": "invisible formatting character",
    "Co": "private-use character",
    "Cn": "unassigned code point",
}


def normalise_seed(seed: object, *, strict: bool = True) -> str:
    """§3: NFC, then strip surrounding white space; refuse empty seeds and U+001F.

    With ``strict`` (the default, used when a seed is *entered*), also refuse control and other
    invisible characters (Unicode categories Cc, Cf, Co, Cs, Cn, except tab and line breaks): they
    would let whoever types the seed try variants that look identical on screen. Verification uses
    ``strict=False``, which is exactly the rule of ``gongkai-draw/1``.
    """
    if type(seed) is not str:
        raise SeedError("seed-type", f"the seed must be a string, not {_show(seed)}")
    if _SURROGATE.search(seed):
        raise SeedError("seed-unicode", "the seed contains an unpaired surrogate (not Unicode text)")
    text = unicodedata.normalize("NFC", seed).strip(_WHITE_SPACE)
    if SEPARATOR in text:
        raise SeedError("seed-separator", "the seed contains U+001F, which the protocol forbids")
    if not text:
        raise SeedError("seed-empty", "the seed is empty after normalisation (NFC, white space stripped)")
    if strict:
        for position, char in enumerate(text):
            category = unicodedata.category(char)
            if category[0] == "C" and char not in _ORDINARY_SPACE:
                name = unicodedata.name(char, "")
                raise SeedError(
                    "seed-control",
                    f"the seed contains the {_CATEGORY_NAMES.get(category, 'control character')} "
                    f"U+{ord(char):04X}{' ' + name if name else ''} at position {position + 1}; enter the "
                    "seed exactly as its source published it, without control or invisible characters",
                )
    return text


def seed_warnings(seed: str) -> list:
    """Characters in a seed that ``gongkai-draw/1`` accepts but a reader should know about."""
    try:
        normalise_seed(seed, strict=True)
    except SeedError as exc:
        return [DrawWarning(exc.code, exc.message)]
    return []


def check_seed_time(frozen: dict, entered_at: datetime) -> None:
    """§3: refuse a seed entered before ``seed_not_before`` (``entered_at`` must be aware)."""
    not_before = parse_time(frozen["seed_not_before"])
    if entered_at < not_before:
        raise SeedError(
            "seed-too-early",
            f"the seed was entered at {entered_at.isoformat()}, before seed_not_before "
            f"{frozen['seed_not_before']}",
        )


def ticket(commitment_hex: str, seed: str, kind: str, *parts: str) -> str:
    """§4: ``hex(SHA-256(UTF-8(commitment ␟ seed ␟ kind ␟ p1 ␟ p2 …)))``; ``seed`` already normalised."""
    return hashlib.sha256(SEPARATOR.join((commitment_hex, seed, kind, *parts)).encode("utf-8")).hexdigest()


def _prefix(commitment_hex: str, seed: str, kind: str) -> bytes:
    return (SEPARATOR.join((commitment_hex, seed, kind)) + SEPARATOR).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# §5 Selecting entities
# ---------------------------------------------------------------------------------------------


def _threshold(count: int, needed: int) -> bytes:
    """A ticket bound that about ``needed`` plus 8 standard deviations of ``count`` tickets fall under.

    Tickets are uniform 256-bit numbers, so keeping only those below the bound discards nearly all
    members without sorting them. If fewer than ``needed`` fall under it (about once in 10^15
    draws), the stratum is simply scanned again without a bound: the result never depends on it.
    """
    margin = needed + 8 * math.isqrt(needed) + 64
    if margin >= count:
        return b"\xff" * 33  # longer than any digest and above all of them: keeps everything
    return ((margin << 256) // count).to_bytes(32, "big")


def _scan(prefix: bytes, blob: bytes, start: int, end: int, first_index: int, bound: bytes) -> list:
    """Tickets of the ids in ``blob[start:end]``; keep ``(digest + id, index)`` for digests < bound.

    ``digest + id`` sorts exactly as ``(ticket, id)``: digests have a fixed width and compare like
    the hex strings, and UTF-8 byte order equals Unicode code point order.
    """
    if _drawhash is not None:  # the same list, computed in C
        return _drawhash.scan(prefix, blob, start, end, first_index, bound)
    copy = hashlib.sha256(prefix).copy  # the prefix is absorbed once, each id costs one copy
    # ``update`` returns None, so ``or`` goes on to the digest: one expression per ticket.
    return [
        (digest + member_id, index)
        for index, member_id in enumerate(blob[start:end].split(_SEP), first_index)
        if (digest := ((state := copy()).update(member_id) or state.digest())) < bound
    ]


_JOB: tuple | None = None  # (prefix, blobs, bounds) inherited by forked hashing processes


def _scan_task(task: tuple) -> list:
    prefix, blobs, bounds = _JOB  # type: ignore[misc]
    number, start, end, first_index = task
    return _scan(prefix, blobs[number], start, end, first_index, bounds[number])


def _tasks(blobs: list) -> list:
    """Cut each stratum's joined ids into ranges that start and end on id boundaries."""
    tasks = []
    for number, blob in enumerate(blobs):
        start, index = 0, 0
        while start < len(blob):
            stop = blob.find(_SEP, start + _TASK_BYTES)
            stop = len(blob) if stop == -1 else stop
            tasks.append((number, start, stop, index))
            index += blob.count(_SEP, start, stop) + 1
            start = stop + 1
    return tasks


def _worker_count(
    total: int, workers: int | None, threshold: int = PARALLEL_THRESHOLD, *, forking: bool = True
) -> int:
    if workers is not None:
        return max(1, workers)
    if total < threshold:
        return 1
    # Forking a process that runs other threads can deadlock the child; stay serial then.
    if forking and threading.active_count() > 1:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _fork_pool(workers: int, tasks: int):
    """A pool of forked processes, or None to work in this process.

    Forking shares the parent's data with the workers for free. It is missing on Windows and unsafe
    on macOS, where the work simply stays in this process.
    """
    if workers < 2 or tasks < 2 or not sys.platform.startswith(("linux", "freebsd")):
        return None
    import multiprocessing

    return multiprocessing.get_context("fork").Pool(min(workers, tasks))


def _thread_pool(workers: int, tasks: int):
    """A pool of threads for the compiled scan, or None to work in this thread."""
    if workers < 2 or tasks < 2:
        return None
    from multiprocessing.pool import ThreadPool

    return ThreadPool(min(workers, tasks))


def _scan_strata(prefix: bytes, blobs: list, bounds: list, workers: int):
    """Yield ``(stratum number, candidates)`` in stratum order, as soon as each stratum is hashed.

    Yielding stratum by stratum lets the caller assign inspectors to the first strata while worker
    processes are still hashing the later ones.
    """
    global _JOB
    tasks = _tasks(blobs)
    remaining = [0] * len(blobs)
    for task in tasks:
        remaining[task[0]] += 1
    found: list = [[] for _ in blobs]
    _JOB = (prefix, blobs, bounds)
    pool = None
    try:
        # The compiled scan lets go of the global lock while it hashes: threads share the work
        # (and need no fork), and the caller's §6 runs while they hash the later strata.
        make_pool = _fork_pool if _drawhash is None else _thread_pool
        pool = make_pool(workers, len(tasks))
        results = map(_scan_task, tasks) if pool is None else pool.imap(_scan_task, tasks)
        ready = 0
        for task, result in zip(tasks, results):
            found[task[0]].extend(result)
            remaining[task[0]] -= 1
            while ready < len(blobs) and remaining[ready] == 0:
                yield ready, found[ready]
                ready += 1
        for number in range(ready, len(blobs)):
            yield number, found[number]
    finally:
        _JOB = None
        if pool is not None:
            pool.terminate()
            pool.join()


def _select(prepared: _Prepared, seed: str, workers: int | None):
    """§5: yield ``(stratum, selected, reserve)`` in stratum order; entries are ``(ticket, id, index)``."""
    strata = prepared.strata
    prefix = _prefix(prepared.commitment, seed, "entity")
    needed = [min(2 * stratum.quota, stratum.count) for stratum in strata]
    bounds = [_threshold(stratum.count, want) for stratum, want in zip(strata, needed)]
    blobs = [stratum.blob if want else b"" for stratum, want in zip(strata, needed)]
    count = _worker_count(
        sum(s.count for s, want in zip(strata, needed) if want), workers, forking=_drawhash is None
    )
    for number, candidates in _scan_strata(prefix, blobs, bounds, count):
        stratum = strata[number]
        if len(candidates) < needed[number]:  # the bound was too tight: scan without one
            candidates = _scan(prefix, stratum.blob, 0, len(stratum.blob), 0, b"\xff" * 33)
        candidates.sort()
        ordered = [
            (key[:32].hex(), key[32:].decode("utf-8"), index) for key, index in candidates[: needed[number]]
        ]
        yield stratum, ordered[: stratum.quota], ordered[stratum.quota :]


# ---------------------------------------------------------------------------------------------
# §6 Assigning inspectors
# ---------------------------------------------------------------------------------------------


class _Assigner:
    """The state of §6: each inspector's load, and the qualified inspectors grouped by load.

    Hashing is the whole cost of §6, so the order ``(load, ticket, id)`` is never built in full.
    Inspectors sit in buckets by load, then department, then unit: a member's tickets are computed
    for the least-loaded bucket first (and only for the departments a step needs), and more loaded
    buckets are reached only when the lighter ones cannot complete the team. Since load comes first
    in the order, the outcome is exactly that of sorting everyone.
    Keys are ``digest + id`` (UTF-8), which sort exactly as ``(ticket, id)``.
    """

    def __init__(self, frozen: dict, commitment_hex: str, seed: str):
        inspectors = frozen["inspectors"]
        self.ids = [inspector["id"] for inspector in inspectors]
        self.id_bytes = [inspector_id.encode("utf-8") for inspector_id in self.ids]
        self.index_of = {key: n for n, key in enumerate(self.id_bytes)}
        self.departments = [inspector["department"] for inspector in inspectors]
        self.units = [inspector["unit"] for inspector in inspectors]
        needed = set(frozen["items"])
        self.qualified = [n for n, inspector in enumerate(inspectors) if needed <= set(inspector["items"])]
        self.size = frozen["team"]["size"]
        self.required = frozen["team"]["departments"]
        self.cross_unit = frozen["rules"]["cross_unit"]
        self.max_load = frozen["rules"]["max_load"]
        self.conflicts: dict = {}
        for inspector_id, member_id in frozen["conflicts"]:
            self.conflicts.setdefault(member_id, set()).add(inspector_id.encode("utf-8"))
        self.prefix = _prefix(commitment_hex, seed, "inspector")
        self.base = hashlib.sha256(self.prefix)
        self.load = [0] * len(inspectors)
        self.rebuild()

    def rebuild(self) -> None:
        """Regroup the qualified inspectors by load (after loads were changed from outside)."""
        self.buckets: dict = {}
        for n in self.qualified:
            self._enter(n)

    def _enter(self, n: int) -> None:
        if self.max_load == 0 or self.load[n] < self.max_load:  # at the cap: no longer eligible
            by_department = self.buckets.setdefault(self.load[n], {})
            by_unit = by_department.setdefault(self.departments[n], {})
            by_unit.setdefault(self.units[n], set()).add(self.id_bytes[n])

    def _leave(self, n: int, load: int) -> None:
        by_department = self.buckets[load]
        by_unit = by_department[self.departments[n]]
        members = by_unit[self.units[n]]
        members.discard(self.id_bytes[n])
        if not members:
            del by_unit[self.units[n]]
            if not by_unit:
                del by_department[self.departments[n]]
                if not by_department:
                    del self.buckets[load]

    def add(self, team: list, change: int) -> None:
        """Step 5 (``change`` 1), or taking a replaced member's team off (``change`` -1)."""
        for n in team:
            if self.max_load == 0 or self.load[n] < self.max_load:
                self._leave(n, self.load[n])
            self.load[n] += change
            self._enter(n)

    def team_for(self, member_id: str, unit: str | None) -> list | None:
        """Steps 1–4 for one member: the team in the order taken, or None if unassigned."""
        excluded = self.conflicts.get(member_id)
        skip = unit if self.cross_unit else None  # an inspector's unit is never None
        buckets = self.buckets
        levels = sorted(buckets)
        if _drawhash is not None:  # the same steps in C, which returns the ids taken
            prefix = self.prefix + member_id.encode("utf-8") + _SEP
            team = _drawhash.team(prefix, buckets, levels, self.required, self.size, skip, excluded)
            return None if team is None else [self.index_of[key] for key in team]
        state = self.base.copy()
        state.update(member_id.encode("utf-8") + _SEP)
        copy = state.copy
        hashed: dict = {}  # (load, department) -> keys of the eligible inspectors (step 1)

        def keys(level: int, department: str) -> list:
            found = hashed.get((level, department))
            if found is None:
                # One ticket per eligible inspector: ``update`` returns None, so ``or`` goes on to
                # the digest. A single comprehension is the fastest loop CPython offers here.
                found = [
                    (h := copy()).update(key) or h.digest() + key
                    for group_unit, group in buckets[level].get(department, {}).items()
                    if group_unit != skip
                    for key in group
                ]
                if excluded:
                    found = [key for key in found if key[32:] not in excluded]
                hashed[level, department] = found
            return found

        taken: list = []
        for department in self.required:  # step 3: the first of each required department
            for level in levels:
                candidates = keys(level, department)
                if candidates:
                    taken.append(min(candidates))
                    break
            else:
                return None
        missing = self.size - len(taken)
        for level in levels:  # step 4: fill in order, the least-loaded bucket first
            if not missing:
                break
            candidates = list(chain.from_iterable([keys(level, d) for d in buckets[level]]))
            while missing and candidates:
                # Repeated minimum rather than a sort: a team needs a few of some eighty keys.
                best = min(candidates)
                candidates.remove(best)
                if best not in taken:
                    taken.append(best)
                    missing -= 1
        if missing:
            return None
        return [self.index_of[key[32:]] for key in taken]


_ASSIGNED_CHUNK = 8192  # members per ``on_assigned`` call (fewer statements for the caller to run)


def _assign(assigner: _Assigner, selections, on_assigned=None) -> tuple:
    """§6 over the selections as they arrive; returns ``(strata, assignments, unassigned)``.

    ``on_assigned``, if given, receives the teams as they are made (see ``draw_committed``).
    """
    drawn, assignments, unassigned = [], [], []
    team_for, add, ids = assigner.team_for, assigner.add, assigner.ids
    teams: list | None = [] if on_assigned is not None else None  # the part not yet handed over
    for stratum, selected, reserve in selections:
        drawn.append((stratum, selected, reserve))
        unit = stratum.unit
        for _, member_id, index in selected:
            team = team_for(member_id, unit(index))
            inspectors = None
            if team is None:
                unassigned.append({"entity": member_id, "reason": "insufficient_inspectors"})
            else:
                add(team, 1)
                inspectors = [ids[n] for n in team]
                assignments.append({"entity": member_id, "inspectors": inspectors})
            if teams is not None:
                teams.append(inspectors)
                if len(teams) == _ASSIGNED_CHUNK:
                    on_assigned(teams)
                    teams = []
    if teams:
        on_assigned(teams)
    return drawn, assignments, unassigned


# ---------------------------------------------------------------------------------------------
# §7 The result document
# ---------------------------------------------------------------------------------------------


def _result(commitment_hex: str, seed: str, drawn: list, assignments: list, unassigned: list) -> dict:
    return {
        "protocol": PROTOCOL,
        "commitment": commitment_hex,
        "seed": seed,
        "strata": [
            {
                "name": stratum.name,
                "selected": [{"id": i, "ticket": t} for t, i, _ in selected],
                "reserve": [{"id": i, "ticket": t} for t, i, _ in reserve],
            }
            for stratum, selected, reserve in drawn
        ],
        "assignments": assignments,
        "unassigned": unassigned,
    }


class DrawRun:
    """A computed draw: the §7 ``result``, the engine's ``warnings`` and the final inspector loads."""

    def __init__(self, result: dict, warnings: list, loads: dict):
        self.result = result
        self.warnings = warnings
        self.loads = loads


def run_draw(frozen: dict, seed: str, *, strict_seed: bool = True, workers: int | None = None) -> DrawRun:
    """Check the frozen document, normalise the seed and compute §2–§7.

    ``strict_seed`` refuses control characters in the seed (see ``normalise_seed``); ``workers``
    forces the number of hashing processes (default: several for large populations, when the
    platform can fork and no other thread runs).
    """
    with _gc_paused():
        normalised = normalise_seed(seed, strict=strict_seed)
        return _run(_prepare(frozen), normalised, workers)


def draw_committed(
    frozen: dict,
    commitment_hex: str,
    seed: str,
    *,
    workers: int | None = None,
    on_selected=None,
    on_assigned=None,
) -> DrawRun:
    """``run_draw`` for a document that was checked against §1 when it was committed to.

    For the system that froze the document (``freeze`` checks it and returns its commitment) and
    later draws from the text it stored, having confirmed that the text still hashes to the
    commitment: §1 is not enforced a second time and the commitment is not recomputed. Every
    stratum's members must be ``MemberColumns``. Never use it for a document from anyone else:
    ``run_draw`` checks everything.

    ``on_selected``, if given, is called with §5's outcome before §6 begins: a list with, for each
    stratum in order, ``(name, selected, reserve)``, whose entries are ``(ticket, id, index)``. A
    caller can start storing the selection while the inspectors are assigned.

    ``on_assigned``, if given, is called during §6 with the teams of the next selected members, in
    the order of ``on_selected``'s list (strata in order, each in ticket order): a list with, for
    each member, its inspectors' ids in the order taken, or None when it is unassigned. A caller
    can store each selected member with its team while the rest are assigned.
    """
    strata = []
    for raw in frozen["strata"]:
        members = raw["members"]
        if not isinstance(members, MemberColumns):
            raise TypeError("draw_committed needs every stratum's members as MemberColumns")
        strata.append(_Stratum(raw["name"], raw["quota"], members, members.ids))
    prepared = _Prepared(frozen, strata, [])
    prepared._commitment = commitment_hex
    with _gc_paused():
        return _run(prepared, normalise_seed(seed), workers, on_selected, on_assigned)


def _run(
    prepared: _Prepared, normalised: str, workers: int | None, on_selected=None, on_assigned=None
) -> DrawRun:
    """§4–§7 for a prepared document and a normalised seed (the callbacks: see draw_committed)."""
    frozen = prepared.frozen
    assigner = _Assigner(frozen, prepared.commitment, normalised)
    selections = _select(prepared, normalised, workers)
    if on_selected is not None:  # all of §5 first, then §6 (otherwise §6 starts on the first stratum)
        selections = list(selections)
        on_selected([(stratum.name, selected, reserve) for stratum, selected, reserve in selections])
    drawn, assignments, unassigned = _assign(assigner, selections, on_assigned)
    result = _result(prepared.commitment, normalised, drawn, assignments, unassigned)
    warnings = list(prepared.warnings)
    if unassigned:
        warnings.append(
            DrawWarning(
                "unassigned",
                f"{len(unassigned)} selected members could not get a full team (insufficient_inspectors)",
                count=len(unassigned),
            )
        )
    loads = {assigner.ids[n]: load for n, load in enumerate(assigner.load) if load}
    return DrawRun(result, warnings, loads)


def compute_draw(frozen: dict, seed: str, *, strict_seed: bool = True, workers: int | None = None) -> dict:
    """The §7 result document for ``frozen`` and ``seed`` (see ``run_draw``)."""
    return run_draw(frozen, seed, strict_seed=strict_seed, workers=workers).result


# ---------------------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------------------


def _first_difference(expected: object, actual: object, where: str) -> str | None:
    if type(expected) is not type(actual):
        return f"{where}: expected {_show(expected)}, the bundle has {_show(actual)}"
    if type(expected) is dict:
        # The expected result is built in the order of §7 (selected before reserve...): report the
        # first difference a reader of the specification would meet.
        for key in list(expected) + sorted(set(actual) - set(expected)):
            if key not in actual:
                return f"{where}.{key} is missing"
            if key not in expected:
                return f"{where}.{key} is not part of a result"
            found = _first_difference(expected[key], actual[key], f"{where}.{key}")
            if found:
                return found
        return None
    if type(expected) is list:
        for index, (left, right) in enumerate(zip(expected, actual)):
            found = _first_difference(left, right, f"{where}[{index}]")
            if found:
                return found
        if len(expected) != len(actual):
            return f"{where} has {len(actual)} entries, expected {len(expected)}"
        return None
    if expected != actual:
        return f"{where}: expected {_show(expected)}, the bundle has {_show(actual)}"
    return None


_TEAM_JOB: tuple | None = None  # what forked team checkers inherit (see _teams_agree)


def _check_team_range(task: tuple):
    """Recompute the teams of members ``start..end-1``; return the first that differs, or None.

    The loads before ``start`` are rebuilt from the *claimed* teams. This is sound: if every member's
    team, recomputed from the loads the claimed teams before it imply, equals its claimed team,
    then by induction the claimed teams are exactly those of the sequential §6. Checking §6 thus
    splits into ranges that can run at the same time, whereas computing it cannot.
    """
    start, end = task
    frozen, commitment_hex, seed, order, claimed = _TEAM_JOB  # type: ignore[misc]
    assigner = _Assigner(frozen, commitment_hex, seed)
    for team in claimed[:start]:
        for n in team or ():
            assigner.load[n] += 1
    assigner.rebuild()
    for number in range(start, end):
        member_id, unit = order[number]
        team = assigner.team_for(member_id, unit)
        if team != claimed[number]:
            return number
        if team is not None:
            assigner.add(team, 1)
    return None


def _teams_agree(frozen: dict, commitment_hex: str, seed: str, order: list, claimed: list, workers) -> bool:
    global _TEAM_JOB
    # About 0.1 s of work per range in pure Python. The compiled loops check a member's team about
    # three times faster, so that forking the processes (page tables, copied pages: some 0.4 s for a
    # million-member bundle) only pays for far more members.
    threshold = 4000 if _drawhash is None else 100_000
    count = _worker_count(len(order), workers, threshold=threshold)
    size = -(-len(order) // count) if order else 1
    ranges = [(start, min(start + size, len(order))) for start in range(0, len(order), size)]
    _TEAM_JOB = (frozen, commitment_hex, seed, order, claimed)
    pool = None
    try:
        pool = _fork_pool(count, len(ranges))
        results = (
            list(map(_check_team_range, ranges)) if pool is None else pool.map(_check_team_range, ranges)
        )
    finally:
        _TEAM_JOB = None
        if pool is not None:
            pool.terminate()
            pool.join()
    return all(found is None for found in results)


def _verify_quickly(bundle: dict, workers: int | None) -> bool:
    """True only if the bundle is valid; False means "recompute in full to find the reason"."""
    normalised = normalise_seed(bundle["seed"], strict=False)
    claimed = bundle["result"]
    with _gc_paused():
        prepared = _prepare(bundle["frozen"])
        if type(claimed) is not dict or claimed.get("commitment") != prepared.commitment:
            return False
        drawn = list(_select(prepared, normalised, workers))
        expected = _result(prepared.commitment, normalised, drawn, [], [])
        if claimed.get("strata") != expected["strata"]:
            return False
        assignments, unassigned = claimed.get("assignments"), claimed.get("unassigned")
        if type(assignments) is not list or type(unassigned) is not list:
            return False
        # Read the claimed team of every selected member, in the processing order of §6.
        position = {inspector["id"]: n for n, inspector in enumerate(bundle["frozen"]["inspectors"])}
        order, teams, next_assigned, next_unassigned = [], [], 0, 0
        for stratum, selected, _ in drawn:
            for _, member_id, index in selected:
                order.append((member_id, stratum.unit(index)))
                entry = assignments[next_assigned] if next_assigned < len(assignments) else None
                if type(entry) is dict and entry.get("entity") == member_id:
                    names = entry.get("inspectors")
                    if type(names) is not list or not all(type(i) is str and i in position for i in names):
                        return False
                    teams.append([position[i] for i in names])
                    next_assigned += 1
                elif next_unassigned < len(unassigned) and unassigned[next_unassigned] == {
                    "entity": member_id,
                    "reason": "insufficient_inspectors",
                }:
                    teams.append(None)
                    next_unassigned += 1
                else:
                    return False
        if (next_assigned, next_unassigned) != (len(assignments), len(unassigned)):
            return False
        if not _teams_agree(bundle["frozen"], prepared.commitment, normalised, order, teams, workers):
            return False
        ids = [inspector["id"] for inspector in bundle["frozen"]["inspectors"]]
        expected["assignments"] = [
            {"entity": member_id, "inspectors": [ids[n] for n in team]}
            for (member_id, _), team in zip(order, teams)
            if team is not None
        ]
        expected["unassigned"] = [
            {"entity": member_id, "reason": "insufficient_inspectors"}
            for (member_id, _), team in zip(order, teams)
            if team is None
        ]
        return claimed == expected


def verify_bundle(bundle: object, *, workers: int | None = None) -> tuple:
    """Recompute a bundle. Returns ``(True, "")`` or ``(False, reason)``; never raises on bad input.

    A valid bundle is confirmed by ``_verify_quickly`` (teams checked in parallel); anything else is
    recomputed in full, in order, to name the first difference.
    """
    if type(bundle) is not dict:
        return False, "a bundle must be a JSON object with frozen, seed and result"
    for key in ("frozen", "seed", "result"):
        if key not in bundle:
            return False, f"the bundle has no {_show(key)} member"
    try:
        if _verify_quickly(bundle, workers):
            return True, ""
        expected = compute_draw(bundle["frozen"], bundle["seed"], strict_seed=False, workers=workers)
    except DrawError as exc:
        return False, exc.message
    claimed = bundle["result"]
    if type(claimed) is not dict:
        return False, "result must be a JSON object"
    if claimed.get("commitment") != expected["commitment"]:
        return False, (
            f"result.commitment {_show(claimed.get('commitment'))} is not the commitment of the frozen "
            f"document ({expected['commitment']})"
        )
    if claimed == expected:
        # A result holds only strings, arrays and objects, so equality here is exact (there is no
        # 1 == true, 1 == 1.0 to worry about), and the same canonical JSON follows.
        return True, ""
    difference = _first_difference(expected, claimed, "result")
    return False, difference or "result is not identical to the recomputed result"


# ---------------------------------------------------------------------------------------------
# §8 Replacements
# ---------------------------------------------------------------------------------------------


def apply_replacements(frozen: dict, seed: str, result: dict, events: list) -> list:
    """Apply §8 replacement events in the order recorded.

    Each event is ``{"out": id, "in": id, "reason": text, "at": time}``; ``in`` may be left out (or
    null) to let the engine name the only member allowed: the first unused reserve member of the
    outgoing member's stratum. Returns, per event, the event with ``in`` filled and either
    ``"inspectors": [...]`` (the incoming member's team) or ``"unassigned": "insufficient_inspectors"``.
    ``result`` must be the verified result for ``frozen`` and ``seed``.
    """
    normalised = normalise_seed(seed, strict=False)
    with _gc_paused():
        prepared = _prepare(frozen)
    if result.get("commitment") != prepared.commitment or result.get("seed") != normalised:
        raise ReplacementError(
            "replacement-result", "the result does not belong to this frozen document and seed"
        )
    assigner = _Assigner(frozen, prepared.commitment, normalised)
    position = {inspector_id: n for n, inspector_id in enumerate(assigner.ids)}
    teams: dict = {}
    for assignment in result["assignments"]:
        teams[assignment["entity"]] = [position[i] for i in assignment["inspectors"]]
        for n in teams[assignment["entity"]]:
            assigner.load[n] += 1
    assigner.rebuild()
    stratum_of: dict = {}
    reserves: dict = {}
    active: set = set()
    for stratum in result["strata"]:
        for member in stratum["selected"]:
            stratum_of[member["id"]] = stratum["name"]
            active.add(member["id"])
        reserves[stratum["name"]] = [member["id"] for member in stratum["reserve"]]
    units = {}
    for stratum in prepared.strata:
        wanted = set(reserves.get(stratum.name, ()))
        if isinstance(stratum.members, MemberColumns):
            units.update(stratum.members.units_of(wanted))
        else:
            units.update((m["id"], m.get("unit")) for m in stratum.members if m["id"] in wanted)
    applied = []
    for number, event in enumerate(events):
        where = f"replacement {number + 1}"
        if type(event) is not dict or type(event.get("out")) is not str:
            raise ReplacementError("replacement-event", f'{where}: an event needs an "out" id')
        out = event["out"]
        if out not in active:
            raise ReplacementError(
                "replacement-out", f"{where}: {_show(out)} is not a currently selected member"
            )
        name = stratum_of[out]
        if not reserves[name]:
            raise ReplacementError(
                "replacement-exhausted", f"{where}: the reserve of stratum {name} is used up"
            )
        incoming = reserves[name][0]
        if event.get("in") not in (None, incoming):
            raise ReplacementError(
                "replacement-in",
                f"{where}: {_show(event.get('in'))} may not come in; §8 allows only {_show(incoming)}, "
                f"the first unused reserve member of stratum {name}",
            )
        del reserves[name][0]
        active.discard(out)
        active.add(incoming)
        stratum_of[incoming] = name
        if out in teams:
            assigner.add(teams.pop(out), -1)
        team = assigner.team_for(incoming, units[incoming])
        record = dict(event, **{"in": incoming})
        if team is None:
            record["unassigned"] = "insufficient_inspectors"
        else:
            assigner.add(team, 1)
            teams[incoming] = team
            record["inspectors"] = [assigner.ids[n] for n in team]
        applied.append(record)
    return applied


# ---------------------------------------------------------------------------------------------
# Building a frozen document from unordered rows
# ---------------------------------------------------------------------------------------------


def build_frozen(
    *,
    plan: str,
    seed_source: str,
    seed_not_before: str,
    strata,
    items,
    team_size: int,
    departments=(),
    inspectors,
    cross_unit: bool,
    max_load: int = 0,
    conflicts=(),
    check: bool = True,
    **extra: object,
) -> dict:
    """Assemble a frozen document from rows in any order, sorting what §1 requires sorted.

    ``strata`` is a sequence of ``{"name", "quota", "members"}`` in the order they are to be drawn
    (that order is meaningful); members (dicts, or plain id strings) are sorted by id. Inspectors
    are sorted by id, conflicts by (inspector, member) without duplicates; item lists are sorted and
    de-duplicated. ``departments`` keeps its order, which §6 uses. ``extra`` adds informative
    members (``title``...). The document is checked before it is returned, unless ``check`` is false
    (for a caller that goes on to ``freeze`` it, which checks it).
    """
    built_strata = []
    for stratum in strata:
        members = stratum["members"]
        if not isinstance(members, MemberColumns):
            members = [{"id": m} if isinstance(m, str) else dict(m) for m in members]
            members.sort(key=operator.itemgetter("id"))
        built = {key: value for key, value in stratum.items() if key != "members"}
        built["members"] = members
        built_strata.append(built)
    roster = []
    for inspector in inspectors:
        row = dict(inspector)
        row["items"] = sorted(set(row["items"]))
        roster.append(row)
    roster.sort(key=operator.itemgetter("id"))
    frozen = dict(
        extra,
        protocol=PROTOCOL,
        plan=plan,
        seed_source=seed_source,
        seed_not_before=seed_not_before,
        strata=built_strata,
        items=sorted(set(items)),
        team={"size": team_size, "departments": list(departments)},
        inspectors=roster,
        rules={"cross_unit": cross_unit, "max_load": max_load},
        conflicts=[list(pair) for pair in sorted({tuple(pair) for pair in conflicts})],
    )
    if check:
        check_frozen(frozen)
    return frozen


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def _write(stream, data: bytes) -> None:
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        buffer.write(data)
        buffer.flush()
    else:
        stream.write(data.decode("utf-8"))


def cli_compute(path: str, seed: str, out=None, err=None) -> int:
    """``compute FROZEN.json --seed SEED``: print the result as canonical JSON; return the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        frozen = read_json_file(path)
        run = run_draw(frozen, seed)
    except DrawError as exc:
        err.write(f"error: {exc.message}\n")
        return 2
    for warning in run.warnings:
        err.write(f"warning: {warning.message}\n")
    _write(out, canonical_json(run.result) + b"\n")
    return 0


def cli_commitment(path: str, out=None, err=None) -> int:
    """``commitment FROZEN.json``: check the document and print its commitment."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        value = commitment(read_json_file(path))
    except DrawError as exc:
        err.write(f"error: {exc.message}\n")
        return 2
    out.write(value + "\n")
    return 0


def cli_verify(path: str, out=None, err=None) -> int:
    """``verify BUNDLE.json``: print VALID (0) or INVALID: reason (1); unreadable input → 2."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        bundle = read_json_file(path)
    except DrawError as exc:
        err.write(f"error: {exc.message}\n")
        return 2
    if type(bundle) is not dict or not {"frozen", "seed", "result"} <= set(bundle):
        err.write(f"error: {path}: not a bundle (a JSON object with frozen, seed and result)\n")
        return 2
    ok, reason = verify_bundle(bundle)
    if not ok:
        out.write(f"INVALID: {reason}\n")
        return 1
    for warning in seed_warnings(bundle["seed"]) if type(bundle["seed"]) is str else ():
        err.write(f"warning: {warning.message}\n")
    out.write("VALID\n")
    return 0


def cli_replace(bundle_path: str, events_path: str, out=None, err=None) -> int:
    """``replace BUNDLE.json EVENTS.json``: apply §8 events to a verified bundle; print canonical JSON."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        bundle = read_json_file(bundle_path)
        events = read_json_file(events_path)
        if type(bundle) is not dict or not {"frozen", "seed", "result"} <= set(bundle):
            raise BundleError("not_bundle", f"{bundle_path}: not a bundle")
        if type(events) is not list:
            raise BundleError("not_events", f"{events_path}: must be a JSON array of replacement events")
        ok, reason = verify_bundle(bundle)
        if not ok:
            out.write(f"INVALID: {reason}\n")
            return 1
        applied = apply_replacements(bundle["frozen"], bundle["seed"], bundle["result"], events)
        _write(out, canonical_json(applied) + b"\n")
    except DrawError as exc:
        err.write(f"error: {exc.message}\n")
        return 2 if not isinstance(exc, ReplacementError) else 1
    return 0


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="gongkai_draw.py",
        description=f"Compute or verify a {PROTOCOL} draw with nothing but Python's standard library.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="recompute a bundle: VALID (exit 0) or INVALID (exit 1)")
    verify.add_argument("bundle")
    compute = commands.add_parser("compute", help="print the result of a frozen document and a seed")
    compute.add_argument("frozen")
    compute.add_argument("--seed", required=True)
    commit = commands.add_parser("commitment", help="print the commitment of a frozen document")
    commit.add_argument("frozen")
    replace = commands.add_parser("replace", help="apply replacement events (§8) to a verified bundle")
    replace.add_argument("bundle")
    replace.add_argument("events")
    args = parser.parse_args(argv)
    try:
        if args.command == "verify":
            return cli_verify(args.bundle)
        if args.command == "compute":
            return cli_compute(args.frozen, args.seed)
        if args.command == "commitment":
            return cli_commitment(args.frozen)
        return cli_replace(args.bundle, args.events)
    except (MemoryError, RecursionError, KeyboardInterrupt) as exc:
        sys.stderr.write(f"error: stopped: {type(exc).__name__}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
