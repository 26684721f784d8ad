"""Benchmark: policy matching from the database, through the product (``gongkai.policies``).

One case per database, each in its own fresh database: load the demo city (``load-demo --bulk``),
then its department facts, talents and eight policies (``load-policy-demo``'s loader), and time

* ``full match``: every stored policy in force × every entity and talent, facts gathered from the
  database (register, penalties, inspections, stored values), matched, compared with the stored
  determinations — the nightly ``gongkai match-policies`` (nothing changed since the last run);
* ``new version``: a new version of one policy published and matched over everyone (determinations
  written, cases updated);
* ``import 10,000``: a 税务/人社 file for 10,000 entities through ``import_facts`` (reported), then the
  ``incremental re-match`` of exactly those entities against the policies reading a changed fact
  (target under 1 s).

``--entities`` sets the demo city (default 20,000, as ``make demo``; ``--quick`` 12,000);
``BENCH_PROFILE=1`` prints a profile of the last incremental re-match on standard error.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib

BENCH = "policy_db"
IMPORTED = 10_000
ON = dt.date(2026, 11, 25)


def _size(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def _untimed(execute, sql, params, many, context):
    return execute(sql, params, many, context)


def _timed(queries: list):
    """An execute wrapper that records (seconds, SQL) of every query (``BENCH_PROFILE``)."""

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - started, " ".join(str(sql).split())))

    return wrapper


def case(kind: str, n: int) -> None:
    label = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[kind]
    name = f"gongkai_bench_policydb_{kind}"
    if kind == "postgresql" and benchlib.postgres_server_url() is None:
        benchlib.emit(BENCH, f"full match from {label}", "seconds", None, note="no PostgreSQL server")
        return
    url = benchlib.fresh_database(kind, name)
    try:
        benchlib.setup_django(url)
        from django.conf import settings
        from django.db import connection

        from gongkai.policies import demo, importing, matching, services
        from gongkai.policies.choices import RunKind
        from gongkai.policies.models import Determination, PolicyVersion
        from gongkai.registry import demo as city
        from gongkai.registry.models import Entity

        media = tempfile.mkdtemp(prefix="bench-policy-")
        settings.MEDIA_ROOT = media
        started = time.perf_counter()
        city.demo_city_load(entities=n, bulk=True)
        benchlib.log(f"  demo city of {n} entities in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        loaded = demo.load(on=ON)
        benchlib.log(
            f"  policy demo in {time.perf_counter() - started:.1f} s: {loaded.eligible} eligible, {loaded.cases} cases"
        )
        size = _size(n)

        # --- the nightly full match --------------------------------------------------------------
        best = None
        for _ in range(2):  # best of two on a shared machine
            started = time.perf_counter()
            outcome = matching.match_run(actor="bench", on=ON, note="bench full")
            elapsed = time.perf_counter() - started
            best = elapsed if best is None else min(best, elapsed)
        run = outcome.run
        benchlib.log(
            f"  full match: {run.policies} policies × {run.beneficiaries} beneficiaries, {run.changed} changed"
        )
        benchlib.emit(
            BENCH,
            f"full match: {run.policies} stored policies × {size} entities + talents from {label} (nightly, nothing changed)",
            "seconds",
            best,
            "report",
            None,
        )

        # --- a new version over everyone ----------------------------------------------------------
        v1 = PolicyVersion.objects.get(policy__code="sme-employment-subsidy")
        text = v1.text.replace("version: 1", "version: 2").replace(
            "min(employees * 1000, 30000)", "min(employees * 1500, 45000)"
        )
        text = text.replace("amount: 12000}", "amount: 18000}").replace("amount: 30000}", "amount: 45000}")
        author, reviewer = demo._demo_users()["demo-policy"], demo._demo_users()["demo-policy-review"]
        v2 = services.version_save(actor=author, text=text)
        services.version_submit(actor=author, version=v2)
        before = Determination.objects.count()
        started = time.perf_counter()
        services.version_approve(actor=reviewer, version=v2, on=ON)
        elapsed = time.perf_counter() - started
        written = Determination.objects.count() - before
        benchlib.emit(
            BENCH,
            f"publish a new version and match it over {size} entities on {label} ({written} determinations written)",
            "seconds",
            elapsed,
            "report",
            None,
        )

        # --- import facts for 10,000 entities, then the incremental re-match ------------------------
        # Three rounds, each changing every value of the same entities (and so many results); the
        # best wall-clock time is reported (the machine is shared), with the CPU time of this process.
        codes = list(Entity.objects.order_by("credit_code").values_list("credit_code", flat=True)[:IMPORTED])
        best_import = best_rematch = best_cpu = None
        for round_ in range(3):
            path = Path(media) / f"bench-tax-{round_}.csv"
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(["统一社会信用代码", "从业人员", "本地社保缴纳（个月）", "纳税信用等级"])
                for i, code in enumerate(codes):
                    writer.writerow(
                        [code, 10 + (i + round_) % 40, 6 + (i + round_) % 30, "AB"[(i + round_) % 2]]
                    )
            started = time.perf_counter()
            out = importing.import_facts(
                path, actor="bench", as_of=ON, source="税务", rematch=False, report_dir=Path(media)
            )
            imported = time.perf_counter() - started
            profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") and round_ == 2 else None
            queries: list[tuple[float, str]] = []
            started, cpu, backend = time.perf_counter(), time.process_time(), benchlib.backend_cpu()
            if profile:
                profile.enable()
            with connection.execute_wrapper(_timed(queries) if profile else _untimed):
                outcome = matching.match_run(
                    actor="bench",
                    kind=RunKind.FACTS,
                    on=ON,
                    beneficiary_ids=out.changed_ids,
                    facts_changed=out.changed_facts,
                    note="bench incremental",
                )
            rematch, cpu = time.perf_counter() - started, time.process_time() - cpu
            backend = None if backend is None else benchlib.backend_cpu() - backend
            if profile:
                profile.disable()
                pstats.Stats(profile, stream=sys.stderr).sort_stats(
                    os.environ.get("BENCH_PROFILE_SORT", "cumulative")
                ).print_stats(40)
                benchlib.log(f"  {len(queries)} queries, {sum(t for t, _ in queries):.3f} s in all; slowest:")
                for seconds, sql in sorted(queries, reverse=True)[:12]:
                    benchlib.log(f"    {seconds * 1000:8.1f} ms  {sql[:160]}")
            run = outcome.run
            benchlib.log(
                f"  round {round_}: import {imported:.2f} s; re-match {rematch:.2f} s ({cpu:.2f} s CPU"
                + ("" if backend is None else f" + {backend:.2f} s database backend")
                + "): "
                f"{run.policies} policies × {run.beneficiaries} beneficiaries, {run.changed} changed, "
                f"{run.cases_created} cases opened"
            )
            if best_rematch is None or rematch < best_rematch:
                best_rematch, best_cpu, best_backend, changed = rematch, cpu, backend, run.changed
            best_import = imported if best_import is None else min(best_import, imported)
        benchlib.emit(
            BENCH,
            f"import facts for {len(codes):,} entities on {label} (every value changed, one audit event each)",
            "seconds",
            best_import,
            "report",
            None,
        )
        benchlib.emit(
            BENCH,
            f"incremental re-match after importing facts for {len(codes):,} entities on {label} "
            f"({run.policies} policies; {changed:,} results changed, cases opened/updated/withdrawn)",
            "seconds",
            best_rematch,
            "< 1 s",
            best_rematch < 1.0,
            note=f"{best_cpu:.2f} s CPU in the Gongkai process"
            + ("" if best_backend is None else f", {best_backend:.2f} s in the database backend"),
        )
        peak = benchlib.peak_mib()
        benchlib.emit(BENCH, f"policy matching from {label}: peak memory", "MiB", peak, "< 1024", peak < 1024)
    finally:
        from django.db import connections

        connections.close_all()
        benchlib.drop_database(kind, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--entities", type=int)
    parser.add_argument("--case", choices=["postgresql", "sqlite"])
    args = parser.parse_args()
    n = args.entities or (12_000 if args.quick else 20_000)
    if args.case:
        case(args.case, n)
        return
    for kind in ("postgresql", "sqlite"):
        benchlib.run_child(Path(__file__), ["--case", kind, "--entities", str(n)])


if __name__ == "__main__":
    main()
