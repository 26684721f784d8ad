"""The import's fast paths give exactly what the general code gives (no database needed).

The encoder assembles new entities' COPY lines and audit snapshots directly; the general path
(tuples through copy_text, the snapshot dict through the canonical encoder) is the reference.
Likewise the address and credit-code helpers against the formulas they replace.
"""

import datetime as dt
import re
import sys
import unicodedata
from decimal import Decimal
from unittest.mock import patch

from hypothesis import example, given, settings
from hypothesis import strategies as st

from gongkai.core import audit
from gongkai.registry import addresses, creditcode, services
from gongkai.registry.choices import CLUSTER_MARK, EntityStatus, EntityType
from gongkai.registry.records import AddressRecord, EntityRecord

AT = dt.datetime(2025, 6, 30, 1, 2, 3, 456789, tzinfo=dt.UTC)
# Text an import or a form may carry: CJK (simplified, traditional, full-width), COPY's and JSON's
# special characters, odd white space, line separators, emoji.
_TRICKY = "聊城市東昌府區（集群注册）(集群注册)ＡＢＣ１２３abc \t\n\r\\\"'\x00\x01\x1f\u3000\xa0\u2028\u200b\ufeff😀"
TEXT = st.text(
    st.sampled_from(_TRICKY) | st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
)
DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31))
CAPITAL = (
    st.none()
    | st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False, allow_infinity=False)
    | st.sampled_from([Decimal("200"), Decimal("1E+3"), Decimal("0.10"), Decimal("-0")])
)
CHOICE = st.sampled_from([*EntityType, *EntityStatus, "enterprise", "active", "A", ""])


@st.composite
def records(draw):
    return EntityRecord(
        credit_code=draw(st.sampled_from(["91371502MAAR0L0FX3", "91371502maar0l0fx3", ""]) | TEXT),
        name=draw(TEXT),
        entity_type=draw(CHOICE),
        legal_representative=draw(TEXT),
        established_on=draw(DATES),
        industry_division=draw(st.sampled_from(["72", "01", "99"]) | TEXT),
        registration_authority=draw(TEXT),
        district_code=draw(st.sampled_from(["371502", "３７１５０２"]) | TEXT),
        domicile=draw(TEXT),
        status=draw(CHOICE),
        status_since=draw(st.none() | DATES),
        industry_section=draw(st.sampled_from(["", "L"]) | TEXT),
        registered_capital=draw(CAPITAL),
        premises=draw(st.lists(st.builds(AddressRecord, TEXT, TEXT), max_size=3)),
        contact_name=draw(TEXT),
        contact_phone=draw(TEXT),
        credit_risk_class=draw(CHOICE),
        credit_risk_date=draw(st.none() | DATES),
        is_cluster_host=draw(st.booleans()),
        cluster_host_code=draw(st.sampled_from(["", "91371502MAAR0L0FX3"]) | TEXT),
    )


def _encoder(copy: bool) -> services.BatchEncoder:
    return services.BatchEncoder(
        actor_id=None, actor_name="导入\t测试", note="导入文件“a.csv”", now=str(AT), copy=copy
    )


def _same(fast: services.EncodedBatch, slow: services.EncodedBatch) -> None:
    for name in ("entities", "addresses", "status", "changed", "readdress", "stale"):
        assert getattr(fast, name) == getattr(slow, name), name
    assert fast.events.heads == slow.events.heads
    assert fast.events.rows == slow.events.rows


@given(st.lists(records(), min_size=1, max_size=4))
@settings(max_examples=300, deadline=None)
@example(
    [
        EntityRecord(
            "91371502MAAR0L0FX3",
            "名称",
            "enterprise",
            "张三",
            dt.date(2020, 1, 2),
            "72",
            "局",
            "371502",
            "住所",
        )
    ]
)
def test_new_entities_encode_as_the_general_path_does(recs):
    with patch.object(services.timezone, "now", return_value=AT):
        for copy in (True, False):
            encoder = _encoder(copy)
            fast = encoder.encode(recs, {})
            slow = encoder._encode(recs, {}, lines=False)
            _same(fast, slow)
            # The general path: the snapshot dict through the encoder.
            events = [
                audit.EventData(
                    "registry.entity.create",
                    services.ENTITY_TYPE,
                    r.credit_code,
                    r.name[:200],
                    None,
                    r.snapshot(),
                    encoder.note,
                )
                for r in recs
            ]
            general = audit.prepare_events(
                events, actor_id=None, actor_name=encoder.actor_name, at=AT, copy=copy
            )
            assert fast.events.heads == general.heads and fast.events.rows == general.rows


@given(records())
@settings(max_examples=300, deadline=None)
def test_snapshot_json_is_the_canonical_text_of_the_snapshot(rec):
    assert rec.snapshot_json() == audit.canonical_text(rec.snapshot())


def test_odd_value_types_fall_back_to_the_general_path():
    rec = EntityRecord(
        "91371502MAAR0L0FX3", "名称", "enterprise", "张三", dt.date(2020, 1, 2), "72", "局", "371502", "住所"
    )
    odd = [
        {"registered_capital": 200},  # an int: a JSON number in the snapshot, plain in COPY
        {"registered_capital": 1.5},  # a float: COPY through the driver
        {"established_on": dt.datetime(2020, 1, 2, 3, 4, tzinfo=dt.UTC)},
        {"is_cluster_host": 1},
        {"contact_name": None},
        {"district_code": 371502},
        {"premises": [AddressRecord(371502, "某路1号")]},
    ]
    with patch.object(services.timezone, "now", return_value=AT):
        for change in odd:
            changed = EntityRecord(**{**rec.__dict__, **change})
            assert changed.snapshot_json() == audit.canonical_text(changed.snapshot())
            for copy in (True, False):
                encoder = _encoder(copy)
                try:
                    slow = encoder._encode([changed], {}, lines=False)
                except Exception as exc:  # the general path refuses it: so must the fast one
                    try:
                        encoder.encode([changed], {})
                    except type(exc):
                        continue
                    raise AssertionError(
                        f"{change}: the fast path accepted what the general one refuses"
                    ) from None
                _same(encoder.encode([changed], {}), slow)


def test_str_split_separates_at_exactly_the_characters_regex_whitespace_matches():
    space = re.compile(r"\s")
    for cp in range(sys.maxunicode + 1):
        ch = chr(cp)
        assert bool(space.fullmatch(ch)) == (len(f"a{ch}b".split()) == 2), hex(cp)


def _clean_by_regex(text: str) -> str:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return text.replace("(集群注册)", CLUSTER_MARK)


@given(TEXT)
@settings(max_examples=500)
@example("山东省 聊城市\u3000东昌府区（集群注册）\t建设路１２号\n")
def test_address_clean_is_the_regex_formula(text):
    assert addresses.clean(text) == _clean_by_regex(text)


@given(
    st.text(
        st.sampled_from("省市自治区州地盟县旗开发度假街道镇乡村社居委会路大巷胡同号（）(集群注册)1a\n"),
        max_size=30,
    )
)
@settings(max_examples=1000)
@example("山东省聊城市东昌府区阎寺街道建设社区卫育路218号商务中心18层（集群注册）")
def test_split_fields_are_those_of_split(text):
    text = addresses.clean(text) if "\n" not in text else text
    norm, parts = addresses.split_cleaned(text)
    assert addresses.split_cleaned_fields(text) == (
        norm,
        parts.town,
        parts.village,
        parts.street,
        parts.number,
    )
    match = addresses._LEVELS.match(norm)
    if match:
        assert parts.town == (match["town"] or "")[:50] and parts.number == (match["number"] or "")[:120]
    else:
        assert parts == addresses.AddressParts(number=text)


CODE_TEXT = st.text(
    st.sampled_from("91371502maar0l0fx3ＡＢＣＺ０１９ａｂｚ \t\u3000\xa0\n-İıß")
    | st.characters(codec="utf-8"),
    max_size=22,
)


@given(CODE_TEXT)
@settings(max_examples=500)
@example(" 91371502maar0l0fx3\t")
@example("９１３７１５０２ＭＡＡＲ０Ｌ０ＦＸ３\u3000")
@example("ß")  # upper() lengthens it: both ways alike
def test_credit_code_normalise_is_the_translation_formula(raw):
    assert creditcode.normalise(raw) == raw.translate(creditcode._FULLWIDTH).strip().upper()
