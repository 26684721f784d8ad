"""Staff, account and public pages of 政策找人、免申即享, end to end through the browser-facing views."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from gongkai.policies import accounts, services
from gongkai.policies.choices import CaseState
from gongkai.policies.models import Account, Case, Determination, PolicyVersion
from gongkai.policies.tests import factories
from gongkai.registry.tests.factories import make_entity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_today")]

TODAY = dt.datetime(2026, 6, 30, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _firm(**values):
    entity = make_entity()
    b = services.beneficiary_for_entity(entity)
    if values:
        services.facts_apply(
            actor="t", rows=[(b, values)], as_of=dt.date(2026, 5, 31), source="工信", origin="import"
        )
    return entity, b


def _account(client, beneficiary, email):
    invitation, token = accounts.invitation_create(actor="staff", beneficiary=beneficiary, email=email)
    response = client.post(
        reverse("account-invitation", args=[token]),
        {"password1": "Liaocheng-2026!x", "password2": "Liaocheng-2026!x"},
    )
    assert response.status_code == 302
    return Account.objects.get(email=email)


def test_an_officer_writes_a_rule_file_and_a_reviewer_approves_it_from_the_chinese_table(client):
    _firm(recognitions=["国家级专精特新小巨人"], tax_credit_rating="A")
    author, approver = factories.officer(), factories.reviewer()
    client.force_login(author)
    bad = factories.little_giant().replace("penalties_last_year == 0", "penalty == 0")
    response = client.post(reverse("staff-policy-new"), {"text": bad})
    assert response.status_code == 200
    assert "未知的数据项“penalty”" in response.content.decode() and not PolicyVersion.objects.exists()
    response = client.post(reverse("staff-policy-new"), {"text": factories.little_giant()})
    version = PolicyVersion.objects.get()
    assert response["Location"] == reverse("staff-policy-version", args=["little-giant", version.pk])
    client.post(response["Location"], {"action": "submit"})
    client.force_login(approver)
    page = client.get(reverse("staff-policy-version", args=["little-giant", version.pk])).content.decode()
    assert "条款 → 条件 → 数据来源" in page
    assert "纳税信用等级为“A”、“B”之一" in page and "纳税信用等级（税务）" in page
    client.post(reverse("staff-policy-version", args=["little-giant", version.pk]), {"action": "approve"})
    version.refresh_from_db()
    assert version.state == "published" and Case.objects.count() == 1
    overview = client.get(reverse("staff-policies"))
    assert overview.status_code == 200


def test_the_officer_who_wrote_a_rule_cannot_approve_it(client):
    author = factories.officer()
    client.force_login(author)
    client.post(reverse("staff-policy-new"), {"text": factories.little_giant()})
    version = PolicyVersion.objects.get()
    url = reverse("staff-policy-version", args=["little-giant", version.pk])
    client.post(url, {"action": "submit"})
    assert not client.get(url).context["can_review"]
    response = client.post(url, {"action": "approve"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.state != "published" and not Case.objects.exists()


def test_a_firm_logs_in_reads_why_it_qualifies_confirms_once_and_is_paid(client):
    entity, b = _firm(recognitions=["国家级专精特新小巨人"], tax_credit_rating="A")
    factories.published(factories.little_giant())
    _account(client, b, "boss@example.com")
    client.logout()
    response = client.post(
        reverse("account-login"), {"username": "boss@example.com", "password": "Liaocheng-2026!x"}
    )
    assert response.status_code == 302
    home = client.get(reverse("account-home")).content.decode()
    assert "符合条件" in home and "200万元" in home
    page = client.get(reverse("account-policy", args=["little-giant"])).content.decode()
    assert "✔ 近一年未受行政处罚：您的近一年行政处罚为0次，要求为0次（来源：行政处罚信息公示" in page
    response = client.post(
        reverse("account-confirm", args=["little-giant"]),
        {
            "bank_account_name": entity.name,
            "bank_account": "6222000011112222",
            "bank_name": "聊城农商银行",
            "pledge": "on",
        },
    )
    case = Case.objects.get(beneficiary=b)
    assert case.state == CaseState.CONFIRMED
    staff = factories.officer()
    client.force_login(staff)
    client.post(reverse("staff-policy-case", args=[case.pk]), {"action": "approve"})
    client.post(
        reverse("staff-policy-case", args=[case.pk]),
        {"action": "pay", "paid_on": "2026-07-01", "reference": "GK-1"},
    )
    case.refresh_from_db()
    assert case.state == CaseState.PAID and case.payment.amount == 2000000
    assert any("已拨付" in m.subject for m in mail.outbox)


def test_a_firm_lacking_one_fact_is_asked_for_exactly_that_fact(client):
    entity, b = _firm(recognitions=["国家级专精特新小巨人"])
    factories.published(factories.little_giant())
    _account(client, b, "cfo@example.com")
    page = client.get(reverse("account-policy", args=["little-giant"])).content.decode()
    assert "请补充：纳税信用等级" in page
    form = re.search(
        r'<form method="post" action="/my/policies/little-giant/supply/">(.*?)</form>', page, re.S
    ).group(1)
    assert re.findall(r'name="(\w+)"', form) == ["csrfmiddlewaretoken", "tax_credit_rating"]
    client.post(reverse("account-supply", args=["little-giant"]), {"tax_credit_rating": "B"})
    assert Determination.objects.get(beneficiary=b, current=True).status == "eligible"
    assert Case.objects.get(beneficiary=b).state == CaseState.NOTIFIED


def test_a_beneficiary_sees_only_its_own_matches(client):
    e1, b1 = _firm(recognitions=["国家级专精特新小巨人"], tax_credit_rating="A")
    e2, b2 = _firm(recognitions=["国家级专精特新小巨人"], tax_credit_rating="B")
    factories.published(factories.little_giant())
    _account(client, b1, "one@example.com")
    pages = [
        client.get(reverse(n, args=a)).content.decode()
        for n, a in (("account-home", []), ("account-policy", ["little-giant"]), ("account-inbox", []))
    ]
    for page in pages:
        assert e2.name not in page and e2.credit_code not in page
        assert "纳税信用等级为B" not in page
    # another beneficiary's case cannot be confirmed from this account
    client.post(
        reverse("account-confirm", args=["little-giant"]),
        {"pledge": "on", "bank_account_name": "x", "bank_account": "1", "bank_name": "y"},
    )
    assert Case.objects.get(beneficiary=b2).state == CaseState.NOTIFIED


def test_staff_and_anonymous_users_cannot_use_the_account_area(client):
    response = client.get(reverse("account-home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account-login"))
    client.force_login(factories.officer())
    assert client.get(reverse("account-home")).status_code == 302


def test_a_staff_login_is_refused_on_the_account_login(client):
    factories.user("clerk")
    response = client.post(
        reverse("account-login"), {"username": "clerk", "password": "correct-horse-battery"}
    )
    assert response.status_code == 200 and "不是企业或人才账户" in response.content.decode()


def test_account_logins_are_throttled(client, settings):
    _, b = _firm()
    _account(client, b, "slow@example.com")
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("account-login"), {"username": "slow@example.com", "password": "wrong"})
    response = client.post(
        reverse("account-login"), {"username": "slow@example.com", "password": "Liaocheng-2026!x"}
    )
    assert response.status_code == 429


def test_talent_id_numbers_never_appear_on_any_page(client):
    number = factories.id_number("19990101")
    person = services.person_save(
        actor="t", id_number=number, values={"name": "陈思", "education": "博士研究生"}
    )
    services.facts_apply(
        actor="t",
        rows=[(person.beneficiary, {"social_insurance_months": 12})],
        as_of=dt.date(2026, 5, 31),
        source="人社/社保",
        origin="import",
    )
    factories.published(factories.talent(), requires_publicity=True)
    staff = factories.officer()
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    urls = [
        reverse("staff-policy-persons"),
        reverse("staff-policy-beneficiary", args=[person.beneficiary.pk]),
        reverse("staff-policy-person-edit", args=[person.pk]),
        reverse("staff-policy-case", args=[Case.objects.get().pk]),
        reverse("staff-audit"),
        reverse("staff-policy-near-miss", args=["talent-allowance"]),
    ]
    pages = {url: client.get(url) for url in urls}
    _account(client, person.beneficiary, "chen@example.com")
    pages["account"] = client.get(reverse("account-policy", args=["talent-allowance"]))
    client.logout()
    pages["public"] = client.get(reverse("public-benefit", args=["talent-allowance"]))
    for url, response in pages.items():
        assert response.status_code == 200, url
        text = response.content.decode()
        assert number not in text and number[:14] not in text, url
    assert "陈思" in pages["public"].content.decode()  # 公示 names the talent, nothing more


def test_the_public_page_shows_counts_and_amounts_but_no_names(client):
    entity, b = _firm(recognitions=["国家级专精特新小巨人"], tax_credit_rating="A")
    factories.published(factories.little_giant())
    case = Case.objects.get()
    from gongkai.policies import workflow

    case = workflow.case_confirm(
        actor="f", case=case, pledge=True, bank_account_name="x", bank_account="1", bank_name="y"
    )
    workflow.case_pay(
        actor="c",
        case=workflow.case_approve(actor="r", case=case),
        paid_on=dt.date(2026, 7, 1),
        reference="R",
    )
    index = client.get(reverse("public-benefits")).content.decode()
    page = client.get(reverse("public-benefit", args=["little-giant"])).content.decode()
    assert "200万元" in page and "近一年未受行政处罚" in page
    for text in (index, page):
        assert entity.name not in text and entity.credit_code not in text
    assert client.get(reverse("public-benefit", args=["nope"])).status_code == 404


def test_a_fact_file_is_imported_from_the_page(client, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    entity, b = _firm(recognitions=["国家级专精特新小巨人"])
    factories.published(factories.little_giant())
    client.force_login(factories.officer())
    path = tmp_path / "tax.csv"
    path.write_text(f"统一社会信用代码,纳税信用等级\n{entity.credit_code},A\n", encoding="utf-8")
    with path.open("rb") as fh:
        response = client.post(
            reverse("staff-policy-facts"), {"file": fh, "source": "税务", "as_of": "2026-05-31"}
        )
    assert response.status_code == 302
    assert Case.objects.get(beneficiary=b).state == CaseState.NOTIFIED
    page = client.get(reverse("staff-policy-facts")).content.decode()
    assert "tax.csv" in page


def test_list_pages_use_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for _ in range(5):
        _firm(recognitions=["国家级专精特新小巨人"], tax_credit_rating="A")
    factories.published(factories.little_giant())
    client.force_login(factories.officer())
    with django_assert_max_num_queries(25):
        assert client.get(reverse("staff-policy-cases", args=["little-giant"])).status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get(reverse("staff-policies")).status_code == 200


class FakeLicenceProvider:
    """A stand-in for 电子营业执照: it vouches for whoever the test says."""

    slug = "licence"
    label = "电子营业执照登录"
    next_assertion = None

    def start(self, request, next_url):
        from django.shortcuts import redirect

        return redirect(next_url)

    def finish(self, request):
        return FakeLicenceProvider.next_assertion


def test_an_identity_provider_plugs_into_the_account_login(client, settings):
    settings.GONGKAI_IDENTITY_PROVIDERS = ["gongkai.policies.tests.test_views.FakeLicenceProvider"]
    entity, b = _firm(recognitions=["国家级专精特新小巨人"], tax_credit_rating="A")
    factories.published(factories.little_giant())
    assert "电子营业执照登录" in client.get(reverse("account-login")).content.decode()
    FakeLicenceProvider.next_assertion = accounts.Assertion("licence", "subject-1", entity.credit_code)
    response = client.get(reverse("account-external-start", args=["licence"]), follow=True)
    assert response.status_code == 200 and entity.name in response.content.decode()
    client.logout()
    client.get(reverse("account-external-finish", args=["licence"]))  # the same identity again
    assert Account.objects.filter(beneficiary=b).count() == 1
    FakeLicenceProvider.next_assertion = accounts.Assertion("licence", "subject-1", "91371500MA3C00000X")
    client.logout()
    response = client.get(reverse("account-external-finish", args=["licence"]), follow=True)
    assert "已关联其他主体" in response.content.decode()


def test_a_stale_value_behind_a_result_is_flagged(client):
    entity, b = _firm(recognitions=["国家级专精特新小巨人"])
    services.facts_apply(
        actor="t",
        rows=[(b, {"tax_credit_rating": "A"})],
        as_of=dt.date(2025, 1, 31),
        source="税务",
        origin="import",
    )
    factories.published(factories.little_giant())
    _account(client, b, "old@example.com")
    page = client.get(reverse("account-policy", args=["little-giant"])).content.decode()
    assert "可能已过期" in page and "纳税信用等级（截至2025-01-31）" in page
