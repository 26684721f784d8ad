"""Writes of the statistics: rebuilding the aggregates (the only write this app makes)."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gongkai.core import audit
from gongkai.stats.models import EntityMonthly, Refresh

_MONTH = {
    "postgresql": "date_trunc('month', established_on)::date",
    "sqlite": "date(established_on, 'start of month')",
}


@transaction.atomic
def aggregates_refresh(*, actor: Any = "system:refresh-stats") -> Refresh:
    """Rebuild ``EntityMonthly`` from the register in one statement and one transaction.

    Readers see either the old or the new table, never a half-built one; a whole rebuild cannot
    drift the way incremental counters can.
    """
    started = time.perf_counter()
    month = _MONTH["postgresql" if connection.vendor == "postgresql" else "sqlite"]
    table = EntityMonthly._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # fixed identifiers only
        cursor.execute(
            f"INSERT INTO {table} (month, district_code, entity_type, status, count) "
            f"SELECT {month}, district_id, entity_type, status, COUNT(*) FROM registry_entity "
            f"GROUP BY 1, 2, 3, 4"
        )
        cursor.execute(f"SELECT COUNT(*), COALESCE(SUM(count), 0) FROM {table}")
        rows, entities = cursor.fetchone()
    seconds = time.perf_counter() - started
    refresh, _ = Refresh.objects.update_or_create(
        pk=1,
        defaults={
            "refreshed_at": timezone.now(),
            "entities": entities,
            "rows": rows,
            "seconds": round(seconds, 3),
        },
    )
    audit.record(
        actor=actor,
        action="stats.refresh",
        obj=refresh,
        after={"entities": entities, "rows": rows, "seconds": round(seconds, 3)},
    )
    return refresh
