"""The optional compiled ticket loops (``_drawhash``, ADR 0008) give exactly the pure-Python bytes.

Every test here runs the same input through both paths of ``gongkai_draw``: the compiled module
and the pure-Python loops it replaces (``gd._drawhash`` set to None, which is what a downloaded copy
of the file or a machine without a compiler gets). The comparisons need the module and are skipped,
saying so, when it is not built; ``GONGKAI_REQUIRE_DRAWHASH=1`` (set by CI) turns that into a
failure. The pure path is also checked on its own against the specification's vectors.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.inspections import gongkai_draw as gd
from gongkai.inspections.tests.test_draw_support import (
    DEMO_001_SEED,
    VECTOR_NAMES,
    demo_001,
    frozen_documents,
    member_ids,
    reference_draw,
    seeds,
    vectors_dir,
)

COMPILED = gd._drawhash
VECTORS = vectors_dir()
PROJECT = Path(__file__).resolve().parents[3]

if COMPILED is None and os.environ.get("GONGKAI_REQUIRE_DRAWHASH") == "1":
    raise RuntimeError(
        "GONGKAI_REQUIRE_DRAWHASH=1 but gongkai.inspections._drawhash is not importable: "
        "the optional C extension was not built (is libssl-dev installed? see the pip output)"
    )
needs_compiled = pytest.mark.skipif(
    COMPILED is None, reason="the optional compiled draw hashing (_drawhash) is not built here"
)
needs_vectors = pytest.mark.skipif(VECTORS is None, reason="the specification's vectors are not present")
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextlib.contextmanager
def pure():
    """Run the pure-Python loops, as a copy of the file without the compiled module does."""
    saved = gd._drawhash
    gd._drawhash = None
    try:
        yield
    finally:
        gd._drawhash = saved


def both(function, *args, **kwargs) -> tuple:
    """``function(*args, **kwargs)`` with the compiled loops and with the pure ones."""
    compiled = function(*args, **kwargs)
    with pure():
        plain = function(*args, **kwargs)
    return compiled, plain


def vector_path(name: str, suffix: str) -> Path:
    assert VECTORS is not None
    return VECTORS / f"{name}.{suffix}"


# ---------------------------------------------------------------------------------------------
# Without the module: the pure path, alone
# ---------------------------------------------------------------------------------------------


@needs_vectors
@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_pure_path_reproduces_each_vector(name, monkeypatch):
    monkeypatch.setattr(gd, "_drawhash", None)  # what a machine without the module has
    frozen = gd.read_json_file(str(vector_path(name, "frozen.json")))
    bundle = gd.read_json_file(str(vector_path(name, "bundle.json")))
    result = gd.compute_draw(frozen, bundle["seed"])
    assert gd.canonical_json(result) + b"\n" == vector_path(name, "result.canonical.json").read_bytes()
    assert gd.verify_bundle(bundle) == (True, "")


def test_pure_path_without_the_module_gives_demo_001(monkeypatch):
    monkeypatch.setattr(gd, "_drawhash", None)
    result = gd.compute_draw(demo_001(), DEMO_001_SEED)
    assert result == reference_draw(demo_001(), DEMO_001_SEED)


def test_environment_variable_chooses_the_pure_path(monkeypatch):
    monkeypatch.setenv("GONGKAI_DRAW_PURE", "1")
    assert gd._load_compiled() is None
    monkeypatch.delenv("GONGKAI_DRAW_PURE")
    assert (gd._load_compiled() is None) == (COMPILED is None)


def test_a_module_from_another_version_is_ignored(monkeypatch):
    fake = type(sys)("gongkai.inspections._drawhash")
    fake.API = 2
    monkeypatch.setitem(sys.modules, "gongkai.inspections._drawhash", fake)
    import gongkai.inspections as package

    monkeypatch.setattr(package, "_drawhash", fake, raising=False)
    assert gd._load_compiled() is None


SINGLE_FILE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import gongkai_draw as gd
print(json.dumps({"compiled": gd._drawhash is not None}))
"""


def test_the_single_file_alone_runs_without_the_module(tmp_path):
    # A copy of the file on its own, as downloaded from a task's page, run by a bare interpreter.
    (tmp_path / "gongkai_draw.py").write_bytes(Path(gd.__file__).read_bytes())
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-c", SINGLE_FILE, str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"compiled": False}


# ---------------------------------------------------------------------------------------------
# With the module: the same bytes as the pure path
# ---------------------------------------------------------------------------------------------


@needs_compiled
@needs_vectors
@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_both_paths_reproduce_each_vector(name):
    frozen = gd.read_json_file(str(vector_path(name, "frozen.json")))
    bundle = gd.read_json_file(str(vector_path(name, "bundle.json")))
    expected = vector_path(name, "result.canonical.json").read_bytes()
    compiled, plain = both(gd.compute_draw, frozen, bundle["seed"])
    assert gd.canonical_json(compiled) + b"\n" == expected
    assert gd.canonical_json(plain) + b"\n" == expected
    assert both(gd.verify_bundle, bundle) == ((True, ""), (True, ""))
    tampered = (
        gd.read_json_file(str(vector_path(name, "tampered.bundle.json"))) if name == "demo-001" else None
    )
    if tampered is not None:
        compiled, plain = both(gd.verify_bundle, tampered)
        assert compiled == plain and not compiled[0]


@needs_compiled
@FAST
@given(frozen_documents(), seeds)
def test_both_paths_draw_the_same(frozen, seed):
    compiled, plain = both(gd.run_draw, frozen, seed, strict_seed=False)
    assert gd.canonical_json(compiled.result) == gd.canonical_json(plain.result)
    assert compiled.loads == plain.loads and compiled.warnings == plain.warnings


@needs_compiled
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frozen_documents(max_members=80, max_inspectors=16), seeds, st.booleans())
def test_both_paths_draw_the_same_on_busy_teams(frozen, seed, capped):
    # Large quotas against a small roster: loads spread over several levels, caps bind, members
    # go unassigned, and conflicts and 所所交叉 remove candidates.
    frozen["rules"]["max_load"] = 3 if capped else 0
    for stratum in frozen["strata"]:
        stratum["quota"] = max(stratum["quota"], len(stratum["members"]) // 2)
    compiled, plain = both(gd.compute_draw, frozen, seed, strict_seed=False)
    assert compiled == plain == reference_draw(frozen, seed)


@needs_compiled
@FAST
@given(frozen_documents(replaceable=True), seeds, st.data())
def test_both_paths_verify_and_replace_the_same(frozen, seed, data):
    result = gd.compute_draw(frozen, seed, strict_seed=False)
    bundle = {"frozen": frozen, "seed": seed, "result": result}
    assert both(gd.verify_bundle, bundle) == ((True, ""), (True, ""))
    if result["assignments"]:
        forged = json.loads(json.dumps(bundle))
        forged["result"]["assignments"][-1]["inspectors"].reverse()
        compiled, plain = both(gd.verify_bundle, forged)
        assert compiled == plain
    events = [
        {"out": stratum["selected"][0]["id"], "reason": "注销"}
        for stratum in result["strata"]
        if stratum["selected"] and stratum["reserve"]
    ]
    events = data.draw(st.permutations(events))
    compiled, plain = both(gd.apply_replacements, frozen, seed, result, events)
    assert compiled == plain


# The scan on its own: any bytes, any range, any bound (including the ones a valid document never
# produces: empty ids, a range cut inside an id, a negative or out-of-range index).

blob_parts = st.lists(st.one_of(member_ids.map(lambda text: text.encode("utf-8")), st.just(b"")), max_size=40)
bounds = st.one_of(
    st.binary(max_size=34),
    st.just(b"\xff" * 33),
    st.integers(0, 2**256 - 1).map(lambda n: n.to_bytes(32, "big")),
)


@needs_compiled
@FAST
@given(blob_parts, st.integers(-5, 300), st.integers(-5, 300), st.integers(-3, 10**12), bounds, st.binary())
def test_scan_equals_the_python_scan(parts, start, end, first_index, bound, prefix):
    blob = b"\x1f".join(parts)
    compiled, plain = both(gd._scan, prefix, blob, start, end, first_index, bound)
    assert compiled == plain


@needs_compiled
def test_scan_compares_with_the_bound_as_python_compares_bytes():
    prefix, blob = b"prefix\x1f", "甲\x1fB\x1f\x1fz".encode()
    digest = hashlib.sha256(prefix + "甲".encode()).digest()
    # A bound equal to a digest, a prefix of it, or it with a byte more: < on bytes decides.
    for bound in (digest, digest[:5], digest + b"\x00", digest[:-1] + bytes([digest[-1] + 1]), b"", b"\x00"):
        compiled, plain = both(gd._scan, prefix, blob, 0, len(blob), 7, bound)
        assert compiled == plain
        assert ((digest + "甲".encode(), 7) in compiled) == (digest < bound)


@needs_compiled
def test_scan_of_many_ids_in_threads_equals_the_python_scan(monkeypatch):
    prefix = gd._prefix("ab" * 32, "种子 seed", "entity")
    blob = "\x1f".join(f"9137{n * 7919:014d}{'中' if n % 7 else ''}" for n in range(200_000)).encode("utf-8")
    bound = gd._threshold(200_000, 5_000)
    compiled, plain = both(gd._scan, prefix, blob, 0, len(blob), 0, bound)
    assert compiled == plain and len(compiled) > 5_000
    monkeypatch.setattr(gd, "_TASK_BYTES", 100_000)  # some forty tasks for three threads
    blobs, bounds = [blob, b"", blob[:1000]], [bound, bound, b"\xff" * 33]
    threaded = list(gd._scan_strata(prefix, blobs, bounds, 3))
    with pure():
        serial = list(gd._scan_strata(prefix, blobs, bounds, 1))
    assert threaded == serial


# §6 on its own: random loads spread the roster over several levels before each member's team.


@needs_compiled
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frozen_documents(max_members=30, max_inspectors=16), seeds, st.randoms(use_true_random=False))
def test_team_equals_the_python_team_for_any_loads(frozen, seed, rng: random.Random):
    seed = gd.normalise_seed(seed, strict=False)
    commitment = gd.commitment(frozen)
    assigner = gd._Assigner(frozen, commitment, seed)
    assigner.load = [rng.randrange(4) for _ in assigner.load]
    assigner.rebuild()
    members = [m for stratum in frozen["strata"] for m in stratum["members"]]
    for member in [*members, {"id": "中\U0001d11e"}]:
        for unit in {member.get("unit"), None, "U1", "U3"}:
            compiled, plain = both(assigner.team_for, member["id"], unit)
            assert compiled == plain
            if compiled is not None and rng.random() < 0.5:
                assigner.add(compiled, 1)


@needs_compiled
def test_team_refuses_what_is_not_bytes():
    with pytest.raises(TypeError):
        COMPILED.team(b"p", {0: {"D": {"U": {"not bytes"}}}}, [0], ["D"], 1, None, None)
    with pytest.raises(TypeError):
        COMPILED.team(b"p", {0: {"D": ["not a dict"]}}, [0], ["D"], 1, None, None)
    with pytest.raises(KeyError):
        COMPILED.team(b"p", {}, [0], ["D"], 1, None, None)
    assert COMPILED.team(b"p", {0: {"D": {"U": {b"1"}}}}, [0], ["E"], 1, None, None) is None
    assert COMPILED.team(b"p", {0: {"D": {"U": {b"1"}}}}, [0], [], 1, None, {b"1"}) is None
    assert COMPILED.team(b"p", {0: {"D": {"U": {b"1"}}}}, [0], [], 1, "U", None) is None
    assert COMPILED.team(b"p", {0: {"D": {"U": {b"1"}}}}, [0], ["D"], 1, "V", None) == [b"1"]
