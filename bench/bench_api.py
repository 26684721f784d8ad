"""Benchmark: the open-data API's entity list under load (issue #6 §4).

1,000,000 entities (``load-demo --bulk``, ``--quick`` 20,000) on PostgreSQL; gunicorn on 127.0.0.1
as in production (DEBUG off, persistent connections, rate limit off for the run); 20 concurrent
clients, each walking the list page after page by ``next_cursor`` (a client that reaches the end
starts again). Three cases: the default page (20 rows), the largest page (100 rows), and a filtered
list (district + status, 20 rows). Reports p50 and p99 latency per page and requests/s, and counts
errors (target p99 < 50 ms, 0 errors).

The clients are 4 processes × 5 threads, each thread with one keep-alive connection, on the same
two cores as the server: the figures include that contention and are a floor. The load average
is printed before and after each case.

    python bench/bench_api.py [--quick] [--seconds N] [--workers N] [--threads N] [--reuse] [--keep]

``--keep`` leaves the database behind (``gongkai_bench_api``); ``--reuse`` measures on it without
loading again when it already holds the wanted number of entities.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib

BENCH = "api"
DB_NAME = "gongkai_bench_api"
CLIENT_PROCESSES = 4
THREADS_PER_PROCESS = 5  # 4 × 5 = 20 concurrent clients


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _client_thread(port: int, path: str, until: float, out: list, errors: list) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    url = path
    while time.perf_counter() < until:
        started = time.perf_counter()
        try:
            conn.request("GET", url, headers={"Host": "127.0.0.1"})
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            errors.append(1)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        out.append(time.perf_counter() - started)
        if response.status != 200:
            errors.append(1)
            url = path
            continue
        cursor = json.loads(body)["next_cursor"]
        url = f"{path}&cursor={cursor}" if cursor else path
    conn.close()


def _client_process(port: int, path: str, seconds: float, start_at: float, queue) -> None:
    while time.time() < start_at:
        time.sleep(0.005)
    until = time.perf_counter() + seconds
    latencies: list[float] = []
    errors: list[int] = []
    threads = [
        threading.Thread(target=_client_thread, args=(port, path, until, latencies, errors))
        for _ in range(THREADS_PER_PROCESS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put((latencies, len(errors)))


def load(port: int, path: str, seconds: float) -> dict:
    """20 clients for ``seconds``; latencies of every completed request."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    start_at = time.time() + 0.5
    procs = [
        ctx.Process(target=_client_process, args=(port, path, seconds, start_at, queue))
        for _ in range(CLIENT_PROCESSES)
    ]
    for p in procs:
        p.start()
    latencies: list[float] = []
    errors = 0
    for _ in procs:
        lat, err = queue.get()
        latencies += lat
        errors += err
    for p in procs:
        p.join()
    latencies.sort()
    n = len(latencies)
    return {
        "requests": n,
        "rps": n / seconds,
        "p50": statistics.median(latencies) * 1000 if n else float("nan"),
        "p99": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else float("nan"),
        "errors": errors,
    }


def _entity_count(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM registry_entity").fetchone()[0]
    except Exception:
        return -1


def _database(entities: int, reuse: bool) -> str:
    """The benchmark database's URL, with ``entities`` demo entities in it."""
    server = benchlib.postgres_server_url()
    assert server is not None
    from urllib.parse import urlsplit, urlunsplit

    url = urlunsplit(urlsplit(server)._replace(path=f"/{DB_NAME}"))
    if reuse and _entity_count(url) == entities:
        benchlib.log(f"  reusing {DB_NAME} ({entities:,} entities)")
        return url
    url = benchlib.fresh_database("postgresql", DB_NAME)
    env = _env(url)
    benchlib.log(f"  loading {entities:,} entities (load-demo --bulk)…")
    started = time.perf_counter()
    benchlib.gongkai(env, "migrate", "--noinput", "-v", "0")
    benchlib.gongkai(env, "load_demo", "--bulk", "--entities", str(entities))
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE registry_entity")
        conn.execute("VACUUM ANALYZE core_district")
    benchlib.log(f"  loaded in {time.perf_counter() - started:.0f} s")
    return url


def _env(url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": os.environ.get("SECRET_KEY", benchlib.BENCH_SECRET_KEY),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "CONN_MAX_AGE": "600",
        "GONGKAI_API_RATE_LIMIT": "0",
        "PYTHONPATH": str(benchlib.PROJECT_DIR),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 entities, 5 s per case")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per case (default 30)")
    parser.add_argument("--entities", type=int, default=None, help="default 1,000,000")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread; default 4)")
    parser.add_argument("--reuse", action="store_true", help="measure on the kept database if it fits")
    parser.add_argument("--keep", action="store_true", help="leave the database behind")
    args = parser.parse_args()
    if benchlib.postgres_server_url() is None:
        benchlib.emit(
            BENCH, "entity list under load", "ms", None, note="skipped: no PostgreSQL (DATABASE_URL)"
        )
        return
    entities = args.entities or (20_000 if args.quick else 1_000_000)
    seconds = args.seconds or (5 if args.quick else 30)
    size = f"{entities // 1_000_000}M" if entities % 1_000_000 == 0 else f"{entities:,}"
    url = _database(entities, args.reuse or args.keep)
    static_root = tempfile.mkdtemp(prefix="gongkai-bench-static-")
    env = {**_env(url), "STATIC_ROOT": static_root}
    server = None
    try:
        benchlib.gongkai(env, "collectstatic", "--noinput", "-v", "0")
        port = benchlib.free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "gongkai.wsgi",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--worker-class",
                "gthread" if args.threads > 1 else "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=benchlib.PROJECT_DIR,
        )
        benchlib.wait_for(f"http://127.0.0.1:{port}/api/v1/entities?limit=1")
        server_label = f"gunicorn {args.workers}×{args.threads} threads"
        cases = [
            ("entity list, 20 rows a page", "/api/v1/entities?limit=20"),
            ("entity list, 100 rows a page", "/api/v1/entities?limit=100"),
            ("entity list filtered by district and status, 20 rows", "/api/v1/entities?limit=20&district=371502&status=active"),
        ]  # fmt: skip
        for name, path in cases:
            load(port, path, 2)  # warm every worker and connection
            before = loadavg()
            result = load(port, path, seconds)
            after = loadavg()
            note = f"{result['requests']:,} requests; load average before {before}, after {after}"
            benchlib.log(f"  {name}: {result} ({note})")
            case = f"{name}, {size} entities, PostgreSQL, 20 clients, {server_label}, {seconds:.0f} s"
            benchlib.emit(BENCH, f"{case}: p50", "ms", result["p50"], note=note)
            benchlib.emit(
                BENCH, f"{case}: p99", "ms", result["p99"], "< 50 ms", result["p99"] < 50, note=note
            )
            benchlib.emit(BENCH, f"{case}: throughput", "req/s", result["rps"], note=note)
            benchlib.emit(BENCH, f"{case}: errors", "count", result["errors"], "= 0", result["errors"] == 0)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
        if not args.keep:
            benchlib.drop_database("postgresql", DB_NAME)


if __name__ == "__main__":
    main()
