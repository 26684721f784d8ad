"""Notifications to beneficiaries: the site's inbox, plus pluggable delivery backends.

:func:`send` records a :class:`~gongkai.policies.models.Notification` inside the caller's transaction
— at most one per case and kind (a database constraint), so nobody is told twice about the same
match; only the workflow calls it, and only for eligible cases, so the ineligible are never told.

Delivery through other channels is an outbox: :func:`deliver_pending` sends every notification that
a configured backend has not handled yet. It claims the (notification, channel) pair *before*
sending (a unique row), so a message is sent at most once even if two runs overlap. It runs after
the transaction that created the notification (views and commands call it; the nightly command too).

Backends are classes with ``channel`` and ``send(notification) -> (ok, detail)``, listed by dotted path
in the setting ``GONGKAI_NOTIFICATION_BACKENDS`` (default: e-mail only). SMS needs a gateway
contract; :class:`SmsBackend` is the place to plug it in.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from gongkai.policies.choices import Channel
from gongkai.policies.models import Account, Case, Delivery, Notification

log = logging.getLogger(__name__)

DEFAULT_BACKENDS = ["gongkai.policies.notify.EmailBackend"]


class Backend(Protocol):
    channel: str

    def send(self, notification: Notification) -> tuple[bool, str]: ...


def recipients(notification: Notification) -> list[str]:
    """E-mail addresses of the beneficiary's accounts (or the talent's own address)."""
    beneficiary = notification.beneficiary
    emails = list(Account.objects.filter(beneficiary=beneficiary).values_list("email", flat=True))
    if not emails and beneficiary.person_id and beneficiary.person.email:
        emails = [beneficiary.person.email]
    return sorted(set(e for e in emails if e))


class EmailBackend:
    """Django's mail (the test mailbox in tests, SMTP in production)."""

    channel = Channel.EMAIL

    def send(self, notification: Notification) -> tuple[bool, str]:
        to = recipients(notification)
        if not to:
            return False, "未登记电子邮箱"
        body = notification.body + "\n\n登录查看：/my/\n（本邮件由系统自动发送，请勿回复）"
        send_mail(notification.subject, body, None, to)
        return True, f"{len(to)} 个收件人"


class SmsBackend:
    """Placeholder for an SMS gateway: records that SMS is not configured."""

    channel = Channel.SMS

    def send(self, notification: Notification) -> tuple[bool, str]:
        return False, "未配置短信网关"


def backends() -> list[Backend]:
    paths = getattr(settings, "GONGKAI_NOTIFICATION_BACKENDS", DEFAULT_BACKENDS)
    return [import_string(path)() for path in paths]


def send(case: Case, kind: str, subject: str, body: str) -> Notification | None:
    """Put a message in the beneficiary's inbox, once per case and kind (None if already sent)."""
    if Notification.objects.filter(case=case, kind=kind).exists():
        return None
    try:
        with transaction.atomic():
            return Notification.objects.create(
                beneficiary_id=case.beneficiary_id, case=case, kind=kind, subject=subject[:200], body=body
            )
    except IntegrityError:
        return None


def deliver_pending(*, limit: int = 10000) -> int:
    """Send what the configured backends have not sent yet; returns how many were sent."""
    sent = 0
    for backend in backends():
        pending = (
            Notification.objects.exclude(deliveries__channel=backend.channel)
            .select_related("beneficiary__person")
            .order_by("id")[:limit]
        )
        for notification in pending:
            try:
                with transaction.atomic():
                    delivery = Delivery.objects.create(notification=notification, channel=backend.channel)
            except IntegrityError:
                continue  # another run claimed it
            try:
                ok, detail = backend.send(notification)
            except Exception as exc:  # a failed channel never blocks the others
                log.exception("notification %s via %s failed", notification.pk, backend.channel)
                ok, detail = False, f"发送失败：{type(exc).__name__}"
            Delivery.objects.filter(pk=delivery.pk).update(ok=ok, detail=detail[:300])
            sent += int(ok)
    return sent
