"""双随机 in a real Chromium: a planner announces and draws a task with the staff pages' own
buttons, and a visitor downloads the bundle and the verifier from the public page and confirms
the draw with nothing but Python's standard library."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
import time_machine
from playwright.sync_api import expect

from gongkai.conftest import make_user
from gongkai.core import roles
from gongkai.inspections.models import Task
from gongkai.inspections.tests import factories as f
from gongkai.portal.tests.browser.conftest import screenshot
from gongkai.registry.tests.factories import make_entity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SEED = "27182818284590452353"


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct-horse-battery")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def _verify(folder) -> subprocess.CompletedProcess:
    """A stranger's machine: the downloaded verifier on the downloaded bundle, alone in ``folder``,
    with no project and no site-packages."""
    return subprocess.run(
        [sys.executable, "-I", "-S", "gongkai_draw.py", "verify", "bundle.json"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_planner_announces_and_draws_and_a_visitor_verifies(live_server, desktop, phone, tmp_path):
    for i in range(6):
        make_entity(name=f"浏览器抽查对象{i}")
    for _ in range(3):
        f.officer()
    task = f.draft_task(f.published_plan(), [f.published_item()])
    make_user("planner", roles.PLANNER)
    staff_page = f"{live_server.url}/staff/inspections/tasks/{task.public_id}/"

    _log_in(desktop, live_server.url, "planner")
    desktop.goto(staff_page)
    expect(desktop.locator("body")).to_contain_text("在营主体 6 户")
    desktop.get_by_role("button", name="发布任务公告").click()
    desktop.wait_for_load_state()
    task.refresh_from_db()
    assert task.state == "announced" and task.commitment
    expect(desktop.locator("body")).to_contain_text("录入随机种子并摇号")

    # The seed may only be entered after the announced time: the server's clock moves on (the live
    # server runs in this process), Chromium's stays.
    with time_machine.travel(task.seed_not_before + dt.timedelta(minutes=5), tick=True):
        desktop.goto(staff_page)
        desktop.fill("[name=seed]", SEED)
        desktop.fill("[name=evidence]", "摇骰仪式视频")
        desktop.get_by_role("button", name="录入种子并摇号").click()
        desktop.wait_for_load_state()
    task = Task.objects.get(pk=task.pk)
    assert task.state == "drawn" and task.seed == SEED
    screenshot(desktop, "inspections-staff-drawn")

    phone.goto(f"{live_server.url}/inspections/tasks/{task.public_id}/")
    expect(phone.locator("body")).to_contain_text(task.commitment)
    expect(phone.locator("body")).to_contain_text(SEED)
    expect(phone.locator("body")).to_contain_text("浏览器抽查对象")
    for link, name in (("验证程序 gongkai_draw.py", "gongkai_draw.py"), ("完整摇号数据", "bundle.json")):
        with phone.expect_download() as download:
            phone.get_by_role("link", name=link).click()
        download.value.save_as(tmp_path / name)
    screenshot(phone, "inspections-public-drawn")

    run = _verify(tmp_path)
    assert run.stdout.strip() == "VALID", run.stdout + run.stderr
    # And the same files, one byte changed in the result, are refused.
    bundle = (tmp_path / "bundle.json").read_bytes()
    (tmp_path / "bundle.json").write_bytes(bundle.replace(SEED.encode(), SEED[:-1].encode() + b"4", 1))
    run = _verify(tmp_path)
    assert run.returncode == 1 and run.stdout.startswith("INVALID"), run.stdout + run.stderr
