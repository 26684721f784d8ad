"""Benchmark: the daily open-data export of 1,000,000 entities on PostgreSQL, per format.

The register is the demo city (``demo_city_load(bulk=True)``) in a database of its own,
``gongkai_bench_export`` on the server of DATABASE_URL. Each format is then exported by the product
(``open_data_export(datasets=["entities"], formats=[F])``) in a fresh child process, so the peak
resident memory reported (``ru_maxrss``) is that export's own: target under 500 MiB for every format
(issue 6 §2). A last case writes the three formats in one pass, as the daily job does.

    python bench/bench_export.py [--entities N] [--quick] [--reuse] [--keep]

``--reuse`` keeps a database a ``--keep`` run left behind (same size), skipping the 1M load;
``--keep`` does not drop it at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib

BENCH = "export"
DB_NAME = "gongkai_bench_export"
MEMORY_TARGET_MIB = 500
CASES = ("csv", "jsonl", "xlsx", "all")


def _size(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n:,}"


def _db_url() -> str:
    return benchlib.database_url("postgresql", DB_NAME)


def _existing_entities() -> int | None:
    import psycopg

    try:
        with psycopg.connect(_db_url(), connect_timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM registry_entity").fetchone()[0]
    except Exception:
        return None


def prepare(n: int, reuse: bool) -> None:
    if reuse and _existing_entities() == n:
        benchlib.log(f"  reusing {DB_NAME} ({n} entities)")
        return
    url = benchlib.fresh_database("postgresql", DB_NAME)
    benchlib.setup_django(url)
    from gongkai.registry import demo

    started = time.perf_counter()
    demo.demo_city_load(entities=n, bulk=True)
    benchlib.log(f"  demo city of {n} entities loaded in {time.perf_counter() - started:.1f} s")
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


def export_case(fmt: str, n: int) -> None:
    """One child process: export the entities in ``fmt`` ("all" = the three in one pass)."""
    benchlib.setup_django(_db_url())
    from django.db import connection

    from gongkai.opendata import exporting, services

    formats = list(exporting.FORMATS) if fmt == "all" else [fmt]
    root = Path(tempfile.mkdtemp(prefix="bench-export-", dir=benchlib.OUT_DIR))
    try:
        baseline = benchlib.peak_mib()
        load = os.getloadavg()
        started = time.perf_counter()
        report = services.open_data_export(datasets=["entities"], formats=formats, root=root, keep_days=1)
        seconds = time.perf_counter() - started
        peak = benchlib.peak_mib()
        rows = report.written["entities"]
        folder = exporting.day_dir(root, report.day)
        sizes = {f: (folder / f"entities.{f}").stat().st_size / 2**20 for f in formats}
        benchlib.log(
            f"  {fmt}: {rows} rows in {seconds:.1f} s, peak {peak:.0f} MiB (after setup {baseline:.0f} MiB), "
            f"files {', '.join(f'{k} {v:.0f} MiB' for k, v in sizes.items())}, load {load[0]:.2f}"
        )
        assert rows == n, f"{rows} rows exported, {n} expected"
        label = "CSV + Excel + JSON Lines in one pass" if fmt == "all" else exporting.FORMAT_LABELS[fmt]
        size = _size(n)
        benchlib.emit(
            BENCH,
            f"export {size} entities on PostgreSQL: {label}",
            "seconds",
            seconds,
            "report",
            None,
            note=f"{sum(sizes.values()):.0f} MiB written; load average {load[0]:.2f}",
        )
        benchlib.emit(
            BENCH,
            f"export {size} entities on PostgreSQL: {label}: peak memory",
            "MiB",
            peak,
            f"< {MEMORY_TARGET_MIB}",
            peak < MEMORY_TARGET_MIB,
        )
    finally:
        connection.close()
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--entities", type=int)
    parser.add_argument("--reuse", action="store_true", help="use the database a --keep run left (same size)")
    parser.add_argument("--keep", action="store_true", help="keep the database for a later --reuse")
    parser.add_argument("--case", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--only", help="comma-separated cases to run: csv,jsonl,xlsx,all (default: all four)")
    args = parser.parse_args()
    n = args.entities or (100_000 if args.quick else 1_000_000)
    if benchlib.postgres_server_url() is None:
        for fmt in CASES:
            benchlib.emit(
                BENCH, f"export {_size(n)} entities ({fmt})", "seconds", None, note="no PostgreSQL server"
            )
        return
    if args.case:
        export_case(args.case, n)
        return
    if args.prepare:
        prepare(n, args.reuse)
        return
    benchlib.OUT_DIR.mkdir(parents=True, exist_ok=True)
    # Loading runs in a child too, so the export children start from a cold, separate process.
    code = benchlib.run_child(
        Path(__file__), ["--prepare", "--entities", str(n), *(["--reuse"] if args.reuse else [])]
    )
    if code != 0:
        raise SystemExit(code)
    try:
        for fmt in args.only.split(",") if args.only else CASES:
            benchlib.run_child(Path(__file__), ["--case", fmt, "--entities", str(n)])
    finally:
        if not args.keep:
            benchlib.drop_database("postgresql", DB_NAME)


if __name__ == "__main__":
    main()
