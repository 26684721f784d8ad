"""Writes of 互动交流. Every function here runs in a transaction and appends an audit event.

The messages a visitor can meet (a refused submission or rating) are translated (ADR 0060); those
only staff see stay Chinese.

Audit events of messages and requests carry codes, states and dates, never the sender's name,
contact or text: the audit log is shown to more staff than the case itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext, ngettext

from gongkai.core import audit, calendar
from gongkai.interaction import clock as clockmod
from gongkai.interaction import codes, documents, fees, outcomes, rules, search_index
from gongkai.interaction.choices import (
    RECEIPT_RULES,
    Channel,
    FeeMethod,
    MessageState,
    NoteKind,
    RequestState,
    Satisfaction,
    StepKind,
)
from gongkai.interaction.models import (
    InfoRequest,
    Letter,
    LetterTemplate,
    Message,
    MessageAttachment,
    MessageNote,
    RequestStep,
)

PUBLIC_ACTOR = "public:web"

# --- messages: submission and anti-abuse -----------------------------------------------------------

ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024  # per file: a photo or a scan; more is not a message
ATTACHMENT_MAX_FILES = 3
# Recognised by content, never by the name the browser sends; anything else is refused.
ATTACHMENT_TYPES = [
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
]


class Refused(ValidationError):
    """A submission refused by an anti-abuse rule (the message tells the sender what to do)."""


def address_digest(address: str) -> str:
    return codes.keyed_digest(settings.SECRET_KEY, "address", address or "unknown")


def content_digest(contact: str, body: str) -> str:
    return codes.keyed_digest(
        settings.SECRET_KEY, "content", codes.normalise_contact(contact), codes.normalise_text(body)
    )


def contact_digest(contact: str) -> str:
    return codes.keyed_digest(settings.SECRET_KEY, "contact", codes.normalise_contact(contact))


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def check_upload(name: str, data: bytes) -> tuple[str, str]:
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            gettext("附件“%(name)s”过大（%(size)s MB），单个附件不能超过5 MB")
            % {"name": name, "size": f"{len(data) / 1024 / 1024:.1f}"}
        )
    for magic, content_type, ext in ATTACHMENT_TYPES:
        if data.startswith(magic):
            return content_type, ext
    raise ValidationError(
        gettext("附件“%(name)s”的类型不被接受：只接受 JPEG、PNG 图片或 PDF 文件（按文件内容判断）")
        % {"name": name}
    )


def _check_abuse(*, address_key: str, contact: str, body: str, now: dt.datetime) -> None:
    limits = rules.value(rules.RATE_LIMITS)
    hour_ago = now - dt.timedelta(hours=1)
    if (
        Message.objects.filter(address_digest=address_key, received_at__gte=hour_ago).count()
        >= limits["per_address_per_hour"]
    ):
        raise Refused(
            gettext("同一网络地址一小时内提交的留言过多，请稍后再试。如情况紧急，请拨打12315热线。")
        )
    day_ago = now - dt.timedelta(days=1)
    if (
        Message.objects.filter(contact_digest=contact_digest(contact), received_at__gte=day_ago).count()
        >= limits["per_contact_per_day"]
    ):
        raise Refused(
            gettext("同一联系方式一天内提交的留言已达上限，请明天再试，或在已提交留言的办理页面补充说明。")
        )
    window = now - dt.timedelta(days=limits["duplicate_window_days"])
    earlier = (
        Message.objects.filter(content_digest=content_digest(contact, body), received_at__gte=window)
        .order_by("-received_at")
        .first()
    )
    if earlier is not None:
        day = dateformat.format(timezone.localtime(earlier.received_at), gettext("Y年m月d日"))
        raise Refused(
            gettext("您已于%(day)s提交过相同内容的留言，请勿重复提交。请使用当时获得的查询码查看办理进度。")
            % {"day": day}
        )


@transaction.atomic
def message_submit(
    *,
    address: str,
    category: str,
    subject: str,
    body: str,
    contact: str,
    name: str = "",
    consent_publish: bool = False,
    uploads: Sequence[Upload] = (),
    now: dt.datetime | None = None,
) -> Message:
    """A citizen's message: anti-abuse checks, a tracking code, the attachments typed by content."""
    now = now or timezone.now()
    address_key = address_digest(address)
    _check_abuse(address_key=address_key, contact=contact, body=body, now=now)
    if len(uploads) > ATTACHMENT_MAX_FILES:
        n = ATTACHMENT_MAX_FILES
        raise ValidationError(ngettext("最多上传%(n)s个附件", "最多上传%(n)s个附件", n) % {"n": n})
    kinds = [check_upload(u.name, u.data) for u in uploads]
    message = Message(
        tracking_code=codes.tracking_code("LY"),
        category=category,
        subject=subject.strip(),
        body=body.strip(),
        name=name.strip(),
        contact=contact.strip(),
        consent_publish=consent_publish,
        received_at=now,
        received_on=timezone.localdate(now),
        address_digest=address_key,
        contact_digest=contact_digest(contact),
        content_digest=content_digest(contact, body),
    )
    message.full_clean()
    message.save()
    for upload, (content_type, ext) in zip(uploads, kinds, strict=True):
        attachment = MessageAttachment(
            message=message,
            original_name=upload.name[:200],
            content_type=content_type,
            size=len(upload.data),
            sha256=hashlib.sha256(upload.data).hexdigest(),
        )
        attachment.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(upload.data), save=False)
        attachment.save()
    audit.record(
        actor=PUBLIC_ACTOR,
        action="interaction.message.submit",
        obj=message,
        object_repr=message.tracking_code,
        after={
            "category": category,
            "received_on": message.received_on,
            "attachments": len(uploads),
            "consent_publish": consent_publish,
        },
    )
    return message


# --- messages: the staff queue --------------------------------------------------------------------


def _locked_message(message: Message) -> Message:
    return Message.objects.select_for_update().get(pk=message.pk)


def _record_message(actor: Any, message: Message, action: str, before: dict, after: dict, note="") -> None:
    audit.record(
        actor=actor,
        action=f"interaction.message.{action}",
        obj=message,
        object_repr=message.tracking_code,
        before=before,
        after=after,
        note=note,
    )


def _note(message: Message, actor: Any, kind: str, text: str) -> MessageNote:
    by = actor if not isinstance(actor, str) else None
    note = MessageNote(message=message, kind=kind, text=text, at=timezone.now(), by=by)
    note.full_clean()
    note.save()
    return note


def _require_open(message: Message, doing: str) -> None:
    if message.state not in (MessageState.NEW, MessageState.ASSIGNED):
        raise ValidationError(f"留言当前状态为“{message.get_state_display()}”，不能{doing}")


@transaction.atomic
def message_route(*, actor: Any, message: Message, department, note: str = "") -> Message:
    """分办: send a new message to the department that answers it (待分办 → 办理中)."""
    message = _locked_message(message)
    _require_open(message, "分办")
    if message.department_id is not None:
        raise ValidationError("留言已分办；改由其他部门办理请使用“转办”")
    before = {"state": message.state, "department": None}
    message.department, message.state = department, MessageState.ASSIGNED
    message.save(update_fields=["department", "state"])
    _note(message, actor, NoteKind.ROUTE, f"分办至{department.name}" + (f"：{note}" if note else ""))
    _record_message(actor, message, "route", before, {"state": message.state, "department": department.pk})
    return message


@transaction.atomic
def message_assign(*, actor: Any, message: Message, assignee) -> Message:
    """Name the staff member who answers."""
    message = _locked_message(message)
    _require_open(message, "指定承办人")
    if message.department_id is None:
        raise ValidationError("请先分办至承办部门，再指定承办人")
    before = {"assignee": message.assignee_id}
    message.assignee = assignee
    message.save(update_fields=["assignee"])
    _note(message, actor, NoteKind.ASSIGN, f"指定承办人：{assignee.get_username()}")
    _record_message(actor, message, "assign", before, {"assignee": assignee.pk})
    return message


@transaction.atomic
def message_transfer(*, actor: Any, message: Message, department, reason: str) -> Message:
    """转办: another department answers; the deadline keeps running from the day of receipt."""
    message = _locked_message(message)
    _require_open(message, "转办")
    if not reason.strip():
        raise ValidationError("转办须说明理由")
    if message.department_id == department.pk:
        raise ValidationError("留言已由该部门办理")
    before = {"department": message.department_id, "assignee": message.assignee_id, "state": message.state}
    message.department, message.assignee, message.state = department, None, MessageState.ASSIGNED
    message.save(update_fields=["department", "assignee", "state"])
    _note(message, actor, NoteKind.TRANSFER, f"转办至{department.name}：{reason.strip()}")
    _record_message(
        actor, message, "transfer", before, {"department": department.pk, "assignee": None}, note=reason
    )
    return message


@transaction.atomic
def message_note_add(*, actor: Any, message: Message, text: str) -> MessageNote:
    if not text.strip():
        raise ValidationError("备注不能为空")
    note = _note(message, actor, NoteKind.NOTE, text.strip())
    _record_message(actor, message, "note", {}, {"note": note.pk})
    return note


@transaction.atomic
def message_reply(*, actor: Any, message: Message, text: str, now: dt.datetime | None = None) -> Message:
    """答复: the reply the sender reads on the tracking page (办理中 → 已答复)."""
    message = _locked_message(message)
    _require_open(message, "答复")
    if message.department_id is None:
        raise ValidationError("请先分办至承办部门，再答复")
    if len(text.strip()) < 5:
        raise ValidationError("答复内容过短")
    now = now or timezone.now()
    before = {"state": message.state}
    message.reply = text.strip()
    user = actor if not isinstance(actor, str) else None
    message.replied_at, message.replied_on, message.replied_by = now, timezone.localdate(now), user
    message.state = MessageState.REPLIED
    if message.assignee_id is None:
        message.assignee = user
    message.full_clean()
    message.save()
    _record_message(
        actor, message, "reply", before, {"state": message.state, "replied_on": message.replied_on}
    )
    return message


@transaction.atomic
def message_close(*, actor: Any, message: Message, note: str = "") -> Message:
    """办结 a replied message."""
    message = _locked_message(message)
    if message.state != MessageState.REPLIED:
        raise ValidationError("只有已答复的留言可以办结；无效留言请使用“标记为无效”")
    before = {"state": message.state}
    message.state, message.closed_at, message.close_reason = MessageState.CLOSED, timezone.now(), note.strip()
    message.save(update_fields=["state", "closed_at", "close_reason"])
    _record_message(actor, message, "close", before, {"state": message.state})
    return message


@transaction.atomic
def message_invalidate(*, actor: Any, message: Message, reason: str) -> Message:
    """无效留言 (advertising, abuse, no content): closed without a reply, with the reason shown."""
    message = _locked_message(message)
    _require_open(message, "标记为无效")
    if len(reason.strip()) < 4:
        raise ValidationError("请说明不予答复的理由（将显示在办理进度页面）")
    before = {"state": message.state}
    message.state, message.closed_at, message.close_reason = (
        MessageState.INVALID,
        timezone.now(),
        reason.strip(),
    )
    message.save(update_fields=["state", "closed_at", "close_reason"])
    _record_message(actor, message, "invalidate", before, {"state": message.state}, note=reason)
    return message


def suggested_public_texts(message: Message) -> dict[str, str]:
    """The texts with the sender's name, contact and other personal data masked, for review."""
    from gongkai.penalties import redaction

    def clean(text: str) -> str:
        marked = []
        for needle, kind in ((message.name, redaction.Kind.NAME), (message.contact, redaction.Kind.OTHER)):
            if needle and len(needle) >= 2:
                marked += redaction.mark_all(text, needle, kind)
        return redaction.redact(text, redaction.detect(text, marked=marked))

    return {
        "public_subject": clean(message.subject),
        "public_body": clean(message.body),
        "public_reply": clean(message.reply),
    }


def identity_leaks(message: Message, texts: Sequence[str]) -> list[str]:
    """What in ``texts`` could identify the sender (refused on publication)."""
    from gongkai.penalties import redaction

    problems = []
    for text in texts:
        if message.name and len(message.name) >= 2 and message.name in text:
            problems.append("公开文本中仍含有留言人姓名")
        if message.contact and codes.normalise_contact(message.contact) in codes.normalise_contact(text):
            problems.append("公开文本中仍含有留言人联系方式")
        for finding in redaction.detect(text):
            problems.append(f"公开文本中仍含有{finding.kind.label}")
    return sorted(set(problems))


@transaction.atomic
def message_publish(
    *, actor: Any, message: Message, public_subject: str, public_body: str, public_reply: str
) -> Message:
    """Publish a replied message as Q&A, its texts reviewed and stripped of the sender's identity."""
    message = _locked_message(message)
    if message.state not in (MessageState.REPLIED, MessageState.CLOSED) or not message.replied_at:
        raise ValidationError("只有已答复的留言可以公开")
    if not message.consent_publish:
        raise ValidationError("留言人未同意公开，不能公开")
    texts = [public_subject.strip(), public_body.strip(), public_reply.strip()]
    if not all(texts):
        raise ValidationError("公开的标题、留言内容和答复内容都不能为空")
    leaks = identity_leaks(message, texts)
    if leaks:
        raise ValidationError([*leaks, "请隐去后再公开。"])
    before = {"published": message.published_at is not None}
    message.public_subject, message.public_body, message.public_reply = texts
    message.published_at = message.published_at or timezone.now()
    message.full_clean()
    message.save()
    _record_message(actor, message, "publish", before, {"published": True})
    search_index.refresh([message.pk])
    return message


@transaction.atomic
def message_unpublish(*, actor: Any, message: Message, reason: str) -> Message:
    message = _locked_message(message)
    if message.published_at is None:
        raise ValidationError("该留言未公开")
    message.published_at = None
    message.save(update_fields=["published_at"])
    _record_message(actor, message, "unpublish", {"published": True}, {"published": False}, note=reason)
    search_index.refresh([message.pk])
    return message


@transaction.atomic
def message_rate(*, message: Message, rating: int, comment: str = "") -> Message:
    """满意度: the sender rates the reply once, from the tracking page."""
    message = _locked_message(message)
    if message.state not in (MessageState.REPLIED, MessageState.CLOSED):
        raise ValidationError(gettext("留言答复后才能评价"))
    if message.rating is not None:
        raise ValidationError(gettext("您已评价过本次答复，感谢您的反馈"))
    if rating not in Satisfaction.values:
        raise ValidationError(gettext("请选择满意、基本满意或不满意"))
    message.rating, message.rating_comment, message.rated_at = rating, comment.strip()[:300], timezone.now()
    message.save(update_fields=["rating", "rating_comment", "rated_at"])
    _record_message(PUBLIC_ACTOR, message, "rate", {}, {"rating": rating})
    return message


# --- 依申请公开 -----------------------------------------------------------------------------------


def request_clock(request: InfoRequest, cal=None) -> clockmod.Clock:
    """The request's dates on the calendar in force (raises CalendarNotCovered for unknown years)."""
    steps = [clockmod.Step(s.kind, s.on, s.until) for s in request.steps.all()]
    return clockmod.compute(request.received_on, steps, cal or calendar.calendar_in_force())


def received_on_for(channel: str, submitted_on: dt.date, confirmed_on: dt.date | None) -> dt.date:
    """条例第三十一条: when a request counts as received, by how it came."""
    if channel in (Channel.ONLINE, Channel.IN_PERSON):
        return submitted_on
    if confirmed_on is None:
        raise ValidationError(
            {
                "received_on": "邮寄、信函、电子邮件或传真提交的申请，请填写签收或双方确认之日（条例第三十一条）"
            }
        )
    if confirmed_on < submitted_on:
        raise ValidationError({"received_on": "签收或确认日期不能早于寄达或提交日期"})
    return confirmed_on


def _next_number(year: int) -> str:
    prefix = f"YSQ{year}"
    last = (
        InfoRequest.objects.select_for_update()
        .filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    serial = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{serial:05d}"


REQUEST_FIELDS = [
    "applicant_type",
    "applicant_name",
    "id_document",
    "org_code",
    "legal_representative",
    "contact_person",
    "phone",
    "email",
    "address",
    "postcode",
    "description",
    "desired_form",
]


@transaction.atomic
def request_receive(
    *,
    actor: Any,
    data: dict[str, Any],
    channel: str,
    submitted_on: dt.date,
    confirmed_on: dt.date | None = None,
    department=None,
    address: str = "",
) -> InfoRequest:
    """Register a request (online form, or a letter entered by staff) and issue its receipt.

    ``address`` is the network address of an online submission: the same hourly limit as for
    messages applies to it (the right to apply is not limited; a flood from one address is).
    """
    address_key = address_digest(address) if address else ""
    if address_key:
        hour_ago = timezone.now() - dt.timedelta(hours=1)
        limit = rules.value(rules.RATE_LIMITS)["per_address_per_hour"]
        if InfoRequest.objects.filter(address_digest=address_key, created_at__gte=hour_ago).count() >= limit:
            raise Refused(gettext("同一网络地址一小时内提交的申请过多，请稍后再试，或以信函方式提交。"))
    received_on = received_on_for(channel, submitted_on, confirmed_on)
    today = timezone.localdate()
    if received_on > today:
        raise ValidationError({"received_on": "收到日期不能晚于今天"})
    request = InfoRequest(
        tracking_code=codes.tracking_code("SQ"),
        number=_next_number(received_on.year),
        channel=channel,
        submitted_on=submitted_on,
        received_on=received_on,
        receipt_note=RECEIPT_RULES[Channel(channel)],
        address_digest=address_key,
        department=department,
        created_by=actor if not isinstance(actor, str) else None,
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in data.items() if k in REQUEST_FIELDS},
    )
    if request.applicant_type == "person" and not request.id_document:
        raise ValidationError({"id_document": "自然人申请须提供身份证件名称及号码（条例第二十九条）"})
    if request.applicant_type != "person" and not request.org_code:
        raise ValidationError({"org_code": "法人或其他组织申请须提供统一社会信用代码（条例第二十九条）"})
    request.full_clean()
    request.save()
    _step(request, actor, StepKind.RECEIVED, received_on, note=request.receipt_note)
    audit.record(
        actor=actor,
        action="interaction.request.receive",
        obj=request,
        object_repr=request.number,
        after={"channel": channel, "received_on": received_on, "applicant_type": request.applicant_type},
    )
    letter_issue(request=request, key="ack", on=received_on)
    return request


def _step(request: InfoRequest, actor: Any, kind: str, on: dt.date, **extra) -> RequestStep:
    step = RequestStep(
        request=request,
        kind=kind,
        on=on,
        at=timezone.now(),
        by=actor if not isinstance(actor, str) else None,
        **extra,
    )
    step.full_clean()
    step.save()
    return step


def _locked_request(request: InfoRequest) -> InfoRequest:
    return InfoRequest.objects.select_for_update().get(pk=request.pk)


def _check_day(request: InfoRequest, on: dt.date) -> None:
    last = request.steps.order_by("-on", "-id").values_list("on", flat=True).first() or request.received_on
    if on < last:
        raise ValidationError(f"日期不能早于上一办理步骤的日期（{last:%Y-%m-%d}）")
    if on > timezone.localdate():
        raise ValidationError("日期不能晚于今天")


def _require_state(request: InfoRequest, *states: str, doing: str) -> None:
    if request.state not in states:
        raise ValidationError(f"申请当前状态为“{request.get_state_display()}”，不能{doing}")


def _record_request(
    actor: Any, request: InfoRequest, action: str, before: dict, after: dict, note=""
) -> None:
    audit.record(
        actor=actor,
        action=f"interaction.request.{action}",
        obj=request,
        object_repr=request.number,
        before=before,
        after=after,
        note=note,
    )


@transaction.atomic
def request_correction(
    *, actor: Any, request: InfoRequest, on: dt.date, items: str, until: dt.date | None = None
) -> InfoRequest:
    """补正告知: once, within 7 working days of receipt; the reply clock stops until the answer."""
    request = _locked_request(request)
    _require_state(request, RequestState.RECEIVED, doing="发出补正告知")
    _check_day(request, on)
    if request.steps.filter(kind=StepKind.CORRECTION_REQUESTED).exists():
        raise ValidationError("补正告知只能发出一次（条例第三十条“一次性告知”）")
    clock = request_clock(request)
    if on > clock.correction_notice_due:
        raise ValidationError(
            f"补正告知应在收到申请之日起7个工作日内发出（最迟{clock.correction_notice_due:%Y年%m月%d日}），"
            "已超过期限，请按现有申请内容答复"
        )
    if not items.strip():
        raise ValidationError("请写明需要补正的事项")
    cal = calendar.calendar_in_force()
    until = until or cal.add_working_days(on, int(rules.value(rules.CORRECTION_PERIOD, on)))
    if until <= on:
        raise ValidationError("补正期限应晚于告知日期")
    _step(request, actor, StepKind.CORRECTION_REQUESTED, on, until=until, note=items.strip())
    before = {"state": request.state}
    request.state = RequestState.CORRECTION
    request.save(update_fields=["state"])
    _record_request(actor, request, "correction", before, {"state": request.state, "on": on, "until": until})
    letter_issue(request=request, key="correction", on=on)
    return request


@transaction.atomic
def request_correction_received(
    *, actor: Any, request: InfoRequest, on: dt.date, note: str = ""
) -> InfoRequest:
    """The corrected request arrived: the 20 working days start again from ``on``."""
    request = _locked_request(request)
    _require_state(request, RequestState.CORRECTION, doing="登记补正")
    _check_day(request, on)
    notice = request.steps.filter(kind=StepKind.CORRECTION_REQUESTED).latest("id")
    if notice.until and on > notice.until:
        raise ValidationError(
            f"补正期限已于{notice.until:%Y年%m月%d日}届满；逾期补正且无正当理由的，应登记为“视为放弃”"
        )
    _step(request, actor, StepKind.CORRECTION_RECEIVED, on, note=note)
    request.state = RequestState.RECEIVED
    request.save(update_fields=["state"])
    _record_request(actor, request, "correction_received", {"state": RequestState.CORRECTION}, {"on": on})
    return request


def _close(request: InfoRequest, *, outcome_code: str, on: dt.date) -> None:
    request.outcome, request.closed_on = outcome_code, on
    request.state = (
        RequestState.ANSWERED if outcomes.outcome(outcome_code).letter_type else RequestState.WITHDRAWN
    )
    request.full_clean()
    request.save()


@transaction.atomic
def request_correction_lapse(*, actor: Any, request: InfoRequest, on: dt.date | None = None) -> InfoRequest:
    """No correction in time: the request is treated as abandoned (条例第三十条)."""
    request = _locked_request(request)
    _require_state(request, RequestState.CORRECTION, doing="登记为视为放弃")
    on = on or timezone.localdate()
    notice = request.steps.filter(kind=StepKind.CORRECTION_REQUESTED).latest("id")
    if notice.until and on <= notice.until:
        raise ValidationError(f"补正期限{notice.until:%Y年%m月%d日}尚未届满")
    _step(request, actor, StepKind.CORRECTION_LAPSED, on)
    _close(request, outcome_code="lapsed_correction", on=on)
    _record_request(
        actor, request, "correction_lapse", {"state": RequestState.CORRECTION}, {"state": request.state}
    )
    return request


@transaction.atomic
def request_consult(*, actor: Any, request: InfoRequest, on: dt.date, third_party: str) -> InfoRequest:
    """征求第三方意见: the clock stops; the third party has 15 working days (条例第三十二条)."""
    request = _locked_request(request)
    _require_state(request, RequestState.RECEIVED, doing="征求第三方意见")
    _check_day(request, on)
    if not third_party.strip():
        raise ValidationError("请填写被征求意见的第三方")
    _step(request, actor, StepKind.CONSULTATION_STARTED, on, note=third_party.strip())
    request.state = RequestState.CONSULTING
    request.save(update_fields=["state"])
    _record_request(
        actor, request, "consult", {"state": RequestState.RECEIVED}, {"state": request.state, "on": on}
    )
    letter_issue(request=request, key="consultation", on=on)
    return request


@transaction.atomic
def request_consult_end(*, actor: Any, request: InfoRequest, on: dt.date, note: str = "") -> InfoRequest:
    """The third party answered (or its 15 days ran out): the clock runs again."""
    request = _locked_request(request)
    _require_state(request, RequestState.CONSULTING, doing="登记第三方意见")
    _check_day(request, on)
    _step(request, actor, StepKind.CONSULTATION_ENDED, on, note=note)
    request.state = RequestState.RECEIVED
    request.save(update_fields=["state"])
    _record_request(actor, request, "consult_end", {"state": RequestState.CONSULTING}, {"on": on})
    return request


@transaction.atomic
def request_extend(*, actor: Any, request: InfoRequest, on: dt.date, reason: str, approver) -> InfoRequest:
    """延期: once, by 20 working days, approved by the head of the disclosure office, with notice."""
    request = _locked_request(request)
    _require_state(request, RequestState.RECEIVED, RequestState.CONSULTING, doing="延长答复期限")
    _check_day(request, on)
    if request.steps.filter(kind=StepKind.EXTENDED).exists():
        raise ValidationError("答复期限只能延长一次（条例第三十三条第二款）")
    if approver is None or not approver.has_perm("interaction.approve_extension"):
        raise ValidationError("延长答复期限须经政府信息公开工作机构负责人同意：请选择有批准权限的负责人")
    if not reason.strip():
        raise ValidationError("请说明延长答复期限的理由")
    clock = request_clock(request)
    if clock.reply_due is not None and on > clock.reply_due:
        raise ValidationError(f"答复期限已于{clock.reply_due:%Y年%m月%d日}届满，不能再延长")
    _step(request, actor, StepKind.EXTENDED, on, note=reason.strip(), approved_by=approver)
    _record_request(actor, request, "extend", {}, {"on": on, "approved_by": approver.pk}, note=reason)
    letter_issue(request=request, key="extension", on=on)
    return request


def applicant_key(request: InfoRequest) -> tuple[str, str]:
    """Who the applicant is, for the monthly count of 按件 fees."""
    if request.org_code:
        return ("org", request.org_code.upper())
    return ("person", codes.normalise_contact(request.id_document or request.applicant_name))


def position_in_month(request: InfoRequest) -> int:
    """The request's number among its applicant's requests received in the same natural month."""
    first = request.received_on.replace(day=1)
    same_month = InfoRequest.objects.filter(
        received_on__gte=first, received_on__lte=request.received_on
    ).order_by("received_on", "id")
    if request.org_code:
        same_month = same_month.filter(org_code__iexact=request.org_code)
    else:
        same_month = same_month.filter(applicant_name=request.applicant_name)
    key = applicant_key(request)
    ordered = [r.pk for r in same_month if applicant_key(r) == key]
    return ordered.index(request.pk) + 1


def fee_for(request: InfoRequest, method: str, pages: int | None) -> Decimal:
    tiers = rules.value(rules.FEE_TIERS, request.received_on)
    if method == FeeMethod.BY_ITEM:
        return fees.fee_by_item(position_in_month(request), tiers)
    if method == FeeMethod.BY_PAGE:
        if pages is None:
            raise ValidationError("按量计收须填写页数")
        return fees.fee_by_page(pages, tiers)
    raise ValidationError("请选择收费方式")


@transaction.atomic
def request_fee_notice(
    *, actor: Any, request: InfoRequest, on: dt.date, method: str, pages: int | None = None
) -> InfoRequest:
    """收费通知: only beyond the free amount; the clock stops until payment (国办函〔2020〕109号)."""
    request = _locked_request(request)
    _require_state(request, RequestState.RECEIVED, doing="发出收费通知")
    _check_day(request, on)
    if request.steps.filter(kind=StepKind.FEE_NOTICE).exists():
        raise ValidationError("该申请已发出过收费通知")
    amount = fee_for(request, method, pages)
    if amount <= 0:
        raise ValidationError("该申请未超过免费的数量范围，不得收取信息处理费")
    cal = calendar.calendar_in_force()
    until = cal.add_working_days(on, int(rules.value(rules.FEE_PAYMENT_DAYS, on)))
    request.fee_method, request.fee_pages, request.fee_amount = method, pages, amount
    request.state = RequestState.FEE_PENDING
    request.save(update_fields=["fee_method", "fee_pages", "fee_amount", "state"])
    _step(request, actor, StepKind.FEE_NOTICE, on, until=until, note=f"{amount}元")
    _record_request(
        actor, request, "fee_notice", {"state": RequestState.RECEIVED}, {"amount": amount, "method": method}
    )
    letter_issue(request=request, key="fee_notice", on=on)
    return request


@transaction.atomic
def request_fee_paid(*, actor: Any, request: InfoRequest, on: dt.date) -> InfoRequest:
    request = _locked_request(request)
    _require_state(request, RequestState.FEE_PENDING, doing="登记缴费")
    _check_day(request, on)
    _step(request, actor, StepKind.FEE_PAID, on)
    request.state, request.fee_paid_on = RequestState.RECEIVED, on
    request.save(update_fields=["state", "fee_paid_on"])
    _record_request(actor, request, "fee_paid", {"state": RequestState.FEE_PENDING}, {"on": on})
    return request


@transaction.atomic
def request_fee_lapse(*, actor: Any, request: InfoRequest, on: dt.date | None = None) -> InfoRequest:
    request = _locked_request(request)
    _require_state(request, RequestState.FEE_PENDING, doing="登记逾期未缴费")
    on = on or timezone.localdate()
    notice = request.steps.filter(kind=StepKind.FEE_NOTICE).latest("id")
    if notice.until and on <= notice.until:
        raise ValidationError(f"缴费期限{notice.until:%Y年%m月%d日}尚未届满")
    _step(request, actor, StepKind.FEE_LAPSED, on)
    _close(request, outcome_code="lapsed_fee", on=on)
    _record_request(
        actor, request, "fee_lapse", {"state": RequestState.FEE_PENDING}, {"state": request.state}
    )
    return request


@transaction.atomic
def request_answer(
    *,
    actor: Any,
    request: InfoRequest,
    on: dt.date,
    outcome: str,
    summary: str,
    other_agency: str = "",
) -> InfoRequest:
    """答复: one of the seven answers of 条例第三十六条, as a generated letter."""
    request = _locked_request(request)
    _require_state(request, RequestState.RECEIVED, doing="答复")
    _check_day(request, on)
    if outcome not in outcomes.ANSWER_CODES:
        raise ValidationError("请选择办理结果")
    chosen = outcomes.outcome(outcome)
    if chosen.letter_type == "not_this_agency" and not other_agency.strip():
        raise ValidationError("不属于本机关负责公开的，应告知负责公开的机关名称（条例第三十六条第五项）")
    if not summary.strip():
        raise ValidationError("请填写答复要点（公开的内容、获取途径或不予公开的理由）")
    request.answer_summary, request.other_agency = summary.strip(), other_agency.strip()
    _step(request, actor, StepKind.ANSWERED, on, note=chosen.label)
    _close(request, outcome_code=outcome, on=on)
    clock = request_clock(request)
    _record_request(
        actor,
        request,
        "answer",
        {"state": RequestState.RECEIVED},
        {"state": request.state, "outcome": outcome, "on": on, "on_time": clock.answered_on_time},
    )
    letter_issue(request=request, key=f"answer_{chosen.letter_type}", on=on)
    return request


@transaction.atomic
def request_withdraw(*, actor: Any, request: InfoRequest, on: dt.date, note: str = "") -> InfoRequest:
    """The applicant withdrew the request (其他处理 in the annual report)."""
    request = _locked_request(request)
    _require_state(
        request,
        RequestState.RECEIVED,
        RequestState.CORRECTION,
        RequestState.CONSULTING,
        RequestState.FEE_PENDING,
        doing="撤回",
    )
    _check_day(request, on)
    _step(request, actor, StepKind.WITHDRAWN, on, note=note)
    before = {"state": request.state}
    _close(request, outcome_code="other", on=on)
    _record_request(actor, request, "withdraw", before, {"state": request.state}, note=note)
    return request


# --- letters --------------------------------------------------------------------------------------


def template_for(key: str) -> tuple[str, str]:
    """(title, body) of the template in force: the staff's edit, or the default."""
    row = LetterTemplate.objects.filter(key=key).first()
    if row is not None:
        return row.title, row.body
    default = documents.DEFAULTS[key]
    return default.title, default.body


@transaction.atomic
def template_save(*, actor: Any, key: str, title: str, body: str) -> LetterTemplate:
    if key not in documents.DEFAULTS:
        raise ValidationError("没有这种文书")
    try:
        documents.check_template(body)
    except documents.TemplateProblem as exc:
        raise ValidationError({"body": str(exc)}) from exc
    existing = LetterTemplate.objects.filter(key=key).first()
    before = audit.snapshot(existing, ["title", "body"]) if existing else None
    row = existing or LetterTemplate(key=key)
    row.title, row.body = title.strip(), body.replace("\r\n", "\n").strip()
    row.full_clean()
    row.save()
    audit.record(
        actor=actor,
        action="interaction.template.save",
        obj=row,
        before=before,
        after=audit.snapshot(row, ["title", "body"]),
    )
    return row


@transaction.atomic
def template_reset(*, actor: Any, key: str) -> None:
    row = LetterTemplate.objects.filter(key=key).first()
    if row is None:
        return
    before = audit.snapshot(row, ["title", "body"])
    row.delete()
    audit.record(
        actor=actor,
        action="interaction.template.reset",
        object_type="interaction.lettertemplate",
        object_id=key,
        before=before,
    )


def _d(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def letter_values(request: InfoRequest, on: dt.date) -> dict[str, str]:
    """The placeholder values of a letter about ``request`` dated ``on``."""
    clock = request_clock(request)
    steps = list(request.steps.all())

    def last(kind: str) -> RequestStep | None:
        found = [s for s in steps if s.kind == kind]
        return found[-1] if found else None

    correction = last(StepKind.CORRECTION_REQUESTED)
    consultation = last(StepKind.CONSULTATION_STARTED)
    extension = last(StepKind.EXTENDED)
    fee = last(StepKind.FEE_NOTICE)
    chosen = outcomes.BY_CODE.get(request.outcome)
    return {
        "机关名称": settings.GONGKAI_BUREAU_NAME,
        "申请人": request.applicant_name,
        "受理编号": request.number,
        "查询码": request.tracking_code,
        "申请内容": request.description,
        "提交日期": _d(request.submitted_on),
        "收到日期": _d(request.received_on),
        "答复期限": _d(clock.reply_due),
        "补正事项": correction.note if correction else "",
        "补正期限": _d(correction.until) if correction else "",
        "延期理由": extension.note if extension else "",
        "延长后期限": _d(clock.reply_due) if extension else "",
        "第三方": consultation.note if consultation else "",
        "征求意见期限": _d(clock.consultation_due),
        "收费方式": str(FeeMethod(request.fee_method).label) if request.fee_method != FeeMethod.NONE else "",
        "收费金额": f"{request.fee_amount:.2f}" if request.fee_amount else "",
        "缴费期限": _d(fee.until) if fee else "",
        "办理结果": chosen.label if chosen else "",
        "答复要点": request.answer_summary,
        "法律依据": chosen.basis if chosen else "",
        "负责机关": request.other_agency,
        "日期": _d(on),
    }


def letter_issue(*, request: InfoRequest, key: str, on: dt.date) -> Letter:
    """Generate a letter from its template and keep the file exactly as issued.

    Letters are legal documents and always Chinese, also when an English page issued one (the
    receipt of an online request).
    """
    title, body = template_for(key)
    with translation.override(settings.LANGUAGE_CODE):
        text = documents.fill(body, letter_values(request, on))
    subtitle = f"受理编号：{request.number}"
    data = documents.docx_bytes(title, text, subtitle=subtitle)
    letter = Letter(
        request=request,
        key=key,
        title=title,
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        issued_on=on,
        issued_at=timezone.now(),
    )
    stem = f"{request.number}-{key}-{uuid.uuid4().hex[:8]}"
    letter.docx.save(f"{stem}.docx", ContentFile(data), save=False)
    letter.save()
    audit.record(
        actor="system:letters",
        action="interaction.letter.issue",
        obj=letter,
        object_repr=f"{request.number} {title}",
        after={"request": request.pk, "key": key, "sha256": letter.sha256},
    )
    return letter
