"""Benchmark: the draw engine of ``gongkai-draw/1`` (no database).

Cases, each in its own process so that its peak memory is its own:

* ``compute-1m``: the engine computes a draw for 1,000,000 members in 4 strata, a 3 % sample and
  300 officers, from a frozen document held as ordinary JSON objects (target under 1.5 s);
* ``verify-1m``: ``gongkai verify-draw`` on the bundle of that draw, as a command in a fresh process
  (interpreter start-up included; target under 3 s), and the same with the downloadable single-file
  verifier, run by the project's Python (which finds the compiled loops, ADR 0008) and alone
  (``-I -S``: the standard library only, as on a stranger's machine);
* ``compute-15m``: 15,000,000 members, same proportions, held as ``MemberColumns``: seconds (target
  under 20 s) and peak memory (target under 2 GiB);
* ``stored-15m``: the same document as the platform stores it (canonical text) drawn by
  ``engine.compute_stored``, the product's engine path (no §1 check a second time, ADR 9).

Every note says whether the draw's compiled hashing (``_drawhash``) was used; ``GONGKAI_DRAW_PURE=1``
measures the pure-Python loops instead.

``--quick`` uses 100,000 members (and 1,500,000 for the large case). The populations are synthetic
and deterministic: 18-character ids, 12 units, strata of 10 / 30 / 45 / 15 %, officers in four
departments with random item qualifications, teams of two with one officer of SCJG, 所所交叉 on.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import benchlib

from gongkai.inspections import gongkai_draw as gd

BENCH = "draw"
SEED = "31415926535897932384"
STRATA = (("A", 26), ("B", 103), ("C", 218), ("D", 256))  # cumulative thresholds of a random byte
RATE = 0.03
UNITS = [f"U{n:02d}" for n in range(1, 13)]
ITEMS = [f"SJ-{n:03d}" for n in range(1, 11)]
TASK_ITEMS = ["SJ-002", "SJ-005"]
DEPARTMENTS = ["SCJG"] * 10 + ["YJ"] * 4 + ["ZL"] * 3 + ["SW"] * 3


def _size(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n:,}"


def synthetic_frozen(members: int, *, officers: int = 300, columns: bool = False, seed: int = 2026) -> dict:
    """A deterministic frozen document with ``members`` members (as lists, or as MemberColumns)."""
    rng = random.Random(seed)
    classes = rng.randbytes(members)
    units = rng.randbytes(members)
    chunk = 1_000_000
    pieces: list = [[] for _ in STRATA]  # ids (lists) or joined UTF-8 chunks (columns)
    codes = [array("H") for _ in STRATA]
    for start in range(0, members, chunk):
        groups: list = [[] for _ in STRATA]
        for i in range(start, min(start + chunk, members)):
            byte = classes[i]
            number = 0 if byte < 26 else 1 if byte < 103 else 2 if byte < 218 else 3
            groups[number].append(f"913715{i * 37:012d}")
            codes[number].append(units[i] % len(UNITS))
        for number, group in enumerate(groups):
            if columns and group:  # only one chunk of Python strings exists at a time
                pieces[number].append("\x1f".join(group).encode("ascii"))
            elif group:
                pieces[number].extend(group)
    strata = []
    for (name, _), chunks, unit_codes in zip(STRATA, pieces, codes, strict=True):
        if columns:
            body = gd.MemberColumns(b"\x1f".join(chunks), unit_codes, UNITS)
            chunks.clear()
        else:
            body = [{"id": i, "unit": UNITS[code]} for i, code in zip(chunks, unit_codes, strict=True)]
        strata.append({"name": name, "quota": round(len(body) * RATE), "members": body})
    inspectors = []
    for n in range(officers):
        inspectors.append(
            {
                "id": f"3715{n * 7919 % 100000:05d}{n:04d}",
                "name": f"检查员{n}",
                "department": rng.choice(DEPARTMENTS),
                "unit": rng.choice(UNITS),
                "items": [item for item in ITEMS if rng.random() < 0.8],
            }
        )
    inspectors.sort(key=lambda inspector: inspector["id"])
    conflicts = sorted(
        {(rng.choice(inspectors)["id"], f"913715{rng.randrange(members) * 37:012d}") for _ in range(600)}
    )
    return {
        "protocol": gd.PROTOCOL,
        "plan": f"BENCH-{members}",
        "title": "基准测试任务",
        "seed_source": "benchmark",
        "seed_not_before": "2026-03-02T10:00:00+08:00",
        "strata": strata,
        "items": TASK_ITEMS,
        "team": {"size": 2, "departments": ["SCJG"]},
        "inspectors": inspectors,
        "rules": {"cross_unit": True, "max_load": 0},
        "conflicts": [list(pair) for pair in conflicts],
    }


def cpu_seconds() -> tuple:
    """CPU seconds of this process and of its finished children (the hashing workers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children.ru_utime + children.ru_stime


def load_note() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def hashing_note() -> str:
    return "compiled hashing" if gd._drawhash is not None else "pure-Python hashing"


def case_compute(members: int) -> None:
    frozen = synthetic_frozen(members)
    benchlib.log(f"  generated {members:,} members; computing")
    times, cpus = [], []
    for _ in range(3):
        started, (own, children) = time.perf_counter(), cpu_seconds()
        run = gd.run_draw(frozen, SEED)
        times.append(time.perf_counter() - started)
        after = cpu_seconds()
        cpus.append((after[0] - own, after[1] - children))
    middle = sorted(range(3), key=times.__getitem__)[1]
    seconds = times[middle]
    selected = sum(len(s["selected"]) for s in run.result["strata"])
    benchlib.log(f"  runs {', '.join(f'{t:.2f}' for t in times)} s; {selected:,} selected")
    benchlib.emit(
        BENCH,
        f"compute {_size(members)} members, 4 strata, 3 %, 300 officers (engine, no DB)",
        "seconds",
        seconds,
        "< 1.5 s",
        seconds < 1.5,
        note=(
            f"median of 3; CPU {cpus[middle][0]:.2f} s main + {cpus[middle][1]:.2f} s hashing workers; "
            f"{selected:,} selected, {len(run.result['unassigned'])} unassigned; {hashing_note()}; {load_note()}"
        ),
    )


def case_verify(members: int) -> None:
    frozen = synthetic_frozen(members)
    result = gd.compute_draw(frozen, SEED)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bundle.json"
        path.write_text(json.dumps({"frozen": frozen, "seed": SEED, "result": result}, ensure_ascii=False))
        del frozen, result
        benchlib.log(f"  bundle of {members:,} members: {path.stat().st_size / 2**20:.0f} MiB")
        env = dict(os.environ, SECRET_KEY=benchlib.BENCH_SECRET_KEY, DEBUG="0")
        commands = {
            "gongkai verify-draw": [str(benchlib.PROJECT_DIR / ".venv" / "bin" / "gongkai"), "verify-draw"],
            "gongkai_draw.py verify (single file, project's Python)": [sys.executable, gd.__file__, "verify"],
            "gongkai_draw.py verify (single file alone, -I -S)": [
                sys.executable,
                "-I",
                "-S",
                gd.__file__,
                "verify",
            ],
        }
        for label, command in commands.items():
            times = []
            for _ in range(3):
                started = time.perf_counter()
                proc = subprocess.run(
                    [*command, str(path)], capture_output=True, text=True, env=env, check=False
                )
                times.append(time.perf_counter() - started)
                if proc.returncode != 0 or proc.stdout != "VALID\n":
                    raise SystemExit(f"{label} failed: {proc.stdout} {proc.stderr}")
            seconds = sorted(times)[1]
            benchlib.log(f"  {label}: {', '.join(f'{t:.2f}' for t in times)} s")
            benchlib.emit(
                BENCH,
                f"{label} {_size(members)} bundle",
                "seconds",
                seconds,
                "< 3 s",
                seconds < 3,
                note=f"median of 3, whole process; {'pure-Python hashing' if '-S' in command else hashing_note()}; {load_note()}",
            )


def _emit_large(label: str, seconds: float, peak: float, note: str) -> None:
    """The 15M targets: under 20 s and under 2 GiB."""
    benchlib.emit(BENCH, label, "seconds", seconds, "< 20 s", seconds < 20, note=note)
    benchlib.emit(BENCH, label, "peak memory MiB", peak, "< 2048 MiB", peak < 2048, note=note)


def case_compute_large(members: int) -> None:
    frozen = synthetic_frozen(members, columns=True)
    before = benchlib.peak_mib()
    benchlib.log(f"  generated {members:,} members as MemberColumns; peak so far {before:.0f} MiB")
    started, (own, children) = time.perf_counter(), cpu_seconds()
    run = gd.run_draw(frozen, SEED)
    seconds = time.perf_counter() - started
    after = cpu_seconds()
    peak = benchlib.peak_mib()
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    selected = sum(len(s["selected"]) for s in run.result["strata"])
    label = f"compute {_size(members)} members, 4 strata, 3 %, 300 officers (engine, MemberColumns)"
    note = (
        f"CPU {after[0] - own:.1f} s main + {after[1] - children:.1f} s hashing workers; {selected:,} selected; "
        f"largest hashing worker {workers:.0f} MiB (shares the parent's pages); {hashing_note()}; {load_note()}"
    )
    _emit_large(label, seconds, peak, note)


def case_stored_large(members: int) -> None:
    """The product's engine path: a stored frozen text (the canonical JSON ``freeze`` returned at
    announcement) read and drawn by ``engine.compute_stored``, as ``task_draw`` does between
    reading the task and writing the targets (ADR 9: §1 is not checked a second time). The text is
    written to a file here and drawn in a fresh process, so that the peak memory is the draw's."""
    data, commitment, _ = gd.freeze(synthetic_frozen(members, columns=True))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "frozen.json"
        path.write_bytes(data)
        benchlib.log(f"  stored text of {members:,} members: {len(data) / 2**20:.0f} MiB; drawing")
        del data
        arguments = ["--case", "stored-draw", "--members", str(members), "--path", str(path), commitment]
        code = benchlib.run_child(Path(__file__), arguments)
        if code != 0:
            raise SystemExit(code)


def case_stored_draw(members: int, path: str, commitment: str) -> None:
    from gongkai.inspections import engine

    text = bytearray(Path(path).stat().st_size)  # as task_draw reads it on PostgreSQL (_frozen_bytes)
    with open(path, "rb") as stream:
        stream.readinto(text)
    size = len(text)
    started, own = time.perf_counter(), time.process_time()
    with benchlib.profiled(sort="tottime", lines=20):
        result = engine.compute_stored(text, commitment, SEED)
        seconds, cpu = time.perf_counter() - started, time.process_time() - own
    peak = benchlib.peak_mib()
    selected = sum(len(s["selected"]) for s in result["strata"])
    label = f"draw a stored {_size(members)} frozen text (engine.compute_stored, product path, no DB)"
    note = (
        f"CPU {cpu:.1f} s (threads included); {selected:,} selected; peak includes the "
        f"{size / 2**20:.0f} MiB text read from a file (freed once read); {hashing_note()}; {load_note()}"
    )
    _emit_large(label, seconds, peak, note)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 members (1,500,000 for the large case)")
    parser.add_argument(
        "--case", choices=["compute", "verify", "large", "stored", "stored-draw"], help=argparse.SUPPRESS
    )
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("commitment", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["compute", "verify", "large", "stored"], help="run one case")
    parser.add_argument("--members", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case == "stored-draw":
        case_stored_draw(args.members, args.path, args.commitment)
        return
    if args.case:
        cases = {
            "compute": case_compute,
            "verify": case_verify,
            "large": case_compute_large,
            "stored": case_stored_large,
        }
        cases[args.case](args.members)
        return
    size, large = (100_000, 1_500_000) if args.quick else (1_000_000, 15_000_000)
    for case, members in (("compute", size), ("verify", size), ("large", large), ("stored", large)):
        if args.only and case != args.only:
            continue
        benchlib.log(f"draw: {case} {members:,}")
        if benchlib.run_child(Path(__file__), ["--case", case, "--members", str(members)]) != 0:
            benchlib.emit(
                BENCH, f"{case} {_size(members)}", "seconds", None, note="the case failed; see stderr"
            )


if __name__ == "__main__":
    main()
