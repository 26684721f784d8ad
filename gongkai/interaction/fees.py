"""信息处理费 for excessive requests (国办函〔2020〕109号). Pure: no Django imports.

The agency may charge only when a request exceeds the free amount, by **one** of two methods:

* 按件: an applicant's requests in one natural month are numbered 1, 2, 3 …; numbers 1–10 are
  free, 11–30 cost 100 元 each, and from 31 on the price rises by 100 元 for every further 10
  (31–40: 200 元, 41–50: 300 元 …).
* 按量: one request's pages: 1–30 free, 31–100 10 元/页, 101–200 20 元/页, 201 and more
  40 元/页 — each band charged at its own price.

The tiers are a parameter (``interaction.foi_fee_tiers``), so a new notice changes data, not code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

DEFAULT_TIERS: dict[str, Any] = {
    "by_item": {"free": 10, "base_until": 30, "base_price": "100", "step_size": 10, "step_price": "100"},
    "by_page": {"bands": [[30, "0"], [100, "10"], [200, "20"], [None, "40"]]},
}


def fee_by_item(position_in_month: int, tiers: Mapping[str, Any] | None = None) -> Decimal:
    """The fee for the applicant's ``position_in_month``-th request this month (1-based)."""
    if position_in_month < 1:
        raise ValueError("申请序号从1开始")
    t = (tiers or DEFAULT_TIERS)["by_item"]
    if position_in_month <= t["free"]:
        return Decimal(0)
    if position_in_month <= t["base_until"]:
        return Decimal(t["base_price"])
    steps = (position_in_month - t["base_until"] - 1) // t["step_size"] + 1
    return Decimal(t["base_price"]) + steps * Decimal(t["step_price"])


def fee_by_page(pages: int, tiers: Mapping[str, Any] | None = None) -> Decimal:
    """The fee for one request of ``pages`` pages, each band at its own price."""
    if pages < 0:
        raise ValueError("页数不能为负数")
    bands: Sequence[Sequence[Any]] = (tiers or DEFAULT_TIERS)["by_page"]["bands"]
    total = Decimal(0)
    lower = 0
    for upper, price in bands:
        top = pages if upper is None else min(pages, upper)
        if top > lower:
            total += (top - lower) * Decimal(price)
        if upper is None or pages <= upper:
            break
        lower = upper
    return total
