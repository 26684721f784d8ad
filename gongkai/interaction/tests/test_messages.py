"""Messages: a citizen asks, follows the case, reads the published answer and rates it."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from gongkai.conftest import make_user
from gongkai.core import calendar, roles
from gongkai.core.models import AuditEvent
from gongkai.inspectors.models import Department
from gongkai.interaction import selectors, services
from gongkai.interaction.models import Message
from gongkai.interaction.tests import factories as f

pytestmark = pytest.mark.django_db

NAME, PHONE = "欧阳春晓", "13698765432"


def _submit(client, **extra):
    data = {
        "category": "complaint",
        "subject": "超市销售过期食品",
        "body": "我在东昌府区某超市买到过期酸奶，我叫欧阳春晓，请处理。",
        "name": NAME,
        "contact": PHONE,
        "consent_publish": "on",
        "website": "",
    }
    data.update(extra)
    return client.post(reverse("public-message-new"), data, REMOTE_ADDR=extra.pop("addr", "10.1.1.1"))


def test_a_citizen_asks_follows_the_case_and_reads_the_published_answer(client):
    response = _submit(client)
    assert response.status_code == 200
    found = re.search(r"LY-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", response.content.decode())
    assert found
    code = found.group(0)
    message = Message.objects.get(tracking_code=code)
    assert message.state == "new" and message.received_on == timezone.localdate()

    track = client.get(reverse("public-message-track", args=[code])).content.decode()
    assert "待分办" in track and PHONE not in track and "136****32" in track

    handler = make_user("handler", roles.MESSAGE_HANDLER)
    staff = client.__class__()
    staff.force_login(handler)
    detail = reverse("staff-message-detail", args=[message.pk])
    assert staff.post(detail, {"action": "route", "route-department": "SCJG"}).status_code == 302
    staff.post(detail, {"action": "note", "note-text": "已联系执法大队核查"})
    staff.post(
        detail,
        {"action": "reply", "reply-text": "经核查，该超市确有销售过期酸奶行为，已立案调查。欧阳春晓您好。"},
    )
    message.refresh_from_db()
    assert message.state == "replied" and message.replied_by == handler

    # The publication form comes pre-filled with the identity masked.
    page = staff.get(detail).content.decode()
    assert "欧某某" in page
    suggested = services.suggested_public_texts(message)
    assert NAME not in suggested["public_body"] and NAME not in suggested["public_reply"]
    r = staff.post(
        detail,
        {
            "action": "publish",
            "publish-public_subject": "超市销售过期食品",
            "publish-public_body": suggested["public_body"],
            "publish-public_reply": suggested["public_reply"],
        },
    )
    assert r.status_code == 302
    message.refresh_from_db()
    assert message.published_at is not None

    listing = client.get(reverse("public-messages")).content.decode()
    assert "超市销售过期食品" in listing
    qa = client.get(reverse("public-message", args=[message.pk])).content.decode()
    assert "已立案调查" in qa and NAME not in qa and PHONE not in qa

    # The sender rates the reply once.
    client.post(reverse("public-message-track", args=[code]), {"rating": "3", "comment": "很及时"})
    client.post(reverse("public-message-track", args=[code]), {"rating": "1"})
    message.refresh_from_db()
    assert message.rating == 3
    stats = selectors.message_monthly_stats(months=1)[-1]
    assert (stats.received, stats.replied, stats.on_time, stats.satisfaction_rate) == (1, 1, 1, 100.0)
    # Each step wrote an audit event, none of which holds the sender's identity.
    events = AuditEvent.objects.filter(object_type="interaction.message")
    assert {e.action for e in events} >= {
        "interaction.message.submit",
        "interaction.message.route",
        "interaction.message.reply",
        "interaction.message.publish",
        "interaction.message.rate",
    }
    for e in events:
        assert NAME not in str(e.after) + e.object_repr and PHONE not in str(e.after) + e.object_repr


def test_publishing_is_refused_while_the_identity_remains_or_without_consent():
    m = f.message(name="赵大宝", contact="13512345678", consent_publish=False)
    services.message_route(
        actor=make_user("h1", roles.MESSAGE_HANDLER), message=m, department=Department.objects.get(pk="SCJG")
    )
    m = services.message_reply(
        actor=make_user("h2", roles.MESSAGE_HANDLER), message=m, text="您好，所需材料见办事指南。"
    )
    with pytest.raises(ValidationError, match="未同意公开"):
        services.message_publish(actor="t", message=m, public_subject="a", public_body="b", public_reply="c")
    m2 = f.message(name="赵大宝", contact="13512345679")
    services.message_route(actor="t", message=m2, department=Department.objects.get(pk="SCJG"))
    m2 = services.message_reply(actor=make_user("h3"), message=m2, text="您好，所需材料见办事指南。")
    with pytest.raises(ValidationError, match="姓名"):
        services.message_publish(
            actor="t", message=m2, public_subject="问", public_body="我是赵大宝", public_reply="答"
        )
    with pytest.raises(ValidationError, match=r"手机号码|联系方式"):
        services.message_publish(
            actor="t", message=m2, public_subject="问", public_body="电话13512345679", public_reply="答"
        )


def test_rate_limits_per_address_and_contact_honeypot_and_duplicates(client):
    for i in range(3):
        f.message(address="10.2.2.2", contact="x@example.com", body=f"不同的内容第{i}条，请回答问题。")
    with pytest.raises(services.Refused, match="联系方式"):
        f.message(address="10.2.2.3", contact="X@Example.com ", body="又一条不同的内容，请回答问题。")
    for i in range(2):
        f.message(address="10.3.3.3", body=f"来自同一地址的留言{i}，请回答问题。")
    with pytest.raises(services.Refused, match="重复提交"):
        f.message(address="10.3.3.4", contact="y@example.com", body="重复的内容，请回答这个问题。")  # first
        f.message(
            address="10.3.3.5", contact="y@example.com", body="重复的内容，请回答这个问题！"
        )  # punctuation aside, same
    limit = 5
    for i in range(limit - 2):
        f.message(address="10.3.3.3", body=f"再来自同一地址{i}，请回答问题。")
    with pytest.raises(services.Refused, match="网络地址"):
        f.message(address="10.3.3.3", body="第六条，请回答问题。")
    # The honeypot: a robot filling every field is refused, nothing stored.
    before = Message.objects.count()
    response = _submit(client, website="http://spam.example", addr="10.4.4.4")
    assert "提交未成功" in response.content.decode()
    assert Message.objects.count() == before


def test_attachments_are_typed_by_content_and_limited_in_size():
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100
    m = f.message(uploads=[services.Upload("photo.png", png)])
    assert m.attachments.get().content_type == "image/png"
    with pytest.raises(ValidationError, match="类型不被接受"):
        f.message(uploads=[services.Upload("photo.png", b"MZ\x90\x00 executable")])
    with pytest.raises(ValidationError, match="过大"):
        f.message(uploads=[services.Upload("scan.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024))])


@time_machine.travel(dt.datetime(2025, 9, 26, 10, 0, tzinfo=dt.UTC), tick=False)
def test_deadlines_count_working_days_across_a_holiday_and_follow_the_calendar():
    m = f.message(category="suggestion")  # 15 working days
    # 2025-09-26 (Fri) + 15 working days, across National Day (Oct 1–8 off, Sep 28 and Oct 11 worked).
    assert selectors.message_due(m) == dt.date(2025, 10, 23)
    calendar.override_set(actor="admin", day=dt.date(2025, 10, 20), is_workday=False, name="测试")
    assert selectors.message_due(m) == dt.date(2025, 10, 24)
    consult = f.message(category="consult")
    assert selectors.message_due(consult) == dt.date(2025, 10, 10)


def test_queue_views_show_due_soon_and_overdue_and_remind_by_command(client):
    handler = make_user("handler2", roles.MESSAGE_HANDLER)
    handler.email = "handler@example.com"
    handler.save()
    with time_machine.travel(dt.datetime(2025, 9, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        old = f.message(category="consult")
    with time_machine.travel(dt.datetime(2025, 9, 15, 2, 0, tzinfo=dt.UTC), tick=False):
        soon = f.message(category="consult")  # due 2025-09-22
    with time_machine.travel(dt.datetime(2025, 9, 19, 2, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(handler)
        overdue = client.get(reverse("staff-messages") + "?state=open&due=overdue").content.decode()
        assert old.tracking_code in overdue and soon.tracking_code not in overdue
        due_soon = client.get(reverse("staff-messages") + "?state=open&due=soon").content.decode()
        assert soon.tracking_code in due_soon and old.tracking_code not in due_soon
        call_command("remind_messages")
    assert len(mail.outbox) == 1 and old.tracking_code in mail.outbox[0].body
    assert mail.outbox[0].to == ["handler@example.com"]


def test_a_message_open_for_three_months_is_called_out(capsys, client):
    with time_machine.travel(dt.datetime(2025, 6, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        m = f.message()
    with time_machine.travel(dt.datetime(2025, 9, 10, 2, 0, tzinfo=dt.UTC), tick=False):
        call_command("remind_messages", "--dry-run")
        client.force_login(make_user("h9", roles.MESSAGE_HANDLER))
        queue = client.get(reverse("staff-messages")).content.decode()
    assert f"超过三个月未答复：{m.tracking_code}" in capsys.readouterr().out
    assert "1 条留言收到已超过90天仍未答复" in queue


def test_transfer_keeps_the_deadline_and_records_the_reason():
    handler = make_user("h4", roles.MESSAGE_HANDLER)
    m = f.message(category="complaint")
    due = selectors.message_due(m)
    m = services.message_route(actor=handler, message=m, department=Department.objects.get(pk="SCJG"))
    m = services.message_assign(actor=handler, message=m, assignee=handler)
    with pytest.raises(ValidationError, match="理由"):
        services.message_transfer(
            actor=handler, message=m, department=Department.objects.get(pk="WSJK"), reason=" "
        )
    m = services.message_transfer(
        actor=handler,
        message=m,
        department=Department.objects.get(pk="WSJK"),
        reason="涉及医疗机构，属卫健部门职责",
    )
    assert m.department_id == "WSJK" and m.assignee is None and selectors.message_due(m) == due
    assert [n.kind for n in m.notes.all()] == ["route", "assign", "transfer"]


def test_invalid_messages_are_closed_with_a_reason_shown_to_the_sender(client):
    m = f.message()
    services.message_invalidate(
        actor=make_user("h5", roles.MESSAGE_HANDLER), message=m, reason="内容为商业广告"
    )
    page = client.get(reverse("public-message-track", args=[m.tracking_code])).content.decode()
    assert "内容为商业广告" in page
    assert selectors.message_monthly_stats(months=1)[-1].received == 0


def test_reply_periods_are_dated_parameters_set_by_an_administrator(client, staff_user):
    with time_machine.travel(dt.datetime(2025, 9, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        before = f.message(category="consult")
    client.force_login(staff_user)
    url = reverse("staff-interaction-settings")
    response = client.post(
        url,
        {
            "which": "reply",
            "reply-consult": "3",
            "reply-complaint": "7",
            "reply-suggestion": "15",
            "reply-valid_from": "2025-09-02",
            "reply-source": "聊市监办发〔2025〕1号",
        },
    )
    assert response.status_code == 302
    with time_machine.travel(dt.datetime(2025, 9, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        after = f.message(category="consult")
    assert selectors.message_due(before) == dt.date(2025, 9, 8)  # 5 working days, the old value
    assert selectors.message_due(after) == dt.date(2025, 9, 5)  # 3 working days from the new date
    page = client.get(url).content.decode()
    assert "聊市监办发〔2025〕1号" in page
    handler = make_user("plain-handler", roles.MESSAGE_HANDLER)
    client.force_login(handler)
    client.post(
        url,
        {
            "which": "reply",
            "reply-consult": "1",
            "reply-complaint": "1",
            "reply-suggestion": "1",
            "reply-valid_from": "2025-09-03",
            "reply-source": "x",
        },
    )
    assert selectors.message_due(after) == dt.date(2025, 9, 5)  # a handler may not change the rules


def test_the_form_accepts_an_image_and_refuses_a_disguised_file(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = SimpleUploadedFile("现场照片.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, content_type="image/png")
    response = _submit(client, attachments=png, body="门店消防通道被货物堵塞，附现场照片，请处理。")
    assert "查询码" in response.content.decode()
    assert Message.objects.get().attachments.get().original_name == "现场照片.png"
    fake = SimpleUploadedFile("发票.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    response = _submit(
        client,
        attachments=fake,
        body="另一条留言，附件是伪装的可执行文件。",
        addr="10.1.1.9",
        contact="13600001111",
    )
    assert "类型不被接受" in response.content.decode() and Message.objects.count() == 1
