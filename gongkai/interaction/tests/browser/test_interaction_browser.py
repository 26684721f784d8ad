"""互动交流 and 数据统计 in a real Chromium: axe-core on every page type, a citizen's message
end to end, and charts that are drawn and also read as tables."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from gongkai.inspectors.models import Department
from gongkai.interaction import annual, services
from gongkai.interaction.tests import factories as f
from gongkai.portal.tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def cases(live_server):
    from gongkai.registry.tests.factories import make_entity
    from gongkai.stats.services import aggregates_refresh

    for i in range(6):
        make_entity(established_on=dt.date(2025, 1 + i, 3))
    aggregates_refresh(actor="test")
    m = f.message(category="consult")
    services.message_route(actor="t", message=m, department=Department.objects.get(pk="SCJG"))
    m = services.message_reply(actor="t", message=m, text="您好，所需材料为身份证件和经营场所证明。")
    services.message_publish(actor="t", message=m, **services.suggested_public_texts(m))
    r = f.info_request(received_on=dt.date(2025, 9, 26))
    report = annual.report_save(actor="t", year=2025, values={"overview": "总体情况。", "problems": "问题。"})
    annual.report_publish(actor="t", report=report)
    return {"message": m, "request": r}


def _pages(cases) -> dict[str, str]:
    m, r = cases["message"], cases["request"]
    return {
        "messages": "/interaction/messages/",
        "message-form": "/interaction/messages/new/",
        "message-qa": f"/interaction/messages/{m.pk}/",
        "message-track": f"/interaction/messages/track/{m.tracking_code}/",
        "satisfaction": "/interaction/satisfaction/",
        "foi": "/interaction/foi/",
        "foi-form": "/interaction/foi/new/",
        "foi-track": f"/interaction/foi/track/{r.tracking_code}/",
        "annual-reports": "/interaction/reports/",
        "annual-report": "/interaction/reports/2025/",
        "stats": "/stats/",
    }


def test_every_interaction_page_passes_axe_on_a_phone(live_server, phone, cases):
    failures = {}
    for name, path in _pages(cases).items():
        phone.goto(live_server.url + path)
        found = axe_violations(phone)
        if found:
            failures[name] = found
        if name in {"message-form", "foi-track", "stats"}:
            screenshot(phone, f"phone-interaction-{name}")
    assert not failures, failures


def test_a_citizen_leaves_a_message_and_follows_it(live_server, desktop, cases):
    desktop.goto(live_server.url + "/interaction/messages/")
    desktop.get_by_role("link", name="我要留言").click()
    desktop.get_by_label("投诉").check()
    desktop.get_by_label("标题").fill("商店不明码标价")
    desktop.get_by_label("内容").fill("东昌府区某商店商品不标价格，结账时随意要价，请查处。")
    desktop.get_by_label("联系方式（手机、固定电话或电子邮箱）").fill("13811112222")
    desktop.get_by_role("button", name="提交留言").click()
    assert desktop.get_by_role("heading", level=1).inner_text() == "留言已提交"
    desktop.get_by_role("link", name="查看办理进度和答复").click()
    # The click returns once the navigation commits; wait for the page's text before reading it.
    expect(desktop.locator("main")).to_contain_text("待分办")
    assert "138****22" in desktop.content()


def test_the_charts_are_drawn_and_the_same_numbers_are_in_tables(live_server, desktop, cases):
    desktop.goto(live_server.url + "/stats/")
    desktop.wait_for_selector("[data-chart='new-by-month'] svg")
    assert desktop.locator("[data-chart] svg").count() >= 5
    assert desktop.locator("table").count() == desktop.locator("[data-chart]").count()
    screenshot(desktop, "desktop-stats")
