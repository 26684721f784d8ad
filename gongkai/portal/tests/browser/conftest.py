"""Playwright driving Debian's Chromium against pytest-django's live server.

The tests are marked ``browser``; ``scripts/run-tests`` sets ``GONGKAI_BROWSER`` when Chromium and
the CJK fonts exist and otherwise deselects them (``-m "not browser"``) and says so. Screenshots go
to ``test-artefacts/`` at the project root (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

VENDOR = Path(__file__).with_name("vendor")
ARTEFACTS = Path(__file__).resolve().parents[4] / "test-artefacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


_SHARED: dict = {}


@pytest.fixture(scope="session")
def chromium():
    # The sync Playwright API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async-safety check would refuse them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    # Other apps' browser tests import this fixture into their own conftest, which makes pytest hold
    # a second session instance; Playwright's sync API allows one per thread, so they share it.
    if "browser" in _SHARED:
        yield _SHARED["browser"]
        return
    from django.db import connections

    # Starting Playwright switches this thread into a greenlet with its own context variables, where
    # Django's per-context connection handler would open a second, fresh connection object: one
    # without the serialized copy of the reference data (districts, departments…) that
    # ``serialized_rollback`` restores after another transactional test has flushed the database.
    # Keep using the connection objects the test database was set up with.
    before = {alias: connections[alias] for alias in connections}
    with sync_playwright() as p:
        for alias, connection in before.items():
            connections[alias] = connection
        browser = p.chromium.launch(
            executable_path=os.environ.get("GONGKAI_BROWSER") or "/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        _SHARED["browser"] = browser
        yield browser
        _SHARED.clear()
        browser.close()


@pytest.fixture
def phone(chromium):
    """A phone-sized page (390×844, touch) with no network outside the live server."""
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core in the page; the violations of the given impacts, with their nodes."""
    page.add_script_tag(path=str(VENDOR / "axe.min.js"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def screenshot(page, name: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
