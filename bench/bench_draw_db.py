"""Benchmark: a 双随机 draw from the stored register to the stored result, through the product.

One case per database, each in its own fresh database: load the demo city (``--bulk``), publish an
item, a plan and a task stratified by credit-risk class (3 % in every stratum, all officers of the
demo city), then time

* ``announce``: register → population, strata, exclusions, roster → frozen document → commitment
  stored (this happens before any seed exists);
* ``draw``: stored frozen document + seed → tickets, selection, assignment → result, targets and
  teams stored, in one transaction (target under 1.5 s for 1,000,000 entities on PostgreSQL).

``--entities`` sets the population (default 1,000,000; ``--quick`` 100,000); ``BENCH_PROFILE=1`` prints
a profile of the draw on standard error.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib

BENCH = "draw-db"


def _size(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n // 1000}k"


def case(kind: str, n: int) -> None:
    name = f"gongkai_bench_drawdb_{kind}"
    label = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[kind]
    if kind == "postgresql" and benchlib.postgres_server_url() is None:
        benchlib.emit(
            BENCH, f"draw {_size(n)} entities on {label}", "seconds", None, note="no PostgreSQL server"
        )
        return
    url = benchlib.fresh_database(kind, name)
    try:
        benchlib.setup_django(url)
        from django.utils import timezone

        from gongkai.inspections import services
        from gongkai.inspections.models import Plan, Task
        from gongkai.registry import demo

        started = time.perf_counter()
        demo.demo_city_load(entities=n, bulk=True)
        benchlib.log(f"  demo city of {n} entities loaded in {time.perf_counter() - started:.1f} s")
        item = services.item_save(
            actor="bench",
            code="SCJG-QY-01",
            values={
                "category": "企业公示信息",
                "name": "企业公示信息检查",
                "target": "企业",
                "level": "general",
                "methods": "书面检查",
                "subject": "市场监管部门",
                "basis": "《企业信息公示暂行条例》第十四条",
            },
        )
        services.item_publish(actor="bench", item=item)
        plan = services.plan_save(
            actor="bench",
            plan=Plan(
                department_id="SCJG",
                year=timezone.localdate().year,
                name="基准计划",
                content="基准",
                period="全年",
                ratio="3%",
                frequency="一次",
            ),
        )
        services.plan_publish(actor="bench", plan=plan)
        today = timezone.localdate()
        task = services.task_save(
            actor="bench",
            task=Task(
                plan=plan,
                name="基准任务",
                strata_mode="risk",
                ratios={"*": "3"},
                team_size=2,
                period_start=today,
                period_end=today + dt.timedelta(days=30),
                seed_source="基准",
                seed_not_before=timezone.now() + dt.timedelta(seconds=2),
                apply_yearly_cap=False,
                exclude_same_item_this_year=False,
            ),
            items=[item],
        )
        started = time.perf_counter()
        task = services.task_announce(actor="bench", task=task)
        announce = time.perf_counter() - started
        time.sleep(max(0.0, (task.seed_not_before - timezone.now()).total_seconds()) + 0.1)
        started = time.perf_counter()
        profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None  # where the time goes
        if profile:
            profile.enable()
        task = services.task_draw(actor="bench", task=task, seed="31415926535897932384", evidence="基准")
        if profile:
            profile.disable()
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
        draw = time.perf_counter() - started
        selected = task.targets.filter(role="selected").count()
        benchlib.log(f"  announce {announce:.2f} s, draw {draw:.2f} s, {selected} selected")
        size = _size(n)
        benchlib.emit(
            BENCH,
            f"announce {size} entities on {label} (register → commitment)",
            "seconds",
            announce,
            "report",
            None,
        )
        target_ok = draw < 1.5 if (kind == "postgresql" and n >= 1_000_000) else None
        benchlib.emit(
            BENCH,
            f"draw {size} entities, risk strata, 3 %, on {label} (frozen → stored result)",
            "seconds",
            draw,
            "< 1.5 s" if kind == "postgresql" else "report",
            target_ok,
        )
        benchlib.emit(
            BENCH,
            f"draw {size} entities on {label}: peak memory",
            "MiB",
            benchlib.peak_mib(),
            "< 2048",
            benchlib.peak_mib() < 2048,
        )
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
    n = args.entities or (100_000 if args.quick else 1_000_000)
    if args.case:
        case(args.case, n)
        return
    for kind in ("postgresql", "sqlite"):
        benchlib.run_child(Path(__file__), ["--case", kind, "--entities", str(n)])


if __name__ == "__main__":
    main()
