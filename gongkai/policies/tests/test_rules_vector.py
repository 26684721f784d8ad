"""The vectorised matcher gives exactly the scalar interpreter's statuses, criteria and amounts."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gongkai.policies.rules.errors import EvaluationError, PolicyFileError
from gongkai.policies.rules.evaluate import evaluate_policy
from gongkai.policies.rules.loader import policy_from_data
from gongkai.policies.rules.matcher import read_facts
from gongkai.policies.rules.types import Catalogue
from gongkai.policies.rules.vector import (
    Frame,
    Matcher,
    match_all,
    match_policy,
    pack,
    plan,
    popcount,
    rows_of,
    unpack,
)

from .rules_helpers import ON, VECTORS, make_policy

CATALOGUE = Catalogue.from_data(
    {
        "facts": {
            "i1": {"type": "integer", "label": "整数一"},
            "i2": {"type": "integer", "label": "整数二"},
            "s1": {"type": "string", "label": "文字一"},
            "s2": {"type": "string", "label": "文字二"},
            "d1": {"type": "date", "label": "日期一"},
            "b1": {"type": "boolean", "label": "是否一"},
            "b2": {"type": "boolean", "label": "是否二"},
            "l1": {"type": "list", "label": "列表一"},
        }
    }
)

BIG = 2**62
INTS = [0, 1, -1, 2, 3, 7, -5, 10, 100, BIG, -BIG, 2**63 - 1, -(2**63) + 1, 3037000500]
STRINGS = ["a", "b", "ab", "", "Z", "中", "2020-01-01", "2024-02-29"]
DATES = ["2000-02-29", "2020-01-01", "2024-02-29", "2025-02-28", "2026-06-30", "2026-07-01"]
LIST_ITEMS = ["a", "b", "中", "2020-01-01"]

# --- random expressions -----------------------------------------------------------------------------


def q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@st.composite
def int_expr(draw, depth: int = 3) -> str:
    if depth <= 0 or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(["i1", "i2", "i1", *[str(v) for v in INTS if v >= 0][:8], "(-3)"]))
    kind = draw(st.sampled_from(["+", "-", "*", "//", "neg", "len", "years", "min", "max"]))
    if kind in ("+", "-", "*", "//"):
        return f"({draw(int_expr(depth - 1))} {kind} {draw(int_expr(depth - 1))})"
    if kind == "neg":
        return f"(-{draw(int_expr(depth - 1))})"
    if kind == "len":
        return f"len({draw(list_expr(depth - 1))})"
    if kind == "years":
        return f"years_between({draw(date_expr(depth - 1))}, {draw(date_expr(depth - 1))})"
    args = draw(st.lists(int_expr(depth - 1), min_size=1, max_size=3))
    return f"{kind}({', '.join(args)})"


@st.composite
def date_expr(draw, depth: int = 2) -> str:
    if depth <= 0 or draw(st.integers(0, 3)) > 0:
        return draw(st.sampled_from(["d1", "today", *[q(d) for d in DATES]]))
    fn = draw(st.sampled_from(["min", "max"]))
    return f"{fn}({', '.join(draw(st.lists(date_expr(depth - 1), min_size=1, max_size=3)))})"


@st.composite
def str_expr(draw, depth: int = 2) -> str:
    if depth <= 0 or draw(st.integers(0, 3)) > 0:
        return draw(st.sampled_from(["s1", "s2", "d1", "today", *[q(s) for s in STRINGS]]))
    fn = draw(st.sampled_from(["min", "max"]))
    return f"{fn}({', '.join(draw(st.lists(str_expr(depth - 1), min_size=1, max_size=3)))})"


@st.composite
def list_expr(draw, depth: int = 2) -> str:
    if depth <= 0 or draw(st.booleans()):
        return "l1"
    return "[" + ", ".join(draw(st.lists(str_expr(depth - 1), max_size=3))) + "]"


@st.composite
def bool_expr(draw, depth: int = 3) -> str:
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from(["b1", "b2", "true", "false", "i1 > 2", 's1 == "a"', 'l1 has "a"']))
    kind = draw(
        st.sampled_from(
            ["and", "or", "not", "cmp_int", "cmp_str", "cmp_bool", "in_list", "in_lit", "in_int", "in_bool"]
        )
    )
    if kind in ("and", "or"):
        return f"({draw(bool_expr(depth - 1))} {kind} {draw(bool_expr(depth - 1))})"
    if kind == "not":
        return f"(not {draw(bool_expr(depth - 1))})"
    op = draw(st.sampled_from(["==", "!=", "<", "<=", ">", ">="]))
    if kind == "cmp_int":
        return f"({draw(int_expr(depth - 1))} {op} {draw(int_expr(depth - 1))})"
    if kind == "cmp_str":
        return f"({draw(str_expr(depth - 1))} {op} {draw(str_expr(depth - 1))})"
    if kind == "cmp_bool":
        return f"({draw(bool_expr(depth - 1))} {op} {draw(bool_expr(depth - 1))})"
    word = draw(st.sampled_from(["in", "not in", "has"]))
    if kind in ("in_list", "in_lit"):
        needle, hay = draw(str_expr(depth - 1)), draw(list_expr(depth - 1)) if kind == "in_list" else None
        if hay is None:
            hay = "[" + ", ".join(draw(st.lists(str_expr(depth - 1), max_size=3))) + "]"
    elif kind == "in_int":
        needle, hay = (
            draw(int_expr(depth - 1)),
            "[" + ", ".join(draw(st.lists(int_expr(depth - 1), max_size=3))) + "]",
        )
    else:
        needle, hay = (
            draw(bool_expr(depth - 1)),
            "[" + ", ".join(draw(st.lists(bool_expr(0), max_size=2))) + "]",
        )
    if word == "has":
        return f"({hay} has {needle})"
    return f"({needle} {word} {hay})"


@st.composite
def records(draw, min_size: int = 1, max_size: int = 12) -> list[dict]:
    row = st.fixed_dictionaries(
        {},
        optional={
            "i1": st.one_of(st.none(), st.sampled_from(INTS), st.integers(-20, 20)),
            "i2": st.one_of(st.none(), st.sampled_from(INTS)),
            "s1": st.one_of(st.none(), st.sampled_from(STRINGS)),
            "s2": st.one_of(st.none(), st.sampled_from(STRINGS)),
            "d1": st.one_of(st.none(), st.sampled_from(DATES)),
            "b1": st.one_of(st.none(), st.booleans()),
            "b2": st.one_of(st.none(), st.booleans()),
            "l1": st.one_of(st.none(), st.lists(st.sampled_from(LIST_ITEMS), max_size=3)),
        },
    )
    return draw(st.lists(row, min_size=min_size, max_size=max_size))


@st.composite
def policies(draw, name: str = "p") -> dict:
    criteria = draw(st.lists(bool_expr(), min_size=1, max_size=3))
    data = {
        "rules": "gongkai-rules/1",
        "policy": name,
        "version": 1,
        "title": "随机政策",
        "source": {"document": "测试"},
        "mode": "免申即享",
        "beneficiary": "entity",
        "valid_from": "2026-01-01",
        "valid_to": "2026-12-31",
        "criteria": [{"id": f"c{i}", "label": f"条件{i}", "when": w} for i, w in enumerate(criteria)],
    }
    if draw(st.booleans()):
        # a small pool as well, so that policies of a batch share amount expressions
        shared = st.sampled_from(
            ["i1 * 2", "min(i1, 100)", "100 // i1", "i1 * 4611686018427387904", "i2 - i1"]
        )
        data["amount"] = draw(st.one_of(int_expr(), shared))
    return data


def load(data: dict):
    try:
        return policy_from_data(data, catalogue=CATALOGUE)
    except PolicyFileError:
        assume(False)  # e.g. a literal division by zero, refused before evaluation
        raise


def scalar_outcome(policy, rows, on):
    """Per-row results, or ("error", row, message) at the first row that fails (as the CLI reports it)."""
    out = []
    for i, row in enumerate(rows):
        try:
            result = evaluate_policy(policy, row, on)
        except EvaluationError as exc:
            return ("error", i, str(exc))
        out.append((result.status, result.criteria_statuses(), result.amount, result.has_amount))
    return out


def vector_outcome(policy, rows, on):
    frame = Frame.from_records(rows, CATALOGUE)
    try:
        match = match_policy(policy, frame, on)
    except EvaluationError as exc:
        return ("error", exc.row, str(exc))
    out = []
    for i in range(len(rows)):
        r = match.result(i)
        out.append((r.status, r.criteria_statuses(), r.amount, r.has_amount))
    return out


DAYS = st.sampled_from([dt.date(2026, 6, 30), dt.date(2026, 2, 28), dt.date(2026, 1, 1), dt.date(2027, 1, 1)])


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(data=policies(), rows=records(), on=DAYS)
def test_vector_equals_scalar_on_random_expressions(data, rows, on):
    policy = load(data)
    assert vector_outcome(policy, rows, on) == scalar_outcome(policy, rows, on)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(batch=st.lists(policies(), min_size=2, max_size=5), rows=records(), on=DAYS)
def test_batches_with_shared_subexpressions_equal_scalar(batch, rows, on):
    loaded = [load({**data, "policy": f"p{i}"}) for i, data in enumerate(batch)]
    expected = []
    for policy in loaded:
        outcome = scalar_outcome(policy, rows, on)
        assume(not (outcome and outcome[0] == "error"))
        expected.append([(s, a) for s, _, a, _ in outcome])
    frame = Frame.from_records(rows, CATALOGUE)
    matches = match_all(loaded, frame, on, near_miss=True)
    for policy, policy_match, want in zip(loaded, matches, expected, strict=True):
        got = [(policy_match.result(i).status, policy_match.result(i).amount) for i in range(len(rows))]
        assert got == want
        near = [
            i
            for i, row in enumerate(rows)
            if sum(1 for c in evaluate_policy(policy, row, on).criteria if c.status == "fail") == 1
        ]
        assert policy_match.near_miss_rows().tolist() == near


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(
    data=policies(),
    rows=records(min_size=3, max_size=20),
    picks=st.lists(st.integers(0, 19), min_size=1, max_size=8),
)
def test_a_subset_of_rows_matches_like_the_whole(data, rows, picks):
    policy = load(data)
    subset = sorted({p % len(rows) for p in picks})
    try:
        whole = match_policy(policy, Frame.from_records(rows, CATALOGUE), ON)
    except EvaluationError:
        assume(False)
        raise
    part = match_policy(policy, Frame.from_records(rows, CATALOGUE).take(np.array(subset)), ON)
    for j, i in enumerate(subset):
        a, b = whole.result(i), part.result(j)
        assert (a.status, a.criteria_statuses(), a.amount) == (b.status, b.criteria_statuses(), b.amount)


# --- fixed cases -------------------------------------------------------------------------------------


def test_demo_vectors_through_the_vector_engine():
    from gongkai.policies.rules.loader import load_policy

    beneficiaries = read_facts((VECTORS / "rules-demo.facts.jsonl").read_text(encoding="utf-8").splitlines())
    policy = load_policy(VECTORS / "rules-demo-startup.yaml")
    frame = Frame.from_records([b.facts for b in beneficiaries], policy.catalogue)
    on = dt.date(2026, 3, 1)
    match = match_policy(policy, frame, on)
    for i, b in enumerate(beneficiaries):
        scalar = evaluate_policy(policy, b.facts, on)
        vector = match.result(i)
        assert (vector.status, vector.criteria_statuses(), vector.amount) == (
            scalar.status,
            scalar.criteria_statuses(),
            scalar.amount,
        )
    counts = match.counts()
    assert sum(counts.values()) == len(beneficiaries)
    assert counts["eligible"] == len(match.eligible_rows()) == len(match.amounts())


def test_shared_conditions_are_computed_once_and_released():
    a = make_policy({"c1": "penalties_last_year == 0", "c2": "employees >= 10"}, policy="a")
    b = make_policy({"c1": "penalties_last_year == 0", "c2": "employees >= 20"}, policy="b")
    c = make_policy({"c1": "penalties_last_year == 0"}, policy="c")
    counts = plan([a, b, c])
    shared = a.criteria[0].when.node.key
    assert counts[shared] == 3
    # the children of a shared node are asked for only once
    assert counts[("name", "penalties_last_year")] == 1
    frame = Frame.from_records(
        [{"penalties_last_year": 0, "employees": 15}, {"penalties_last_year": 1, "employees": 30}, {}],
        a.catalogue,
    )
    matcher = Matcher(frame, ON, [a, b, c])
    results = [matcher.match(p) for p in (a, b, c)]
    assert matcher.evaluator.cache == {}  # everything released after its last use
    assert [r.statuses().tolist() for r in results] == [[0, 1, 2], [1, 1, 2], [0, 1, 2]]


def test_not_in_force_policies_are_not_evaluated():
    policy = make_policy({"c1": "employees >= 10"})
    frame = Frame.from_records([{"employees": 1}], policy.catalogue)
    match = match_policy(policy, frame, dt.date(2030, 1, 1))
    assert match.statuses().tolist() == [3]
    assert match.counts() == {"not_in_force": 1}
    assert match.result(0).status == "not_in_force"


def test_division_by_zero_on_a_skipped_side_is_not_an_error():
    policy = make_policy({"c1": "employees > 0 and 100 // employees > 1"})
    frame = Frame.from_records([{"employees": 0}, {"employees": 5}, {}], policy.catalogue)
    match = match_policy(policy, frame, ON)
    assert [match.result(i).status for i in range(3)] == ["ineligible", "eligible", "undetermined"]
    assert set(match.overrides) == {0}  # decided by the scalar interpreter


def test_division_by_zero_raises_the_scalar_error_with_the_row():
    policy = make_policy({"c1": "100 // employees > 1"})
    frame = Frame.from_records([{"employees": 5}, {"employees": 0}], policy.catalogue)
    with pytest.raises(EvaluationError, match="除数为 0") as info:
        match_policy(policy, frame, ON)
    assert info.value.row == 1
    assert info.value.place.criterion == "c1"


def test_overflowing_amounts_are_errors_in_both_engines():
    policy = make_policy({"c1": "employees > 0"}, amount="employees * 4611686018427387904")
    rows = [{"employees": 1}, {"employees": 2}]
    with pytest.raises(EvaluationError, match="超出整数范围"):
        evaluate_policy(policy, rows[1], ON)
    with pytest.raises(EvaluationError, match="超出整数范围") as info:
        match_policy(policy, Frame.from_records(rows, policy.catalogue), ON)
    assert info.value.row == 1


def test_string_constants_missing_from_the_data():
    policy = make_policy({"c1": 'max(district, "371599") == "371599"', "c2": 'district < "3715"'})
    frame = Frame.from_records([{"district": "371502"}, {"district": "371600"}, {}], policy.catalogue)
    match = match_policy(policy, frame, ON)
    for i, row in enumerate([{"district": "371502"}, {"district": "371600"}, {}]):
        assert match.result(i).criteria_statuses() == evaluate_policy(policy, row, ON).criteria_statuses()


def test_frame_round_trips_records():
    policy = make_policy({"c1": "employees > 0"})
    rows: list[dict[str, object]] = [
        {
            "employees": 3,
            "district": "371502",
            "dishonest": True,
            "recognitions": ["a", "b"],
            "established_on": "2020-01-01",
        },
        {"employees": None, "recognitions": []},
        {},
    ]
    frame = Frame.from_records(
        rows, policy.catalogue, ["employees", "district", "dishonest", "recognitions", "established_on"]
    )
    assert frame.record(0) == rows[0]
    assert frame.record(1) == {
        "employees": None,
        "district": None,
        "dishonest": None,
        "recognitions": [],
        "established_on": None,
    }
    sub = frame.take(np.array([2, 0]))
    assert sub.record(1) == rows[0]


def test_bitset_helpers():
    mask = np.array([True, False, True, True, False, False, False, False, True])
    bits = pack(mask)
    assert len(bits) == 2
    assert popcount(bits) == 4
    assert unpack(bits, 9).tolist() == mask.tolist()


def test_frame_refuses_bad_values():
    policy = make_policy({"c1": "employees > 0"})
    with pytest.raises(ValueError, match="应为整数"):
        Frame.from_records([{"employees": "3"}], policy.catalogue, ["employees"])


@pytest.mark.parametrize("density", [0.0, 0.001, 0.05, 0.5, 1.0])
@pytest.mark.parametrize("n", [1, 7, 8, 9, 1000, 4099])
def test_rows_of_sparse_and_dense_bitsets(n, density):
    mask = np.random.default_rng(n).random(n) < density
    assert rows_of(pack(mask), n).tolist() == np.flatnonzero(mask).tolist()


def test_near_miss_rows_fail_exactly_one_criterion():
    policy = make_policy({"c1": "employees >= 10", "c2": "penalties_last_year == 0", "c3": "not dishonest"})
    rows = [
        {"employees": 12, "penalties_last_year": 0, "dishonest": False},  # eligible
        {"employees": 3, "penalties_last_year": 0, "dishonest": False},  # one fail: near miss
        {"employees": 3, "penalties_last_year": 1, "dishonest": False},  # two fails
        {"employees": 3},  # one fail, two unknown: near miss
        {},  # undetermined
    ]
    (match,) = match_all([policy], Frame.from_records(rows, policy.catalogue), ON, near_miss=True)
    assert match.near_miss_rows().tolist() == [1, 3]


def test_a_boolean_column_never_claims_true_where_unknown():
    from gongkai.policies.rules.vector import BoolColumn, Vocab

    policy = make_policy({"c1": "dishonest"})
    true = pack(np.array([True, True, False]))
    known = pack(np.array([True, False, True]))
    frame = Frame(3, Vocab([]), {"dishonest": BoolColumn(true, known)}, {"dishonest": "boolean"})
    match = match_policy(policy, frame, ON)
    assert [match.result(i).status for i in range(3)] == ["eligible", "undetermined", "ineligible"]


def test_shared_amounts_are_computed_once_and_only_eligible_rows_can_fail():
    a = make_policy({"c1": "employees > 0"}, amount="100 // employees", policy="a")
    b = make_policy({"c1": "employees > 5"}, amount="100 // employees", policy="b")
    rows = [{"employees": 0}, {"employees": 10}, {"employees": 3}, {}]
    frame = Frame.from_records(rows, a.catalogue)
    matcher = Matcher(frame, ON, [a, b])
    assert matcher.shared_amounts == {a.amount.node.key}  # type: ignore[union-attr]
    first, second = matcher.match_all([a, b])
    # row 0 divides by zero, but it is not eligible for either policy: no error
    assert [first.result(i).amount for i in range(4)] == [None, 10, 33, None]
    assert [second.result(i).status for i in range(4)] == [
        "ineligible",
        "eligible",
        "ineligible",
        "undetermined",
    ]
    assert second.amounts() == [10]
    assert matcher.evaluator.cache == {}
    c = make_policy({"c1": "employees >= 0"}, amount="100 // employees", policy="c")
    with pytest.raises(EvaluationError, match="除数为 0") as info:
        match_all([a, c], frame, ON)
    assert info.value.row == 0
