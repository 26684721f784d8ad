"""Staff export of the market-entity register (``gongkai export-entities`` and the download links).

Rows follow :mod:`gongkai.registry.columns`, so an exported file imports back with no change.
The export streams: entities and their addresses are read as two cursors in the same order and
joined on the fly, so memory stays flat for any register size. This is a *staff* export: it
carries the internal 信用风险分类 unless the caller leaves it out.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path

from django.db.models import Exists, OuterRef
from django.utils import translation

from gongkai.core.tabular import TableWriter
from gongkai.registry.choices import AddressKind, EntityStatus, EntityType
from gongkai.registry.columns import ENTITY_HEADERS
from gongkai.registry.models import Address, Entity
from gongkai.registry.records import EntityRecord
from gongkai.registry.services import ENTITY_FIELDS

INTERNAL_HEADERS = ("信用风险分类", "分类日期")
CHUNK = 5000


def entity_headers(*, include_internal: bool = True) -> list[str]:
    return [h for h in ENTITY_HEADERS if include_internal or h not in INTERNAL_HEADERS]


@functools.cache
def _labels() -> tuple[dict[str, str], dict[str, str]]:
    with translation.override("zh-hans"):
        return (
            {value: str(label) for value, label in EntityType.choices},
            {value: str(label) for value, label in EntityStatus.choices},
        )


def decimal_text(value: Decimal | None) -> str:
    """100.0000 → "100", 12.5000 → "12.5" (never exponent notation)."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def _date(value) -> str:
    return value.isoformat() if value else ""


def entity_rows(
    *, include_internal: bool = True, districts: Iterable[str] | None = None
) -> Iterator[list[str]]:
    """One list of cell texts per entity, in credit-code order, in the columns of :func:`entity_headers`."""
    entities = Entity.objects.order_by("credit_code")
    places = Address.objects.order_by("entity_id", "position")
    if districts is not None:
        in_scope = Address.objects.filter(entity=OuterRef("pk"), district_id__in=list(districts))
        entities = entities.filter(Exists(in_scope))
        places = places.filter(entity__in=entities.values("pk"))
    types, statuses = _labels()
    address_iter = places.values_list("entity_id", "kind", "district_id", "full_text").iterator(
        chunk_size=CHUNK
    )
    pending = next(address_iter, None)
    for values in entities.values_list(*ENTITY_FIELDS).iterator(chunk_size=CHUNK):
        (code, name, entity_type, legal, capital, established, status, since, section, division, authority,
         district, contact, phone, risk, risk_date, is_host, host) = values  # fmt: skip
        domicile, premises = "", []
        # Both cursors are ordered by credit code in the database's collation: take this entity's rows.
        while pending is not None and pending[0] == code:
            _, kind, place_district, text = pending
            if kind == AddressKind.DOMICILE:
                domicile = text
            else:
                premises.append(f"{place_district} {text}")
            pending = next(address_iter, None)
        row = [
            code,
            name,
            types.get(entity_type, entity_type),
            legal,
            decimal_text(capital),
            _date(established),
            statuses.get(status, status),
            _date(since),
            section,
            division,
            authority,
            district,
            domicile,
            "\n".join(premises),
            contact,
            phone,
        ]
        if include_internal:
            row += [risk, _date(risk_date)]
        row += ["是" if is_host else "否", host or ""]
        yield row


def record_cells(record: EntityRecord, *, include_internal: bool = True) -> list[str]:
    """The file row of a record that was never stored (the demo generator, the benchmarks)."""
    types, statuses = _labels()
    row = [
        record.credit_code,
        record.name,
        types.get(record.entity_type, record.entity_type),
        record.legal_representative,
        decimal_text(record.registered_capital),
        _date(record.established_on),
        statuses.get(record.status, record.status),
        _date(record.status_since),
        record.industry_section,
        record.industry_division,
        record.registration_authority,
        record.district_code,
        record.domicile,
        "\n".join(f"{p.district_code} {p.full_text}" for p in record.premises),
        record.contact_name,
        record.contact_phone,
    ]
    if include_internal:
        row += [record.credit_risk_class, _date(record.credit_risk_date)]
    return [*row, "是" if record.is_cluster_host else "否", record.cluster_host_code]


def export_entities(
    path: str | os.PathLike[str], *, include_internal: bool = True, districts: Iterable[str] | None = None
) -> int:
    """Write the register to ``path`` (.xlsx or .csv from its extension); return the number of entities."""
    with TableWriter(
        Path(path), entity_headers(include_internal=include_internal), sheet="市场主体名录"
    ) as writer:
        for row in entity_rows(include_internal=include_internal, districts=districts):
            writer.write(row)
    return writer.count
