"""Reminders of messages and requests due soon or overdue (``gongkai remind-messages``).

Run once per working day (cron or a systemd timer). Each assignee gets one e-mail listing their
cases; unassigned cases go to every active 留言办理员. Messages open longer than three months are
called out separately: that is when a government site fails its inspection (国办秘函〔2019〕19号).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction

from gongkai.core import audit, roles
from gongkai.interaction import selectors


@dataclass
class ReminderReport:
    day: dt.date
    soon: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    critical: list[str] = field(default_factory=list)  # open for more than three months
    mails: int = 0
    problems: list[str] = field(default_factory=list)


def _handlers():
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True, is_staff=True, groups__name=roles.MESSAGE_HANDLER).distinct()
    )


def reminders_send(
    *, actor: Any = "system:remind-messages", day: dt.date | None = None, send: bool = True
) -> ReminderReport:
    day = day or selectors.today()
    report = ReminderReport(day)
    lines: dict[Any, list[str]] = defaultdict(list)
    for message, deadline in selectors.open_messages_with_deadlines(day=day):
        if deadline.problem:
            report.problems.append(f"{message.tracking_code}: {deadline.problem}")
            continue
        line = f"留言 {message.tracking_code}《{message.subject}》：{deadline.label}（期限{deadline.due:%Y-%m-%d}）"
        if day - message.received_on > selectors.INSPECTION_LIMIT:
            report.critical.append(message.tracking_code)
            line = "【超过三个月未答复】" + line
        elif not (deadline.overdue or deadline.due_soon):
            continue
        (report.overdue if deadline.overdue else report.soon).append(message.tracking_code)
        lines[message.assignee].append(line)
    for request, deadline in selectors.open_requests_with_deadlines(day=day):
        if deadline.paused or deadline.due is None or not (deadline.overdue or deadline.due_soon):
            continue
        (report.overdue if deadline.overdue else report.soon).append(request.number)
        lines[None].append(
            f"依申请公开 {request.number}：{deadline.label}（答复期限{deadline.due:%Y-%m-%d}）"
        )
    if send:
        handlers = None
        for user, items in lines.items():
            recipients = (
                [user]
                if user is not None
                else (handlers := handlers if handlers is not None else _handlers())
            )
            addresses = [u.email for u in recipients if u is not None and u.email]
            if not addresses:
                continue
            send_mail(
                subject=f"【Gongkai】{len(items)}件留言或申请即将到期或已逾期",
                message="以下事项请及时办理：\n\n" + "\n".join(items) + "\n\n（答复期限按法定工作日计算）",
                from_email=None,
                recipient_list=addresses,
            )
            report.mails += 1
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="interaction.reminders.run",
            object_type="interaction.reminders",
            object_id=day.isoformat(),
            after={
                "soon": len(report.soon),
                "overdue": len(report.overdue),
                "critical": len(report.critical),
                "mails": report.mails,
            },
        )
    return report
