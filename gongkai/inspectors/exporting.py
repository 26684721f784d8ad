"""Staff export of the inspector register (``gongkai export-inspectors`` and the download links).

Rows follow :mod:`gongkai.inspectors.columns`, so an exported file imports back with no change.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

from django.utils import translation

from gongkai.core.tabular import TableWriter
from gongkai.inspectors.choices import OfficerStatus
from gongkai.inspectors.columns import OFFICER_HEADERS
from gongkai.inspectors.models import Department, Officer

CHUNK = 2000


@functools.cache
def _status_labels() -> dict[str, str]:
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in OfficerStatus.choices}


def officer_headers() -> list[str]:
    return list(OFFICER_HEADERS)


def officer_rows() -> Iterator[list[str]]:
    """One list of cell texts per officer, in 人员编号 order, in the columns of :data:`OFFICER_HEADERS`."""
    departments = dict(Department.objects.values_list("code", "name"))
    statuses = _status_labels()
    fields = (
        "code",
        "name",
        "is_law_enforcement",
        "certificate_no",
        "certificate_expires",
        "department_id",
        "unit",
        "district_id",
        "qualified_items",
        "status",
    )
    for code, name, enforcement, certificate, expires, department, unit, district, items, status in (
        Officer.objects.order_by("code").values_list(*fields).iterator(chunk_size=CHUNK)
    ):
        yield [
            code,
            name,
            "是" if enforcement else "否",
            certificate,
            expires.isoformat() if expires else "",
            departments.get(department, department),
            unit,
            district,
            "；".join(items or []),
            statuses.get(status, status),
        ]


def export_officers(path: str | os.PathLike[str]) -> int:
    """Write the register to ``path`` (.xlsx or .csv from its extension); return the number of officers."""
    with TableWriter(Path(path), officer_headers(), sheet="执法检查人员名录") as writer:
        for row in officer_rows():
            writer.write(row)
    return writer.count
