"""The configurable values of 互动交流, declared with their sources (see :mod:`gongkai.core.parameters`).

Reply periods for website messages are not fixed nationally: 国办发〔2017〕47号 requires messages
to be answered and 国办秘函〔2019〕19号 fails a site whose valid messages go unanswered for more
than three months; each bureau publishes its own periods, so they are data with a source.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gongkai.core import parameters
from gongkai.core.parameters import ParameterSpec
from gongkai.interaction.fees import DEFAULT_TIERS

MESSAGE_REPLY_DAYS = "interaction.message_reply_working_days"
DUE_SOON_DAYS = "interaction.due_soon_working_days"
RATE_LIMITS = "interaction.message_rate_limits"
FEE_TIERS = "interaction.foi_fee_tiers"
FEE_PAYMENT_DAYS = "interaction.foi_fee_payment_working_days"
CORRECTION_PERIOD = "interaction.foi_correction_period_working_days"

SPECS = [
    ParameterSpec(
        key=MESSAGE_REPLY_DAYS,
        label="留言答复期限（工作日，按类别）",
        default={"consult": 5, "complaint": 7, "suggestion": 15},
        source=(
            "地方实践：各地政府网站公布的留言办理时限（咨询5个、建议15个工作日）；投诉参照《市场监督管理投诉"
            "举报处理暂行办法》（总局令第20号）第十八条7个工作日内决定是否受理。国办秘函〔2019〕19号：有效留言"
            "超过3个月未办理的网站为不合格"
        ),
    ),
    ParameterSpec(
        key=DUE_SOON_DAYS,
        label="到期提醒：剩余工作日不超过该值时列为“即将到期”",
        default=2,
        source="本平台设置（管理办法可调整）",
    ),
    ParameterSpec(
        key=RATE_LIMITS,
        label="留言频率限制",
        default={"per_address_per_hour": 5, "per_contact_per_day": 3, "duplicate_window_days": 30},
        source="本平台防滥用设置（以频率限制代替图形验证码，符合国办公开办函〔2021〕28号适老化要求）",
    ),
    ParameterSpec(
        key=FEE_TIERS,
        label="政府信息公开信息处理费标准",
        default=DEFAULT_TIERS,
        source="国办函〔2020〕109号《政府信息公开信息处理费管理办法》第五条、第六条",
    ),
    ParameterSpec(
        key=FEE_PAYMENT_DAYS,
        label="收费通知的缴费期限（工作日）",
        default=20,
        source="国办函〔2020〕109号第八条（申请人应当自收到收费通知之次日起20个工作日内缴纳费用）",
    ),
    ParameterSpec(
        key=CORRECTION_PERIOD,
        label="补正告知给予申请人的补正期限（工作日）",
        default=15,
        source="政府信息公开条例第三十条（“合理的补正期限”由行政机关确定；本局默认值）",
    ),
]


def register_parameters() -> None:
    """Add this module's parameters to the declared set (idempotent; called from ``AppConfig.ready``)."""
    for spec in SPECS:
        parameters.SPECS.setdefault(spec.key, spec)


def value(key: str, on: dt.date | None = None) -> Any:
    return parameters.parameter_value(key, on)


def reply_days_resolver():
    """A function (category, day) -> reply period, reading the parameter's rows once (for lists)."""
    from gongkai.core.models import Parameter

    rows = list(
        Parameter.objects.filter(key=MESSAGE_REPLY_DAYS)
        .order_by("valid_from")
        .values_list("valid_from", "value")
    )
    default = parameters.SPECS[MESSAGE_REPLY_DAYS].default

    def resolve(category: str, on: dt.date) -> int:
        table = default
        for valid_from, row_value in rows:
            if valid_from <= on:
                table = row_value
        return _days(table, category)

    return resolve


def message_reply_days(category: str, on: dt.date) -> int:
    """The reply period of a message of ``category`` received on ``on``."""
    return _days(value(MESSAGE_REPLY_DAYS, on), category)


def _days(table: Any, category: str) -> int:
    try:
        return int(table[category])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"参数{MESSAGE_REPLY_DAYS}缺少类别{category}的答复期限：{table!r}") from exc
