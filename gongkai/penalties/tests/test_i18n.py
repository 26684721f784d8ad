"""The public penalty pages in English (ADR 0060): every label translated, decisions and names marked
as Chinese content; the data (CSV, JSON) stays Chinese; the Chinese pages are unchanged."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from gongkai.penalties import services
from gongkai.penalties.tests import factories as f
from gongkai.portal.tests.i18n import chinese_outside_chinese_parts, choose

pytestmark = pytest.mark.django_db
DAY = dt.datetime(2025, 4, 1, 9, tzinfo=f.SHANGHAI)


def _page(client, url: str, *in_title: str) -> str:
    """The page, with ``in_title`` (a decision's number and party) taken out of ``<head>``: the
    ``<title>`` and the description hold content, and can mark no part of themselves as Chinese."""
    html = client.get(url).content.decode()
    head, _, body = html.partition("</head>")
    for value in in_title:
        head = head.replace(value, "")
    return f"{head}</head>{body}"


@pytest.fixture
def decisions():
    """A corrected decision, one with a lifelong restriction, and one withdrawn, seen on 2025-04-01."""
    corrected = f.published(fine=80000)
    lifelong = f.published(restriction="practice", restriction_lifelong=True)
    withdrawn = f.published(party_kind="person", circulated_criticism=True, fine=None)
    _, reviewer = f.reviewers()
    with time_machine.travel(DAY, tick=False):
        services.decision_correct(
            actor=reviewer,
            decision=corrected,
            values={"fine": 30000, "violation_category": "price", "warning": True},
            reason="罚款金额录入错误",
            requested_by_party=True,
        )
        services.decision_withdraw(
            actor=reviewer,
            decision=withdrawn,
            ground="revoked",
            grounds_date=dt.date(2025, 3, 31),
            reason="行政复议决定撤销原处罚决定",
        )
    for d in (corrected, lifelong, withdrawn):
        d.refresh_from_db()
    return corrected, lifelong, withdrawn


def test_the_penalty_list_in_english_translates_its_filters_and_marks_the_decisions(client, decisions):
    corrected, lifelong, _ = decisions
    choose(client, "en")
    with time_machine.travel(DAY, tick=False):
        html = _page(client, reverse("public-penalties") + "?district=371502&year=2025&category=price")
        everything = _page(client, reverse("public-penalties"))
    for page in (html, everything):
        assert '<html lang="en"' in page and "<h1>Administrative penalties</h1>" in page
        assert chinese_outside_chinese_parts(page) == []
    assert '<label for="id_category">Category of violation</label>' in html
    assert '<option value="price" selected>Prices</option>' in html
    assert '<option value="2025" selected>2025</option>' in html  # not "2025年"
    assert 'lang="zh-Hans">聊城市东昌府区市场监督管理局</option>' in html
    assert "1 penalty decision is within its publication period." in html
    assert (
        f'<td lang="zh-Hans"><a href="/penalties/{corrected.public_id}/">{corrected.number}</a></td>' in html
    )
    assert lifelong.number not in html
    assert "2 penalty decisions are within their publication period." in everything
    assert ">Download CSV</a>" in everything and ">Email alerts</a>" in everything
    # The feed's title is in the page's language; the feed itself is Chinese.
    assert (
        '<link rel="alternate" type="application/atom+xml" hreflang="zh-Hans" title="Administrative penalties"'
        in (everything)
    )


def test_the_withdrawal_notices_in_english(client, decisions):
    *_, withdrawn = decisions
    choose(client, "en")
    with time_machine.travel(DAY, tick=False):
        html = _page(client, reverse("public-penalties") + "?tab=withdrawals")
    assert chinese_outside_chinese_parts(html) == []
    assert "<caption>Withdrawal notices</caption>" in html
    assert "<td>The penalty decision was lawfully revoked</td>" in html
    assert '<td lang="zh-Hans">行政复议决定撤销原处罚决定</td>' in html and withdrawn.number in html


def test_a_decision_in_english_translates_dates_periods_and_corrections(client, decisions):
    corrected, lifelong, _ = decisions
    choose(client, "en")
    with time_machine.travel(DAY, tick=False):
        html = _page(
            client,
            reverse("public-penalty", args=[corrected.public_id]),
            corrected.number,
            corrected.party_name,
        )
        forever = _page(
            client, reverse("public-penalty", args=[lifelong.public_id]), lifelong.number, lifelong.party_name
        )
    for page in (html, forever):
        assert chinese_outside_chinese_parts(page) == []
        assert "<h1>Summary of the penalty decision</h1>" in page
    assert "<dt>Date of the decision</dt><dd>12 March 2025</dd>" in html
    assert "<dd>From 20 March 2025 to 20 June 2025</dd>" in html
    assert "<dd>From 20 March 2025, with no end date</dd>" in forever
    assert f"(unified social credit code: {corrected.entity.credit_code})" in html
    assert f'<dd lang="zh-Hans">{corrected.legal_basis}</dd>' in html
    # The correction record keeps the Chinese labels and values; the page translates what it can.
    assert "Fine (yuan): changed from “80000.00” to “30000.00”" in html
    assert "Category of violation: changed from “Food safety” to “Prices”" in html
    assert "Warning: changed from “No” to “Yes”" in html
    assert '<span lang="zh-Hans">罚款金额录入错误</span> (at the party’s request)' in html


def test_a_withdrawal_notice_in_english(client, decisions):
    *_, withdrawn = decisions
    choose(client, "en")
    with time_machine.travel(DAY, tick=False):
        html = _page(client, reverse("public-penalty", args=[withdrawn.public_id]), withdrawn.number)
    assert chinese_outside_chinese_parts(html) == []
    assert "<title>Withdrawal notice  - " in html  # the number taken out above
    assert (
        '<p>On 1 April 2025, <span lang="zh-Hans">聊城市东昌府区市场监督管理局</span> withdrew the published '
        f'information on penalty decision <span lang="zh-Hans">{withdrawn.number}</span> (party: '
        '<span lang="zh-Hans">孙立平</span>).</p>'
    ) in html


def test_the_chinese_pages_are_unchanged(client, decisions):
    corrected, lifelong, withdrawn = decisions
    with time_machine.travel(DAY, tick=False):
        listing = client.get(reverse("public-penalties"), {"category": "price"}).content.decode()
        page = client.get(reverse("public-penalty", args=[corrected.public_id])).content.decode()
        forever = client.get(reverse("public-penalty", args=[lifelong.public_id])).content.decode()
        notice = client.get(reverse("public-penalty", args=[withdrawn.public_id])).content.decode()
    assert '<html lang="zh-Hans"' in listing and "<h1>行政处罚公示</h1>" in listing
    assert (
        "共 1 条公示期内的行政处罚信息。" in listing
        and '<option value="price" selected>价格</option>' in listing
    )
    assert f'<td><a href="/penalties/{corrected.public_id}/">{corrected.number}</a></td>' in listing
    assert "<dt>作出行政处罚决定的日期</dt><dd>2025年3月12日</dd>" in page
    assert (
        "<dd>2025年3月20日起至2025年6月20日</dd>" in page and "<dd>2025年3月20日起，长期公示</dd>" in forever
    )
    assert "罚款（元）：由“80000.00”更正为“30000.00”<br>违法行为类别：由“食品安全”更正为“价格”" in page
    assert "<td>罚款金额录入错误（依当事人申请）</td>" in page
    assert (
        f"{withdrawn.authority}于2025年4月1日撤回了行政处罚决定书{withdrawn.number}（当事人：孙立平）的公示信息。"
        in notice
    )
    assert 'lang="zh-Hans">' not in listing + page + notice  # nothing is marked on a Chinese page


def test_the_data_stays_chinese_whatever_the_visitor_chose(client, decisions):
    corrected, *_ = decisions
    choose(client, "en")
    with time_machine.travel(DAY, tick=False):
        data = client.get(reverse("public-penalty-api", args=[corrected.public_id])).json()
        listed = client.get(reverse("public-penalties-api")).json()
        response = client.get(reverse("public-penalties-csv"))
        csv = b"".join(response.streaming_content).decode("utf-8-sig")
    assert data["violation_category"] == "价格"
    assert {d["violation_category"] for d in listed["results"]} == {"价格", "食品安全"}
    assert csv.startswith("决定书文号,") and ",价格," in csv
