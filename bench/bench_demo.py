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
import os
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
        server = _server_process()
        cpu = _cpu_seconds(server)
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        result = demo.demo_city_load(entities=n, seed=SEED, bulk=bulk)
        seconds = time.perf_counter() - started
        assert result.entities == n
        used = [after - before for before, after in zip(cpu, _cpu_seconds(server), strict=True)]
        # On a shared machine the wall time says as much about the neighbours as about the code;
        # the CPU seconds of each process and the load average say which it was.
        conditions = (
            f"CPU: loader {used[0]:.1f} s, generator worker {used[1]:.1f} s"
            + (f", database server {used[2]:.1f} s" if server else "")
            + f"; load average {load_before:.1f} → {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )
        benchlib.log(f"  {conditions}")
        if bulk:
            benchlib.emit(
                BENCH,
                f"generate {_size(n)} entities → {label} (load-demo --bulk)",
                "seconds",
                seconds,
                "< 60 s" if n <= 1_000_000 else None,
                seconds < 60 if n <= 1_000_000 else None,
                note=conditions,
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
                note=f"loader {loader:.0f} MiB + generator worker {worker:.0f} MiB (resident sets; pages they share count twice)",
            )
        else:
            benchlib.emit(
                BENCH,
                f"load-demo {_size(n)} (audited, as make demo) → {label}",
                "seconds",
                seconds,
                "< 30 s",
                seconds < 30,
                note=conditions,
            )
    finally:
        from django.db import connections

        connections.close_all()
        benchlib.drop_database(kind, name)


def _server_process() -> int | None:
    """The process id of this connection's PostgreSQL backend, when it runs on this machine."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.settings_dict.get("HOST") not in (
        "127.0.0.1",
        "localhost",
    ):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return pid if Path(f"/proc/{pid}/stat").exists() else None


def _cpu_seconds(server: int | None) -> tuple[float, float, float]:
    """CPU seconds used so far by this process, its reaped children, and the database backend."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    backend = 0.0
    if server is not None:
        try:
            fields = Path(f"/proc/{server}/stat").read_text().rsplit(")", 1)[1].split()
            backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            backend = 0.0
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime, backend


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
