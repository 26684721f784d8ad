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


def compute_stored(frozen_text: str, commitment: str, seed: str, *, on_selected=None) -> dict[str, Any]:
    """The draw of a stored frozen document (canonical text) whose published commitment is given.

    The text must hash to the commitment, or ``DrawError``: nothing may be drawn from a text that
    is not exactly the one published. Announcing checked that text against §1 (``freeze``), so
    the draw does not check it again (``gd.draw_committed``). Reading a million members as JSON
    objects would be most of a draw's time, so they are read straight from the canonical text
    into ``MemberColumns`` (see ``_stored_frozen``, which says why that reading is exact); a
    text it cannot read that way (an escape in an id, an unusual member field) takes the ordinary
    JSON path, with every check.

    ``on_selected`` receives §5's selection before §6 begins (see ``gd.draw_committed``); on the
    ordinary JSON path it is called with the same list once the whole result is known.
    """
    published = sha256_hex(frozen_text)
    if published != commitment:
        raise gd.DrawError(
            "commitment",
            f"the stored frozen document has the commitment {published}, not the published {commitment}",
        )
    frozen = _stored_frozen(frozen_text)
    if frozen is not None:
        return gd.draw_committed(frozen, commitment, seed, on_selected=on_selected).result
    parsed = gd.load_json(frozen_text)
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
    return result


_MEMBERS = '"members":['
_FIRST = '{"id":"'
_NEXT = '"},{"id":"'
_UNIT = '","unit":"'
_QUOTES = 4  # in _NEXT and in _UNIT alike


def _stored_frozen(text: str) -> dict[str, Any] | None:
    """Read a canonical frozen text with every member array as ``MemberColumns``; None if unsure.

    In canonical JSON a quote inside a string is escaped, so in a member array without any
    backslash every quote delimits a string. If the array's quotes are exactly those of the
    delimiters of ``{"id":"…"},{"id":"…"}…`` (or ``{"id":"…","unit":"…"},…``), splitting on
    the delimiters, in C, yields exactly the ids and units JSON would decode; anything else (another
    field, an escape) returns None. The rest of the document (strata names, roster, rules) is small
    and parsed as JSON.
    """
    skeleton: list[str] = []
    columns: list[gd.MemberColumns] = []
    position = 0
    while (start := text.find(_MEMBERS, position)) != -1:
        start += len(_MEMBERS)
        end = start if text.startswith("]", start) else text.find('"}]', start) + 2
        if end < start:
            return None
        body = text[start:end]
        skeleton.append(text[position:start])
        position = end
        if not body:
            columns.append(gd.MemberColumns(b""))
            continue
        if "\\" in body or not body.startswith(_FIRST):
            return None
        inner = body[len(_FIRST) : -2]
        count = inner.count(_NEXT) + 1
        with_unit = inner.count(_UNIT)
        if inner.count('"') != _QUOTES * (count - 1 + with_unit):  # a quote that delimits nothing
            return None
        if with_unit == 0:
            columns.append(gd.MemberColumns(inner.replace(_NEXT, gd.SEPARATOR).encode("utf-8")))
            continue
        if with_unit != count:
            return None
        parts = inner.replace(_UNIT, _NEXT).split(_NEXT)
        ids, units = parts[0::2], parts[1::2]
        names = sorted(set(units))
        if len(names) > 65536:
            return None
        code = {name: number for number, name in enumerate(names)}
        codes = array("H", map(code.__getitem__, units))
        columns.append(gd.MemberColumns(gd.SEPARATOR.join(ids).encode("utf-8"), codes, names))
    skeleton.append(text[position:])
    try:
        frozen = gd.load_json("".join(skeleton))
    except gd.DrawError:
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


def replace(frozen: dict[str, Any], seed: str, result: dict[str, Any], events: list[dict]) -> list[list[str]]:
    """The team of each event's incoming member, in event order ([] when nobody could be assigned)."""
    return [event.get("inspectors", []) for event in gd.apply_replacements(frozen, seed, result, events)]


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
