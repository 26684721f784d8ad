"""Helpers shared by the ``bench/bench_*.py`` scripts (see bench/README.md for the protocol).

A script prints one JSON object per line on standard output and nothing else there; progress and
diagnostics go to standard error. Every case works in a database it creates for itself.
"""

from __future__ import annotations

import contextlib
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
# Benchmarks run like production (DEBUG off); this key exists only for them.
BENCH_SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789"


def emit(
    bench: str,
    case: str,
    metric: str,
    value: float | None,
    target: str | None = None,
    ok: bool | None = None,
    note: str = "",
) -> None:
    """Print one result line (value None: the case did not run; say why in ``note``)."""
    line = {
        "bench": bench,
        "case": case,
        "metric": metric,
        "value": None if value is None else round(value, 2),
        "target": target,
        "ok": ok,
    }
    if note:
        line["note"] = note
    print(json.dumps(line, ensure_ascii=False), flush=True)


@contextlib.contextmanager
def profiled(*, sort: str = "cumulative", lines: int = 30):
    """With ``BENCH_PROFILE`` set, profile the block and print where its time went on standard error
    once it ends (``BENCH_PROFILE_SORT`` overrides ``sort``); otherwise do nothing."""
    if not os.environ.get("BENCH_PROFILE"):
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        stats = pstats.Stats(profile, stream=sys.stderr)
        stats.sort_stats(os.environ.get("BENCH_PROFILE_SORT", sort)).print_stats(lines)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_mib() -> float:
    """Peak resident memory of this process so far, in MiB.

    On Linux the high-water mark of the process's own memory (``VmHWM``): ``ru_maxrss`` survives
    ``exec``, so a case run as a child process would report its parent's peak when that was higher
    (a child drawing 15M members reported 1,522 MiB, the parent's, against its own 1,041).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux, bytes on macOS


# Read once at import, before setup_django() points DATABASE_URL at a case's own database.
_GIVEN_URL = os.environ.get("DATABASE_URL", "")


def postgres_server_url() -> str | None:
    """The PostgreSQL URL the runner handed us (DATABASE_URL), or None to skip PostgreSQL cases.

    Its database is only used to create and drop the cases' own databases, never written to.
    """
    return _GIVEN_URL if _GIVEN_URL.startswith(("postgres://", "postgresql://")) else None


def database_url(kind: str, name: str) -> str:
    """The URL of the bench database ``name`` of ``kind`` ("postgresql" or "sqlite"), made or not.

    PostgreSQL databases live on the server of DATABASE_URL; SQLite files in bench/out/db/.
    """
    if kind == "sqlite":
        return f"sqlite:///{OUT_DIR / 'db' / f'{name}.sqlite3'}"
    server = postgres_server_url()
    if server is None:
        raise RuntimeError("no PostgreSQL server (DATABASE_URL)")
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def fresh_database(kind: str, name: str) -> str:
    """Create (or re-create) an empty database of ``kind`` ("postgresql" or "sqlite"); return its URL.

    The name is always bench-specific, so the demo or development database is never touched.
    """
    if kind == "sqlite":
        path = OUT_DIR / "db" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return database_url(kind, name)
    import psycopg

    url = database_url(kind, name)
    with psycopg.connect(postgres_server_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url


def drop_database(kind: str, name: str) -> None:
    """Remove a database made by :func:`fresh_database` (benchmarks leave nothing big behind)."""
    if kind == "sqlite":
        path = OUT_DIR / "db" / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(postgres_server_url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(database_url: str) -> None:
    """Point Django at ``database_url`` (before anything imports the settings) and migrate it."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    sys.path.insert(0, str(PROJECT_DIR))
    import django
    from django.core.management import call_command

    django.setup()
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    log(f"  migrated {database_url.split('@')[-1]} in {time.perf_counter() - started:.1f} s")


def run_child(script: Path, args: list[str], timeout: float | None = None) -> int:
    """Run ``script`` with ``args`` in a fresh interpreter, passing its result lines through.

    One process per case: its peak memory is its own and a crash costs only that case.
    """
    proc = subprocess.run(
        [sys.executable, str(script), *args], stdout=subprocess.PIPE, text=True, timeout=timeout, check=False
    )
    sys.stdout.write(proc.stdout)
    sys.stdout.flush()
    return proc.returncode


# --- a production-like server for the load benchmarks ------------------------------------------


def free_port() -> int:
    """A loopback port nobody listens on now (another developer's server may hold a fixed one)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gongkai(env: dict, *args: str) -> None:
    """Run a ``gongkai`` management command in ``env``; its output goes to standard error."""
    subprocess.run([sys.executable, "-m", "gongkai", *args], env=env, check=True, stdout=sys.stderr)


def wait_for(url: str, *, seconds: float = 60, request_timeout: float = 5) -> None:
    """Wait until ``url`` answers 200 (a server starting up); RuntimeError after ``seconds``."""
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=request_timeout) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url}")


def backend_cpu() -> float | None:
    """CPU seconds of Django's PostgreSQL backend process so far (None: not PostgreSQL, or the server
    is not on this machine). With the client's own CPU it tells what a run costs on a shared machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
