"""Property tests of the redaction detector: what must hold for any text, not just the examples."""

import itertools
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from gongkai.penalties import redaction
from gongkai.penalties.redaction import Kind, detect, redact
from gongkai.penalties.tests.corpus.build import AREAS, id_check, luhn_check_digit

TODAY = date(2026, 1, 1)
FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789Xx"}
SEPARATORS = ["", " ", "-", "\n", "\r\n", "\u3000", "－", " - ", "\t", "  "]
# A unit right after a number, spaces or tabs between allowed, legitimately makes it an amount or a
# quantity ("13812345678件", "13000000000 个"; redaction's _UNIT_AFTER), and a currency sign or
# "第…号" before it a sum or a serial; random text must not supply one by chance. The first
# characters of the units of several characters (公斤, 千克, 平方米, 立方米, 毫升, 人次) count too.
UNITS = set("元万亿件台瓶盒箱袋罐桶吨斤克升米次个只套双辆头株片粒号公千平立毫人")

cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
punctuation = st.sampled_from(list("，。：；、（）“”《》　 \n"))
chinese_text = st.text(alphabet=st.one_of(cjk, punctuation), max_size=40)
text_after_number = chinese_text.filter(lambda s: s.lstrip(" \t")[:1] not in UNITS)
# Hypothesis also draws the detector's own literals ("罚款", "帐号"…): a label before a number
# legitimately changes what the number is, so the "no context" texts must not end with one.
text_before_number = chinese_text.filter(
    lambda s: not s.endswith("第") and redaction.label_before(s, len(s)) is None
)


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2025, 12, 31)))
    first17 = draw(st.sampled_from(AREAS)) + born.strftime("%Y%m%d") + f"{draw(st.integers(0, 999)):03d}"
    return first17 + id_check(first17)


@st.composite
def written(draw: st.DrawFn, value: str, prefix: str = "") -> str:
    """``value`` as a person (or a PDF's line wrap) might write it: grouped in chunks of three or
    more with any separators, one boxed digit at a time, or broken across lines anywhere; any digit
    may be full-width and the check character x or X."""
    chars = [draw(st.sampled_from("Xx")) if ch == "X" else ch for ch in value]
    chars = [ch.translate(FULL_WIDTH) if draw(st.booleans()) else ch for ch in chars]
    mode = draw(st.sampled_from(["plain", "chunks", "boxed", "wrapped"]))
    if mode == "boxed":
        boxes = draw(st.sampled_from([" ", "  ", "\u3000"])).join(chars)
        return f"{prefix} {boxes}" if prefix and prefix[-1] not in " -" else prefix + boxes
    cuts: list[tuple[int, str]] = []
    if mode == "chunks":
        position = 0
        while True:
            position += draw(st.sampled_from([3, 4, 4, 5, 6, 8]))
            if position >= len(chars):
                break
            cuts.append((position, draw(st.sampled_from(SEPARATORS))))
    elif mode == "wrapped":
        positions = draw(st.lists(st.integers(1, len(chars) - 1), min_size=1, max_size=2, unique=True))
        cuts = [(p, draw(st.sampled_from(["\n", "\r\n", "\n    "]))) for p in sorted(positions)]
    out, previous = [prefix], 0
    for position, separator in cuts:
        out.append("".join(chars[previous:position]) + separator)
        previous = position
    out.append("".join(chars[previous:]))
    return "".join(out)


def covering(findings: list[redaction.Finding], start: int, end: int, kinds: set[Kind]) -> bool:
    return any(f.kind in kinds and f.start <= start and end <= f.end for f in findings)


@settings(max_examples=300, deadline=None)
@given(st.data(), valid_ids(), text_before_number, chinese_text)
def test_any_valid_id_in_random_chinese_text_with_random_separators_is_found(data, id_number, before, after):
    shown = data.draw(written(id_number))
    text = before + shown + after
    findings = detect(text, today=TODAY)
    start = len(before)
    assert covering(findings, start, start + len(shown), {Kind.ID_NUMBER}), (text, findings)
    assert next(f for f in findings if f.kind is Kind.ID_NUMBER).value == id_number


@settings(max_examples=300, deadline=None)
@given(
    st.data(),
    st.sampled_from(["13", "14", "15", "16", "17", "18", "19"]),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
    st.sampled_from(["", "+86", "+86 ", "0086", "0086-", "(+86)"]),
    text_before_number.filter(lambda s: not s.endswith(("+", "0"))),
    text_after_number,
)
def test_any_mobile_in_random_text_is_found(data, head, tail, prefix, before, after):
    number = head + tail
    shown = data.draw(written(number, prefix))
    text = before + shown + after
    findings = detect(text, today=TODAY)
    start = len(before)
    assert covering(findings, start + len(prefix), start + len(shown), {Kind.MOBILE}), (text, findings)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789", min_size=15, max_size=15), text_before_number, chinese_text)
def test_luhn_invalid_16_digit_numbers_without_bank_context_are_not_cards(body, before, after):
    good = luhn_check_digit(body)
    bad = str((int(good) + 1 + int(body[-1]) % 9) % 10)
    number = body + bad
    assert not redaction.luhn_valid(number)
    findings = detect(before + number + after, today=TODAY)
    assert not any(f.kind in (Kind.BANK_CARD, Kind.BANK_ACCOUNT) for f in findings)


@settings(max_examples=200, deadline=None)
@given(
    st.data(),
    st.sampled_from(["622202", "621700", "622848", "623668", "955880"]),
    st.text(alphabet="0123456789", min_size=12, max_size=12),
    text_before_number,
    text_after_number,
)
def test_luhn_valid_cards_are_found_in_any_grouping(data, bin_, middle, before, after):
    card = bin_ + middle + luhn_check_digit(bin_ + middle)
    shown = data.draw(written(card))
    text = before + shown + after
    findings = detect(text, today=TODAY)
    assert covering(findings, len(before), len(before) + len(shown), {Kind.BANK_CARD}), (text, findings)


pieces = st.one_of(
    chinese_text,
    valid_ids(),
    st.from_regex(r"1[3-9]\d{9}", fullmatch=True),
    st.from_regex(r"0635-[2-9]\d{6}", fullmatch=True),
    st.from_regex(r"[a-z]{3,8}@163\.com", fullmatch=True),
    st.text(alphabet="0123456789 -.", max_size=25),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=8))
def test_findings_match_the_text_never_overlap_and_leave_nothing_behind(parts):
    # Pieces are joined by a comma: digits glued to other digits are one (longer) number by design.
    text = "，".join(parts)
    findings = detect(text, today=TODAY)
    for f in findings:
        assert text[f.start : f.end] == f.original
    for a, b in itertools.pairwise(findings):
        assert a.end <= b.start
    published = redact(text, findings)
    # Re-detection may flag a neighbour (a mask's words read as a label), but never an original value.
    again = {f.value for f in detect(published, today=TODAY)}
    assert not again & {f.value for f in findings}
    for f in findings:
        if f.kind is Kind.ID_NUMBER:
            assert f.value not in redaction.fold(published).replace(" ", "").replace("-", "").upper()


@given(st.text())
def test_fold_keeps_every_offset(text):
    assert len(redaction.fold(text)) == len(text)
