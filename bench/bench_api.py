"""Benchmark: the open-data API's entity list under load (issue #6 §4).

1,000,000 entities (``load-demo --bulk``, ``--quick`` 20,000) on PostgreSQL; gunicorn on 127.0.0.1
as in production (DEBUG off, persistent connections; the rate limit is on, with a limit so high no
client reaches it, so its counting is measured too); 20 concurrent clients, each walking the list
page after page by ``next_cursor`` from its **own starting point** (client *i* starts at the *i*-th
twentieth of the list — of the filtered list in the filtered case — so the clients read different
pages, as independent harvesters would; a client that reaches the end starts again from the
beginning). Nothing is cached between requests: every page is a query and a freshly built body.
Four cases: the default page (20 rows), the largest page (100 rows), a filtered list (district +
status, 20 rows), and the change feed (``updated_since`` with ``sort=updated_at``, 100 rows).
Reports p50 and p99 latency per page, requests/s, and errors (target p99 < 50 ms, 0 errors).

The clients are 4 processes × 5 threads, each thread with one keep-alive connection, on the same
two cores as the server, so they are kept cheap: each sends a fixed HTTP/1.1 request over a plain
socket, reads the status line, the headers and the whole body (``Content-Length``), counts any
status but 200 as an error, and takes ``next_cursor`` from the end of the body with a byte search
instead of decoding the whole JSON (a real harvester decodes it; that work would be on its own
machine). Latency is from sending the request to having read the last byte of the body.

CPU time is counted per request for the gunicorn workers, for the PostgreSQL backends serving
them, and for the clients (``/proc/PID/stat`` and ``getrusage``): server CPU ms per request depends
far less on the machine's other load than latency does. How many cores other processes used during
the case (the machine's busy time from ``/proc/stat`` less ours) is printed with the load average
before and after each case (which counts the benchmark's own threads).

    python bench/bench_api.py [--quick] [--seconds N] [--workers N] [--threads N] [--worker-class C]
                              [--case 20|100|filtered|changes ...] [--reuse] [--keep]

``--keep`` leaves the database behind (``gongkai_bench_api``); ``--reuse`` measures on it without
loading again when it already holds the wanted number of entities.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import resource
import shutil
import socket
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
THREADS_PER_PROCESS = 5
CLIENTS = CLIENT_PROCESSES * THREADS_PER_PROCESS  # 20 concurrent clients
CASE_KEYS = ("20", "100", "filtered", "changes")


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class _Connection:
    """One keep-alive HTTP/1.1 connection that reads exactly what the server sends and no more."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._connect()

    def _connect(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def get(self, path: str) -> tuple[int, bytes]:
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            self._read()
        head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
        status = int(head[9:12])
        length = None
        close = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                close = value.strip().lower() == b"close"
        if length is None:
            raise http.client.HTTPException("no Content-Length")
        while len(self.buffer) < length:
            self._read()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        if close:  # a server without keep-alive (gunicorn's sync workers): connect again
            self.sock.close()
            self._connect()
        return status, body

    def _read(self) -> None:
        chunk = self.sock.recv(262144)
        if not chunk:
            raise ConnectionError("closed by the server")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


def next_cursor(body: bytes) -> str | None:
    """``next_cursor`` of a list page, found from the end (the envelope's keys follow ``items``),
    with or without a space after the colon (json.dumps or a compact encoder)."""
    at = body.rfind(b'"next_cursor":')
    if at < 0:
        raise ValueError("no next_cursor in the body")
    value = body[at + 14 : body.index(b",", at)].strip()
    return None if value == b"null" else value.strip(b'"').decode()


def _client_thread(port: int, path: str, first: str, until: float, out: list, errors: list) -> None:
    conn = _Connection(port)
    url = first
    checked = False
    while time.perf_counter() < until:
        started = time.perf_counter()
        try:
            status, body = conn.get(url)
        except (OSError, http.client.HTTPException):
            errors.append(1)
            conn.close()
            conn = _Connection(port)
            continue
        out.append(time.perf_counter() - started)
        if status != 200:
            errors.append(1)
            url = path
            continue
        if not checked:  # once per client: the body is a real page, not just bytes
            assert json.loads(body)["items"], body[:200]
            checked = True
        cursor = next_cursor(body)
        url = f"{path}&cursor={cursor}" if cursor else path
    conn.close()


def _client_process(port: int, path: str, starts: list[str], seconds: float, start_at: float, queue) -> None:
    while time.time() < start_at:
        time.sleep(0.005)
    until = time.perf_counter() + seconds
    latencies: list[float] = []
    errors: list[int] = []
    threads = [
        threading.Thread(target=_client_thread, args=(port, path, first, until, latencies, errors))
        for first in starts
    ]
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    end = resource.getrusage(resource.RUSAGE_SELF)
    queue.put((latencies, len(errors), end.ru_utime + end.ru_stime - cpu.ru_utime - cpu.ru_stime))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) so far; 0 when it is gone or not visible."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return found


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    with open("/proc/stat") as f:
        ticks = [int(x) for x in f.readline().split()[1:]]
    idle = ticks[3] + ticks[4]
    hz = os.sysconf("SC_CLK_TCK")
    return (sum(ticks[:8]) - idle) / hz, sum(ticks[:8]) / hz


class CpuMeter:
    """CPU used by the gunicorn workers and by the PostgreSQL backends that serve them."""

    def __init__(self, server_pid: int, database_url: str) -> None:
        self.server_pid = server_pid
        self.database_url = database_url

    def _backends(self) -> list[int]:
        import psycopg

        with psycopg.connect(self.database_url, connect_timeout=5) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        return [r[0] for r in rows]

    def snapshot(self) -> dict[str, float]:
        workers = [self.server_pid, *_children(self.server_pid)]
        busy, total = _machine_busy()
        return {
            "server": sum(_cpu_seconds(p) for p in workers),
            "db": sum(_cpu_seconds(p) for p in self._backends()),
            "busy": busy,
            "total": total,
        }


def load(port: int, path: str, starts: list[str], seconds: float, meter: CpuMeter | None = None) -> dict:
    """20 clients for ``seconds`` (client *i* starts at ``starts[i]``); latencies of every completed
    request and, with ``meter``, CPU ms per request of the server, the database and the clients."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    start_at = time.time() + 0.5
    procs = [
        ctx.Process(
            target=_client_process,
            args=(port, path, starts[i::CLIENT_PROCESSES], seconds, start_at, queue),
        )
        for i in range(CLIENT_PROCESSES)
    ]
    for p in procs:
        p.start()
    before = meter.snapshot() if meter else None
    latencies: list[float] = []
    errors = 0
    client_cpu = 0.0
    for _ in procs:
        lat, err, cpu = queue.get()
        latencies += lat
        errors += err
        client_cpu += cpu
    after = meter.snapshot() if meter else None
    for p in procs:
        p.join()
    latencies.sort()
    n = len(latencies)
    result = {
        "requests": n,
        "rps": n / seconds,
        "p50": statistics.median(latencies) * 1000 if n else float("nan"),
        "p99": latencies[min(n - 1, int(n * 0.99))] * 1000 if n else float("nan"),
        "errors": errors,
        "client_cpu_ms": client_cpu * 1000 / n if n else float("nan"),
    }
    if before and after and n:
        # The snapshots bracket the clients' 0.5 s start delay and their final join: a few idle
        # milliseconds of the server, nothing of another request.
        result["server_cpu_ms"] = (after["server"] - before["server"]) * 1000 / n
        result["db_cpu_ms"] = (after["db"] - before["db"]) * 1000 / n
        result["machine_busy"] = (after["busy"] - before["busy"]) / max(
            after["total"] - before["total"], 1e-9
        )
        # What the rest of the machine (other people's jobs) used meanwhile, in cores: the load
        # average cannot tell, as it counts this benchmark's own 20 clients and the server threads.
        ours = after["server"] - before["server"] + after["db"] - before["db"] + client_cpu
        wall = (after["total"] - before["total"]) / (os.cpu_count() or 1)
        result["other_cores"] = max(after["busy"] - before["busy"] - ours, 0.0) / max(wall, 1e-9)
    return result


def start_points(url: str, path: str, sort: str, where: str, key: str) -> list[str]:
    """The first URL of each client: the whole list for client 0, then a signed cursor (as the API
    makes them) at each further twentieth of the list in ``sort`` (``where``: its filter in SQL)."""
    import psycopg
    from django.conf import settings
    from django.core import signing

    if not settings.configured:
        settings.configure(SECRET_KEY=key)
    columns = {"credit_code": "credit_code", "updated_at": "updated_at, credit_code"}[sort]
    desc = ", ".join(f"{c} DESC" for c in columns.split(", "))
    with psycopg.connect(url, connect_timeout=5) as conn:
        # The last row of each twentieth: the next page starts at the first row of the next one.
        lasts = conn.execute(
            f"SELECT DISTINCT ON (t) {columns} FROM (SELECT {columns}, ntile(%s) OVER (ORDER BY {columns}) "
            f"AS t FROM registry_entity {where}) AS s ORDER BY t, {desc}",
            [CLIENTS],
        ).fetchall()
    signer = signing.Signer(key=key, salt="gongkai.api.cursor", sep=".")
    cursors = [
        signer.sign_object({"s": sort, "k": [v.isoformat() if hasattr(v, "isoformat") else v for v in row]})
        for row in lasts[: CLIENTS - 1]
    ]
    return [path, *(f"{path}&cursor={c}" for c in cursors)]


def _entity_count(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM registry_entity").fetchone()[0]
    except Exception:
        return -1


def _database(entities: int, reuse: bool) -> str:
    """The benchmark database's URL, with ``entities`` demo entities in it."""
    url = benchlib.database_url("postgresql", DB_NAME)
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
        # Counted (in each worker's memory, as without REDIS_URL) but never reached.
        "GONGKAI_API_RATE_LIMIT": "1000000000",
        "PYTHONPATH": str(benchlib.PROJECT_DIR),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 entities, 5 s per case")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per case (default 30)")
    parser.add_argument("--entities", type=int, default=None, help="default 1,000,000")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument(
        "--threads", type=int, default=2, help="threads per worker (gthread; default 2, as make serve)"
    )
    parser.add_argument(
        "--worker-class", default=None, help="gunicorn worker class (default gthread, sync for 1 thread)"
    )
    parser.add_argument(
        "--case",
        action="append",
        choices=CASE_KEYS,
        help="only this case (repeatable): 20, 100, filtered, changes (default: all four)",
    )
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
    worker_class = args.worker_class or ("gthread" if args.threads > 1 else "sync")
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
                worker_class,
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=benchlib.PROJECT_DIR,
        )
        benchlib.wait_for(f"http://127.0.0.1:{port}/api/v1/entities?limit=1")
        server_label = f"gunicorn {args.workers}×{args.threads} threads ({worker_class})"
        cases = [
            ("entity list, 20 rows a page", "/api/v1/entities?limit=20", "credit_code", ""),
            ("entity list, 100 rows a page", "/api/v1/entities?limit=100", "credit_code", ""),
            ("entity list filtered by district and status, 20 rows", "/api/v1/entities?limit=20&district=371502&status=active",
             "credit_code", "WHERE district_id = '371502' AND status = 'active'"),
            # A harvester pulling changes (docs/api.md); one import gave every entity the same time.
            ("entity changes (updated_since, sort=updated_at), 100 rows",
             "/api/v1/entities?limit=100&sort=updated_at&updated_since=2020-01-01", "updated_at", ""),
        ]  # fmt: skip
        cases = [case for key, case in zip(CASE_KEYS, cases, strict=True) if key in (args.case or CASE_KEYS)]
        meter = CpuMeter(server.pid, url)
        for name, path, sort, where in cases:
            starts = start_points(url, path, sort, where, env["SECRET_KEY"])
            load(port, path, starts, 2)  # warm every worker and connection
            before = loadavg()
            result = load(port, path, starts, seconds, meter)
            after = loadavg()
            note = (
                f"{result['requests']:,} requests; CPU per request: server {result['server_cpu_ms']:.2f} ms, "
                f"PostgreSQL {result['db_cpu_ms']:.2f} ms, clients {result['client_cpu_ms']:.2f} ms; machine "
                f"{result['machine_busy']:.0%} busy, other processes {result['other_cores']:.2f} cores; "
                f"load average before {before}, after {after}"
            )
            benchlib.log(f"  {name}: {result} ({note})")
            case = f"{name}, {size} entities, PostgreSQL, 20 clients, {server_label}, {seconds:.0f} s"
            benchlib.emit(BENCH, f"{case}: p50", "ms", result["p50"], note=note)
            benchlib.emit(
                BENCH, f"{case}: p99", "ms", result["p99"], "< 50 ms", result["p99"] < 50, note=note
            )
            benchlib.emit(BENCH, f"{case}: throughput", "req/s", result["rps"], note=note)
            benchlib.emit(BENCH, f"{case}: server CPU per request", "ms", result["server_cpu_ms"], note=note)
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
