"""互动交流 in English (ADR 0060): every public page is English when the visitor chose English, with
only Chinese content (subjects, texts, department names, letter titles) left Chinese and marked as
such; the Chinese pages, the staff pages, the letters and the annual report's files stay Chinese."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from gongkai.conftest import make_user
from gongkai.core import roles
from gongkai.inspectors.models import Department
from gongkai.interaction import annual, services
from gongkai.interaction.models import AnnualReport, InfoRequest, Message
from gongkai.interaction.tests import factories as f
from gongkai.portal.tests.i18n import chinese_outside_chinese_parts, choose

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2025, 12, 12)
BUREAU = "Liaocheng Administration for Market Regulation"
# The Atom feed's <link title> of the messages list comes from gongkai/opendata/feeds.py (the open
# data app's labels, not this app's); it is left out of the check.
FEED_LINK = re.compile(r'<link rel="alternate" type="application/atom\+xml"[^>]*>')


def _at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 3, 0, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def cases():
    """A year of 互动交流 as the public sees it: answered, published, rated and refused messages, a
    request that went through correction, consultation and extension, and a published report."""
    head = make_user("head", roles.MESSAGE_HANDLER, roles.OPEN_GOV_HEAD)
    scjg = Department.objects.get(pk="SCJG")
    with _at(D(2024, 5, 6)):
        old = f.info_request(received_on=D(2024, 5, 6))
    with _at(D(2024, 5, 20)):
        services.request_answer(
            actor=head, request=old, on=D(2024, 5, 20), outcome="not_exist", summary="不存在。"
        )
    with _at(D(2025, 2, 1)):
        report = annual.report_save(
            actor=head,
            year=2024,
            values={
                "overview": "2024年，本局认真贯彻政府信息公开条例。",
                "active_notes": "全年主动公开政府信息120条。",
                "problems": "个别答复不够及时，已改进。",
                "other": "无其他需要报告的事项。",
                "active_extra": {"licensing": "36"},
            },
        )
        annual.report_publish(actor=head, report=report)
    with _at(D(2025, 9, 26)):
        answered = f.info_request(received_on=D(2025, 9, 26))
        waiting = f.info_request(received_on=D(2025, 9, 26), applicant_name="张三")
    with _at(D(2025, 9, 30)):
        services.request_correction(actor=head, request=answered, on=D(2025, 9, 30), items="请写明文件的年份")
    with _at(D(2025, 10, 15)):
        services.request_correction_received(actor=head, request=answered, on=D(2025, 10, 15))
        services.request_consult(
            actor=head, request=answered, on=D(2025, 10, 15), third_party="某某食品有限公司"
        )
        consulting = f.info_request(received_on=D(2025, 10, 15))
        services.request_consult(actor=head, request=consulting, on=D(2025, 10, 15), third_party="乙公司")
    with _at(D(2025, 10, 20)):
        services.request_consult_end(actor=head, request=answered, on=D(2025, 10, 20))
    with _at(D(2025, 11, 10)):
        services.request_extend(
            actor=head, request=answered, on=D(2025, 11, 10), reason="需要调取档案", approver=head
        )
    with _at(D(2025, 12, 10)):
        services.request_answer(
            actor=head, request=answered, on=D(2025, 12, 10), outcome="partial", summary="提供抽查计划。"
        )
    with _at(D(2025, 12, 1)):
        published = f.message(category="complaint", subject="超市销售过期食品")
        services.message_route(actor=head, message=published, department=scjg)
        services.message_reply(
            actor=head, message=published, text="经核查，该超市确有销售过期酸奶行为，已立案调查。"
        )
        services.message_publish(
            actor=head,
            message=published,
            public_subject="超市销售过期食品",
            public_body="我在东昌府区某超市买到过期酸奶，请处理。",
            public_reply="经核查，该超市确有销售过期酸奶行为，已立案调查。",
        )
        services.message_rate(message=published, rating=3, comment="很及时")
        replied = f.message(category="consult")
        services.message_route(actor=head, message=replied, department=scjg)
        services.message_reply(actor=head, message=replied, text="您好，所需材料见办事指南。")
        refused = f.message(category="suggestion")
        services.message_invalidate(actor=head, message=refused, reason="内容为商业广告")
        new = f.message(category="suggestion")
    return {
        "published": Message.objects.get(pk=published.pk),
        "replied": replied,
        "refused": refused,
        "new": new,
        "answered": InfoRequest.objects.get(pk=answered.pk),
        "waiting": waiting,
        "consulting": consulting,
    }


def _english(html: str) -> list[str]:
    """Chinese outside the parts marked as Chinese content, the feed's title left aside."""
    assert '<html lang="en"' in html
    return chinese_outside_chinese_parts(FEED_LINK.sub("", html))


# (name, URL, Chinese text of the page, English text of the page)
PAGES = [
    ("messages", lambda c: reverse("public-messages"), "公开的留言及答复", "Published messages and replies"),
    (
        "messages filtered",
        lambda c: reverse("public-messages") + "?category=complaint",
        "【投诉】留言 2025-12-01 · 答复 2025-12-01",
        "Complaint · sent 2025-12-01 · answered 2025-12-01",
    ),
    (
        "messages none",
        lambda c: reverse("public-messages") + "?category=consult",
        "暂无公开的留言。",
        "No messages",
    ),
    (
        "message",
        lambda c: reverse("public-message", args=[c["published"].pk]),
        "经留言人同意公开，已隐去个人信息。",
        "Published with the sender's consent",
    ),
    (
        "message form",
        lambda c: reverse("public-message-new"),
        "联系方式（手机、固定电话或电子邮箱）",
        "Type of message",
    ),
    (
        "message track new",
        lambda c: reverse("public-message-track", args=[c["new"].tracking_code]),
        "<dt>答复期限</dt><dd>2025年12月22日</dd>",
        "<dt>Reply deadline</dt><dd>22 December 2025</dd>",
    ),
    (
        "message track replied",
        lambda c: reverse("public-message-track", args=[c["replied"].tracking_code]),
        "请对本次答复进行评价",
        "How satisfied are you with our reply?",
    ),
    (
        "message track rated",
        lambda c: reverse("public-message-track", args=[c["published"].tracking_code]),
        "您的评价：满意。感谢您的反馈。",
        "Your rating: Satisfied. Thank you for your feedback.",
    ),
    (
        "message track refused",
        lambda c: reverse("public-message-track", args=[c["refused"].tracking_code]),
        "不予答复的说明",
        "Invalid (no reply will be given)",
    ),
    (
        "satisfaction",
        lambda c: reverse("public-satisfaction"),
        "留言办理满意度",
        "Satisfaction with our replies",
    ),
    ("foi", lambda c: reverse("public-foi"), "20个工作日", "<strong>20 working days</strong>"),
    ("foi form", lambda c: reverse("public-foi-new"), "所需政府信息的名称", "How you would like to receive"),
    (
        "foi track answered",
        lambda c: reverse("public-foi-track", args=[c["answered"].tracking_code]),
        "2025年11月10日延长20个工作日（原期限2025年11月17日）",
        "Extended by 20 working days on 10 November 2025 (the original deadline was 17 November 2025)",
    ),
    (
        "foi track waiting",
        lambda c: reverse("public-foi-track", args=[c["waiting"].tracking_code]),
        "（收到申请之日起7个工作日内，只能告知一次）",
        "Deadline for a correction notice",
    ),
    (
        "foi track consulting",
        lambda c: reverse("public-foi-track", args=[c["consulting"].tracking_code]),
        "暂停计时中，恢复后重新计算",
        "the third party has until 5 November 2025",
    ),
    (
        "annual reports",
        lambda c: reverse("public-annual-reports"),
        "2024年政府信息公开工作年度报告",
        "published 2025-02-01",
    ),
    (
        "annual report",
        lambda c: reverse("public-annual-report", args=[2024]),
        "1.本机关不掌握相关政府信息",
        "1. We do not hold the information",
    ),
]


@pytest.mark.parametrize(("name", "url", "chinese", "english"), PAGES, ids=[p[0] for p in PAGES])
def test_the_public_pages_are_english_when_chosen_and_chinese_by_default(
    client, cases, name, url, chinese, english
):
    path = url(cases)
    with _at(TODAY):
        html = client.get(path).content.decode()
        assert '<html lang="zh-Hans"' in html and chinese in html and english not in html
        assert '<main id="main" class="wrap" tabindex="-1">' in html  # no lang: the Chinese page is unchanged
        choose(client, "en")
        html = client.get(path).content.decode()
    assert english in html and chinese not in html
    if name == "message":
        # A page titled by its content: <title> holds text only, so the subject cannot be marked there.
        assert f"<title>超市销售过期食品 - {BUREAU}</title>" in html
        html = html.replace("<title>超市销售过期食品", "<title>")
    assert _english(html) == []


def test_english_pages_mark_their_chinese_content(client, cases):
    choose(client, "en")
    with _at(TODAY):
        listing = client.get(reverse("public-messages")).content.decode()
        message = client.get(reverse("public-message", args=[cases["published"].pk])).content.decode()
        track = client.get(
            reverse("public-message-track", args=[cases["replied"].tracking_code])
        ).content.decode()
        foi = client.get(reverse("public-foi-track", args=[cases["answered"].tracking_code])).content.decode()
        report = client.get(reverse("public-annual-report", args=[2024])).content.decode()
    assert (
        '" lang="zh-Hans">超市销售过期食品</a>' in listing
        and '<span lang="zh-Hans">市场监督管理局</span>' in listing
    )
    assert '<h1 lang="zh-Hans">超市销售过期食品</h1>' in message
    assert 'answered by <span lang="zh-Hans">市场监督管理局</span>' in message
    assert 'lang="zh-Hans">经核查，该超市确有销售过期酸奶行为，已立案调查。</div>' in message
    assert '<dd>Answered (<span lang="zh-Hans">市场监督管理局</span>)</dd>' in track
    # The letters are Chinese legal documents: their titles are marked, their files stay Chinese.
    assert "<p>Status: <strong>Answered</strong> (Partly disclosed)</p>" in foi
    assert '<td lang="zh-Hans">政府信息公开申请登记回执</td>' in foi
    assert 'lang="zh-Hans">2024年，本局认真贯彻政府信息公开条例。</p>' in report
    assert "Article 20(5), administrative licensing: decisions made this year</th><td>36</td>" in report
    assert "<p>Information processing fees collected this year: 0.00 yuan.</p>" in report


def _message_form(**extra):
    data = {
        "category": "complaint",
        "subject": "门店消防通道被堵塞",
        "body": "东昌府区某商场的消防通道被货物堵塞，请处理。",
        "contact": "13612345678",
        "consent_publish": "on",
        "website": "",
    }
    return {**data, **extra}


def _without(html: str, *typed: str) -> str:
    """The page without what the visitor typed, which is echoed as typed."""
    for text in typed:
        html = html.replace(text, "")
    return html


def test_the_message_form_explains_mistakes_in_english(client):
    url = reverse("public-message-new")
    chinese = client.post(url, _message_form(contact="东昌府区"), REMOTE_ADDR="10.6.6.0").content.decode()
    assert "请填写有效的手机号码、固定电话（如0635-1234567）或电子邮箱" in chinese
    assert '<label for="id_contact">联系方式（手机、固定电话或电子邮箱）:</label>' in chinese
    choose(client, "en")
    html = client.post(url, {"website": ""}).content.decode()
    assert (
        "<label>Type of message:</label>" in html and '<label for="id_contact">How we can contact you' in html
    )
    assert html.count("This field is required.") == 4 and _english(html) == []

    data = _message_form(contact="东昌府区", body="太短了")
    html = client.post(url, data, REMOTE_ADDR="10.6.6.1").content.decode()
    assert "Enter a valid mobile number, landline number (such as 0635-1234567) or email address" in html
    assert "Ensure this value has at least 10 characters (it has 3)." in html
    assert _english(_without(html, data["subject"], data["contact"], data["body"])) == []

    fake = SimpleUploadedFile("发票.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    data = _message_form(attachments=fake)
    html = client.post(url, data, REMOTE_ADDR="10.6.6.2").content.decode()
    assert "The attachment “发票.pdf” is not a type we accept" in html
    assert _english(_without(html, data["subject"], data["body"], "发票.pdf")) == []

    html = client.post(
        url, _message_form(website="http://spam.example"), REMOTE_ADDR="10.6.6.3"
    ).content.decode()
    assert "Your submission did not go through. Please reload the page and try again." in html
    assert Message.objects.count() == 0


def test_a_message_sent_in_english(client):
    choose(client, "en")
    with _at(D(2025, 9, 26)):
        response = client.post(reverse("public-message-new"), _message_form(), REMOTE_ADDR="10.6.6.4")
        html = response.content.decode()
        assert "<h1>Message sent</h1>" in html and "Your tracking code is: <strong" in html
        # A complaint: 7 working days from 26 September 2025, across National Day (28 September and
        # 11 October worked).
        assert "We will reply by 13 October 2025 (reply periods for messages of the type “Complaint”" in html
        assert _english(html) == []
        again = client.post(
            reverse("public-message-new"), _message_form(), REMOTE_ADDR="10.6.6.5"
        ).content.decode()
    assert "You already sent a message with the same text on 26 September 2025." in again
    # What the sender wrote is kept as written.
    assert Message.objects.get().subject == "门店消防通道被堵塞"


def test_rating_and_tracking_messages_in_english(client, cases):
    choose(client, "en")
    code = cases["replied"].tracking_code
    url = reverse("public-message-track", args=[code])
    client.post(url, {"rating": "2", "comment": "答复清楚"})
    assert "Thank you for your rating." in client.get(url).content.decode()
    client.post(url, {"rating": "1"})
    html = client.get(url).content.decode()
    assert "You have already rated this reply. Thank you for your feedback." in html
    assert (
        "<p>Your rating: Fairly satisfied. Thank you for your feedback.</p>" in html and _english(html) == []
    )

    client.get(reverse("public-message-track-lookup"), {"code": "LY-2222-3333-4444"})
    html = client.get(reverse("public-messages")).content.decode()
    assert "We could not find a message with that tracking code." in html
    client.get(reverse("public-foi-track-lookup"), {"code": "SQ-2222-3333-4444"})
    html = client.get(reverse("public-foi")).content.decode()
    assert "We could not find a request with that tracking code." in html and _english(html) == []


def test_the_request_form_explains_mistakes_in_english_and_the_letters_stay_chinese(client):
    choose(client, "en")
    url = reverse("public-foi-new")
    html = client.get(url).content.decode()
    assert '<label for="id_applicant_type">Type of applicant:</label>' in html
    assert '<option value="person">Individual</option>' in html
    # The suggested answer to 获取信息的方式 is in the visitor's language.
    assert 'name="desired_form" value="Email"' in html and _english(html) == []

    html = client.post(url, {"website": ""}).content.decode()
    assert "This field is required." in html and _english(html) == []
    person = {**f.PERSON, "desired_form": "Email", "id_document": "", "email": "wang@"}
    html = client.post(url, person).content.decode()
    assert "An individual must give the type and number of an identity document" in html
    assert "Enter a valid email address." in html
    typed = (person["applicant_name"], person["address"], person["description"])
    assert _english(_without(html, *typed)) == []
    business = {
        **f.PERSON,
        "desired_form": "Email",
        "applicant_type": "business",
        "applicant_name": "聊城某某律师事务所",
    }
    html = client.post(url, business).content.decode()
    assert "A legal person or other organisation must give its unified social credit code" in html

    with _at(D(2025, 9, 26)):
        html = client.post(url, {**f.PERSON, "desired_form": "Email"}).content.decode()
        assert (
            "<h1>Request submitted</h1>" in html and "Reference number: YSQ202500001. Tracking code:" in html
        )
        assert _english(html) == []
        request = InfoRequest.objects.get()
        track = client.get(reverse("public-foi-track", args=[request.tracking_code])).content.decode()
    assert (
        "<dt>Reply deadline</dt><dd><strong>30 October 2025</strong></dd>" in track and _english(track) == []
    )
    # The acknowledgement of receipt is a legal document: Chinese, whatever the page's language.
    ack = request.letters.get(key="ack").text
    assert "2025年9月26日" in ack and "2025年10月30日" in ack, ack
    assert not re.search(
        r"[A-Za-z]{3}", ack.replace(request.tracking_code, "").replace(request.number, "")
    ), ack


def test_the_staff_pages_and_the_annual_report_files_stay_chinese(client, cases):
    choose(client, "en")
    client.force_login(make_user("reader", roles.MESSAGE_HANDLER))
    html = client.get(reverse("staff-request-detail", args=[cases["answered"].pk])).content.decode()
    assert '<html lang="zh-Hans"' in html and "2025年11月10日延长20个工作日（原期限2025年11月17日）" in html
    assert "<caption>文书</caption>" in html
    # The report's files are generated in Chinese whatever the language (the public page translates).
    with translation.override("en"):
        _title, text, tables = annual.document_parts(AnnualReport.objects.get(year=2024))
    assert (
        "一、总体情况" in text
        and tables[1].header[1] == "自然人"
        and tables[1].rows[6][0] == "1.属于国家秘密"
    )
    assert not any(re.search(r"[A-Za-z]{3}", cell) for row in tables[1].rows for cell in row)
