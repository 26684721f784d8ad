import pytest


@pytest.fixture(autouse=True)
def _private_files_in_tmp(settings, tmp_path):
    """Uploaded evidence and import reports go to a temporary directory, never to var/."""
    settings.MEDIA_ROOT = tmp_path / "private"
