"""The settings module refuses to start production without a real secret key."""

import os
import subprocess
import sys

import pytest


def _load_settings(env):
    code = "import gongkai.settings as s; print(s.DATABASES['default']['ENGINE'])"
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True)


@pytest.mark.parametrize(
    "key", ["", "changeme", "short", "django-insecure-0123456789012345678901234567890123"]
)
def test_production_refuses_a_missing_or_weak_secret_key(key):
    result = _load_settings({"DEBUG": "0", "SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_real_key_and_postgresql_url():
    result = _load_settings(
        {"DEBUG": "0", "SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://u@127.0.0.1:5432/db"}
    )
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout


def test_development_defaults_to_sqlite():
    result = _load_settings({"DEBUG": "1", "GONGKAI_VAR_DIR": "/tmp/gongkai-settings-test"})
    assert result.returncode == 0, result.stderr
    assert "sqlite3" in result.stdout


def test_bad_boolean_is_explained():
    result = _load_settings({"DEBUG": "maybe"})
    assert "DEBUG='maybe' is not a boolean" in result.stderr
