"""The business register's record page, its search and the draw verification page in English (ADR
0060): everything but the content is English when the visitor chose English, the content (names,
addresses, the registration authority, decisions) is marked Chinese, and the Chinese pages are
unchanged."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from gongkai.portal import selectors
from gongkai.portal.tests.i18n import chinese_outside_chinese_parts, choose, untranslated
from gongkai.registry.tests.factories import AddressRecord, make_entity

pytestmark = pytest.mark.django_db

ZH = ' lang="zh-Hans"'


@pytest.fixture
def register():
    """A cluster host with a hosted company, a company with a second address, a published inspection
    result and a penalty in its display period, and an individual business."""
    from gongkai.inspections.tests import factories as inspections
    from gongkai.penalties.tests import factories as penalties

    host = make_entity(name="聊城市集群托管商务秘书有限公司", is_cluster_host=True)
    hosted = make_entity(
        name="聊城市托管测试贸易有限公司",
        cluster_host_code=host.credit_code,
        domicile="山东省聊城市东昌府区古楼街道兴华路88号（集群注册）",
    )
    shop = make_entity(name="东昌府区王小明小吃店", entity_type="individual", legal_representative="王小明")
    for i in range(4):
        make_entity(name=f"聊城市第{i}商贸有限公司")
    inspections.officer()
    inspections.officer()
    task = inspections.drawn_task_with_a_published_result(ratios={"*": "30"})
    inspected = task.targets.get(results_published_at__isnull=False).entity
    company = make_entity(
        name="聊城宇源物流有限公司",
        registered_capital=Decimal("500"),
        industry_division="58",
        premises=[AddressRecord(district_code="371521", full_text="山东省聊城市阳谷县狮子楼街道新华路1号")],
    )
    penalties.published(entity=company, at=dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
    return {"host": host, "hosted": hosted, "shop": shop, "inspected": inspected, "company": company}


def test_every_record_page_is_english_but_its_content(client, register):
    choose(client, "en")
    for name, entity in register.items():
        html = client.get(reverse("portal-entity", args=[entity.credit_code])).content.decode()
        assert '<html lang="en"' in html and '<main id="main" class="wrap" tabindex="-1">' in html, name
        assert untranslated(html, [entity.name]) == [], name
        assert f"<title>{entity.name} - " in html and f"<h1{ZH}>{entity.name}</h1>" in html, name


def test_the_english_record_labels_the_licence_and_marks_its_content(client, register):
    company, host, hosted = register["company"], register["host"], register["hosted"]
    choose(client, "en")
    html = client.get(reverse("portal-entity", args=[company.credit_code])).content.decode()
    for text in (
        f"The public registration record and inspection results of {company.name} ({company.credit_code}).",
        f'<a href="/query/entities/">Business register search</a> › <span{ZH}>{company.name}</span></p>',
        '<h2 id="h-licence">Registration details</h2>',
        f"<dt>Name</dt><dd{ZH}>{company.name}</dd>",
        f"<dt>Unified social credit code</dt><dd>{company.credit_code}</dd>",
        "<dt>Type of business</dt><dd>Enterprise</dd>",
        f"<dt>Legal representative (person in charge)</dt><dd{ZH}>张三</dd>",
        "<dt>Registered capital</dt><dd>CNY 5,000,000</dd>",
        "<dt>Date established</dt><dd>2020-05-01</dd>",
        "<dt>Registration status</dt><dd>Active (in business)</dd>",
        f"<dt>Registration authority</dt><dd{ZH}>聊城市东昌府区市场监督管理局</dd>",
        "<dt>Industry</dt><dd>58 Multimodal transport and freight forwarding</dd>",
        f"<dt>Registered address</dt><dd{ZH}>山东省聊城市东昌府区古楼街道兴华路88号</dd>",
        f"<dt>Business premises</dt><dd{ZH}>山东省聊城市阳谷县狮子楼街道新华路1号</dd>",
        "<p>No inspection results have been published.</p>",
        '<th scope="col">Decision number</th>',
        f"<td{ZH}>销售超过保质期的食品</td>",
        "It is for reference only.",
    ):
        assert text in html, text
    html = client.get(reverse("portal-entity", args=[hosted.credit_code])).content.decode()
    link = reverse("portal-entity", args=[host.credit_code])
    assert f'<dt>Cluster registration host</dt><dd{ZH}><a href="{link}">{host.name}</a></dd>' in html
    html = client.get(reverse("portal-entity", args=[host.credit_code])).content.decode()
    assert "<dd>This business is a cluster registration host" in html
    assert "<dt>Businesses hosted</dt><dd>1 business</dd>" in html
    make_entity(name="聊城市托管第二贸易有限公司", cluster_host_code=host.credit_code)
    html = client.get(reverse("portal-entity", args=[host.credit_code])).content.decode()
    assert "<dd>2 businesses</dd>" in html


def test_the_english_record_of_an_individual_business_and_of_an_inspected_one(client, register):
    choose(client, "en")
    html = client.get(reverse("portal-entity", args=[register["shop"].credit_code])).content.decode()
    assert f"<dt>Operator</dt><dd{ZH}>王**</dd>" in html and "<dd>Individual business</dd>" in html
    assert "Registered capital" not in html
    html = client.get(reverse("portal-entity", args=[register["inspected"].credit_code])).content.decode()
    assert '<th scope="col">Items inspected and results</th>' in html
    assert f"<td{ZH}>企业年度报告公示情况检查：未发现问题<br></td>" in html


def test_the_chinese_record_pages_are_unchanged(client, register):
    for name, entity in register.items():
        html = client.get(reverse("portal-entity", args=[entity.credit_code])).content.decode()
        assert '<html lang="zh-Hans"' in html and ZH not in html.partition("<main")[2], name
        assert f"<title>{entity.name} - " in html and f"<h1>{entity.name}</h1>" in html, name
        assert f'<a href="/query/entities/">经营主体查询</a> › {entity.name}</p>' in html, name
    html = client.get(reverse("portal-entity", args=[register["company"].credit_code])).content.decode()
    for text in (
        f"{register['company'].name}（{register['company'].credit_code}）的公示登记信息和抽查结果。",
        "<dt>主体类型</dt><dd>企业</dd>",
        "<dt>注册资本</dt><dd>500 万元</dd>",
        "<dt>登记状态</dt><dd>存续（在营）</dd>",
        "<dt>所属行业</dt><dd>58 多式联运和运输代理业</dd>",
        "<dt>经营场所</dt>",
        "<p>暂无已公示的抽查结果。</p>",
    ):
        assert text in html, text
    html = client.get(reverse("portal-entity", args=[register["host"].credit_code])).content.decode()
    assert "<dt>集群注册</dt><dd>本主体为集群注册托管机构</dd>" in html and "<dd>1 户</dd>" in html


def test_the_english_search_results_show_english_types_and_mark_names(client, register):
    choose(client, "en")
    html = client.get(reverse("portal-entities"), {"q": "小吃店"}).content.decode()
    shop = register["shop"]
    assert f'<td{ZH}><a href="/query/entities/{shop.credit_code}/">{shop.name}</a></td>' in html
    assert "<td>Individual business</td><td>Active (in business)</td>" in html
    assert f"<td{ZH}>东昌府区</td>" in html
    assert chinese_outside_chinese_parts(html.replace("小吃店", "")) == []


def test_the_public_fields_for_the_search_index_stay_chinese_outside_a_request(client, register):
    """The search index and open data read the record's (label, value) pairs in Chinese, the default
    language, whatever an English visitor's request did before."""
    choose(client, "en")
    client.get(reverse("portal-entity", args=[register["company"].credit_code]))
    fields = dict(selectors.public_entity_fields(selectors.public_entity(register["company"].credit_code)))
    assert fields["注册资本"] == "500 万元" and fields["登记状态"] == "存续（在营）"
    with translation.override("en"):
        facts = selectors.public_entity_facts(selectors.public_entity(register["company"].credit_code))
    assert [(f.label, f.content) for f in facts][:3] == [
        ("Name", True),
        ("Unified social credit code", False),
        ("Type of business", False),
    ]


def test_registered_capital_in_both_languages():
    assert selectors.registered_capital_text(Decimal("12.3456")) == "12.3456 万元"
    with translation.override("en"):
        assert selectors.registered_capital_text(Decimal("12.3456")) == "CNY 123,456"
        assert selectors.registered_capital_text(Decimal("0.5000")) == "CNY 5,000"
        assert selectors.registered_capital_text(Decimal("1000")) == "CNY 10,000,000"


def test_the_draw_verification_page_in_both_languages(client, register):
    html = client.get(reverse("portal-verify-draw")).content.decode()
    assert "<h1>摇号验证</h1>" in html and "（只需要 Python 3 标准库）；" in html
    assert ZH not in html.partition("<main")[2]
    choose(client, "en")
    html = client.get(reverse("portal-verify-draw")).content.decode()
    assert '<main id="main" class="wrap" tabindex="-1">' in html and "<h1>Verify a draw</h1>" in html
    assert '<a href="/inspections/verifier/gongkai_draw.py">verifier, gongkai_draw.py</a>' in html
    assert "<code>python3 gongkai_draw.py verify TASK-NUMBER.bundle.json</code>" in html
    assert "<h2>Tasks drawn so far</h2>" in html and f"<li{ZH}><a href=" in html
    assert chinese_outside_chinese_parts(html) == []
