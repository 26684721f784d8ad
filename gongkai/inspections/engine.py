"""The product's view of the draw engine: a thin layer over :mod:`gongkai_draw`.

``gongkai_draw.py`` is the single, stdlib-only file that the public downloads as the verifier; the
product calls the same code through these names so that there is exactly one implementation.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from typing import Any

from gongkai.inspections import gongkai_draw as gd

DrawError = gd.DrawError


def build_frozen(
    *,
    plan: str,
    title: str,
    seed_source: str,
    seed_not_before: str,
    strata: list,
    items: list,
    team: dict,
    inspectors: list,
    rules: dict,
    conflicts: list,
    check: bool = True,
) -> dict[str, Any]:
    return gd.build_frozen(
        plan=plan,
        title=title,
        seed_source=seed_source,
        seed_not_before=seed_not_before,
        strata=strata,
        items=items,
        team_size=team["size"],
        departments=team["departments"],
        inspectors=inspectors,
        cross_unit=rules["cross_unit"],
        max_load=rules["max_load"],
        conflicts=conflicts,
        check=check,
    )


def validate_frozen(frozen: dict[str, Any]) -> list:
    """Raise :class:`DrawError` naming the broken rule; return the protocol's warnings otherwise."""
    return gd.check_frozen(frozen)


def canonical(value: Any) -> str:
    return gd.canonical_json(value).decode("utf-8")


def result_text(result: dict[str, Any]) -> str:
    """The canonical JSON of a result the engine computed: ``canonical`` without its checks.

    Every string of a result comes from the checked frozen document, the seed or a digest, so the
    checks (a walk over every object, two thirds of the time for 60,000 entries) find nothing;
    keys sorted, no white space and unescaped UTF-8 is then exactly RFC 8785.
    """
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)


def commitment(frozen: dict[str, Any]) -> str:
    return gd.commitment(frozen)


def freeze(frozen: dict[str, Any]) -> tuple[str, str]:
    """``(canonical text, commitment)`` of a frozen document, checked once; ``DrawError`` if broken."""
    data, value, _ = gd.freeze(frozen)
    return data.decode("utf-8"), value


def normalise_seed(seed: str) -> str:
    return gd.normalise_seed(seed)


def loads(text: str) -> Any:
    return gd.load_json(text)


def compute(frozen: dict[str, Any], seed: str) -> dict[str, Any]:
    return gd.compute_draw(frozen, seed)


def compute_stored(
    frozen_text: bytes | bytearray | str, commitment: str, seed: str, *, on_selected=None, on_assigned=None
) -> dict[str, Any]:
    """The draw of a stored frozen document (canonical text) whose published commitment is given.

    The text (UTF-8 bytes, or a string) must hash to the commitment, or ``DrawError``: nothing may
    be drawn from a text that is not exactly the one published. A ``bytearray`` is taken over: it
    is emptied as soon as it has been read, so that the draw does not hold the text (360 MB for
    fifteen million members, 570 MB with 所所交叉 units) while it selects and assigns. Announcing
    checked that text against §1 (``freeze``), so the draw does not check it again
    (``gd.draw_committed``). Reading a million members as JSON objects would be most of a draw's
    time, so they are read straight from the canonical text into ``MemberColumns`` (see
    ``_stored_frozen``, which says why that reading is exact); a text it cannot read that way (an
    escape in an id, an unusual member field) takes the ordinary JSON path, with every check. Bytes are the lighter form: a string holding any
    Chinese takes two bytes a character in CPython, 1.2 GB for fifteen million members.

    ``on_selected`` receives §5's selection before §6 begins and ``on_assigned`` the teams while
    §6 makes them (see ``gd.draw_committed``); on the ordinary JSON path both are called with the
    same values once the whole result is known.
    """
    data = frozen_text.encode("utf-8") if isinstance(frozen_text, str) else frozen_text
    del frozen_text  # the string, if given, is the caller's to keep or free
    published = hashlib.sha256(data).hexdigest()
    if published != commitment:
        raise gd.DrawError(
            "commitment",
            f"the stored frozen document has the commitment {published}, not the published {commitment}",
        )
    frozen = _stored_frozen(data)
    if frozen is not None:
        _release(data)
        return gd.draw_committed(
            frozen, commitment, seed, on_selected=on_selected, on_assigned=on_assigned
        ).result
    parsed = gd.load_json(data.decode("utf-8"))
    _release(data)
    if not isinstance(parsed, dict):
        raise gd.FrozenError("document", "the stored frozen document is not a JSON object")
    result = gd.compute_draw(parsed, seed)
    if on_selected is not None:
        on_selected(
            [
                (
                    stratum["name"],
                    [(m["ticket"], m["id"], None) for m in stratum["selected"]],
                    [(m["ticket"], m["id"], None) for m in stratum["reserve"]],
                )
                for stratum in result["strata"]
            ]
        )
    if on_assigned is not None:
        teams = {a["entity"]: a["inspectors"] for a in result["assignments"]}
        selected = [m["id"] for stratum in result["strata"] for m in stratum["selected"]]
        if selected:
            on_assigned([teams.get(member) for member in selected])
    return result


def _release(data: bytes | bytearray) -> None:
    """Free a text the draw was given as a ``bytearray`` (see ``compute_stored``)."""
    if isinstance(data, bytearray):
        data.clear()


_MEMBERS = b'"members":['
_FIRST = b'{"id":"'
_NEXT = b'"},{"id":"'
_UNIT = b'","unit":"'
_SEP = gd.SEPARATOR.encode("ascii")
_QUOTES = 4  # in _NEXT and in _UNIT alike


def _stored_frozen(text: bytes | bytearray) -> dict[str, Any] | None:
    """Read a canonical frozen text (UTF-8) with every member array as ``MemberColumns``; None if unsure.

    In canonical JSON a quote inside a string is escaped, so in a member array without any
    backslash every quote delimits a string. If the array's quotes are exactly those of the
    delimiters of ``{"id":"…"},{"id":"…"}…`` (or ``{"id":"…","unit":"…"},…``), splitting on
    the delimiters, in C, yields exactly the ids and units JSON would decode; anything else (another
    field, an escape) returns None. The rest of the document (strata names, roster, rules) is small
    and parsed as JSON. The member arrays are read in place, a few megabytes at a time: for fifteen
    million members the text alone is 360 MB (570 MB with units).
    """
    skeleton: list[bytes | bytearray] = []
    columns: list[gd.MemberColumns] = []
    position = 0
    while (start := text.find(_MEMBERS, position)) != -1:
        start += len(_MEMBERS)
        end = start if text.startswith(b"]", start) else text.find(b'"}]', start) + 2
        if end < start:
            return None
        skeleton.append(text[position:start])
        position = end
        if end == start:
            columns.append(gd.MemberColumns(b""))
            continue
        if text.find(b"\\", start, end) != -1 or not text.startswith(_FIRST, start):
            return None
        first, last = start + len(_FIRST), end - 2  # the members without the outer {"id":" and "}
        count = text.count(_NEXT, first, last) + 1
        with_unit = text.count(_UNIT, first, last)
        if text.count(b'"', first, last) != _QUOTES * (count - 1 + with_unit):  # one delimits nothing
            return None
        if with_unit not in (0, count):
            return None
        members = _member_columns(text, first, last, with_units=bool(with_unit))
        if members is None:
            return None
        columns.append(members)
    skeleton.append(text[position:])
    try:
        frozen = gd.load_json(b"".join(skeleton).decode("utf-8"))
    except (gd.DrawError, UnicodeDecodeError):
        return None
    if not isinstance(frozen, dict):
        return None
    strata = frozen.get("strata")
    if type(strata) is not list or len(strata) != len(columns):
        return None
    for stratum, members in zip(strata, columns, strict=True):
        if type(stratum) is not dict or stratum.get("members") != []:
            return None
        stratum["members"] = members
    return frozen


def _member_columns(
    text: bytes | bytearray, first: int, last: int, *, with_units: bool, chunk: int = 1 << 22
) -> gd.MemberColumns | None:
    """``text[first:last]``, ``id"},{"id":"id…`` or ``id","unit":"unit"},{"id":"id…`` (delimiters
    already checked), as ``MemberColumns``.

    A few megabytes at a time, each cut at a member boundary (``_NEXT``): splitting fifteen million
    members at once would make thirty million strings (about 2 GB). Unit codes follow the order in
    which the units first appear, as ``MemberColumns.from_members`` gives them.
    """
    names: dict[bytes, int] = {}
    codes = array("H")
    pieces: list[bytes] = []
    position = first
    while position < last:
        cut = text.find(_NEXT, position + chunk, last)
        stop = last if cut == -1 else cut
        with memoryview(text) as view:  # one copy, and bytes (hashable units) from a bytearray too
            piece = view[position:stop].tobytes()
        position = stop + len(_NEXT)
        if not with_units:
            pieces.append(piece.replace(_NEXT, _SEP))
            continue
        parts = piece.replace(_UNIT, _NEXT).split(_NEXT)
        units = parts[1::2]
        for unit in dict.fromkeys(units):  # the few distinct units, in order of appearance
            names.setdefault(unit, len(names))
        if len(names) > 65536:
            return None
        codes.extend(map(names.__getitem__, units))
        pieces.append(_SEP.join(parts[0::2]))
    ids = _SEP.join(pieces)
    del pieces
    if not with_units:
        return gd.MemberColumns(ids)
    try:
        unit_names = [name.decode("utf-8") for name in names]
    except UnicodeDecodeError:
        return None
    return gd.MemberColumns(ids, codes, unit_names)


def replace(frozen: dict[str, Any], seed: str, result: dict[str, Any], events: list[dict]) -> list[list[str]]:
    """The team of each event's incoming member, in event order ([] when nobody could be assigned)."""
    return [event.get("inspectors", []) for event in gd.apply_replacements(frozen, seed, result, events)]
