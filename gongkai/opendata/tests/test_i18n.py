"""The open-data pages in English (ADR 0060): the page, its data dictionary, the alert form with its
errors and the confirmation pages. The files, the feeds and the e-mails stay Chinese."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone

from gongkai.opendata import services
from gongkai.opendata.models import Subscription
from gongkai.portal.tests.i18n import chinese_outside_chinese_parts, choose
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db

LIST = "/penalties/?district=371502"


def _english(client, response) -> str:
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert chinese_outside_chinese_parts(html) == []
    return html


def _subscribe(client, **data):
    return client.post(
        "/open-data/subscribe/", {"email": "reader@example.com", "url": LIST, "website": "", **data}
    )


def test_the_open_data_page_in_english(client):
    make_entity(name="聊城市开放数据页面测试有限公司")
    services.open_data_export(datasets=["entities", "statistics"])
    choose(client, "en")
    html = _english(client, client.get("/open-data/"))
    day = timezone.localdate()
    assert f"<h2>Data files for {day:%-d %B %Y}</h2>" in html
    assert '<a href="#dict-entities">Business register entries</a>' in html
    assert ">CSV</a> (" in html and ">Data dictionary (CSV)</a>" in html
    # The dictionary: the files' Chinese column names are content; the meaning is translated.
    assert '<th scope="col">Chinese name</th>' in html
    assert (
        '<td lang="zh-Hans">统一社会信用代码</td><td>string</td><td>The 18-character unified social credit code'
        in html
    )
    assert (
        '<h3 id="dict-penalties-title">Administrative penalties (within their publication period) (<code>penalties</code>)</h3>'
        in html
    )
    # The feeds' names in English; the feeds themselves are Chinese, and the page says so.
    assert '<a href="/penalties/feed" type="application/atom+xml">Administrative penalties</a>' in html
    assert (
        '<a href="/inspections/feed?tab=items" type="application/atom+xml">Random inspections · Inspection items</a>'
        in html
    )
    assert "The feeds are in Chinese." in html and '<label for="id_email">Email address</label>' in html


def test_the_open_data_page_in_english_without_files_and_with_a_bad_date(client):
    choose(client, "en")
    html = _english(client, client.get("/open-data/"))
    assert "No data files have been generated yet" in html
    response = client.get("/open-data/", {"date": "2026-13-01"})
    assert response.status_code == 404
    assert "The date “2026-13-01” is not recognised: write it as YYYY-MM-DD" in _english(client, response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "url": ""}, "Enter your email address"),
        ({"email": "", "url": ""}, "Enter the address of the list to subscribe to"),
        (
            {"email": "not-an-address"},
            "Enter an email address in the correct format, such as name@example.com",
        ),
        ({"email": "a" * 250 + "@example.com"}, "Ensure this value has at most 254 characters"),
        ({"url": "/nowhere/"}, "There is no such page on this site: /nowhere/"),
        ({"url": "/open-data/"}, "You cannot subscribe to this page: /open-data/."),
        (
            {"url": "https://elsewhere.example/penalties/"},
            "You can only subscribe to list pages of this site",
        ),
    ],
)
def test_the_alert_form_in_english_shows_english_errors(client, data, message):
    choose(client, "en")
    response = _subscribe(client, **data)
    assert response.status_code == 400
    html = _english(client, response)
    assert "<h1>Email alerts</h1>" in html and '<label for="id_url">Address of the list</label>' in html
    assert "The emails are in Chinese." in html
    assert message in html
    assert not Subscription.objects.exists() and not mail.outbox


def test_too_many_requests_are_refused_in_english(client, monkeypatch):
    monkeypatch.setattr(services, "SUBSCRIBE_PER_ADDRESS_PER_HOUR", 0)
    choose(client, "en")
    response = _subscribe(client)
    assert response.status_code == 429
    assert "Too many subscription requests: please try again in an hour" in _english(client, response)


def test_subscribing_in_english_names_the_list_in_english_and_mails_in_chinese(client):
    choose(client, "en")
    html = _english(client, _subscribe(client))
    assert "<h1>Check your email</h1>" in html
    assert "not already subscribed to “Administrative penalties (filtered: district=371502)”" in html
    sub = Subscription.objects.get()
    assert sub.title == "行政处罚公示（筛选：district=371502）"  # the alerts name the list in Chinese
    message = mail.outbox[0]
    assert message.subject == "请确认订阅：行政处罚公示（筛选：district=371502）" and "您好" in message.body

    confirm = re.search(r"https://gongkai\.example\.cn(/open-data/confirm/[^/\s]+/)", message.body).group(1)
    html = _english(client, client.get(confirm))
    assert "<h1>You have subscribed</h1>" in html
    assert (
        "We will email you when there is something new in “Administrative penalties (filtered: district=371502)”."
        in html
    )

    token = services.unsubscribe_token(sub)
    html = _english(client, client.get(f"/open-data/unsubscribe/{token}/"))
    assert (
        "<h1>Unsubscribe from email alerts</h1>" in html
        and '<button type="submit">Unsubscribe</button>' in html
    )
    html = _english(client, client.post(f"/open-data/unsubscribe/{token}/"))
    assert "<h1>Unsubscribed</h1>" in html
    assert (
        "You will no longer get email alerts for “Administrative penalties (filtered: district=371502)”."
        in html
    )


def test_bad_confirmation_and_unsubscribe_links_in_english(client):
    choose(client, "en")
    response = client.get("/open-data/confirm/nonsense/")
    assert response.status_code == 400
    html = _english(client, response)
    assert "<h1>Your subscription could not be confirmed</h1>" in html
    assert "The confirmation link is not valid: check that you copied the whole link from the email" in html
    html = _english(client, client.get("/open-data/unsubscribe/nonsense/"))
    assert "<h1>You could not be unsubscribed</h1>" in html and "The unsubscribe link is not valid" in html


def test_a_list_whose_subscription_title_is_unknown_is_shown_as_chinese_content(client):
    _subscribe(client)
    sub = Subscription.objects.get()
    Subscription.objects.filter(pk=sub.pk).update(url="/gone/")
    choose(client, "en")
    html = _english(client, client.get(f"/open-data/unsubscribe/{services.unsubscribe_token(sub)}/"))
    assert 'email alerts for “<span lang="zh-Hans">行政处罚公示（筛选：district=371502）</span>”.' in html


def test_feeds_stay_chinese_whatever_the_visitor_chose(client):
    from gongkai.penalties.tests import factories as pf

    decision = pf.published(at=timezone.localtime())
    choose(client, "en")
    response = client.get("/penalties/feed", {"district": "371502"})
    body = response.content.decode()
    assert response["Content-Language"] == "zh-hans"
    assert "<title>行政处罚公示（筛选：district=371502）</title>" in body and decision.number in body
    # The list page names its feed in English, and says the feed is Chinese.
    page = client.get("/penalties/", {"district": "371502"}).content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" hreflang="zh-Hans" '
        'title="Administrative penalties (filtered: district=371502)" href="/penalties/feed?district=371502">'
    ) in page


def test_the_chinese_pages_are_unchanged(client):
    html = _subscribe(client, email="").content.decode()
    assert "<h1>邮件提醒</h1>" in html and '<span class="error" role="alert">请填写电子邮箱</span>' in html
    html = _subscribe(client).content.decode()
    assert "如果该邮箱尚未订阅“行政处罚公示（筛选：district=371502）”，我们已向它发送了一封确认邮件。" in html
    page = client.get("/penalties/", {"district": "371502"}).content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" title="行政处罚公示（筛选：district=371502）"'
        in page
    )
