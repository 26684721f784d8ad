"""依申请公开 through the services and pages: the legal course, its dates, its letters."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from docx import Document

from gongkai.conftest import make_user
from gongkai.core import calendar, roles
from gongkai.interaction import documents, selectors, services
from gongkai.interaction.models import InfoRequest
from gongkai.interaction.tests import factories as f

pytestmark = pytest.mark.django_db
D = dt.date


def _at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 3, 0, tzinfo=dt.UTC), tick=False)


def _docx_text(letter) -> str:
    with letter.docx.open("rb") as fh:
        return "\n".join(p.text for p in Document(io.BytesIO(fh.read())).paragraphs)


@pytest.fixture
def head():
    from django.contrib.auth.models import Permission

    user = make_user("head", roles.MESSAGE_HANDLER, roles.OPEN_GOV_HEAD)
    assert user.has_perm("interaction.approve_extension")  # the head's role approves extensions
    return user, Permission


def test_a_request_runs_its_course_across_the_holiday_with_a_correction_and_a_consultation(client, head):
    approver, _ = head
    with _at(D(2025, 9, 26)):
        r = f.info_request(received_on=D(2025, 9, 26))
        assert r.number == "YSQ202500001" and services.request_clock(r).reply_due == D(2025, 10, 30)
        ack = r.letters.get(key="ack")
        assert "2025年10月30日" in _docx_text(ack) and "王小明" in _docx_text(ack)
    with _at(D(2025, 9, 30)):
        r = services.request_correction(
            actor=approver, request=r, on=D(2025, 9, 30), items="请写明文件的年份"
        )
        assert r.state == "correction"
        notice = r.letters.get(key="correction")
        assert "请写明文件的年份" in _docx_text(notice)
        correction_until = r.steps.get(kind="correction_requested").until
        assert correction_until == D(2025, 10, 28)  # 15 working days (the default parameter)
    with _at(D(2025, 10, 15)):
        r = services.request_correction_received(actor=approver, request=r, on=D(2025, 10, 15))
        assert services.request_clock(r).reply_due == D(2025, 11, 12)
        r = services.request_consult(
            actor=approver, request=r, on=D(2025, 10, 15), third_party="某某食品有限公司"
        )
    with _at(D(2025, 10, 20)):
        r = services.request_consult_end(actor=approver, request=r, on=D(2025, 10, 20))
        # Oct 16, 17, 20 excluded: three working days later than Nov 12.
        assert services.request_clock(r).reply_due == D(2025, 11, 17)
    with _at(D(2025, 11, 10)):
        r = services.request_extend(
            actor=approver, request=r, on=D(2025, 11, 10), reason="需要调取档案", approver=approver
        )
        assert services.request_clock(r).reply_due == D(2025, 12, 15)
        assert "2025年12月15日" in _docx_text(r.letters.get(key="extension"))
        with pytest.raises(ValidationError, match="只能延长一次"):
            services.request_extend(
                actor=approver, request=r, on=D(2025, 11, 10), reason="再延", approver=approver
            )
    # Changing the calendar moves the open deadline (a holiday entered on 2025-12-01).
    calendar.override_set(actor="admin", day=D(2025, 12, 1), is_workday=False, name="测试")
    assert services.request_clock(r).reply_due == D(2025, 12, 16)
    # The applicant sees the dates on the tracking page, and the letters addressed to them.
    page = client.get(reverse("public-foi-track", args=[r.tracking_code])).content.decode()
    assert "2025年12月16日" in page and "2025年9月26日" in page and "某某食品有限公司" not in page
    assert "征求意见函" not in page and "登记回执" in page
    consultation = r.letters.get(key="consultation")
    url = reverse("public-foi-letter", args=[r.tracking_code, consultation.pk, "docx"])
    assert client.get(url).status_code == 404  # the letter to the third party is not theirs
    with _at(D(2025, 12, 10)):
        r = services.request_answer(
            actor=approver,
            request=r,
            on=D(2025, 12, 10),
            outcome="partial",
            summary="提供2025年抽查计划，其中涉及商业秘密的部分不予公开。",
        )
    assert r.state == "answered" and r.closed_on == D(2025, 12, 10)
    assert services.request_clock(r).answered_on_time is True
    answer = r.letters.get(key="answer_disclosed")
    assert "部分公开" in _docx_text(answer) and "第三十七条" in _docx_text(answer)
    if documents.pdf_available():
        pdf = client.get(reverse("public-foi-letter", args=[r.tracking_code, answer.pk, "pdf"]))
        assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"


def test_a_correction_notice_is_allowed_once_and_only_within_seven_working_days(head):
    approver, _ = head
    with _at(D(2025, 10, 14)):
        r = f.info_request(received_on=D(2025, 9, 26))
        with pytest.raises(ValidationError, match="7个工作日"):
            services.request_correction(actor=approver, request=r, on=D(2025, 10, 14), items="请补充")
    with _at(D(2025, 10, 13)):
        r2 = f.info_request(received_on=D(2025, 9, 26))
        services.request_correction(actor=approver, request=r2, on=D(2025, 10, 13), items="请补充")
        services.request_correction_received(actor=approver, request=r2, on=D(2025, 10, 13))
        with pytest.raises(ValidationError, match="一次"):
            services.request_correction(actor=approver, request=r2, on=D(2025, 10, 13), items="再补充")


def test_no_correction_in_time_means_the_request_is_abandoned(head):
    approver, _ = head
    with _at(D(2025, 9, 30)):
        r = f.info_request(received_on=D(2025, 9, 26))
        r = services.request_correction(
            actor=approver, request=r, on=D(2025, 9, 30), items="请补充", until=D(2025, 10, 20)
        )
    with _at(D(2025, 10, 20)), pytest.raises(ValidationError, match="尚未届满"):
        services.request_correction_lapse(actor=approver, request=r, on=D(2025, 10, 20))
    with _at(D(2025, 10, 21)):
        with pytest.raises(ValidationError, match="已于2025年10月20日届满"):
            services.request_correction_received(actor=approver, request=r, on=D(2025, 10, 21))
        r = services.request_correction_lapse(actor=approver, request=r, on=D(2025, 10, 21))
    assert r.state == "withdrawn" and r.outcome == "lapsed_correction"


def test_an_extension_needs_an_approver_with_the_power_to_approve():
    clerk = make_user("clerk")
    with _at(D(2025, 10, 9)):
        r = f.info_request(received_on=D(2025, 9, 26))
        with pytest.raises(ValidationError, match="负责人"):
            services.request_extend(actor=clerk, request=r, on=D(2025, 10, 9), reason="复杂", approver=clerk)
        handler = make_user("handler", roles.MESSAGE_HANDLER)  # handles the request, cannot approve
        with pytest.raises(ValidationError, match="负责人"):
            services.request_extend(
                actor=handler, request=r, on=D(2025, 10, 9), reason="复杂", approver=handler
            )


def test_fees_only_beyond_the_free_amount_and_the_clock_stops_until_payment(head):
    approver, _ = head
    with _at(D(2025, 9, 30)):
        first = f.info_request(received_on=D(2025, 9, 1))
        with pytest.raises(ValidationError, match="免费"):
            services.request_fee_notice(actor=approver, request=first, on=D(2025, 9, 30), method="by_item")
        for _ in range(10):
            last = f.info_request(received_on=D(2025, 9, 2))
        assert services.position_in_month(last) == 11
        other = f.info_request(
            received_on=D(2025, 9, 2), applicant_name="另一人", id_document="护照 E1234567"
        )
        assert services.position_in_month(other) == 1
        r = services.request_fee_notice(actor=approver, request=last, on=D(2025, 9, 30), method="by_item")
        assert r.fee_amount == 100 and r.state == "fee_pending"
        assert "100.00元" in _docx_text(r.letters.get(key="fee_notice"))
        r = services.request_fee_notice(
            actor=approver, request=first, on=D(2025, 9, 30), method="by_page", pages=45
        )
        assert r.fee_amount == 150


def test_each_answer_type_has_a_letter_and_not_this_agency_names_the_right_one(head):
    approver, _ = head
    with _at(D(2025, 10, 9)):
        r = f.info_request(received_on=D(2025, 9, 26))
        with pytest.raises(ValidationError, match="负责公开的机关"):
            services.request_answer(
                actor=approver,
                request=r,
                on=D(2025, 10, 9),
                outcome="not_this_agency",
                summary="不属于本机关",
            )
        r = services.request_answer(
            actor=approver,
            request=r,
            on=D(2025, 10, 9),
            outcome="not_this_agency",
            summary="请向该局申请。",
            other_agency="聊城市税务局",
        )
        assert "聊城市税务局" in _docx_text(r.letters.get(key="answer_not_this_agency"))
    for key in [
        "answer_already_public",
        "answer_disclosed",
        "answer_refused",
        "answer_not_exist",
        "answer_not_this_agency",
        "answer_repeat",
        "answer_special_law",
    ]:
        assert key in documents.DEFAULTS


def test_templates_are_edited_by_staff_and_typos_in_placeholders_are_refused(client, head):
    approver, _ = head
    client.force_login(approver)
    url = reverse("staff-template-edit", args=["ack"])
    bad = client.post(url, {"title": "回执", "body": "{申请者}：已收到"})
    assert "不存在的占位符" in bad.content.decode()
    client.post(
        url, {"title": "登记回执（新版）", "body": "{申请人}：您的申请已于{收到日期}收到，{答复期限}前答复。"}
    )
    with _at(D(2025, 9, 26)):
        r = f.info_request(received_on=D(2025, 9, 26))
    letter = r.letters.get(key="ack")
    assert letter.title == "登记回执（新版）"
    assert "王小明：您的申请已于2025年9月26日收到，2025年10月30日前答复。" in _docx_text(letter)


def test_staff_enter_a_posted_letter_with_its_signing_date_and_the_online_form_works(client, head):
    approver, _ = head
    client.force_login(approver)
    with _at(D(2025, 9, 30)):
        data = {
            **{k: v for k, v in f.PERSON.items()},
            "channel": "post",
            "submitted_on": "2025-09-25",
            "confirmed_on": "",
        }
        r = client.post(reverse("staff-request-create"), data)
        assert "签收" in r.content.decode()
        data["confirmed_on"] = "2025-09-26"
        r = client.post(reverse("staff-request-create"), data)
        assert r.status_code == 302
        created = InfoRequest.objects.get()
        assert created.received_on == D(2025, 9, 26) and "签收" in created.receipt_note
        detail = client.get(r["Location"]).content.decode()
        assert "2025年10月30日" in detail
        public = client.__class__()
        response = public.post(reverse("public-foi-new"), {**f.PERSON, "website": ""})
        assert response.status_code == 200
        found = re.search(r"SQ-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", response.content.decode())
        assert found
        code = found.group(0)
        assert InfoRequest.objects.get(tracking_code=code).received_on == D(2025, 9, 30)


def test_open_requests_are_listed_with_what_is_due_next(head):
    approver, _ = head
    with _at(D(2025, 10, 28)):
        r = f.info_request(received_on=D(2025, 9, 26))
        rows = selectors.open_requests_with_deadlines(day=D(2025, 10, 29))
        assert rows[0][1].due == D(2025, 10, 30) and rows[0][1].due_soon
        services.request_consult(actor=approver, request=r, on=D(2025, 10, 28), third_party="甲公司")
        (row,) = selectors.open_requests_with_deadlines(day=D(2025, 10, 29))
        assert row[1].paused and "暂停计时" in row[1].label


def test_online_applications_are_limited_per_address_per_hour():
    for _ in range(5):
        services.request_receive(
            actor="public",
            data=dict(f.PERSON),
            channel="online",
            submitted_on=timezone.localdate(),
            address="10.7.7.7",
        )
    with pytest.raises(services.Refused, match="网络地址"):
        services.request_receive(
            actor="public",
            data=dict(f.PERSON),
            channel="online",
            submitted_on=timezone.localdate(),
            address="10.7.7.7",
        )
    services.request_receive(
        actor="public",
        data=dict(f.PERSON),
        channel="online",
        submitted_on=timezone.localdate(),
        address="10.7.7.8",
    )


def test_staff_run_a_request_through_the_page(client, head):
    approver, _ = head
    client.force_login(approver)
    with _at(D(2025, 10, 9)):
        r = f.info_request(received_on=D(2025, 9, 26))
        url = reverse("staff-request-detail", args=[r.pk])
        assert "2025年10月30日" in client.get(url).content.decode()
        client.post(url, {"action": "consult", "consult-on": "2025-10-09", "consult-third_party": "乙公司"})
        r.refresh_from_db()
        assert r.state == "consulting" and "暂停计时" in client.get(url).content.decode()
        client.post(url, {"action": "consult_end", "consult_end-on": "2025-10-09", "consult_end-text": ""})
        client.post(
            url,
            {
                "action": "extend",
                "extend-on": "2025-10-09",
                "extend-reason": "涉及多个部门",
                "extend-approver": str(approver.pk),
            },
        )
        page = client.get(url).content.decode()
        assert "延长20个工作日" in page and "2025年11月27日" in page
        late = client.post(
            url,
            {
                "action": "answer",
                "answer-on": "2025-10-10",
                "answer-outcome": "disclosed",
                "answer-summary": "x",
            },
            follow=True,
        ).content.decode()
        assert "日期不能晚于今天" in late
        client.post(
            url,
            {
                "action": "answer",
                "answer-on": "2025-10-09",
                "answer-outcome": "already_public",
                "answer-summary": "见本局网站“政策文件”栏目。",
            },
        )
    r.refresh_from_db()
    assert r.state == "answered" and r.outcome == "already_public"
    letter = r.letters.get(key="answer_already_public")
    download = client.get(reverse("staff-letter", args=[letter.pk, "docx"]))
    assert download.status_code == 200
