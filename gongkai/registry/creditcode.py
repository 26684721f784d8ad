"""统一社会信用代码 (unified social credit identifier), GB 32100-2015. Pure: no Django imports.

An 18-character code: 登记管理部门码 (1) + 机构类别码 (1) + 登记管理机关行政区划码 (6) +
主体标识码 (9) + 校验码 (1). Characters come from a 31-character alphabet (digits and capital
letters except I, O, Z, S, V). The check character is ``31 − (Σ value(cᵢ)·wᵢ mod 31)`` (31 → 0)
with the weights below.
"""

from __future__ import annotations

import re
from operator import mul

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18
# Every character from the alphabet and positions 3–8 digits: the common case, checked at once.
_WELL_FORMED = re.compile(f"[{ALPHABET}]{{2}}[0-9]{{6}}[{ALPHABET}]{{10}}")

_FULLWIDTH = {
    ord(c): ord(c) - 0xFEE0
    for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
}


class CreditCodeError(ValueError):
    """A code that breaks GB 32100-2015; ``position`` is 1-based, or None for the length."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.position = position


def normalise(raw: str) -> str:
    """Upper-case, full-width to half-width, surrounding white space removed."""
    if raw.isascii():  # nothing to translate (the table maps only full-width characters): the common case
        return raw.strip().upper()
    return raw.translate(_FULLWIDTH).strip().upper()


def check_character(first17: str) -> str:
    if len(first17) != LENGTH - 1:
        raise ValueError("check_character needs the first 17 characters")
    total = sum(map(mul, map(VALUE.__getitem__, first17), WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str) -> str:
    """Return the normalised code, or raise :class:`CreditCodeError` naming the wrong character."""
    code = normalise(code)
    if _WELL_FORMED.fullmatch(code) and check_character(code[:17]) == code[17]:
        return code
    if len(code) != LENGTH:
        raise CreditCodeError(f"统一社会信用代码应为18位，实际为{len(code)}位")
    for pos, ch in enumerate(code, start=1):
        if ch not in VALUE:
            raise CreditCodeError(
                f"第{pos}位字符“{ch}”不是统一社会信用代码允许的字符（不含I、O、Z、S、V）", pos
            )
    for pos in range(3, 9):
        if not code[pos - 1].isdigit():
            raise CreditCodeError(
                f"第{pos}位应为数字（第3–8位是登记管理机关行政区划码），实际为“{code[pos - 1]}”", pos
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError(
            f"第18位校验码错误：按前17位计算应为“{expected}”，实际为“{code[17]}”（也可能是前17位中有字符录入错误）",
            18,
        )
    return code


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except CreditCodeError:
        return False
    return True


def complete(first17: str) -> str:
    """The full code for 17 valid characters (used by the demo generator and tests)."""
    return first17 + check_character(first17)
