"""The specification's test vectors, through every way of running the draw.

For each vector: the commitment, the byte-identical canonical result, the bundle VALID and the
tampered bundle INVALID — for the module, for the Django commands (``call_command`` and the real
``gongkai`` executable) and for the downloadable single file run by a bare ``python3.13 -I -S``
(no site-packages at all: proof that it needs only the standard library).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from gongkai.inspections import gongkai_draw as gd
from gongkai.inspections.tests.test_draw_support import (
    DEMO_001_COMMITMENT,
    DEMO_001_RESULT_SHA256,
    DEMO_001_SEED,
    VECTOR_NAMES,
    demo_001,
    vectors_dir,
)

VECTORS = vectors_dir()
needs_vectors = pytest.mark.skipif(
    VECTORS is None, reason="the specification's vectors (../shared/specs/vectors) are not present"
)
PROJECT = Path(__file__).resolve().parents[3]
GONGKAI = PROJECT / ".venv" / "bin" / "gongkai"
ENV = dict(os.environ, SECRET_KEY="test-only-secret-key-not-for-production-0123456789", DEBUG="0")


def vector(name: str, suffix: str) -> Path:
    assert VECTORS is not None
    return VECTORS / f"{name}.{suffix}"


def seed_of(name: str) -> str:
    return gd.read_json_file(str(vector(name, "bundle.json")))["seed"]


def bare_python() -> str:
    """The base interpreter of this virtual environment (no venv, no site-packages with -S)."""
    for candidate in (
        getattr(sys, "_base_executable", None),
        os.path.join(sys.base_prefix, "bin", f"python{sys.version_info[0]}.{sys.version_info[1]}"),
        shutil.which("python3.13"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    pytest.skip("no base interpreter found")


# ---------------------------------------------------------------------------------------------
# The module
# ---------------------------------------------------------------------------------------------


def test_embedded_demo_001_gives_the_published_commitment_and_result():
    frozen = demo_001()
    assert gd.commitment(frozen) == DEMO_001_COMMITMENT
    result = gd.canonical_json(gd.compute_draw(frozen, DEMO_001_SEED)) + b"\n"
    assert hashlib.sha256(result).hexdigest() == DEMO_001_RESULT_SHA256


@needs_vectors
@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_module_reproduces_each_vector(name):
    frozen = gd.read_json_file(str(vector(name, "frozen.json")))
    assert gd.commitment(frozen) == vector(name, "commitment.txt").read_text().strip()
    result = gd.compute_draw(frozen, seed_of(name))
    assert gd.canonical_json(result) + b"\n" == vector(name, "result.canonical.json").read_bytes()
    assert gd.verify_bundle(gd.read_json_file(str(vector(name, "bundle.json")))) == (True, "")


@needs_vectors
def test_module_rejects_the_tampered_bundle_naming_the_swapped_member():
    ok, reason = gd.verify_bundle(gd.read_json_file(str(vector("demo-001", "tampered.bundle.json"))))
    assert not ok
    assert reason.startswith("result.strata[0].selected[0].id")
    assert "91371X0FXBN9Y10KL1" in reason


@needs_vectors
def test_demo_003_seed_is_normalised_before_use():
    bundle = gd.read_json_file(str(vector("demo-003", "bundle.json")))
    assert bundle["seed"] != bundle["result"]["seed"] == gd.normalise_seed(bundle["seed"])


# ---------------------------------------------------------------------------------------------
# The Django commands through call_command
# ---------------------------------------------------------------------------------------------


@needs_vectors
@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_compute_draw_command_prints_the_canonical_result(name):
    out, err = io.StringIO(), io.StringIO()
    call_command("compute_draw", str(vector(name, "frozen.json")), seed=seed_of(name), stdout=out, stderr=err)
    assert out.getvalue().encode("utf-8") == vector(name, "result.canonical.json").read_bytes()


@needs_vectors
@pytest.mark.parametrize("name", VECTOR_NAMES)
def test_verify_draw_command_says_valid(name):
    out = io.StringIO()
    call_command("verify_draw", str(vector(name, "bundle.json")), stdout=out, stderr=io.StringIO())
    assert out.getvalue() == "VALID\n"


@needs_vectors
def test_verify_draw_command_exits_1_on_the_tampered_bundle():
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command(
            "verify_draw", str(vector("demo-001", "tampered.bundle.json")), stdout=out, stderr=io.StringIO()
        )
    assert exit_info.value.code == 1
    assert out.getvalue().startswith("INVALID: result.strata[0].selected[0].id")


# ---------------------------------------------------------------------------------------------
# The real executables, in fresh processes
# ---------------------------------------------------------------------------------------------


@needs_vectors
def test_gongkai_executable_computes_and_verifies_demo_003():
    name = "demo-003"
    compute = subprocess.run(
        [str(GONGKAI), "compute-draw", str(vector(name, "frozen.json")), "--seed", seed_of(name)],
        capture_output=True,
        env=ENV,
        check=False,
    )
    assert compute.returncode == 0, compute.stderr
    assert compute.stdout == vector(name, "result.canonical.json").read_bytes()
    verify = subprocess.run(
        [str(GONGKAI), "verify-draw", str(vector(name, "bundle.json"))],
        capture_output=True,
        env=ENV,
        check=False,
    )
    assert (verify.returncode, verify.stdout) == (0, b"VALID\n")


@needs_vectors
def test_gongkai_executable_exit_codes_for_invalid_and_malformed_input(tmp_path):
    tampered = subprocess.run(
        [str(GONGKAI), "verify-draw", str(vector("demo-001", "tampered.bundle.json"))],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    assert tampered.returncode == 1
    assert tampered.stdout.startswith("INVALID: ")
    broken = tmp_path / "broken.json"
    broken.write_text('{"frozen": {"protocol": ')
    malformed = subprocess.run(
        [str(GONGKAI), "verify-draw", str(broken)], capture_output=True, text=True, env=ENV, check=False
    )
    assert malformed.returncode == 2
    assert "not valid JSON" in malformed.stderr
    assert "Traceback" not in malformed.stderr + malformed.stdout


def test_gongkai_executable_refuses_a_seed_with_control_characters(tmp_path):
    frozen = tmp_path / "frozen.json"
    frozen.write_bytes(gd.canonical_json(demo_001()))
    proc = subprocess.run(
        [str(GONGKAI), "compute-draw", str(frozen), "--seed", "3141\x075926"],
        capture_output=True,
        text=True,
        env=ENV,
        check=False,
    )
    assert proc.returncode == 2
    assert "control character U+0007" in proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr


@needs_vectors
def test_single_file_verifier_runs_on_bare_python_without_site_packages(tmp_path):
    # A stranger's machine: only the downloaded file, no project, no site-packages.
    script = tmp_path / "gongkai_draw.py"
    shutil.copy(gd.__file__, script)
    python = bare_python()
    for name in VECTOR_NAMES:
        verify = subprocess.run(
            [python, "-I", "-S", str(script), "verify", str(vector(name, "bundle.json"))],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        assert (verify.returncode, verify.stdout) == (0, "VALID\n"), verify.stderr
        compute = subprocess.run(
            [
                python,
                "-I",
                "-S",
                str(script),
                "compute",
                str(vector(name, "frozen.json")),
                "--seed",
                seed_of(name),
            ],
            capture_output=True,
            cwd=tmp_path,
            check=False,
        )
        assert compute.stdout == vector(name, "result.canonical.json").read_bytes(), compute.stderr
    tampered = subprocess.run(
        [python, "-I", "-S", str(script), "verify", str(vector("demo-001", "tampered.bundle.json"))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert tampered.returncode == 1 and tampered.stdout.startswith("INVALID: ")


@pytest.mark.skipif(
    not Path("/root/.pyenv/versions/3.9.18/bin/python3.9").exists() and not shutil.which("python3.9"),
    reason="no Python 3.9 on this machine",
)
def test_single_file_verifier_still_runs_on_python_3_9(tmp_path):
    python = shutil.which("python3.9")
    if not python or subprocess.run([python, "-V"], capture_output=True, check=False).returncode:
        python = "/root/.pyenv/versions/3.9.18/bin/python3.9"
    script = tmp_path / "gongkai_draw.py"
    shutil.copy(gd.__file__, script)
    frozen = tmp_path / "frozen.json"
    frozen.write_bytes(gd.canonical_json(demo_001()))
    proc = subprocess.run(
        [python, "-I", "-S", str(script), "compute", str(frozen), "--seed", DEMO_001_SEED],
        capture_output=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert hashlib.sha256(proc.stdout).hexdigest() == DEMO_001_RESULT_SHA256
