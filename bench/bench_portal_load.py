"""Benchmark: public pages under load — gunicorn (2 sync workers) on 127.0.0.1, driven by ``wrk``.

Pages: the home page, a policy document page and a search results page (食品安全), each for 30 s
with 16 connections (``--quick``: 5 s). Reports requests per second and the 99th percentile
latency, and counts errors (non-2xx/3xx responses and socket errors; target 0).

The site runs as in production: DEBUG off, whitenoise serving collected static files, persistent
database connections (``CONN_MAX_AGE=600``), on its own fresh database with the demo city
(20,000 entities; ``--quick`` 2,000), the demo policy documents and a rebuilt search index. Only
loopback addresses are used. ``wrk`` and the two workers share the machine's two cores, so the
figures are a floor.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib

BENCH = "portal_load"
DB_NAME = "gongkai_bench_portal"


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, seconds: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(x) for x in sock.groups()) if sock else 0)
    return {"rps": rps, "p99": _ms(*p99.groups()), "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 s per page, 2,000 entities")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        benchlib.emit(
            BENCH,
            "public pages under load",
            "req/s",
            None,
            note="skipped: wrk is not installed (apt-get install wrk)",
        )
        return
    seconds = 5 if args.quick else 30
    entities = 2_000 if args.quick else 20_000
    kind = "postgresql" if benchlib.postgres_server_url() else "sqlite"
    label = "PostgreSQL" if kind == "postgresql" else "SQLite"
    url = benchlib.fresh_database(kind, DB_NAME)
    static_root = tempfile.mkdtemp(prefix="gongkai-bench-static-")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": os.environ.get("SECRET_KEY", benchlib.BENCH_SECRET_KEY),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "0",
        "CONN_MAX_AGE": "600",
        "STATIC_ROOT": static_root,
        "PYTHONPATH": str(benchlib.PROJECT_DIR),
    }
    server = None
    try:
        benchlib.log(f"  preparing {label} with the demo city ({entities:,} entities)…")
        benchlib.gongkai(env, "migrate", "--noinput", "-v", "0")
        benchlib.gongkai(env, "load_demo", "--entities", str(entities))
        benchlib.gongkai(env, "load_disclosure_demo")
        benchlib.gongkai(env, "reindex")
        benchlib.gongkai(env, "collectstatic", "--noinput", "-v", "0")
        gunicorn = Path(sys.executable).with_name("gunicorn")
        port = benchlib.free_port()
        server = subprocess.Popen(
            [
                str(gunicorn),
                "gongkai.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=benchlib.PROJECT_DIR,
        )
        base = f"http://127.0.0.1:{port}"
        benchlib.wait_for(base + "/", seconds=30, request_timeout=2)
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited (code {server.returncode}); is port {port} taken?")
        doc_url = _first_document_url(base)
        pages = [
            ("home page", "/"),
            ("policy document page", doc_url),
            ("search page (食品安全)", "/search/?q=" + quote("食品安全")),
        ]
        for name, path in pages:
            wrk(base + path, 2)  # warm both workers
            result = wrk(base + path, seconds)
            case = f"{name}, gunicorn 2 workers, wrk 16 connections {seconds} s, {label}"
            benchlib.emit(BENCH, f"{case}: throughput", "req/s", result["rps"])
            benchlib.emit(BENCH, f"{case}: p99 latency", "ms", result["p99"])
            benchlib.emit(BENCH, f"{case}: errors", "count", result["errors"], "= 0", result["errors"] == 0)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=20)
        shutil.rmtree(static_root, ignore_errors=True)
        benchlib.drop_database(kind, DB_NAME)


def _first_document_url(base: str) -> str:
    with urllib.request.urlopen(base + "/policies/", timeout=5) as response:
        html = response.read().decode()
    found = re.search(r'href="(/policies/\d+/)"', html)
    if found is None:
        raise RuntimeError(f"no policy document on /policies/: {html[:300]!r}")
    return found.group(1)


if __name__ == "__main__":
    main()
