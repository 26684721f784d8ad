"""Benchmark: the public statistics pages (``/stats/`` and its CSV downloads) on a big register.

One case per database, in its own process and fresh database: load the demo city with ``--bulk``
(1,000,000 entities established over three decades, so five years of monthly history and more),
rebuild the aggregates (``gongkai refresh-stats``, reported), then request each page through
Django's test client — the server's whole work: URL routing, the view's queries and the template —
five times after one warm-up, and report the median (target < 200 ms on PostgreSQL, issue 7 §5).

For comparison it also times the register figures computed straight from ``registry_entity``
without the aggregates (reported only): that is what the aggregates save on every view.

``--quick`` uses 20,000 entities; ``--entities N`` changes the size; ``--sqlite`` adds SQLite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib

BENCH = "stats"
SEED = 20261125
PAGES = [
    ("/stats/", "statistics page"),
    ("/stats/new-by-month.csv", "CSV new-by-month"),
    ("/stats/new-by-district.csv", "CSV new-by-district"),
    ("/stats/status.csv", "CSV status"),
    ("/interaction/messages/", "messages page (monthly statistics)"),
]
TARGET_MS = 200


def _size(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n:,}"


def _median_ms(fn, runs: int = 5) -> tuple[float, float]:
    started = time.perf_counter()
    fn()  # warm-up (and the cold figure)
    cold = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), cold


def case(kind: str, n: int) -> None:
    label = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[kind]
    if kind == "postgresql" and benchlib.postgres_server_url() is None:
        benchlib.emit(
            BENCH,
            f"GET /stats/ ({_size(n)} entities, {label})",
            "ms",
            None,
            note="skipped: no PostgreSQL server (DATABASE_URL)",
        )
        return
    name = f"gongkai_bench_stats_{kind}"
    url = benchlib.fresh_database(kind, name)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    try:
        benchlib.setup_django(url)
        from django.conf import settings

        # Page rendering only: static URLs without the collectstatic manifest production uses.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        from django.db import connection
        from django.db.models import Count
        from django.test import Client

        from gongkai.registry import demo
        from gongkai.registry.models import Entity
        from gongkai.stats.services import aggregates_refresh

        benchlib.log(f"  loading {n} entities into {label}…")
        demo.demo_city_load(entities=n, seed=SEED, bulk=True)
        if kind == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        refresh = aggregates_refresh(actor="bench")
        benchlib.emit(
            BENCH,
            f"refresh-stats: rebuild aggregates from {_size(n)} entities ({label})",
            "seconds",
            refresh.seconds,
            note=f"{refresh.rows} aggregate rows",
        )
        client = Client()
        for path, what in PAGES:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            median, cold = _median_ms(lambda p=path: client.get(p))
            ok = median < TARGET_MS if kind == "postgresql" else None
            benchlib.emit(
                BENCH,
                f"GET {path} — {what} ({_size(n)} entities, {label}), median of 5",
                "ms",
                median,
                f"< {TARGET_MS} ms" if kind == "postgresql" else None,
                ok,
                note=f"first request {cold:.0f} ms",
            )

        def direct() -> None:
            year = time.localtime().tm_year
            list(
                Entity.objects.filter(established_on__year=year).values("district_id").annotate(n=Count("pk"))
            )
            list(
                Entity.objects.filter(established_on__year=year - 1)
                .values("district_id")
                .annotate(n=Count("pk"))
            )
            list(Entity.objects.values("status", "entity_type").annotate(n=Count("pk")))

        median, _ = _median_ms(direct, runs=3)
        benchlib.emit(
            BENCH,
            f"for comparison: the same register figures without aggregates ({_size(n)}, {label})",
            "ms",
            median,
            note="district this year and last, status × type, straight from registry_entity",
        )
    finally:
        from django.db import connections

        connections.close_all()
        benchlib.drop_database(kind, name)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="20,000 entities instead of 1,000,000")
    parser.add_argument("--entities", type=int, help="register size (default 1,000,000)")
    parser.add_argument("--sqlite", action="store_true", help="also measure on SQLite")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.entities or (20_000 if args.quick else 1_000_000)
    if args.case:
        case(args.case, n)
        return
    failed = 0
    for kind in ["postgresql", *(["sqlite"] if args.sqlite else [])]:
        benchlib.log(f"stats: {kind}")
        failed |= benchlib.run_child(Path(__file__), ["--case", kind, "--entities", str(n)]) != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
