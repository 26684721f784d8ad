"""Redaction of personal data in 行政处罚决定书 before publication. Pure: no Django imports.

The same detector serves the reviewer's side-by-side preview and ``gongkai redact``.

How it works
------------
1. The text is *folded* one character for one character (so offsets stay valid): full-width
   ASCII (``０-９``, ``Ｘ``, ``：``, ``（``, ``＠``…) becomes half-width, the odd dashes become ``-``,
   exotic spaces become a space, line and paragraph separators become ``\\n``.
2. Digit *runs* are found: groups of digits separated by short separator sequences (spaces, a
   dash, parentheses, one line break), so ``371502 19900101 123X``, ``138-1234-5678`` and a number
   broken across two lines are one run. A run glued to letters (``91371500MA3C…``), to ``@``, or
   part of a decimal (``12345678.00``) is not personal data and is skipped.
3. Every contiguous range of groups in a run is classified with its *context*: the nearest label
   before it (``身份证号码：``, ``联系电话``, ``开户银行…账号``, or a trap label such as
   ``统一社会信用代码``, ``订单号``, ``罚款``), a unit after it (``元``, ``件``…) and a currency sign.
   Check digits do the heavy lifting: GB 11643 for 身份证号 (plus province and birth-date
   plausibility), Luhn for bank cards, ISO 7064 MOD 11,10 to recognise old 15-digit 注册号.
4. Per run, the set of non-overlapping candidates covering the most digits wins (a small dynamic
   programme), so ``13812345678 0635-8123456`` yields a mobile and a landline, not nonsense.
5. E-mail addresses, labelled passport/permit numbers and QQ/WeChat accounts are found by regular
   expressions; staff-marked spans (names, home addresses) are added, with every other occurrence
   of the same string.

``redact(text, findings, removed=…, added=…)`` then replaces each (merged) region with a fixed
mask per kind; the reviewer's removals and additions are its arguments, so the review screen and
the command share one code path. Masks never keep any part of the value: with the birth date
usually stated in the decision, a partial ``371502********1234`` would give the ID back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

__all__ = [
    "MASKS",
    "Confidence",
    "Finding",
    "Kind",
    "Redaction",
    "Span",
    "detect",
    "find_party_id",
    "fold",
    "id_birth_date",
    "is_minor",
    "is_valid_id",
    "label_before",
    "line_and_column",
    "luhn_valid",
    "mark_all",
    "mask_for_log",
    "party_birth_date",
    "party_is_minor",
    "plan",
    "redact",
    "report_lines",
    "summary_line",
]


class Kind(StrEnum):
    ID_NUMBER = "id_number"
    DOCUMENT_NUMBER = "document_number"  # passport, 港澳/台湾通行证, 居留证… (labelled)
    MOBILE = "mobile"
    LANDLINE = "landline"
    BANK_CARD = "bank_card"
    BANK_ACCOUNT = "bank_account"
    EMAIL = "email"
    IM_ACCOUNT = "im_account"
    # Marked by staff; never found by the detector on its own.
    NAME = "name"
    ADDRESS = "address"
    OTHER = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[Kind, str] = {
    Kind.ID_NUMBER: "身份证号",
    Kind.DOCUMENT_NUMBER: "证件号码",
    Kind.MOBILE: "手机号码",
    Kind.LANDLINE: "固定电话",
    Kind.BANK_CARD: "银行卡号",
    Kind.BANK_ACCOUNT: "银行账号",
    Kind.EMAIL: "电子邮箱",
    Kind.IM_ACCOUNT: "QQ/微信号",
    Kind.NAME: "姓名",
    Kind.ADDRESS: "住址",
    Kind.OTHER: "个人信息",
}

# The published replacement for each kind. Names follow the courts' practice (张某某): the surname
# stays, which identifies no one; every other kind is replaced whole.
MASKS: dict[Kind, str] = {kind: f"[{label}已隐去]" for kind, label in KIND_LABELS.items()}
MIXED_MASK = "[个人信息已隐去]"

# When two kinds claim exactly the same characters, the lower rank wins.
_RANK = {
    Kind.ID_NUMBER: 0,
    Kind.DOCUMENT_NUMBER: 0,
    Kind.BANK_CARD: 1,
    Kind.BANK_ACCOUNT: 2,
    Kind.MOBILE: 3,
    Kind.LANDLINE: 4,
    Kind.EMAIL: 5,
    Kind.IM_ACCOUNT: 6,
    Kind.NAME: 7,
    Kind.ADDRESS: 8,
    Kind.OTHER: 9,
}


class Confidence(StrEnum):
    HIGH = "high"  # check digit and label agree, or staff said so
    MEDIUM = "medium"  # the shape and check digit are right but nothing labels it
    LOW = "low"  # labelled as personal data but the check digit fails (a typo in the source?)


_CONFIDENCE_POINTS = {Confidence.HIGH: 3, Confidence.MEDIUM: 2, Confidence.LOW: 1}

DETECTOR = "detector"
STAFF = "staff"


@dataclass(frozen=True, slots=True)
class Span:
    """A region a staff member marks for redaction (a name, a home address…)."""

    start: int
    end: int
    kind: Kind = Kind.OTHER


@dataclass(frozen=True, slots=True)
class Finding:
    """One item to hide: ``text[start:end]`` is ``original``; ``value`` is its normalised form."""

    kind: Kind
    start: int
    end: int
    original: str
    value: str
    confidence: Confidence
    reason: str
    source: str = DETECTOR

    @property
    def key(self) -> str:
        """A stable identifier the review screen sends back in ``removed``."""
        return f"{self.kind.value}@{self.start}-{self.end}"

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "start": self.start,
            "end": self.end,
            "original": self.original,
            "value": self.value,
            "confidence": self.confidence.value,
            "reason": self.reason,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Finding:
        return cls(
            kind=Kind(str(data["kind"])),
            start=int(str(data["start"])),
            end=int(str(data["end"])),
            original=str(data["original"]),
            value=str(data["value"]),
            confidence=Confidence(str(data["confidence"])),
            reason=str(data["reason"]),
            source=str(data.get("source", DETECTOR)),
        )


@dataclass(frozen=True, slots=True)
class Redaction:
    """A merged region of the text and the mask that replaces it in the published version."""

    start: int
    end: int
    mask: str
    findings: tuple[Finding, ...]


# --- folding ---------------------------------------------------------------------------------------


def _build_fold_table() -> dict[int, int]:
    table = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
    for cp in (0x3000, 0x00A0, 0x1680, *range(0x2000, 0x200C), 0x202F, 0x205F, 0xFEFF):
        table[cp] = ord(" ")
    for cp in (*range(0x2010, 0x2016), 0x2212, 0xFE58, 0xFE63, 0x30FC):
        table[cp] = ord("-")
    for cp in (0x2028, 0x2029, 0x0B, 0x0C, 0x85):
        table[cp] = ord("\n")
    table[0xFFE5] = ord("¥")
    return table


_FOLD = _build_fold_table()


def fold(text: str) -> str:
    """Half-width, plain-dash, plain-space version of ``text`` with exactly the same length."""
    return text.translate(_FOLD)


_DIGITS = frozenset("0123456789")
_SEPARATORS = frozenset(" \t\n\r-()")
_MAX_SEPARATOR = 8  # characters between two digit groups of one number ("\n" plus indentation)


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# --- check digits ----------------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# GB/T 2260 province-level codes (first two digits), plus 71 台湾, 81 香港, 82 澳门 and 83 for
# 台湾居民居住证.
_PROVINCES = frozenset(
    str(code)
    for code in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
        83,
    )
)
_EARLIEST_BIRTH = date(1900, 1, 1)


def id_check_character(first17: str) -> str:
    """GB 11643-1999 check character for the first 17 digits."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_birth_date(id_number: str) -> date | None:
    """The birth date encoded in an 18- or 15-digit ID number, or None when it is not a date."""
    value = fold(id_number).strip().upper()
    if len(value) == 18 and value[:17].isdigit():
        year, month, day = value[6:10], value[10:12], value[12:14]
    elif len(value) == 15 and value.isdigit():
        year, month, day = "19" + value[6:8], value[8:10], value[10:12]
    else:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _plausible_birth(born: date | None, today: date) -> bool:
    return born is not None and _EARLIEST_BIRTH <= born <= today


def is_valid_id(id_number: str, *, today: date | None = None) -> bool:
    """An 18-digit ID with the right check character, a real province and a plausible birth date."""
    value = fold(id_number).strip().upper()
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        return False
    if value[:2] not in _PROVINCES or id_check_character(value[:17]) != value[17]:
        return False
    return _plausible_birth(id_birth_date(value), today or date.today())


def _is_plausible_old_id(value: str, today: date) -> bool:
    return len(value) == 15 and value[:2] in _PROVINCES and _plausible_birth(id_birth_date(value), today)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def registration_number_valid(digits: str) -> bool:
    """The check digit of a 15-digit 工商注册号 (GS15-2006, ISO 7064 MOD 11,10)."""
    if len(digits) != 15 or not digits.isdigit():
        return False
    p = 10
    for ch in digits[:-1]:
        p = ((p % 11 + int(ch)) % 10 or 10) * 2
    return (p % 11 + int(digits[-1])) % 10 == 1


# Issuer prefixes of the payment cards seen in China (ISO/IEC 7812 major industry identifiers 3, 4, 5,
# 6 and the old domestic 9 series). An unlabelled Luhn-valid number starting otherwise (1, 2, 7, 8:
# order numbers, dates…) is not taken for a card.
_CARD_FIRST_DIGITS = frozenset("34569")

_MOBILE = re.compile(r"(?:0086|86)?(1[3-9]\d{9})")
_LANDLINE = re.compile(r"(0(?:10|2\d))([2-9]\d{7})|(0[3-9]\d{2})([2-9]\d{6,7})")
_LOCAL_NUMBER = re.compile(r"[2-9]\d{6,7}")
_EXTENSION = re.compile(r"[ \t]*(?:转|分机|ext\.?|x|X)[ \t]*(\d{1,6})(?!\d)", re.IGNORECASE)

# --- context ----------------------------------------------------------------------------------------

LABEL_ID = "id"
LABEL_PHONE = "phone"
LABEL_BANK = "bank"
LABEL_EMAIL = "email"
LABEL_IM = "im"
LABEL_TRAP = "trap"

_LABELS: dict[str, tuple[str, ...]] = {
    LABEL_ID: (
        "身份证",
        "身份证号",
        "身份证号码",
        "身份证件号码",
        "身份证编号",
        "公民身份号码",
        "身份号码",
        "居民身份证",
        "证件号码",
        "证件号",
    ),
    LABEL_PHONE: (
        "电话",
        "联系电话",
        "电话号码",
        "手机",
        "手机号",
        "手机号码",
        "联系方式",
        "移动电话",
        "固定电话",
        "座机",
        "传真",
        "tel",
        "phone",
        "mobile",
        "fax",
    ),
    LABEL_BANK: (
        "开户银行",
        "开户行",
        "账号",
        "帐号",
        "账户",
        "帐户",
        "银行账号",
        "银行账户",
        "银行卡",
        "银行卡号",
        "卡号",
        "对公账户",
        "基本存款账户",
        "借记卡",
        "信用卡",
        "存折",
    ),
    LABEL_EMAIL: ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail"),
    LABEL_IM: ("qq", "qq号", "微信", "微信号"),
    LABEL_TRAP: (
        "统一社会信用代码",
        "社会信用代码",
        "信用代码",
        "注册号",
        "营业执照号",
        "执照号",
        "许可证号",
        "许可证编号",
        "证书编号",
        "登记证号",
        "备案号",
        "批准文号",
        "编号",
        "代码",
        "编码",
        "追溯码",
        "溯源码",
        "识别码",
        "文号",
        "案号",
        "订单号",
        "单号",
        "流水号",
        "交易号",
        "批号",
        "批次",
        "货号",
        "条码",
        "条形码",
        "序列号",
        "型号",
        "规格",
        "发票号码",
        "发票代码",
        "车牌号",
        "车架号",
        "日期",
        "金额",
        "罚款",
        "罚没款",
        "货值",
        "违法所得",
        "价款",
        "价格",
        "售价",
        "单价",
        "总价",
        "共计",
        "合计",
        "人民币",
        "数量",
        "邮编",
        "邮政编码",
        # The bureau's own collection account is public, not a party's account.
        "缴款账号",
        "缴款账户",
        "缴款码",
        "代收账号",
        "国库",
        "非税收入",
    ),
}
_LABEL_CATEGORY = {word: cat for cat, words in _LABELS.items() for word in words}
_LABEL_RE = re.compile("|".join(re.escape(w) for w in sorted(_LABEL_CATEGORY, key=len, reverse=True)))
_LABEL_WINDOW = 32
_TRAP_GAP = re.compile(r"[\s:为是(#]{0,3}")
_LIST_GAP = re.compile(r"[\d\s\-()、/,，或和及:为是]")
_CLAUSE_END = re.compile(r"[。;!?]")
_ASCII_LABEL_WORDS = frozenset({"tel", "phone", "mobile", "fax", "mob", "qq", "no", "id", "e-mail", "email"})

# A unit right after a number makes it an amount or a quantity.
_UNIT_AFTER = re.compile(
    r"[ \t]*(?:万元|亿元|元|万|亿|件|台|瓶|盒|箱|袋|罐|桶|吨|公斤|千克|斤|克|毫升|升|平方米|立方米|米|"
    r"人次|次|个(?!体|人)|只|套|双|辆|头|株|片|粒|%|‰)"
)


@dataclass(frozen=True, slots=True)
class _Context:
    label: str | None  # category of the nearest label before the number
    label_word: str
    unit_after: bool
    money_before: bool
    plus_before: bool
    ordinal: bool  # 第…号: a serial number (商标注册第…号, 第…号决定)

    @property
    def excluded(self) -> bool:
        return self.label == LABEL_TRAP or self.unit_after or self.money_before or self.ordinal

    def describe(self) -> str:
        if self.label_word:
            return f"，前有“{self.label_word}”"
        return ""


def label_before(text: str, position: int) -> str | None:
    """The category of the label that governs a number at ``position`` (``"id"``, ``"phone"``,
    ``"bank"``, ``"email"``, ``"im"``, ``"trap"``) or None; the review screen can show it."""
    return _nearest_label(fold(text), position)[0]


def _nearest_label(folded: str, start: int) -> tuple[str | None, str]:
    window = folded[max(0, start - _LABEL_WINDOW) : start]
    cuts = [m.end() for m in _CLAUSE_END.finditer(window)]
    if cuts:
        window = window[cuts[-1] :]
    best = None
    for m in _LABEL_RE.finditer(window.lower()):
        if best is None or m.end() >= best.end():
            best = m
    if best is None:
        return None, ""
    category = _LABEL_CATEGORY[best.group()]
    gap = window[best.end() :]
    if category == LABEL_TRAP:
        # "订单号：2025…", "罚款13800000000": a trap label only speaks for the number right after it,
        # never for an ID three phrases later ("罚款5000元，当事人3715…").
        if not _TRAP_GAP.fullmatch(gap):
            return None, ""
    elif any(ch in _DIGITS for ch in gap) and _LIST_GAP.sub("", gap):
        # A label governs the first number after it, or a list of numbers ("电话：0635-8123456、
        # 8123457"), not a number that follows other numbers and words.
        return None, ""
    return category, window[best.start() : best.end()]


def _context(folded: str, start: int, end: int) -> _Context:
    label, word = _nearest_label(folded, start)
    return _Context(
        label=label,
        label_word=word,
        unit_after=_UNIT_AFTER.match(folded, end) is not None,
        money_before=start > 0 and folded[start - 1] in "¥$",
        plus_before=start > 0 and folded[start - 1] == "+",
        ordinal=start > 0 and folded[start - 1] == "第" and folded.startswith("号", end),
    )


# --- digit runs ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Group:
    start: int
    end: int
    digits: str  # may end with "X" (an ID's check character)
    break_before: bool = False  # the separator before this group holds a line break


def _glued_before(folded: str, i: int) -> bool:
    if i == 0:
        return False
    ch = folded[i - 1]
    if ch in "_@":
        return True
    j = i - 1
    if ch == ".":
        if i < 2 or not _is_ascii_alnum(folded[i - 2]):
            return False
        j = i - 2
        if folded[j].isdigit():
            return True  # the fractional part of a decimal
    if not (folded[j].isascii() and folded[j].isalpha()):
        return False
    k = j
    while k > 0 and folded[k - 1].isascii() and (folded[k - 1].isalpha() or folded[k - 1] == "-"):
        k -= 1
    return folded[k : j + 1].lower() not in _ASCII_LABEL_WORDS


def _glued_after(folded: str, k: int) -> bool:
    if k >= len(folded):
        return False
    ch = folded[k]
    if ch in "_@":
        return True
    if ch == ".":
        return k + 1 < len(folded) and folded[k + 1] in _DIGITS
    if ch in "xX":
        return not (k + 1 < len(folded) and folded[k + 1] in _DIGITS)  # "x801": an extension
    return ch.isascii() and ch.isalpha()


def _scan_runs(folded: str) -> Iterable[list[_Group]]:
    n = len(folded)
    i = 0
    while i < n:
        if folded[i] not in _DIGITS:
            i += 1
            continue
        groups: list[_Group] = []
        j = i
        broken = False
        while True:
            k = j
            while k < n and folded[k] in _DIGITS:
                k += 1
            has_x = k < n and folded[k] in "xX" and not (k + 1 < n and _is_ascii_alnum(folded[k + 1]))
            if has_x:
                k += 1
            groups.append(_Group(j, k, folded[j:k].upper(), broken))
            if has_x:
                break
            m, breaks, marks = k, 0, 0
            while m < n and m - k <= _MAX_SEPARATOR and folded[m] in _SEPARATORS:
                ch = folded[m]
                if ch == "\n" or (ch == "\r" and not (m + 1 < n and folded[m + 1] == "\n")):
                    breaks += 1
                elif ch in "-()":
                    marks += 1
                m += 1
            joined = m > k and m - k <= _MAX_SEPARATOR and breaks <= 1 and marks <= 2
            if joined and m < n and folded[m] in _DIGITS:
                j, broken = m, breaks > 0
                continue
            if joined and m < n and folded[m] in "xX" and not (m + 1 < n and _is_ascii_alnum(folded[m + 1])):
                groups.append(_Group(m, m + 1, "X", breaks > 0))  # "37150219900101123 X"
            break
        end = groups[-1].end
        if not (_glued_before(folded, i) or _glued_after(folded, end)):
            yield groups
        i = end


@dataclass(frozen=True, slots=True)
class _Candidate:
    kind: Kind
    value: str
    confidence: Confidence
    reason: str
    start: int
    end: int


def _classify(folded: str, groups: Sequence[_Group], today: date) -> _Candidate | None:
    digits = "".join(g.digits for g in groups)
    start, end = groups[0].start, groups[-1].end
    ctx = _context(folded, start, end)
    size = len(digits)

    def make(kind: Kind, value: str, confidence: Confidence, reason: str) -> _Candidate:
        return _Candidate(kind, value, confidence, reason + ctx.describe(), start, end)

    if digits.endswith("X"):
        if is_valid_id(digits, today=today) and ctx.label != LABEL_TRAP:
            return make(Kind.ID_NUMBER, digits, _id_confidence(ctx), "18位身份证号，校验码和出生日期正确")
        if size == 18 and ctx.label == LABEL_ID:
            return make(Kind.ID_NUMBER, digits, Confidence.LOW, "标注为身份证号，但校验码或出生日期不符")
        return None

    if ctx.label == LABEL_BANK and 8 <= size <= 30:
        if 16 <= size <= 19 and luhn_valid(digits):
            return make(Kind.BANK_CARD, digits, Confidence.HIGH, f"{size}位银行卡号，Luhn校验正确")
        return make(Kind.BANK_ACCOUNT, digits, Confidence.HIGH, f"{size}位银行账号")

    if size == 18:
        if is_valid_id(digits, today=today) and ctx.label != LABEL_TRAP:
            return make(Kind.ID_NUMBER, digits, _id_confidence(ctx), "18位身份证号，校验码和出生日期正确")
        if ctx.label == LABEL_ID:
            return make(Kind.ID_NUMBER, digits, Confidence.LOW, "标注为身份证号，但校验码或出生日期不符")
    if size == 15:
        if ctx.label == LABEL_ID:
            plausible = _is_plausible_old_id(digits, today)
            return make(
                Kind.ID_NUMBER,
                digits,
                Confidence.HIGH if plausible else Confidence.LOW,
                "15位（旧）身份证号" if plausible else "标注为身份证号，但出生日期不符",
            )
        if not ctx.excluded and _is_plausible_old_id(digits, today) and not registration_number_valid(digits):
            return make(Kind.ID_NUMBER, digits, Confidence.MEDIUM, "15位（旧）身份证号，出生日期合理")

    if ctx.excluded:
        return None

    mobile = _MOBILE.fullmatch(digits)
    if mobile and (size != 13 or ctx.plus_before):
        confidence = Confidence.HIGH if ctx.label in (LABEL_PHONE, LABEL_IM) else Confidence.MEDIUM
        return make(Kind.MOBILE, mobile.group(1), confidence, "手机号码")

    if ctx.label == LABEL_IM and 5 <= size <= 12:
        return make(Kind.IM_ACCOUNT, digits, Confidence.HIGH, "QQ号")

    landline = _landline_value(groups)
    if landline:
        confidence = Confidence.HIGH if ctx.label == LABEL_PHONE else Confidence.MEDIUM
        return make(Kind.LANDLINE, landline, confidence, "固定电话（含区号）")
    if ctx.label == LABEL_PHONE and _LOCAL_NUMBER.fullmatch(digits):
        return make(Kind.LANDLINE, digits, Confidence.MEDIUM, "固定电话（本地号码）")

    if 16 <= size <= 19 and luhn_valid(digits) and digits[0] in _CARD_FIRST_DIGITS:
        confidence = Confidence.HIGH if digits.startswith("62") else Confidence.MEDIUM
        return make(Kind.BANK_CARD, digits, confidence, f"{size}位银行卡号，Luhn校验正确")
    return None


def _id_confidence(ctx: _Context) -> Confidence:
    return Confidence.HIGH if ctx.label in (LABEL_ID, None) else Confidence.MEDIUM


def _landline_value(groups: Sequence[_Group]) -> str | None:
    digits = "".join(g.digits for g in groups)
    m = _LANDLINE.fullmatch(digits)
    if m:
        area, local = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return f"{area}-{local}"
    # "0635-8123456-801": the last group is an extension
    if len(groups) >= 3 and len(groups[-1].digits) <= 5:
        main = _landline_value(groups[:-1])
        if main:
            return f"{main}-{groups[-1].digits}"
    return None


def _plausible_grouping(groups: Sequence[_Group]) -> bool:
    """People group a number in threes, fours, sixes or eights ("138 1234 5678", "371502 19900101
    1234") or box every digit on a form; a one- or two-digit group in the middle only comes from a
    line wrap. "07 13 21 28 33 05" is a list of small numbers, not a landline."""
    if len(groups) <= 2 or all(len(g.digits) == 1 for g in groups[1:]):  # boxed, maybe after "86"
        return True
    middle = groups[1:-1]
    return all(
        len(g.digits) >= 3 or g.break_before or after.break_before
        for g, after in zip(middle, groups[2:], strict=True)
    )


def _run_findings(folded: str, groups: list[_Group], today: date) -> list[_Candidate]:
    n = len(groups)
    by_end: dict[int, list[tuple[int, _Candidate]]] = {}
    for a in range(n):
        length = 0
        for b in range(a + 1, n + 1):
            length += len(groups[b - 1].digits)
            if length > 30:
                break
            if not _plausible_grouping(groups[a:b]):
                continue
            candidate = _classify(folded, groups[a:b], today)
            if candidate is not None:
                by_end.setdefault(b, []).append((a, candidate))

    # best[i]: the best choice of candidates among groups[:i] — most digits covered, then fewest
    # findings (one 19-digit account, not two short ones), then highest confidence.
    best: list[tuple[tuple[int, int, int], list[_Candidate]]] = [((0, 0, 0), [])]
    for i in range(1, n + 1):
        choice = best[i - 1]
        for a, c in by_end.get(i, []):
            base_score, base_list = best[a]
            score = (
                base_score[0] + sum(len(g.digits) for g in groups[a:i]),
                base_score[1] - 1,
                base_score[2] + _CONFIDENCE_POINTS[c.confidence],
            )
            if score > choice[0]:
                choice = (score, [*base_list, c])
        best.append(choice)
    return best[n][1]


def _widen(folded: str, c: _Candidate) -> tuple[int, int]:
    """Take in a leading "+" / "(" and a trailing extension so the mask leaves no stray pieces."""
    start, end = c.start, c.end
    if start > 0 and folded[start - 1] == "+":
        start -= 1
    if start > 0 and folded[start - 1] == "(" and ")" in folded[start:end]:
        start -= 1
    if c.kind is Kind.LANDLINE:
        m = _EXTENSION.match(folded, end)
        if m:
            end = m.end()
    return start, end


# --- regular-expression detectors --------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?"
    r"[ ]?@[ ]?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])"
)
# Other identity documents carry letters, which the digit scanner leaves alone, so they are found by
# their label: 护照号码 E12345678, 港澳居民来往内地通行证 H12345678, 证件号码 M1234567(8)…
_DOCUMENT = re.compile(
    r"(?:护照|通行证|回乡证|居留证|居留身份证|居住证|证件)(?:号码|号|编号)?[ \t]*(?:[:：]|为|是)?[ \t]*"
    r"([A-Za-z]{1,2}\d{6,10}(?:\([0-9A]\)|[0-9A])?|\d{8,10}[A-Za-z]?)(?![A-Za-z0-9])"
)
_IM = re.compile(
    r"(?:QQ号?|微信号?|微信账号)[ \t]*(?:[:：]|为|是)?[ \t]*([A-Za-z][A-Za-z0-9_-]{5,19})(?![A-Za-z0-9_-])",
    re.IGNORECASE,
)


# "138.1234.5678": dots are not separators elsewhere (they make decimals), so this form is explicit.
_DOTTED_MOBILE = re.compile(r"(?<![\d.])(1[3-9]\d)\.(\d{4})\.(\d{4})(?![\d.])")


def _regex_candidates(folded: str) -> Iterable[_Candidate]:
    for m in _DOTTED_MOBILE.finditer(folded):
        value = "".join(m.groups())
        yield _Candidate(Kind.MOBILE, value, Confidence.MEDIUM, "以点分隔的手机号码", m.start(), m.end())
    for m in _EMAIL.finditer(folded):
        value = m.group().replace(" ", "").lower()
        yield _Candidate(Kind.EMAIL, value, Confidence.HIGH, "电子邮箱地址", m.start(), m.end())
    for m in _DOCUMENT.finditer(folded):
        value = m.group(1).upper().replace("(", "").replace(")", "")
        yield _Candidate(
            Kind.DOCUMENT_NUMBER, value, Confidence.HIGH, "标注的护照/通行证等证件号码", m.start(1), m.end(1)
        )
    for m in _IM.finditer(folded):
        yield _Candidate(Kind.IM_ACCOUNT, m.group(1), Confidence.HIGH, "标注的微信号", m.start(1), m.end(1))


# --- public API ------------------------------------------------------------------------------------


def detect(text: str, *, marked: Iterable[Span] = (), today: date | None = None) -> list[Finding]:
    """All personal data found in ``text``, sorted by position and never overlapping.

    ``marked`` are the staff's spans (names, home addresses): each, and every other occurrence of
    the same string, becomes a finding. ``today`` bounds plausible birth dates (default: today).
    """
    today = today or date.today()
    folded = fold(text)
    candidates: list[_Candidate] = []
    for groups in _scan_runs(folded):
        candidates.extend(_run_findings(folded, groups, today))
    candidates.extend(_regex_candidates(folded))

    chosen: list[Finding] = []
    taken: list[tuple[int, int]] = []
    ranked = sorted(candidates, key=lambda c: (-(c.end - c.start), _RANK[c.kind], c.start))
    for c in ranked:
        start, end = _widen(folded, c)
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        chosen.append(Finding(c.kind, start, end, text[start:end], c.value, c.confidence, c.reason))

    staff = _staff_findings(text, marked)
    # A detection entirely inside a staff span adds nothing; a partial overlap is kept so that
    # redact() masks the union of both.
    chosen = [f for f in chosen if not any(s.start <= f.start and f.end <= s.end for s in staff)]
    return sorted([*chosen, *staff], key=lambda f: (f.start, f.end, _RANK[f.kind]))


def mark_all(text: str, needle: str, kind: Kind = Kind.OTHER) -> list[Span]:
    """Spans for every occurrence of ``needle`` (the command's ``--name`` / ``--address``)."""
    if not needle:
        return []
    return [Span(m.start(), m.end(), kind) for m in re.finditer(re.escape(needle), text)]


def _staff_findings(text: str, marked: Iterable[Span]) -> list[Finding]:
    found: dict[tuple[int, int], Finding] = {}
    for span in marked:
        _check_span(text, span.start, span.end)
        needle = text[span.start : span.end]
        for other in mark_all(text, needle, span.kind):
            reason = (
                "工作人员标注" if other.start == span.start else f"与工作人员标注的“{span.kind.label}”相同"
            )
            if (other.start, other.end) not in found or other.start == span.start:
                found[(other.start, other.end)] = Finding(
                    span.kind, other.start, other.end, needle, needle, Confidence.HIGH, reason, STAFF
                )
    return list(found.values())


def _check_span(text: str, start: int, end: int) -> None:
    if not (0 <= start < end <= len(text)):
        raise ValueError(f"span {start}–{end} is outside the text (length {len(text)})")


def plan(
    text: str,
    findings: Iterable[Finding],
    removed: AbstractSet[str | Finding] = frozenset(),
    added: Iterable[Span | Finding] = (),
) -> list[Redaction]:
    """The regions ``redact`` will replace: findings minus the reviewer's removals plus additions.

    Overlapping findings are merged so that the union is masked. Raises ``ValueError`` when a finding
    does not match ``text`` (findings from another version of the text must never be applied).
    """
    removed_keys = {r.key if isinstance(r, Finding) else r for r in removed}
    active = [f for f in findings if f.key not in removed_keys]
    for extra in added:
        if isinstance(extra, Finding):
            active.append(extra)
            continue
        _check_span(text, extra.start, extra.end)
        piece = text[extra.start : extra.end]
        active.append(
            Finding(extra.kind, extra.start, extra.end, piece, piece, Confidence.HIGH, "审核人员添加", STAFF)
        )
    for f in active:
        _check_span(text, f.start, f.end)
        if text[f.start : f.end] != f.original:
            raise ValueError(f"finding {f.key} does not match the text (was the text changed?)")

    regions: list[list[Finding]] = []
    bounds: list[list[int]] = []
    for f in sorted(active, key=lambda f: (f.start, f.end)):
        if bounds and f.start < bounds[-1][1]:
            bounds[-1][1] = max(bounds[-1][1], f.end)
            regions[-1].append(f)
        else:
            bounds.append([f.start, f.end])
            regions.append([f])
    return [
        Redaction(start, end, _mask(text[start:end], members), tuple(members))
        for (start, end), members in zip(bounds, regions, strict=True)
    ]


def _mask(original: str, members: Sequence[Finding]) -> str:
    kinds = {f.kind for f in members}
    if len(kinds) > 1:
        return MIXED_MASK
    kind = next(iter(kinds))
    if kind is Kind.NAME:
        name = original.strip()
        if 2 <= len(name) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in name):
            return name[0] + "某" * (len(name) - 1)
    return MASKS[kind]


def redact(
    text: str,
    findings: Iterable[Finding],
    removed: AbstractSet[str | Finding] = frozenset(),
    added: Iterable[Span | Finding] = (),
) -> str:
    """``text`` with every active finding replaced by its mask (see :func:`plan`)."""
    out: list[str] = []
    position = 0
    for region in plan(text, findings, removed, added):
        out.append(text[position : region.start])
        out.append(region.mask)
        position = region.end
    out.append(text[position:])
    return "".join(out)


def mask_for_log(finding: Finding) -> str:
    """A partial value for the operator's report; enough to recognise, not enough to reuse."""
    value = finding.value
    if finding.kind is Kind.EMAIL and "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if finding.kind in (Kind.NAME, Kind.ADDRESS, Kind.OTHER) or not any(ch.isdigit() for ch in value):
        return value[:1] + "*" * max(1, min(len(value) - 1, 8))
    if len(value) >= 8:
        return value[:3] + "*" * (len(value) - 5) + value[-2:]
    return value[:1] + "*" * (len(value) - 1)


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


# --- minors ----------------------------------------------------------------------------------------


def is_minor(id_number: str, on_date: date) -> bool:
    """Whether the holder of ``id_number`` is under 18 on ``on_date``.

    Conservative on purpose (nothing is published about a minor): a person becomes an adult the day
    after the 18th birthday, as 周岁 is counted by the Supreme People's Court (法释〔2006〕1号 第二条),
    and someone born on 29 February turns 18 on 1 March. The check character is not required to be
    right: a typo must not make a minor publishable. Raises ``ValueError`` without a birth date.
    """
    born = id_birth_date(id_number)
    if born is None:
        raise ValueError(f"“{id_number}”中没有有效的出生日期，不是身份证号")
    return _minor_on(born, on_date)


def _minor_on(born: date, on_date: date) -> bool:
    try:
        eighteenth = born.replace(year=born.year + 18)
    except ValueError:  # 29 February
        eighteenth = date(born.year + 18, 3, 1)
    return on_date <= eighteenth


_PARTY_START = re.compile(r"^[ \t]*当事人")
_PARTY_FIELD = re.compile(
    r"^[ \t]*(?:当事人|姓名|性别|民族|出生|身份证|公民身份|证件|住所|住址|现住址|户籍|地址|经营场所|经营地址|"
    r"联系电话|电话|手机|联系方式|统一社会信用代码|信用代码|注册号|法定代表人|负责人|经营者|投资人|委托代理人|"
    r"代理人|主体类型|类型|职务|工作单位|邮编|电子邮箱|邮箱|名称|营业执照)"
)
_ROLE = re.compile(r"当事人|经营者|投资人|姓名|法定代表人|负责人|委托代理人|代理人|联系人|监护人")
_PARTY_ROLES = frozenset({"当事人", "经营者", "投资人", "姓名"})
_BIRTH_STATED = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:出生|生)")


def _party_section(text: str) -> tuple[int, int] | None:
    offset = 0
    section: tuple[int, int] | None = None
    for line in text.splitlines(keepends=True):
        if section is None:
            if _PARTY_START.match(line):
                section = (offset, offset + len(line))
        elif _PARTY_FIELD.match(line):
            section = (section[0], offset + len(line))
        else:
            break
        offset += len(line)
    return section


def _is_party_role(text: str, section_start: int, position: int) -> bool:
    roles = [m.group() for m in _ROLE.finditer(text, section_start, position)]
    return not roles or roles[-1] in _PARTY_ROLES


def find_party_id(text: str, findings: Iterable[Finding] | None = None) -> Finding | None:
    """The ID number of the natural person who is the party (当事人/经营者), if the section gives it.

    The 法定代表人's or an agent's ID does not count: that party is not a natural person.
    """
    section = _party_section(text)
    if section is None:
        return None
    start, end = section
    for f in detect(text) if findings is None else findings:
        if f.kind is Kind.ID_NUMBER and start <= f.start < end and _is_party_role(text, start, f.start):
            return f
    return None


def party_birth_date(text: str, findings: Iterable[Finding] | None = None) -> date | None:
    """The party's birth date: from its ID number, else from "XXXX年X月X日出生" in the 当事人 section."""
    party_id = find_party_id(text, findings)
    if party_id is not None:
        born = id_birth_date(party_id.value)
        if born is not None:
            return born
    section = _party_section(text)
    if section is None:
        return None
    folded = fold(text)
    for m in _BIRTH_STATED.finditer(folded, *section):
        if _is_party_role(folded, section[0], m.start()):
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def party_is_minor(text: str, *, on_date: date, findings: Iterable[Finding] | None = None) -> bool | None:
    """True when the party is a natural person under 18 on ``on_date`` (publish nothing), False when an
    adult, None when the text gives no birth date for a natural-person party."""
    born = party_birth_date(text, findings)
    return None if born is None else _minor_on(born, on_date)


# --- the operator's report -------------------------------------------------------------------------

_CONFIDENCE_LABELS = {Confidence.HIGH: "高", Confidence.MEDIUM: "中", Confidence.LOW: "低"}


def report_lines(text: str, findings: Iterable[Finding]) -> list[str]:
    """One line per finding for ``gongkai redact``'s standard error: where, what, a masked value, why.

    The full value is never repeated (see docs/redaction.md): the line and column are enough to find
    it in the file the operator already has.
    """
    lines = []
    for f in findings:
        line, column = line_and_column(text, f.start)
        lines.append(
            f"第{line}行第{column}列\t{f.kind.label}\t{mask_for_log(f)}\t"
            f"{f.reason}（可信度：{_CONFIDENCE_LABELS[f.confidence]}）"
        )
    return lines


def summary_line(findings: Sequence[Finding]) -> str:
    if not findings:
        return "未发现需要隐去的个人信息。"
    counts: dict[Kind, int] = {}
    for f in findings:
        counts[f.kind] = counts.get(f.kind, 0) + 1
    parts = "，".join(
        f"{kind.label} {n} 处" for kind, n in sorted(counts.items(), key=lambda kv: _RANK[kv[0]])
    )
    return f"共隐去 {len(findings)} 处：{parts}。"
