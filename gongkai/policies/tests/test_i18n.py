"""The public pages of 政策找人、免申即享 and the enterprise and talent accounts in English (ADR 0060):
English words around the Chinese content (titles, fact labels, sources, names) marked lang="zh-Hans",
English labels and error messages on the forms, and the Chinese pages unchanged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from gongkai.policies import accounts, services
from gongkai.policies.models import Account, Case
from gongkai.policies.tests import factories
from gongkai.portal.tests.i18n import chinese_outside_chinese_parts, choose
from gongkai.registry.tests.factories import make_entity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_today")]

TODAY = dt.datetime(2026, 6, 30, 10, 0, tzinfo=dt.UTC)
PASSWORD = "Liaocheng-2026!x"
FIRM = "聊城宇源物流有限公司"
DEPARTMENT = "聊城市工业和信息化局"
ZH = '<span lang="zh-Hans">{}</span>'.format


@pytest.fixture
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _firm(name: str = FIRM, **values):
    entity = make_entity(name=name)
    b = services.beneficiary_for_entity(entity)
    if values:
        services.facts_apply(
            actor="t", rows=[(b, values)], as_of=dt.date(2026, 5, 31), source="工信", origin="import"
        )
    return entity, b


def _signed_in(client, beneficiary, email: str, language: str = "en"):
    """Open the beneficiary's account (through the invitation page) and choose the page language."""
    choose(client, language)
    invitation, token = accounts.invitation_create(actor="staff", beneficiary=beneficiary, email=email)
    response = client.post(
        reverse("account-invitation", args=[token]), {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    return Account.objects.get(email=email)


def english(response) -> str:
    """An English page with no Chinese outside the parts marked as Chinese content."""
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    # A document title cannot mark the Chinese policy title inside it; the subscription link's title
    # is the open-data feed's own (gongkai/opendata).
    checked = re.sub(r"<title>.*?</title>|<link rel=\"alternate\"[^>]*>", "", html, flags=re.S)
    assert chinese_outside_chinese_parts(checked) == []
    return html


def chinese(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hans"' in html
    return html


# --- the public pages -----------------------------------------------------------------------------


def _public_policies():
    entity, b = _firm(recognitions=["国家级专精特新小巨人"], tax_credit_rating="A")
    factories.published(
        factories.little_giant(),
        department=DEPARTMENT,
        period_kind="year",
        stacking_group="专精特新奖励",
        requires_publicity=True,
        summary="对认定为国家级专精特新“小巨人”的企业给予一次性奖励。",
    )
    text = factories.rd_subsidy().replace(
        "valid_from: 2026-01-01", "valid_from: 2026-01-01\nvalid_to: 2027-12-31"
    )
    factories.published(text)
    return entity


def test_the_public_list_of_policies_in_english(client):
    _public_policies()
    url = reverse("public-benefits")
    html = chinese(client.get(url))
    assert "<h1>政策找人、免申即享</h1>" in html and "<td>免申即享</td><td>市场主体</td>" in html
    choose(client, "en")
    html = english(client.get(url))
    assert "<h1>Support that finds you: no application needed</h1>" in html
    assert '<a href="/my/">sign in to their account</a>' in html
    assert (
        '<a href="/benefits/little-giant/" lang="zh-Hans">国家级专精特新&quot;小巨人&quot;企业一次性奖励</a>'
        in html
    )
    assert "<td>No application needed</td><td>Businesses</td>" in html
    assert "<td>Short application</td>" in html and "<td>0 yuan</td>" in html


def test_a_policy_page_in_english_with_its_conditions_and_publicity_list(client):
    _public_policies()
    url = reverse("public-benefit", args=["little-giant"])
    html = chinese(client.get(url))
    assert "<dd>免申即享：符合条件的对象由平台主动通知，确认后兑现，无需申请</dd>" in html
    assert "<dd>资金扶持（每年度；与同类政策就高不重复）</dd>" in html
    assert "<dd>2026年1月1日起长期有效</dd>" in html
    assert f"可在公示期内向{DEPARTMENT}反映。" in html and f"<li>{FIRM}</li>" in html
    choose(client, "en")
    html = english(client.get(url))
    assert '<h1 lang="zh-Hans">国家级专精特新&quot;小巨人&quot;企业一次性奖励</h1>' in html
    assert "<dt>How it is delivered</dt><dd>No application needed: we tell those who qualify;" in html
    assert (
        "<dd>Funding (once a year; not combined with similar schemes: you receive only the highest)</dd>"
        in html
    )
    assert "<dt>In force</dt><dd>From 1 January 2026, with no end date</dd>" in html
    assert '<ol lang="zh-Hans"><li>认定为国家级专精特新&quot;小巨人&quot;企业</li>' in html
    assert '<h2>About this scheme</h2><div lang="zh-Hans">' in html
    assert f"If you object to the list, tell {ZH(DEPARTMENT)} during the publication period." in html
    assert f'<li lang="zh-Hans">{FIRM}</li>' in html

    html = english(client.get(reverse("public-benefit", args=["rd-subsidy"])))
    assert "paid within 60 working days of confirmation" in html
    assert "<dd>From 1 January 2026 to 31 December 2027</dd>" in html
    assert "<dd>Funding (one-off)</dd>" in html
    choose(client, "zh-hans")
    html = chinese(client.get(reverse("public-benefit", args=["rd-subsidy"])))
    assert "<dd>2026年1月1日起至2027年12月31日</dd>" in html and "确认后60个工作日内兑现" in html


# --- logging in and opening an account ------------------------------------------------------------


def test_the_account_login_in_english_with_english_errors(client):
    factories.user("clerk")
    choose(client, "en")
    url = reverse("account-login")
    html = english(client.get(url))
    assert "<h1>Sign in: businesses and professionals</h1>" in html
    assert (
        '<label for="id_username">Username:</label>' in html
        and '<label for="id_password">Password:</label>' in html
    )
    assert '<a href="/staff/login/">staff sign-in</a>' in html
    html = english(client.post(url, {"username": "nobody@example.com", "password": "wrong"}))
    assert "Please enter a correct username and password." in html
    html = english(client.post(url, {"username": "clerk", "password": "correct-horse-battery"}))
    assert "This is not a business or professional account." in html


def test_opening_an_account_in_english_with_english_errors(client):
    _, b = _firm()
    invitation, token = accounts.invitation_create(actor="staff", beneficiary=b, email="new@example.com")
    url = reverse("account-invitation", args=[token])
    assert f"为“{FIRM}”开通账户，登录名为 new@example.com。" in chinese(client.get(url))
    choose(client, "en")
    html = english(client.get(url))
    assert f"You are opening an account for “{ZH(FIRM)}”. Your sign-in name is new@example.com." in html
    assert '<label for="id_password1">Choose a password:</label>' in html
    html = english(client.post(url, {"password1": PASSWORD, "password2": PASSWORD + "?"}))
    assert "The two passwords do not match" in html
    html = english(client.post(url, {"password1": "short", "password2": "short"}))
    assert "This password is too short." in html
    response = client.get(reverse("account-invitation", args=["no-such-token"]))
    assert response.status_code == 404
    assert "This invitation link is not valid or has expired." in response.content.decode()


# --- the account pages ------------------------------------------------------------------------------


def test_the_account_home_inbox_and_policy_page_in_english(client):
    _, b = _firm(recognitions=["国家级专精特新小巨人"], tax_credit_rating="A")
    factories.published(factories.little_giant())
    _signed_in(client, b, "boss@example.com")

    html = english(client.get(reverse("account-home")))
    assert '<li class="success">Your account is open</li>' in html
    assert f"<h1>{ZH(FIRM)}: my support</h1>" in html and "Messages (1 unread)" in html
    assert "<td>Eligible</td><td>2,000,000 yuan</td>" in html and ">See why</a>" in html
    assert "<td>One-off</td><td>2,000,000 yuan</td><td>Notified</td>" in html

    html = english(client.get(reverse("account-inbox")))
    assert "<h1>Messages</h1>" in html and '<p lang="zh-Hans">经数据比对' in html and ">View</a>" in html

    html = english(client.get(reverse("account-policy", args=["little-giant"])))
    title = ZH("国家级专精特新&quot;小巨人&quot;企业一次性奖励")
    assert "<p>No application needed · version 1 · " in html
    assert f"<strong>{title}: you qualify for 2,000,000 yuan</strong>" in html
    assert (
        f"<li>✔ {ZH('近一年未受行政处罚')}: your {ZH('近一年行政处罚')} is 0 times; required: 0 times"
        f" (source: {ZH('行政处罚信息公示')}, as of 2026-06-30)</li>"
    ) in html
    assert (
        f"your {ZH('纳税信用等级')} is A; required: one of “A”, “B” (source: {ZH('工信')}, as of 2026-05-31)"
        in html
    )
    assert f"required: includes “{ZH('国家级专精特新小巨人')}”" in html
    assert "Status: <strong>Notified</strong> · amount 2,000,000 yuan · Confirm by 2026-" in html
    assert '<label for="id_bank_account">Account number:</label>' in html
    assert (
        '<option value="tax_credit_rating" lang="zh-Hans">纳税信用等级（tax_credit_rating）</option>' in html
    )
    assert ">Report wrong data</button>" in html and ">Decline</button>" in html

    choose(client, "zh-hans")
    html = chinese(client.get(reverse("account-policy", args=["little-giant"])))
    assert (
        "<li>✔ 近一年未受行政处罚：您的近一年行政处罚为0次，要求为0次（来源：行政处罚信息公示，截至2026-06-30）</li>"
        in html
    )
    assert "状态：<strong>已通知</strong> · 金额 200万元 · 确认期限 2026-" in html
    assert '<label for="id_bank_account">收款账号:</label>' in html


def test_confirming_and_disputing_in_english_give_english_errors(client):
    _, b = _firm(recognitions=["国家级专精特新小巨人"], tax_credit_rating="A")
    factories.published(factories.little_giant())
    _signed_in(client, b, "boss@example.com")
    confirm = reverse("account-confirm", args=["little-giant"])
    bank = {"bank_account_name": FIRM, "bank_account": "6222 0000", "bank_name": "聊城农商银行"}

    html = english(client.post(confirm, bank, follow=True))
    assert "Please check the bank account and tick the declaration" in html
    html = english(client.post(confirm, {**bank, "bank_account": "abc", "pledge": "on"}, follow=True))
    assert "The account number must contain only digits" in html
    html = english(client.post(reverse("account-dispute", args=["little-giant"]), {}, follow=True))
    assert "Please choose the data that is wrong and give the correct value and the reason" in html

    html = english(client.post(confirm, {**bank, "pledge": "on"}, follow=True))
    assert "Confirmed. The payment will now be approved and made" in html
    assert "Status: <strong>Confirmed</strong>" in html and "Payment due by 2026-" in html
    assert Case.objects.get(beneficiary=b).state == "confirmed"
    html = english(client.post(confirm, {**bank, "pledge": "on"}, follow=True))
    assert "This case is “Confirmed”; this can only be done when it is “Notified”" in html

    dispute = {"fact": "tax_credit_rating", "claimed": "B", "reason": "税务局已更正"}
    html = english(client.post(reverse("account-dispute", args=["little-giant"]), dispute, follow=True))
    assert "Your report has been sent." in html and "<strong>Disputed</strong>" in html


def test_the_short_application_form_in_english(client):
    _, b = _firm(recognitions=["科技型中小企业"])
    factories.published(factories.rd_subsidy())
    _signed_in(client, b, "cfo@example.com")
    url = reverse("account-policy", args=["rd-subsidy"])
    html = english(client.get(url))
    title = ZH("企业研发投入后补助")
    assert (
        f"<strong>{title}: some data is missing, so we cannot decide yet. Please supply: "
        f"{ZH('上年度研发费用占营业收入比例')}, {ZH('纳税信用等级')}</strong>"
    ) in html
    assert (
        f"<li>? {ZH('纳税信用等级为A级或B级')}: we do not have your “{ZH('纳税信用等级')}”;"
        f" please supply the missing data (source: {ZH('税务')})</li>"
    ) in html
    assert (
        f"your {ZH('上年度营业收入')} is not known, {ZH('资质认定')} is {ZH('科技型中小企业')}; required:"
        f" {ZH('上年度营业收入')} at least 20,000,000 yuan or {ZH('资质认定')} includes “{ZH('科技型中小企业')}”"
    ) in html
    assert "(6 full years by 2026-06-30); required: at least 1 year (source: " in html
    assert "<h2>Short application: please supply this data</h2>" in html
    assert f'<label for="id_rd_expense_ratio">{ZH("上年度研发费用占营业收入比例")} (%):</label>' in html
    assert f'<label for="id_tax_credit_rating">{ZH("纳税信用等级")}:</label>' in html

    supply = reverse("account-supply", args=["rd-subsidy"])
    html = english(client.post(supply, {"rd_expense_ratio": "many", "tax_credit_rating": "A"}, follow=True))
    assert "Please fill in all the missing data" in html
    html = english(client.post(supply, {"rd_expense_ratio": "6.5", "tax_credit_rating": "A"}, follow=True))
    assert "Thank you: your data has been added and we have checked again" in html
    assert (
        f"<strong>{title}: you qualify; the amount will be set once the missing data is supplied</strong>"
        in html
    )
    assert f"is 6.5%; required: at least 5% (source: {ZH('申请人填报')}, as of 2026-06-30)" in html

    choose(client, "zh-hans")
    html = chinese(client.get(url))
    assert "您的上年度研发费用占营业收入比例为6.5%，要求不低于5%（来源：申请人填报，截至2026-06-30）" in html


def test_stale_data_is_flagged_in_english(client):
    _, b = _firm(recognitions=["国家级专精特新小巨人"])
    services.facts_apply(
        actor="t",
        rows=[(b, {"tax_credit_rating": "A"})],
        as_of=dt.date(2025, 1, 31),
        source="税务",
        origin="import",
    )
    factories.published(factories.little_giant())
    _signed_in(client, b, "old@example.com")
    html = english(client.get(reverse("account-policy", args=["little-giant"])))
    assert "⚠ This data may be out of date; we will check again automatically" in html
    assert f"{ZH('纳税信用等级')} (as of 2025-01-31)" in html


def test_a_talent_reads_why_in_english(client):
    person = services.person_save(
        actor="t",
        id_number=factories.id_number("19950315"),
        values={"name": "陈思", "education": "博士研究生"},
    )
    services.facts_apply(
        actor="t",
        rows=[(person.beneficiary, {"social_insurance_months": 12})],
        as_of=dt.date(2026, 5, 31),
        source="人社/社保",
        origin="import",
    )
    factories.published(factories.talent())
    _signed_in(client, person.beneficiary, "chen@example.com")
    html = english(client.get(reverse("account-policy", args=["talent-allowance"])))
    assert f"<strong>{ZH('青年人才来聊生活补贴')}: you qualify for 36,000 yuan</strong>" in html
    assert "(31 full years by 2026-06-30); required: less than 35 years" in html
    assert f"required: one of “{ZH('硕士研究生')}”, “{ZH('博士研究生')}”" in html
    assert f"your {ZH('本地社保缴纳')} is 12 months; required: at least 6 months" in html
    html = english(client.get(reverse("account-home")))
    assert f"<h1>{ZH('陈思')}: my support</h1>" in html
