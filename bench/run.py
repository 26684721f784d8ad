"""The benchmark runner behind ``make bench``; the protocol is described in bench/README.md.

Runs every ``bench/bench_*.py`` in its own process, collects the JSON result lines it prints, and
prints an aligned table (also written to bench/out/results.md). Exits 1 if any case missed its
target or any script failed.

    python bench/run.py [--only NAME ...] [--quick] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "gongkai_bench"
BENCH_SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789"
UNITS = {"seconds": "s"}


def postgres_url() -> tuple[str | None, str]:
    """The PostgreSQL URL handed to the scripts, and a sentence saying where it came from."""
    given = os.environ.get("DATABASE_URL", "")
    if given:
        if given.startswith(("postgres://", "postgresql://")):
            return given, "DATABASE_URL"
        return None, f"DATABASE_URL is not PostgreSQL ({given.split(':')[0]}): PostgreSQL cases skipped"
    with socket.socket() as sock:
        sock.settimeout(1)
        if sock.connect_ex(("127.0.0.1", 5432)) != 0:
            return None, "no DATABASE_URL and nothing on 127.0.0.1:5432: PostgreSQL cases skipped"
    try:
        import psycopg

        with psycopg.connect(LOCAL_SERVER, autocommit=True, connect_timeout=5) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE]).fetchone():
                conn.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    except Exception as exc:  # reachable but unusable: say so and run the rest
        return None, f"PostgreSQL on 127.0.0.1:5432 is not usable ({exc}): PostgreSQL cases skipped"
    url = urlunsplit(urlsplit(LOCAL_SERVER)._replace(path=f"/{BENCH_DATABASE}"))
    return url, "the local server (database gongkai_bench)"


def scripts(only: list[str]) -> list[tuple[str, Path]]:
    found = [(path.stem.removeprefix("bench_"), path) for path in sorted(BENCH_DIR.glob("bench_*.py"))]
    if not only:
        return found
    wanted = {name.removeprefix("bench_").removesuffix(".py") for item in only for name in item.split(",")}
    unknown = wanted - {name for name, _ in found}
    if unknown:
        sys.exit(
            f"unknown benchmark(s): {', '.join(sorted(unknown))} (have: {', '.join(n for n, _ in found)})"
        )
    return [(name, path) for name, path in found if name in wanted]


def run_script(
    name: str, path: Path, args: list[str], env: dict[str, str], timeout: float | None
) -> list[dict]:
    """Run one script; its stderr goes to ours, its stdout lines become result rows."""
    rows: list[dict] = []
    proc = subprocess.Popen(
        [sys.executable, str(path), *args], stdout=subprocess.PIPE, text=True, env=env, cwd=BENCH_DIR.parent
    )
    assert proc.stdout is not None
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()
        proc.kill()

    timer = threading.Timer(timeout, stop) if timeout else None
    if timer is not None:
        timer.start()
    try:
        for line in proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict) or "case" not in row:
                    raise ValueError
            except ValueError:
                print(f"[{name}] {line}", file=sys.stderr)
                continue
            row.setdefault("bench", name)
            rows.append(row)
            print(f"[{name}] {row['case']}: {format_value(row)}", file=sys.stderr, flush=True)
        code = proc.wait()
    finally:
        if timer is not None:
            timer.cancel()
    if stopped.is_set():
        rows.append({"bench": name, "case": f"script stopped after {timeout:.0f} s (--timeout)", "ok": False})
    elif code != 0:
        rows.append({"bench": name, "case": f"script failed (exit {code})", "ok": False})
    return rows


def format_value(row: dict) -> str:
    value = row.get("value")
    if value is None:
        return row.get("note", "—") if "note" in row else "—"
    unit = UNITS.get(row.get("metric", ""), row.get("metric", ""))
    return f"{value:,.1f} {unit}".strip()


def mark(row: dict) -> str:
    return {True: "✔", False: "✘"}.get(row.get("ok"), "—")


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def table(rows: list[dict]) -> list[str]:
    header = ["bench", "case", "value", "target", ""]
    cells = [
        [r.get("bench", ""), r.get("case", ""), format_value(r), r.get("target") or "—", mark(r)]
        for r in rows
    ]
    sizes = [max(width(c[i]) for c in [header, *cells]) for i in range(len(header))]
    lines = ["  ".join(pad(h, s) for h, s in zip(header, sizes, strict=True)).rstrip()]
    lines.append("  ".join("-" * s for s in sizes))
    lines += ["  ".join(pad(c, s) for c, s in zip(row, sizes, strict=True)).rstrip() for row in cells]
    return lines


def markdown(rows: list[dict], context: list[str]) -> str:
    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    out = [
        "# Benchmark results",
        "",
        *context,
        "",
        "| bench | case | value | target | ok |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        case = esc(r.get("case", "")) + (
            f" ({esc(r['note'])})" if r.get("note") and r.get("value") is not None else ""
        )
        out.append(
            f"| {esc(r.get('bench', ''))} | {case} | {esc(format_value(r))} | {esc(r.get('target') or '—')} "
            f"| {mark(r)} |"
        )
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the benchmarks under bench/ and print a table.")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only this benchmark (bench_NAME.py); repeat or separate with commas",
    )
    parser.add_argument("--quick", action="store_true", help="pass --quick: small sizes, for a fast check")
    parser.add_argument("--timeout", type=float, default=None, help="stop a script after this many seconds")
    args = parser.parse_args()

    pg_url, pg_note = postgres_url()
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if pg_url:
        env["DATABASE_URL"] = pg_url
    env.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    env["DEBUG"] = "0"
    env["PYTHONUNBUFFERED"] = "1"
    print(f"PostgreSQL: {pg_note}", file=sys.stderr)

    started = dt.datetime.now(dt.UTC)
    rows: list[dict] = []
    for name, path in scripts(args.only):
        print(f"=== bench_{name}.py{' --quick' if args.quick else ''}", file=sys.stderr, flush=True)
        rows += run_script(name, path, ["--quick"] if args.quick else [], env, args.timeout)

    lines = table(rows)
    print("\n".join(lines))
    context = [
        f"Run {started:%Y-%m-%d %H:%M} UTC{' (--quick)' if args.quick else ''} on {platform.node() or 'unknown host'}: "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()} {platform.release()}.",
        f"PostgreSQL: {pg_note}.",
    ]
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / "results.md").write_text(markdown(rows, context), encoding="utf-8")
    print(f"\n(written to {(OUT_DIR / 'results.md').relative_to(BENCH_DIR.parent)})")
    sys.exit(1 if any(r.get("ok") is False for r in rows) else 0)


if __name__ == "__main__":
    main()
