"""E-mail alerts: double opt-in, one-click unsubscribe, the scheduled send, and abuse limits."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from gongkai.opendata import services
from gongkai.opendata.choices import SubscriptionState
from gongkai.opendata.models import Subscription
from gongkai.penalties.tests import factories as pf

pytestmark = pytest.mark.django_db

EMAIL = "reader.li@example.com"
LIST = "/penalties/?district=371502"


def _link(message, kind: str) -> str:
    found = re.search(rf"https://gongkai\.example\.cn(/open-data/{kind}/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def _subscribe(client, email=EMAIL, url=LIST, **extra):
    return client.post("/open-data/subscribe/", {"email": email, "url": url, "website": "", **extra})


def _confirmed(client) -> Subscription:
    _subscribe(client)
    client.get(_link(mail.outbox[-1], "confirm"))
    return Subscription.objects.get()


def test_subscribing_sends_a_confirmation_and_nothing_is_sent_before_it_is_confirmed(client):
    response = _subscribe(client)
    assert response.status_code == 200 and "请查收确认邮件" in response.content.decode()
    sub = Subscription.objects.get()
    assert sub.state == SubscriptionState.PENDING and sub.url == LIST
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [EMAIL]
    assert "行政处罚公示" in mail.outbox[0].subject
    pf.published(at=timezone.localtime(), district_id="371502")
    assert services.alerts_send().mailed == 0  # not confirmed: nothing
    assert len(mail.outbox) == 1


def test_the_confirmation_link_activates_the_subscription(client):
    _subscribe(client)
    response = client.get(_link(mail.outbox[0], "confirm"))
    assert response.status_code == 200 and "订阅成功" in response.content.decode()
    sub = Subscription.objects.get()
    assert sub.state == SubscriptionState.ACTIVE and sub.watermark is not None


def test_send_alerts_mails_new_items_once_with_a_one_click_unsubscribe(client):
    sub = _confirmed(client)
    start = timezone.localtime()
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        new = pf.published(at=start + dt.timedelta(minutes=5), district_id="371502")
        other = pf.published(at=start + dt.timedelta(minutes=5), district_id="371521")
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        call_command("send_alerts")
    alert = mail.outbox[-1]
    assert alert.to == [EMAIL] and "1 条新信息" in alert.subject
    assert new.number in alert.body and other.number not in alert.body
    unsubscribe = _link(alert, "unsubscribe")
    assert alert.extra_headers["List-Unsubscribe"] == f"<https://gongkai.example.cn{unsubscribe}>"
    assert alert.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    sub.refresh_from_db()
    assert sub.sent_count == 1
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        assert services.alerts_send().mailed == 0  # nothing new since
    assert len(mail.outbox) == 2


def test_one_click_unsubscribe_stops_the_mails(client):
    from django.test import Client

    _confirmed(client)
    start = timezone.localtime()
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        pf.published(at=start + dt.timedelta(minutes=5), district_id="371502")
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        services.alerts_send()
    link = _link(mail.outbox[-1], "unsubscribe")
    page = client.get(link)
    assert page.status_code == 200 and "确认退订" in page.content.decode()
    assert Subscription.objects.get().state == SubscriptionState.ACTIVE  # a GET changes nothing
    # RFC 8058: the mail client POSTs without a session or CSRF token.
    response = Client(enforce_csrf_checks=True).post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "已退订" in response.content.decode()
    assert Subscription.objects.get().state == SubscriptionState.UNSUBSCRIBED
    with time_machine.travel(start + dt.timedelta(minutes=8), tick=False):
        pf.published(at=start + dt.timedelta(minutes=8), district_id="371502")
    with time_machine.travel(start + dt.timedelta(minutes=9), tick=False):
        assert services.alerts_send().mailed == 0


def test_subscribing_again_to_an_active_list_sends_nothing_and_answers_the_same(client):
    _confirmed(client)
    before = len(mail.outbox)
    response = _subscribe(client)
    assert response.status_code == 200 and "请查收确认邮件" in response.content.decode()
    assert len(mail.outbox) == before


@pytest.mark.parametrize(
    ("token_of", "message"),
    [
        (lambda t: t + "x", "确认链接无效：请检查是否完整复制了邮件中的链接"),
        (lambda t: "not-a-token", "确认链接无效"),
    ],
)
def test_a_bad_confirmation_token_is_refused(client, token_of, message):
    _subscribe(client)
    token = _link(mail.outbox[0], "confirm").split("/")[-2]
    response = client.get(f"/open-data/confirm/{token_of(token)}/")
    assert response.status_code == 400 and message in response.content.decode()
    assert Subscription.objects.get().state == SubscriptionState.PENDING


def test_an_expired_confirmation_token_is_refused(client):
    _subscribe(client)
    link = _link(mail.outbox[0], "confirm")
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        response = client.get(link)
    assert response.status_code == 400 and "确认链接已过期（有效期 7 天）" in response.content.decode()
    assert Subscription.objects.get().state == SubscriptionState.PENDING


def test_a_confirmation_token_cannot_unsubscribe_and_a_bad_unsubscribe_token_is_refused(client):
    sub = _confirmed(client)
    confirm = services.confirm_token(sub)
    response = client.post(f"/open-data/unsubscribe/{confirm}/")
    assert response.status_code == 400 and "退订链接无效" in response.content.decode()
    assert client.get("/open-data/unsubscribe/garbage/").status_code == 400
    assert Subscription.objects.get().state == SubscriptionState.ACTIVE


@pytest.mark.parametrize(
    ("email", "url", "message"),
    [
        ("not-an-address", LIST, "电子邮箱地址格式不正确"),
        ("", LIST, "请填写电子邮箱"),
        (EMAIL, "", "请填写要订阅的列表网址"),
        (EMAIL, "https://evil.example.com/penalties/", "只能订阅本站（gongkai.example.cn）的列表页面"),
        (EMAIL, "javascript:alert(1)", "只能订阅本站"),
        (EMAIL, "/nowhere/", "本站没有这个页面：/nowhere/"),
        (EMAIL, "/query/entities/", "该页面不是可订阅的列表页面"),
        (EMAIL, "penalties", "网址应为本站列表页面的路径"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_changes_nothing(client, email, url, message):
    response = _subscribe(client, email=email, url=url)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscription.objects.exists() and not mail.outbox


def test_a_full_url_of_this_site_is_accepted(client):
    _subscribe(client, url="https://gongkai.example.cn/search/?q=%E9%A3%9F%E5%93%81&page=3")
    assert Subscription.objects.get().url == "/search/?q=%E9%A3%9F%E5%93%81"


def test_the_honeypot_stores_and_sends_nothing(client):
    response = _subscribe(client, website="http://spam.example")
    assert response.status_code == 200
    assert not Subscription.objects.exists() and not mail.outbox


def test_too_many_requests_from_one_address_are_refused(client):
    for i in range(services.SUBSCRIBE_PER_ADDRESS_PER_HOUR):
        assert _subscribe(client, email=f"user{i}@example.com").status_code == 200
    response = _subscribe(client, email="one.more@example.com")
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert "订阅请求过于频繁" in response.content.decode()
    assert not Subscription.objects.filter(email="one.more@example.com").exists()


def test_confirmation_mails_to_one_address_are_limited(client):
    for _ in range(services.CONFIRMATIONS_PER_EMAIL_PER_DAY):
        _subscribe(client)
    assert _subscribe(client).status_code == 429
    assert len(mail.outbox) == services.CONFIRMATIONS_PER_EMAIL_PER_DAY


def test_no_public_page_feed_or_file_shows_a_subscriber(client, settings):
    _confirmed(client)
    services.open_data_export()
    folder = settings.GONGKAI_OPENDATA_DIR / timezone.localdate().isoformat()
    texts = [p.read_bytes().decode("utf-8", "replace") for p in folder.iterdir() if p.suffix != ".xlsx"]
    for url in (
        "/",
        "/open-data/",
        "/penalties/",
        "/penalties/feed?district=371502",
        "/search/feed?q=reader",
    ):
        texts.append(client.get(url).content.decode())
    assert not any("reader.li" in t for t in texts)
