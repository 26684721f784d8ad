"""The public site in a real Chromium: every column, search, a document with its 图解, display modes,
keyboard use, and axe-core on every public page type (zero serious or critical violations)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from gongkai.portal import navigation
from gongkai.portal.tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def site(live_server):
    from gongkai.disclosure import demo
    from gongkai.disclosure.models import Document, Guide, Interpretation
    from gongkai.registry.tests.factories import AddressRecord, make_entity

    demo.load()
    host = make_entity(name="聊城市集群托管商务秘书有限公司", is_cluster_host=True)
    company = make_entity(
        name="聊城宇源物流有限公司",
        credit_risk_class="D",
        credit_risk_date=dt.date(2025, 1, 1),
        contact_phone="13912345678",
        premises=[AddressRecord(district_code="371521", full_text="山东省聊城市阳谷县狮子楼街道新华路1号")],
    )
    make_entity(name="聊城市托管测试贸易有限公司", cluster_host_code=host.credit_code)
    call_command("reindex", verbosity=0)
    return {
        "company": company,
        "document": Document.objects.get(doc_number="聊市监发〔2026〕3号"),
        "graphic": Interpretation.objects.get(kind="graphic"),
        "guide": Guide.objects.first(),
    }


def _pages(site) -> dict[str, str]:
    return {
        "home": "/",
        "column": "/column/xxgk/",
        "placeholder": "/column/penalties/",
        "catalogue": "/disclosure/",
        "disclosure-guide": "/disclosure/guide/",
        "documents": "/policies/",
        "document": f"/policies/{site['document'].pk}/",
        "interpretations": "/interpretations/",
        "interpretation-graphic": f"/interpretations/{site['graphic'].pk}/",
        "guides": "/services/",
        "guide": f"/services/{site['guide'].pk}/",
        "forms": "/forms/",
        "entity-lookup": "/query/entities/?q=物流",
        "entity": f"/query/entities/{site['company'].credit_code}/",
        "verify-draw": "/query/verify-draw/",
        "search": "/search/?q=食品安全",
        "search-empty": "/search/?q=食品按全",
        "sitemap": "/sitemap/",
        "accessibility": "/accessibility/",
        "not-found": "/no-such-page/",
        "inspections": "/inspections/",
        "inspections-results": "/inspections/?tab=results",
        "roster": "/inspections/officers/",
        "penalties": "/penalties/",
    }


def test_every_public_page_type_passes_axe_on_a_phone(live_server, phone, site):
    failures = {}
    for name, path in _pages(site).items():
        phone.goto(live_server.url + path)
        assert phone.locator("html").get_attribute("lang") == "zh-Hans"
        found = axe_violations(phone)
        if found:
            failures[name] = found
        if name in {"home", "document", "interpretation-graphic", "search", "entity", "guide"}:
            screenshot(phone, f"phone-{name}")
    assert not failures, failures


def test_large_text_and_high_contrast_pass_axe_and_persist(live_server, desktop, site):
    desktop.goto(live_server.url + "/")
    base_size = desktop.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    desktop.get_by_role("button", name="大字模式").click()
    desktop.get_by_role("button", name="高对比度").click()
    assert "large-text" in desktop.locator("html").get_attribute("class")
    desktop.goto(live_server.url + f"/policies/{site['document'].pk}/")
    classes = desktop.locator("html").get_attribute("class")
    assert "large-text" in classes and "high-contrast" in classes
    assert desktop.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") > base_size
    assert not axe_violations(desktop)
    screenshot(desktop, "desktop-document-large-high-contrast")
    desktop.get_by_role("button", name="标准字号").click()
    assert "large-text" not in (desktop.locator("html").get_attribute("class") or "")


def test_a_newcomer_navigates_every_column_and_reads_a_policy_with_its_graphic(live_server, desktop, site):
    desktop.goto(live_server.url + "/")
    screenshot(desktop, "desktop-home")
    nav = desktop.get_by_role("navigation", name="主导航")
    for col in navigation.COLUMNS:
        nav.get_by_role("link", name=col.label, exact=True).click()
        assert desktop.get_by_role("heading", level=1).inner_text() == col.label
        for link in col.links:
            href = (
                desktop.get_by_role("main")
                .get_by_role("link", name=link.label, exact=True)
                .get_attribute("href")
            )
            response = desktop.request.get(live_server.url + href)
            assert response.status == 200, href
    # 信息公开 → 政策文件 → the document → its 图解, and back.
    nav.get_by_role("link", name="信息公开", exact=True).click()
    desktop.get_by_role("navigation", name="信息公开栏目").get_by_role("link", name="政策文件").click()
    desktop.get_by_role("link", name=site["document"].title).click()
    assert desktop.get_by_role("heading", level=1).inner_text() == site["document"].title
    desktop.get_by_role("link", name="一图读懂校园食品安全监管新要求").click()
    image = desktop.get_by_role("img")
    assert "一图读懂" in image.get_attribute("alt")
    assert desktop.get_by_text("图解文字版").count() >= 1
    screenshot(desktop, "desktop-interpretation-graphic")
    desktop.get_by_role("link", name="阅读原文件").click()
    assert desktop.get_by_role("heading", level=1).inner_text() == site["document"].title


def test_search_in_chinese_with_pinyin_and_with_a_typo(live_server, phone, site):
    phone.goto(live_server.url + "/")
    phone.get_by_role("searchbox", name="站内搜索").fill("食品安全")
    phone.get_by_role("searchbox", name="站内搜索").press("Enter")
    assert re.search(r"找到 \d+ 条结果", phone.get_by_role("status").first.inner_text())
    assert phone.locator("ol.hits mark").first.inner_text() == "食品安全"
    screenshot(phone, "phone-search-results")
    phone.goto(live_server.url + "/search/?q=spaq")
    assert "按拼音检索了" in phone.content()
    assert phone.locator("ol.hits li").count() >= 1
    phone.goto(live_server.url + "/search/?q=食品按全")
    phone.get_by_role("link", name="食品安全").first.click()
    # The click only starts the navigation: wait for the corrected query's page before counting hits.
    phone.wait_for_url(re.compile(r"q=%E9%A3%9F%E5%93%81%E5%AE%89%E5%85%A8"))
    expect(phone.locator("ol.hits li").first).to_be_visible()


def test_entity_lookup_shows_the_public_record_only(live_server, phone, site):
    phone.goto(live_server.url + "/query/entities/")
    phone.get_by_label("名称（可输入部分名称）或统一社会信用代码").fill("宇源")
    phone.get_by_role("button", name="查询").click()
    phone.get_by_role("link", name="聊城宇源物流有限公司").click()
    text = phone.get_by_role("main").inner_text()
    assert "新华路1号" in text and "经营场所" in text
    assert "13912345678" not in text and "信用风险" not in text


def test_keyboard_only_skip_link_and_visible_focus(live_server, desktop, site):
    desktop.goto(live_server.url + "/policies/")
    desktop.keyboard.press("Tab")
    focused = desktop.evaluate("document.activeElement.textContent")
    assert focused == "跳到正文"
    outline = desktop.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    desktop.keyboard.press("Enter")
    assert desktop.evaluate("document.activeElement.id") == "main"


def test_pages_load_nothing_from_outside_the_site(live_server, phone, site):
    outside = []
    phone.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(live_server.url) and not r.url.startswith("data:")
            else None
        ),
    )
    for path in ["/", f"/policies/{site['document'].pk}/", "/search/?q=电梯"]:
        phone.goto(live_server.url + path)
    assert outside == []
    assert phone.evaluate("document.scripts.length") == 0


def test_english_is_reached_with_the_keyboard_and_passes_axe(live_server, desktop, site):
    desktop.goto(live_server.url + "/")
    for _ in range(15):
        desktop.keyboard.press("Tab")
        if desktop.evaluate("document.activeElement.textContent") == "English":
            break
    assert desktop.evaluate("document.activeElement.getAttribute('lang')") == "en"
    desktop.keyboard.press("Enter")
    desktop.wait_for_load_state()
    assert desktop.locator("html").get_attribute("lang") == "en"
    nav = desktop.get_by_role("navigation", name="Main navigation")
    assert nav.get_by_role("link", name="Government information", exact=True).count() == 1
    screenshot(desktop, "desktop-home-english")
    for path in ["/", "/column/qybs/", "/column/penalties/", f"/policies/{site['document'].pk}/", "/nope/"]:
        desktop.goto(live_server.url + path)
        assert desktop.locator("html").get_attribute("lang") == "en"
        assert not axe_violations(desktop), path
    desktop.get_by_role("button", name="中文").click()
    expect(desktop.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(desktop.get_by_role("link", name="跳到正文")).to_have_count(1)
