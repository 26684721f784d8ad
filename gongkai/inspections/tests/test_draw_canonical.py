"""Canonical JSON (§2) against the independent ``rfc8785`` package, and strict JSON reading."""

from __future__ import annotations

import json

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.inspections import gongkai_draw as gd
from gongkai.inspections.tests.test_draw_support import frozen_documents

# Strings of any Unicode scalar value except U+001F (which the protocol forbids everywhere).
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x1f"), max_size=12)
ascii_keys = st.text(st.characters(min_codepoint=0, max_codepoint=127, exclude_characters="\x1f"), max_size=8)
integers = st.integers(-(2**53) + 1, 2**53 - 1)
json_values = st.recursive(
    st.none() | st.booleans() | integers | texts,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(ascii_keys, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_canonical_json_equals_rfc8785(value):
    assert gd.canonical_json(value) == rfc8785.dumps(value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frozen_documents())
def test_commitment_of_frozen_documents_equals_rfc8785(frozen):
    assert gd.commitment(frozen) == gd.hashlib.sha256(rfc8785.dumps(frozen)).hexdigest()


MEMBER_SHAPES = [
    [{"id": "A"}, {"id": "B"}],
    [{"id": "A", "unit": "U1"}, {"id": "B", "unit": "所"}],
    [{"id": "A", "unit": "U1"}, {"id": "B"}],  # some members without a unit
    [{"id": 'a"b'}, {"id": "a\\b"}, {"id": "a\nb"}, {"id": "a\x7fb"}, {"id": "a\u2028b"}],  # escapes
    [{"id": "A", "unit": 'U"1'}, {"id": "B", "unit": "U\t2"}],
    [{"id": "A", "name": "某某公司", "unit": "U1"}, {"id": "B", "extra": [1, True, None]}],  # other keys
    [{"id": "é"}, {"id": "中"}, {"id": "\U0001d11e"}],
]


@pytest.mark.parametrize("members", MEMBER_SHAPES)
def test_fast_member_encoding_matches_rfc8785_for_every_shape(members):
    many = [dict(member, id=f"{member['id']}{n}") for n in range(10) for member in members]
    frozen = small_frozen(sorted(many, key=lambda m: m["id"]))
    assert gd.commitment(frozen) == gd.hashlib.sha256(rfc8785.dumps(frozen)).hexdigest()


@pytest.mark.parametrize("members", MEMBER_SHAPES[:5] + MEMBER_SHAPES[6:])
def test_member_columns_encode_exactly_like_the_member_array(members):
    members = sorted(members, key=lambda m: m["id"])
    columns = gd.MemberColumns.from_members(members)
    assert columns.to_list() == members
    assert b"".join(columns.iter_json()) == rfc8785.dumps(members)
    as_list, as_columns = small_frozen(members), small_frozen(columns)
    assert gd.commitment(as_columns) == gd.commitment(as_list)


def test_member_columns_encode_across_chunk_boundaries(monkeypatch):
    members = [{"id": f"{n:06d}", "unit": f"U{n % 3}"} if n % 5 else {"id": f"{n:06d}"} for n in range(5000)]
    columns = gd.MemberColumns.from_members(members, chunk=700)
    original = gd._raw_chunks
    monkeypatch.setattr(gd, "_raw_chunks", lambda data, size=1 << 20: original(data, 1000))
    assert b"".join(columns.iter_json()) == rfc8785.dumps(members)


def small_frozen(members) -> dict:
    return {
        "protocol": gd.PROTOCOL,
        "plan": "P",
        "seed_source": "s",
        "seed_not_before": "2026-03-02T10:00:00+08:00",
        "strata": [{"name": "A", "quota": 1, "members": members}],
        "items": [],
        "team": {"size": 1, "departments": []},
        "inspectors": [],
        "rules": {"cross_unit": False, "max_load": 0},
        "conflicts": [],
    }


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (1.5, "integers-only"),
        ({"a": [1.0]}, "integers-only"),
        (2**53, "integer-range"),
        (-(2**53), "integer-range"),
        ({"é": 1}, "ascii-keys"),
        ({1: 1}, "json-subset"),
        ("a\x1fb", "no-unit-separator"),
        ({"a\x1f": 1}, "no-unit-separator"),
        ("\ud800", "unicode"),
        ({"a": {1, 2}}, "json-subset"),
    ],
)
def test_canonical_json_refuses_values_outside_the_protocol_subset(value, code):
    with pytest.raises(gd.FrozenError) as error:
        gd.canonical_json(value)
    assert error.value.code == code


def test_integers_just_inside_the_range_are_canonical():
    assert gd.canonical_json([2**53 - 1, -(2**53) + 1, 0, -0]) == b"[9007199254740991,-9007199254740991,0,0]"


def test_strings_use_only_the_mandatory_escapes():
    assert (
        gd.canonical_json('\b\t\n\f\r\x00\x1e"\\/é\u2028')
        == '"\\b\\t\\n\\f\\r\\u0000\\u001e\\"\\\\/é\u2028"'.encode()
    )


# ---------------------------------------------------------------------------------------------
# Strict reading
# ---------------------------------------------------------------------------------------------


def test_load_json_refuses_duplicate_keys():
    with pytest.raises(gd.BundleError) as error:
        gd.load_json('{"seed": "1", "seed": "2"}')
    assert error.value.code == "duplicate_key"
    assert '"seed"' in error.value.message


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"a": -Infinity}'])
def test_load_json_refuses_non_numbers(text):
    with pytest.raises(gd.BundleError):
        gd.load_json(text)


def test_load_json_reads_a_utf8_bom_and_refuses_other_encodings():
    assert gd.load_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}
    with pytest.raises(gd.BundleError) as error:
        gd.load_json('{"a": "é"}'.encode("latin-1"))
    assert error.value.code == "not_utf8"


def test_load_json_reports_the_position_of_a_syntax_error():
    with pytest.raises(gd.BundleError) as error:
        gd.load_json('{\n  "a": 1,\n}')
    assert "line 2 column 9" in error.value.message


def test_load_json_turns_absurd_nesting_into_a_message():
    with pytest.raises(gd.BundleError):
        gd.load_json("[" * 100_000 + "]" * 100_000)


def test_floats_parsed_from_json_are_refused_by_the_frozen_rules():
    frozen = small_frozen([{"id": "A"}])
    text = json.dumps(frozen).replace('"quota": 1', '"quota": 1.0')
    with pytest.raises(gd.FrozenError) as error:
        gd.check_frozen(gd.load_json(text))
    assert "quota" in error.value.message
