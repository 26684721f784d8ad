"""Benchmark: generating the demo city.

Cases (each in its own process and its own fresh database):

* the generator alone (no database), 1,000,000 entities;
* ``load-demo --bulk`` of 1,000,000 entities into PostgreSQL and into SQLite: seconds and peak memory
  (target: under 60 s; memory must stay bounded because generation streams);
* ``load-demo`` of 20,000 entities through the audited service (what ``make demo`` does), on both.

``--quick`` uses 20,000 entities everywhere. ``--entities N`` overrides the large size (e.g. 15000000).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib

BENCH = "demo"
SEED = 2025
DEMO_SIZE = 20_000


def _size(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    return f"{n:,}"


def case_generate(n: int) -> None:
    import datetime as dt
    import os

    os.environ.setdefault("SECRET_KEY", benchlib.BENCH_SECRET_KEY)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    os.environ["DATABASE_URL"] = "sqlite:///:memory:"
    import django

    django.setup()
    from gongkai.registry.demo import DemoCity

    city = DemoCity(seed=SEED, entities=n, as_of=dt.date(2025, 6, 30))
    started = time.perf_counter()
    count = sum(len(chunk) for _, chunk in city.chunks())
    seconds = time.perf_counter() - started
    assert count == n
    benchlib.emit(BENCH, f"generate {_size(n)} records (no database)", "seconds", seconds)
    benchlib.emit(
        BENCH, f"generate {_size(n)} records (no database): peak memory", "MiB", benchlib.peak_mib()
    )


def case_load(kind: str, n: int, bulk: bool) -> None:
    label = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[kind]
    how = "bulk" if bulk else "audited"
    name = f"gongkai_bench_demo_{kind}_{how}"
    if kind == "postgresql" and benchlib.postgres_server_url() is None:
        benchlib.emit(
            BENCH,
            f"load {_size(n)} entities ({how}) → {label}",
            "seconds",
            None,
            note="skipped: no PostgreSQL server (DATABASE_URL)",
        )
        return
    url = benchlib.fresh_database(kind, name)
    try:
        benchlib.setup_django(url)
        from gongkai.registry import demo

        benchlib.log(f"  loading {n} entities ({how}) into {label}…")
        started = time.perf_counter()
        result = demo.demo_city_load(entities=n, seed=SEED, bulk=bulk)
        seconds = time.perf_counter() - started
        assert result.entities == n
        if bulk:
            benchlib.emit(
                BENCH,
                f"generate {_size(n)} entities → {label} (load-demo --bulk)",
                "seconds",
                seconds,
                "< 60 s" if n <= 1_000_000 else None,
                seconds < 60 if n <= 1_000_000 else None,
            )
            # The loader and its generator worker (a forked child, reaped by now) together.
            loader, worker = (
                benchlib.peak_mib(),
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            )
            benchlib.emit(
                BENCH,
                f"generate {_size(n)} entities → {label}: peak memory",
                "MiB",
                loader + worker,
                "< 512 MiB",
                loader + worker < 512,
                note=f"loader {loader:.0f} MiB + generator worker {worker:.0f} MiB",
            )
        else:
            benchlib.emit(
                BENCH,
                f"load-demo {_size(n)} (audited, as make demo) → {label}",
                "seconds",
                seconds,
                "< 30 s",
                seconds < 30,
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
    parser.add_argument("--entities", type=int, help="size of the large cases (default 1,000,000)")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case in this process
    args = parser.parse_args()
    large = args.entities or (DEMO_SIZE if args.quick else 1_000_000)

    if args.case:
        kind, _, how = args.case.partition(":")
        if kind == "generate":
            case_generate(large)
        else:
            case_load(kind, large if how == "bulk" else DEMO_SIZE, bulk=how == "bulk")
        return

    failed = 0
    for case in ("generate", "postgresql:bulk", "sqlite:bulk", "sqlite:audited", "postgresql:audited"):
        benchlib.log(f"demo: {case}")
        extra = ["--entities", str(large)]
        failed |= benchlib.run_child(Path(__file__), ["--case", case, *extra]) != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
