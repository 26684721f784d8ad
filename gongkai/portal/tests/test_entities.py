"""经营主体查询: the public record shows the licence, addresses, host and published results — nothing internal."""

import datetime as dt

import pytest
from django.urls import reverse

from gongkai.portal import selectors
from gongkai.registry.tests.factories import AddressRecord, make_entity

pytestmark = pytest.mark.django_db

PRIVATE = ["信用风险", "D类", "风险分类", "13912345678", "李联络", "联系电话", "联络人"]


@pytest.fixture
def entities():
    host = make_entity(name="聊城市集群托管商务秘书有限公司", is_cluster_host=True)
    company = make_entity(
        name="聊城宇源物流有限公司",
        credit_risk_class="D",
        credit_risk_date=dt.date(2025, 1, 1),
        contact_name="李联络",
        contact_phone="13912345678",
        premises=[AddressRecord(district_code="371521", full_text="山东省聊城市阳谷县狮子楼街道新华路1号")],
    )
    hosted = make_entity(
        name="聊城市托管测试贸易有限公司",
        cluster_host_code=host.credit_code,
        domicile="山东省聊城市东昌府区古楼街道兴华路88号（集群注册）",
    )
    return host, company, hosted


def test_lookup_by_partial_name_full_code_and_code_prefix(client, entities):
    _host, company, _ = entities
    for q in ["宇源物流", company.credit_code, company.credit_code.lower(), company.credit_code[:10]]:
        html = client.get(reverse("portal-entities"), {"q": q}).content.decode()
        assert company.name in html, q
    html = client.get(reverse("portal-entities"), {"q": "不存在的公司"}).content.decode()
    assert "没有找到" in html


def test_a_hosted_entity_links_to_its_cluster_host(client, entities):
    host, _company, hosted = entities
    html = client.get(reverse("portal-entity", args=[hosted.credit_code])).content.decode()
    assert "集群注册托管机构" in html and reverse("portal-entity", args=[host.credit_code]) in html
    html = client.get(reverse("portal-entity", args=[host.credit_code])).content.decode()
    assert "托管的经营主体" in html and "1 户" in html


def test_public_record_shows_licence_and_every_address_but_nothing_internal(client, entities):
    _host, company, _ = entities
    html = client.get(reverse("portal-entity", args=[company.credit_code])).content.decode()
    assert "聊城宇源物流有限公司" in html and company.credit_code in html
    assert "兴华路88号" in html and "新华路1号" in html and "经营场所" in html
    for word in PRIVATE:
        assert word not in html, word


def test_public_fields_never_include_private_model_fields(entities):
    _host, company, _ = entities
    values = " ".join(v for _, v in selectors.public_entity_fields(company))
    assert (
        "13912345678" not in values
        and "李联络" not in values
        and "D" not in values.replace(company.credit_code, "")
    )
    assert set(selectors.PRIVATE_FIELDS).isdisjoint(selectors.PUBLIC_FIELDS)


def test_an_individual_business_shows_the_operator_masked_and_no_capital(client):
    shop = make_entity(
        name="东昌府区王小明小吃店",
        entity_type="individual",
        legal_representative="王小明",
        contact_phone="13912345678",
    )
    html = client.get(reverse("portal-entity", args=[shop.credit_code])).content.decode()
    assert "王**" in html and "王小明小吃店" in html
    assert "经营者" in html and "注册资本" not in html and "13912345678" not in html


def test_search_snippets_never_show_private_data(client, entities):
    from django.core.management import call_command

    call_command("reindex", "--type", "entity")
    for q in ["13912345678", "李联络"]:
        html = client.get(reverse("public-search"), {"q": q}).content.decode()
        assert "没有找到" in html, q
    html = client.get(reverse("public-search"), {"q": "宇源物流"}).content.decode()
    assert "聊城<mark>宇源物流</mark>有限公司" in html
    for word in PRIVATE:
        assert word not in html


def test_unknown_code_is_a_friendly_404(client):
    response = client.get(reverse("portal-entity", args=["91371500MA0000000X"]))
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_lookup_and_record_pages_have_bounded_query_counts(client, entities, django_assert_max_num_queries):
    _host, company, _ = entities
    with django_assert_max_num_queries(3):
        client.get(reverse("portal-entities"), {"q": "有限公司"})
    with django_assert_max_num_queries(10):
        client.get(reverse("portal-entity", args=[company.credit_code]))
