"""The installed ``gongkai`` console command is Django's manage.py with hyphenated names."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).with_name("gongkai")


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    """A fresh embedded database, migrated by the command itself."""
    path = tmp_path_factory.mktemp("var")
    result = subprocess.run(
        [str(BIN), "migrate", "-v", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DEBUG": "1", "DATABASE_URL": "", "GONGKAI_VAR_DIR": str(path)},
    )
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def _run(var_dir):
    def run(*args):
        env = {**os.environ, "DEBUG": "1", "DATABASE_URL": "", "GONGKAI_VAR_DIR": str(var_dir)}
        return subprocess.run([str(BIN), *args], capture_output=True, text=True, env=env, timeout=60)

    return run


def test_add_working_days_with_hyphenated_name_prints_the_date(_run):
    result = _run("add-working-days", "2025-09-30", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2025-10-09"


def test_bad_input_gets_a_message_not_a_traceback(_run):
    result = _run("add-working-days", "2025-02-30", "1")
    assert result.returncode != 0
    assert "格式不正确" in result.stderr and "Traceback" not in result.stderr
