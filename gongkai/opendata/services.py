"""Writes of the open-data module: the daily files, subscriptions and the alert mails.

* :func:`open_data_export` writes the datasets of :mod:`gongkai.opendata.datasets` for a day
  (files only; the database is read, never written) and deletes folders past retention.
* :func:`subscription_request` → confirmation mail with a signed link (double opt-in);
  :func:`subscription_confirm`; :func:`subscription_cancel` (one-click, signed link).
* :func:`alerts_send` mails each confirmed subscriber the items of their list published since the
  last mail, through Django's default mailer (``MAILERS`` in the settings).

A subscriber's address is personal data: it is stored only on :class:`Subscription`, appears in no
page, file, feed or audit event (events name the subscription by number), and the subscribe page
answers the same whether an address was already subscribed or not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import EmailValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongkai.core import audit
from gongkai.opendata import datasets as ds
from gongkai.opendata import exporting
from gongkai.opendata.choices import SubscriptionState
from gongkai.opendata.feeds import FeedItem, UnknownList, list_ref_from_url
from gongkai.opendata.models import Subscription

log = logging.getLogger(__name__)

CONFIRM_SALT = "gongkai.opendata.confirm"
UNSUBSCRIBE_SALT = "gongkai.opendata.unsubscribe"
CONFIRM_MAX_AGE = dt.timedelta(days=7)
ALERT_ITEMS = 50  # at most this many items in one mail; the rest are behind the list's link
# Abuse limits of the subscribe form (a confirmation mail goes to an address someone typed).
SUBSCRIBE_PER_ADDRESS_PER_HOUR = 10
CONFIRMATIONS_PER_EMAIL_PER_DAY = 3


class OpenDataError(ValueError):
    """Bad input to an open-data service; ``str()`` is the message for the user (the messages a
    visitor can see are in the active language; the command's are Chinese)."""


# --- daily files ---------------------------------------------------------------------------------


@dataclass
class ExportReport:
    day: dt.date
    root: Path
    written: dict[str, int] = field(default_factory=dict)  # dataset → rows
    removed: list[dt.date] = field(default_factory=list)


def export_root() -> Path:
    return Path(settings.GONGKAI_OPENDATA_DIR)


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise OpenDataError(
            gettext("日期“%(text)s”无法识别：请写成 YYYY-MM-DD，例如 2026-11-25") % {"text": text[:20]}
        ) from None


def check_datasets(names: Sequence[str] | None) -> list[str]:
    if not names:
        return list(ds.DATASETS)
    unknown = [n for n in names if n not in ds.DATASETS]
    if unknown:
        raise OpenDataError(f"没有数据集“{'、'.join(unknown)}”。可选：{'、'.join(ds.DATASETS)}")
    return list(dict.fromkeys(names))


def open_data_export(
    *,
    day: dt.date | None = None,
    datasets: Sequence[str] | None = None,
    formats: Sequence[str] = exporting.FORMATS,
    root: Path | None = None,
    keep_days: int | None = None,
    progress=None,
) -> ExportReport:
    """Write ``datasets`` (default: all) for ``day`` (default: today in Asia/Shanghai), then
    delete day folders older than ``keep_days`` (default ``GONGKAI_OPENDATA_KEEP_DAYS``).

    ``day`` is the folder's date and the day the penalties' display periods are judged on (an
    expired penalty is absent from that day's files); the other datasets are what is public now.
    """
    today = timezone.localdate()
    day = day or today
    if day > today:
        raise OpenDataError(f"不能导出未来的日期（{day:%Y-%m-%d}）：今天是 {today:%Y-%m-%d}")
    names = check_datasets(datasets)
    bad = [f for f in formats if f not in exporting.FORMATS]
    if bad or not formats:
        raise OpenDataError(f"没有格式“{'、'.join(bad)}”。可选：{'、'.join(exporting.FORMATS)}")
    root = root or export_root()
    keep = settings.GONGKAI_OPENDATA_KEEP_DAYS if keep_days is None else keep_days
    if keep < 1:
        raise OpenDataError("保留天数至少为 1 天")
    report = ExportReport(day=day, root=root)
    with exporting.folder_lock(root):
        for name in names:
            dataset = ds.DATASETS[name]
            generated_at = timezone.localtime().replace(microsecond=0)
            entry = exporting.write_dataset(
                root=root,
                day=day,
                slug=dataset.slug,
                title=dataset.title,
                columns=[exporting.Column(f.name, f.label, f.type) for f in dataset.fields],
                dictionary=dataset.dictionary(),
                rows=dataset.rows(day),
                formats=formats,
                generated_at=generated_at,
                meta={"description": dataset.description, "source": dataset.source, "date": day.isoformat()},
            )
            entry["description"] = dataset.description
            exporting.update_manifest(root=root, day=day, slug=dataset.slug, entry=entry)
            report.written[name] = entry["rows"]
            if progress:
                progress(name, entry["rows"])
        report.removed = exporting.prune(root=root, today=today, keep_days=keep)
    return report


# --- subscriptions ---------------------------------------------------------------------------------


def _email_key(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:16]


def confirm_token(sub: Subscription) -> str:
    return signing.dumps({"s": sub.pk, "e": _email_key(sub.email)}, salt=CONFIRM_SALT)


def unsubscribe_token(sub: Subscription) -> str:
    return signing.dumps({"s": sub.pk, "e": _email_key(sub.email)}, salt=UNSUBSCRIBE_SALT)


LINK_EXPIRED = _("确认链接已过期（有效期 %(days)s 天）：请在原页面重新订阅，我们会再发一封确认邮件")
LINK_ERRORS = {
    "confirm": {
        "bad": _("确认链接无效：请检查是否完整复制了邮件中的链接"),
        "missing": _("确认链接对应的订阅不存在（可能已被删除）"),
    },
    "unsubscribe": {
        "bad": _("退订链接无效：请检查是否完整复制了邮件中的链接"),
        "missing": _("退订链接对应的订阅不存在（可能已被删除）"),
    },
}


def _from_token(token: str, *, salt: str, max_age: dt.timedelta | None, action: str) -> Subscription:
    """The subscription a signed link names; ``action`` is ``confirm`` or ``unsubscribe`` (for the message)."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:  # only confirmation links expire
        raise OpenDataError(str(LINK_EXPIRED) % {"days": CONFIRM_MAX_AGE.days}) from None
    except signing.BadSignature:
        raise OpenDataError(str(LINK_ERRORS[action]["bad"])) from None
    pk = data.get("s") if isinstance(data, dict) else None
    sub = Subscription.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if sub is None or _email_key(sub.email) != data.get("e"):
        raise OpenDataError(str(LINK_ERRORS[action]["missing"]))
    return sub


def normalise_email(email: str) -> str:
    email = (email or "").strip()
    try:
        EmailValidator(message=_("电子邮箱地址格式不正确，例如 name@example.com"))(email)
    except ValidationError as exc:
        raise OpenDataError(exc.messages[0]) from None
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def subscribe_allowed(*, address: str, email: str) -> bool:
    """Counts requests per client address (per hour) and confirmation mails per e-mail (per day)."""
    ip_key = f"opendata:sub:ip:{address}"
    mail_key = f"opendata:sub:mail:{_email_key(email)}"
    cache.add(ip_key, 0, 3600)
    cache.add(mail_key, 0, 86400)
    if cache.incr(ip_key) > SUBSCRIBE_PER_ADDRESS_PER_HOUR:
        return False
    return cache.incr(mail_key) <= CONFIRMATIONS_PER_EMAIL_PER_DAY


def _site(path: str) -> str:
    return settings.GONGKAI_SITE_URL.rstrip("/") + path


def subscription_request(*, email: str, url: str) -> Subscription | None:
    """Record a pending subscription to the list at ``url`` and mail the confirmation link.

    Returns None when the address is already subscribed to that list (nothing is sent; the caller
    shows the same answer either way). Raises :class:`OpenDataError` for a bad address or URL.
    """
    email = normalise_email(email)
    try:
        ref = list_ref_from_url(url)
    except UnknownList as exc:
        raise OpenDataError(str(exc)) from None
    # The title names the list in the e-mails, which are Chinese (the alerts are sent by a job that
    # knows no visitor's language).
    with translation.override(settings.LANGUAGE_CODE):
        title = ref.title[:200]
    with transaction.atomic():
        sub, created = Subscription.objects.select_for_update().get_or_create(
            email=email, url=ref.url, defaults={"title": title}
        )
        if sub.state == SubscriptionState.ACTIVE:
            return None
        sub.state = SubscriptionState.PENDING
        sub.title = title
        sub.full_clean()
        sub.save()
        audit.record(
            actor="public",
            action="opendata.subscription_request",
            obj=sub,
            after={"url": sub.url, "state": sub.state},
        )
    link = _site(reverse("opendata-confirm", args=[confirm_token(sub)]))
    body = (
        f"您好：\n\n有人（可能是您本人）在{settings.GONGKAI_BUREAU_NAME}网站申请用本邮箱订阅“{sub.title}”的更新提醒。\n\n"
        f"确认订阅请打开以下链接（{CONFIRM_MAX_AGE.days} 天内有效）：\n{link}\n\n"
        "如果不是您本人申请，请忽略本邮件：不确认就不会收到任何提醒。\n"
    )
    EmailMessage(f"请确认订阅：{sub.title}", body, None, [sub.email]).send()
    return sub


def subscription_confirm(*, token: str) -> Subscription:
    sub = _from_token(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE, action="confirm")
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().get(pk=sub.pk)
        if sub.state == SubscriptionState.ACTIVE:
            return sub
        if sub.state == SubscriptionState.UNSUBSCRIBED:
            raise OpenDataError(gettext("该订阅已退订：如需再次订阅，请在原页面重新订阅"))
        now = timezone.now()
        sub.state = SubscriptionState.ACTIVE
        sub.confirmed_at = now
        sub.watermark = now
        sub.save(update_fields=["state", "confirmed_at", "watermark"])
        audit.record(
            actor="public", action="opendata.subscription_confirm", obj=sub, after={"state": sub.state}
        )
    return sub


def subscription_for_unsubscribe(token: str) -> Subscription:
    """The subscription an unsubscribe link names (for the page with the one button)."""
    return _from_token(token, salt=UNSUBSCRIBE_SALT, max_age=None, action="unsubscribe")


def subscription_cancel(*, token: str) -> Subscription:
    sub = _from_token(token, salt=UNSUBSCRIBE_SALT, max_age=None, action="unsubscribe")
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().get(pk=sub.pk)
        if sub.state == SubscriptionState.UNSUBSCRIBED:
            return sub
        sub.state = SubscriptionState.UNSUBSCRIBED
        sub.unsubscribed_at = timezone.now()
        sub.save(update_fields=["state", "unsubscribed_at"])
        audit.record(
            actor="public", action="opendata.subscription_cancel", obj=sub, after={"state": sub.state}
        )
    return sub


# --- alerts ------------------------------------------------------------------------------------------


@dataclass
class AlertReport:
    mailed: int = 0
    items: int = 0
    skipped: int = 0
    failed: list[int] = field(default_factory=list)


def _alert_message(sub: Subscription, items: list[FeedItem], list_url: str) -> EmailMessage:
    unsubscribe = _site(reverse("opendata-unsubscribe", args=[unsubscribe_token(sub)]))
    lines = [f"您订阅的“{sub.title}”有 {len(items)} 条新信息：", ""]
    for item in items[:ALERT_ITEMS]:
        when = f"{timezone.localtime(item.published):%Y-%m-%d}" if item.published else ""
        lines += [
            f"· {item.title}（{when}）",
            f"  {item.link if item.link.startswith('http') else _site(item.link)}",
        ]
    if len(items) > ALERT_ITEMS:
        lines.append(f"……另有 {len(items) - ALERT_ITEMS} 条，请在网站查看。")
    lines += [
        "",
        f"查看列表：{_site(list_url)}",
        "",
        f"不想再收到此类邮件？一键退订：{unsubscribe}",
        f"—— {settings.GONGKAI_BUREAU_NAME}（系统自动发送，请勿回复）",
    ]
    return EmailMessage(
        f"{sub.title}：{len(items)} 条新信息",
        "\n".join(lines) + "\n",
        None,
        [sub.email],
        headers={
            # RFC 2369 and RFC 8058: mail clients offer a one-click unsubscribe button.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def alerts_send(*, now: dt.datetime | None = None) -> AlertReport:
    """Mail every confirmed subscriber the items of their list published since their last mail.

    One mail per subscription with news; the watermark moves only after the mail was handed to the
    mailer, so a failed send is retried by the next run.
    """
    now = now or timezone.now()
    report = AlertReport()
    for sub in (
        Subscription.objects.filter(state=SubscriptionState.ACTIVE).order_by("pk").iterator(chunk_size=500)
    ):
        try:
            ref = list_ref_from_url(sub.url)
        except UnknownList:
            report.skipped += 1  # the list no longer exists; keep the subscription, send nothing
            continue
        since = sub.watermark or sub.confirmed_at or now
        items = [i for i in ref.items(ALERT_ITEMS + 1) if i.published and since < i.published <= now]
        if not items:
            continue
        try:
            _alert_message(sub, items, ref.url).send()
        except Exception:
            log.exception("alert mail for subscription %s failed", sub.pk)
            report.failed.append(sub.pk)
            continue
        Subscription.objects.filter(pk=sub.pk).update(
            watermark=now, last_sent_at=now, sent_count=sub.sent_count + 1
        )
        report.mailed += 1
        report.items += len(items)
    return report


def subscription_stats() -> dict[str, Any]:
    """Counts by state (for the command's output; never addresses)."""
    from django.db.models import Count

    return dict(Subscription.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
