"""Test data for 互动交流, built through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from gongkai.interaction import services

_serial = itertools.count(1)

PERSON = {
    "applicant_type": "person",
    "applicant_name": "王小明",
    "id_document": "居民身份证 371502199001011234",
    "phone": "13912345678",
    "email": "wang@example.com",
    "address": "山东省聊城市东昌府区柳园路1号",
    "description": "2025年聊城市市场监督管理局双随机抽查计划",
    "desired_form": "电子邮件",
}


def message(*, category: str = "consult", name: str = "李四海", contact: str = "13800000001", **extra):
    n = next(_serial)
    values: dict[str, Any] = {
        "address": f"10.9.{n // 250}.{n % 250}",
        "category": category,
        "subject": f"关于营业执照办理的咨询{n}",
        "body": f"请问个体工商户办理营业执照需要哪些材料？第{n}次咨询。",
        "contact": contact if contact != "13800000001" else f"1380000{n:04d}",
        "name": name,
        "consent_publish": True,
    }
    values.update(extra)
    return services.message_submit(**values)


def info_request(*, received_on: dt.date, actor="test", **extra):
    data = {**PERSON, **extra}
    channel = data.pop("channel", "in_person")
    return services.request_receive(actor=actor, data=data, channel=channel, submitted_on=received_on)
