"""The product's fast reading of a stored frozen text (``engine.compute_stored``).

The draw reads the members straight from the canonical text into ``MemberColumns`` and, the text
being the one announced (it hashes to the commitment), does not check it against §1 again. These
tests check that the fast reading is exact (it re-encodes to the stored text) and gives exactly the
draw of the ordinary JSON reading, that every text it cannot read exactly falls back to that
reading, and that a text which does not match its commitment is refused.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.inspections import engine
from gongkai.inspections import gongkai_draw as gd
from gongkai.inspections.tests.test_draw_support import DEMO_001_SEED, demo_001, frozen_documents

digit_seeds = st.text("0123456789", min_size=1, max_size=24)


def _stored(frozen: dict) -> tuple[str, str]:
    text, commitment = engine.freeze(frozen)
    return text, commitment


def _through_callbacks(text: str, commitment: str, seed: str) -> dict:
    """Draw the stored text with both callbacks and check what they were given against the result:
    the selection, then every selected member's team in the same order (None: unassigned)."""
    selections: list = []
    teams: list = []
    result = engine.compute_stored(
        text, commitment, seed, on_selected=selections.extend, on_assigned=teams.extend
    )
    assert [(name, [(t, i) for t, i, _ in selected]) for name, selected, _ in selections] == [
        (s["name"], [(m["ticket"], m["id"]) for m in s["selected"]]) for s in result["strata"]
    ]
    by_member = {a["entity"]: a["inspectors"] for a in result["assignments"]}
    assert teams == [by_member.get(m["id"]) for s in result["strata"] for m in s["selected"]]
    return result


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frozen_documents(), digit_seeds)
def test_the_stored_draw_equals_the_draw_of_the_parsed_document(frozen, seed):
    text, commitment = _stored(frozen)
    result = _through_callbacks(text, commitment, seed)
    assert result == gd.compute_draw(frozen, seed)
    assert engine.compute_stored(text.encode(), commitment, seed) == result  # as SQLite's draw reads it
    given = bytearray(text.encode())  # as PostgreSQL's draw reads it: the draw takes it over
    assert engine.compute_stored(given, commitment, seed) == result
    assert given == b""  # emptied, not held through the draw
    assert engine.result_text(result) == gd.canonical_json(result).decode("utf-8")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frozen_documents())
def test_the_fast_reading_re_encodes_to_the_stored_text(frozen):
    text, commitment = _stored(frozen)
    fast = engine._stored_frozen(text.encode())
    mixed = any(0 < sum("unit" in m for m in s["members"]) < len(s["members"]) for s in frozen["strata"])
    if mixed:  # some members with a unit and some without: left to the JSON reading
        assert fast is None
        return
    assert fast is not None
    assert all(isinstance(s["members"], gd.MemberColumns) for s in fast["strata"])
    assert gd.canonical_json(fast).decode("utf-8") == text
    assert gd.commitment(fast) == commitment


def test_demo_001_through_the_stored_text():
    frozen = demo_001()
    text, commitment = _stored(frozen)
    assert engine._stored_frozen(text.encode()) is not None
    assert engine.compute_stored(text, commitment, DEMO_001_SEED) == gd.compute_draw(frozen, DEMO_001_SEED)


@pytest.mark.parametrize(
    "odd_id",
    [
        'A"B',  # an escaped quote: the fast reading declines
        "A\\B",  # an escaped backslash
        "A\tB",  # a control character, escaped as \t
        '}]"',  # looks like the end of the array
        '"},{"id":"Z',  # looks like the next member
        '","unit":"U1',  # looks like a unit
        "}]A",  # no escape at all, but a quote followed by }] opens this id
    ],
)
def test_ids_that_look_like_json_take_the_ordinary_reading(odd_id):
    frozen = demo_001()
    members = frozen["strata"][0]["members"]
    members.append({"id": odd_id, "unit": members[0]["unit"]})
    members.sort(key=lambda m: m["id"])
    frozen["strata"][0]["quota"] = len(members)
    text, commitment = _stored(frozen)
    assert engine._stored_frozen(text.encode()) is None
    # The ordinary reading gives the callbacks the same selection and teams as the fast one.
    assert _through_callbacks(text, commitment, DEMO_001_SEED) == gd.compute_draw(frozen, DEMO_001_SEED)


@pytest.mark.parametrize("unit", ['}],"name":"Q', "}]x", "}],", "x}]"])
def test_a_unit_that_looks_like_the_end_of_the_members_is_read_correctly(unit):
    frozen = demo_001()
    for member in frozen["strata"][0]["members"]:
        member["unit"] = unit
    text, commitment = _stored(frozen)
    if unit.startswith("}]"):  # the opening quote of such a unit looks like the end of the array
        assert engine._stored_frozen(text.encode()) is None  # a quote left over: the fast reading declines
    assert engine.compute_stored(text, commitment, DEMO_001_SEED) == gd.compute_draw(frozen, DEMO_001_SEED)


def test_empty_strata_and_strata_without_units():
    frozen = demo_001()
    frozen["strata"][0]["members"] = []
    frozen["strata"][0]["quota"] = 0
    for member in frozen["strata"][1]["members"]:
        member.pop("unit", None)
    text, commitment = _stored(frozen)
    fast = engine._stored_frozen(text.encode())
    assert fast is not None and len(fast["strata"][0]["members"]) == 0
    assert fast["strata"][1]["members"].units is None
    assert engine.compute_stored(text, commitment, DEMO_001_SEED) == gd.compute_draw(frozen, DEMO_001_SEED)


def test_a_stored_text_that_does_not_match_its_commitment_is_refused():
    frozen = demo_001()
    text, commitment = _stored(frozen)
    changed = copy.deepcopy(frozen)
    changed["title"] = "改过的标题"
    other_text, _ = _stored(changed)
    with pytest.raises(gd.DrawError, match="commitment"):
        engine.compute_stored(other_text, commitment, DEMO_001_SEED)
    with pytest.raises(gd.DrawError, match="commitment"):
        engine.compute_stored(text, "0" * 64, DEMO_001_SEED)


def test_freeze_gives_the_canonical_text_and_the_commitment():
    frozen = demo_001()
    data, commitment, warnings = gd.freeze(frozen)
    assert data == gd.canonical_json(frozen)
    assert commitment == gd.commitment(frozen)
    assert warnings == gd.check_frozen(frozen)
    broken = copy.deepcopy(frozen)
    broken["strata"][0]["members"].reverse()
    with pytest.raises(gd.FrozenError, match="members-sorted"):
        gd.freeze(broken)


def test_announce_members_are_compact_unless_the_check_must_refuse_them():
    from gongkai.inspections.services import _frozen_members

    pairs = [("A1", "U2"), ("B2", "U1"), ("C3", "U2")]
    with_units = _frozen_members(pairs, units=True)
    assert isinstance(with_units, gd.MemberColumns)
    assert with_units.to_list() == [{"id": i, "unit": u} for i, u in pairs]
    assert _frozen_members(pairs, units=False).to_list() == [{"id": i} for i, _ in pairs]
    assert len(_frozen_members([], units=True)) == 0
    frozen = demo_001()
    for broken, rule in (([("A1", None)], "member-unit"), ([("A\x1f1", "U1")], "no-unit-separator")):
        members = _frozen_members(broken, units=True)
        assert isinstance(members, list)
        frozen["strata"][0]["members"] = members
        with pytest.raises(gd.FrozenError, match=rule):
            gd.freeze(frozen)


plain_text = st.text(
    st.characters(blacklist_characters='"\\\x1f', blacklist_categories=["Cs"]), min_size=1, max_size=6
)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(plain_text, st.sampled_from(["一所", "二所", "U", "所}]"])), min_size=1, max_size=40)
)
def test_members_are_read_the_same_in_chunks_of_any_size(pairs):
    """Large arrays are split a few megabytes at a time, always at a member boundary."""
    inner = '"},{"id":"'.join(f'{member_id}","unit":"{unit}' for member_id, unit in pairs).encode()
    expected = [{"id": member_id, "unit": unit} for member_id, unit in pairs]
    for chunk, text in ((1, inner), (3, inner), (17, bytearray(inner)), (1 << 22, inner)):
        columns = engine._member_columns(text, 0, len(text), with_units=True, chunk=chunk)
        assert columns is not None and columns.to_list() == expected
        assert columns.unit_names == list(dict.fromkeys(unit for _, unit in pairs))
        ids = '"},{"id":"'.join(member_id for member_id, _ in pairs)
        framed = f"[{ids}]".encode()  # read in place: only text[first:last] counts
        alone = engine._member_columns(framed, 1, len(framed) - 1, with_units=False, chunk=chunk)
        assert alone is not None and alone.to_list() == [{"id": member_id} for member_id, _ in pairs]
