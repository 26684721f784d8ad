"""The fact catalogue as shipped: what seeds the database's :class:`~gongkai.policies.models.Fact` rows.

``rules/data/facts.yaml`` stays the one place where the shipped facts are written (the engine's file
commands read it too); this module adds what only the product needs — how each fact is obtained
(computed from Gongkai's own data, or stored) and how old a value may be before it is flagged.
No Django model imports here, so the data migration can use it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

FACTS_FILE = Path(__file__).with_name("rules") / "data" / "facts.yaml"

# Facts computed from Gongkai's own data whenever a match runs (never imported).
DERIVED: dict[str, str] = {
    "district": "register",
    "districts": "register",
    "entity_type": "register",
    "status": "register",
    "industry_section": "register",
    "industry_division": "register",
    "registered_capital": "register",
    "established_on": "register",
    "cluster_hosted": "register",
    "penalties_last_year": "penalties",
    "inspection_passed": "inspections",
    "birth_date": "person",
    "talent_level": "person",
    "talent_programmes": "person",
    "arrival_date": "person",
    "education": "person",
    "professional_title": "person",
    "employer_credit_code": "person",
}

# Days after its as-of date when a stored value is flagged as stale, by refresh cadence. Yearly
# figures ("上年度…") stay valid until the next year's figures are due (about 400 days).
MAX_AGE_BY_REFRESH: dict[str, int | None] = {
    "实时": 7,
    "每日": 3,
    "每月": 45,
    "每季度": 100,
    "每年": 400,
    "每批次": 400,
}


# Facts delivered as complete lists: not being on the latest list is a value, not "unknown".
ABSENT_VALUES: dict[str, object] = {"recognitions": [], "dishonest": False}


def seed_rows() -> list[dict[str, Any]]:
    """One dict of :class:`Fact` field values per shipped fact, in the file's order."""
    data = yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))
    rows = []
    for order, (name, spec) in enumerate(data["facts"].items(), start=1):
        applies = spec.get("applies_to", ["entity", "person"])
        if isinstance(applies, str):
            applies = [applies]
        derivation = DERIVED.get(name, "")
        refresh = str(spec.get("refresh", ""))
        rows.append(
            {
                "name": name,
                "label": spec["label"],
                "type": spec["type"],
                "unit": str(spec.get("unit", "")),
                "scale": int(spec.get("scale", 1)),
                "source": str(spec.get("source", "")),
                "refresh": refresh,
                "max_age_days": None if derivation else MAX_AGE_BY_REFRESH.get(refresh),
                "for_entities": "entity" in applies,
                "for_persons": "person" in applies,
                "derivation": derivation,
                "sort_order": order * 10,
            }
        )
    return rows
