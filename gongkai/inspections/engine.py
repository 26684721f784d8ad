"""The product's view of the draw engine: a thin layer over :mod:`gongkai_draw`.

``gongkai_draw.py`` is the single, stdlib-only file that the public downloads as the verifier; the
product calls the same code through these names so that there is exactly one implementation.
"""

from __future__ import annotations

import hashlib
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
    )


def validate_frozen(frozen: dict[str, Any]) -> list:
    """Raise :class:`DrawError` naming the broken rule; return the protocol's warnings otherwise."""
    return gd.check_frozen(frozen)


def canonical(value: Any) -> str:
    return gd.canonical_json(value).decode("utf-8")


def commitment(frozen: dict[str, Any]) -> str:
    return gd.commitment(frozen)


def normalise_seed(seed: str) -> str:
    return gd.normalise_seed(seed)


def loads(text: str) -> Any:
    return gd.load_json(text)


def compute(frozen: dict[str, Any], seed: str) -> dict[str, Any]:
    return gd.compute_draw(frozen, seed)


def replace(frozen: dict[str, Any], seed: str, result: dict[str, Any], events: list[dict]) -> list[list[str]]:
    """The team of each event's incoming member, in event order ([] when nobody could be assigned)."""
    return [event.get("inspectors", []) for event in gd.apply_replacements(frozen, seed, result, events)]


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
