"""The scalar interpreter: three-valued logic, functions, unknown propagation, amounts, validity."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from gongkai.policies.rules.errors import EvaluationError
from gongkai.policies.rules.evaluate import compile_expr, evaluate_policy, years_between
from gongkai.policies.rules.parser import parse
from gongkai.policies.rules.types import TypeChecker, default_catalogue

from .rules_helpers import ON, make_policy


def ev(source: str, facts: dict | None = None, on: dt.date = ON):
    node = parse(source)
    TypeChecker(default_catalogue(), "entity", source).visit(node)
    return compile_expr(node)(facts or {}, on.isoformat())


# --- three-valued logic ----------------------------------------------------------------------------

T, F, U = True, False, None
AND = {(T, T): T, (T, F): F, (T, U): U, (F, T): F, (F, F): F, (F, U): F, (U, T): U, (U, F): F, (U, U): U}
OR = {(T, T): T, (T, F): T, (T, U): T, (F, T): T, (F, F): F, (F, U): U, (U, T): T, (U, F): U, (U, U): U}
NOT = {T: F, F: T, U: U}


@pytest.mark.parametrize(("a", "b"), list(itertools.product([T, F, U], repeat=2)))
def test_three_valued_and_or(a, b):
    facts = {"dishonest": a, "cluster_hosted": b}
    assert ev("dishonest and cluster_hosted", facts) is AND[a, b]
    assert ev("dishonest or cluster_hosted", facts) is OR[a, b]


@pytest.mark.parametrize("a", [T, F, U])
def test_three_valued_not(a):
    assert ev("not dishonest", {"dishonest": a}) is NOT[a]


def test_and_or_skip_the_right_side_when_the_left_decides():
    # the right side would divide by zero; it is never evaluated
    assert ev("employees > 1 and 1 // employees == 0", {"employees": 0}) is False
    assert ev("employees == 0 or 1 // employees == 0", {"employees": 0}) is True
    with pytest.raises(Exception, match="除数为 0"):
        ev("employees == 0 and 1 // employees == 0", {"employees": 0})


# --- operators and unknown propagation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("employees + 2", 12),
        ("employees - 12", -2),
        ("employees * 3", 30),
        ("employees // 3", 3),
        ("-employees // 3", -4),  # floor division
        ("employees // -3", -4),
        ("-employees", -10),
        ("employees == 10", True),
        ("employees != 10", False),
        ("employees < 10", False),
        ("employees <= 10", True),
        ("employees > 9", True),
        ("employees >= 11", False),
        ('district == "371502"', True),
        ('district < "371503"', True),
        ('established_on < "2020-01-01"', True),
        ("dishonest == false", True),
        ("false < true", True),
        ('"高新技术企业" in recognitions', True),
        ('recognitions has "高新技术企业"', True),
        ('"小巨人" not in recognitions', True),
        ('district in ["371502", "371503"]', True),
        ("employees in [1, 2]", False),
        ("[] == []", None),  # not reached: list comparison is a type error (checked below)
    ][:-1],
)
def test_operators(source, value):
    facts = {
        "employees": 10,
        "district": "371502",
        "established_on": "2019-05-01",
        "dishonest": False,
        "recognitions": ["高新技术企业"],
    }
    assert ev(source, facts) == value


@pytest.mark.parametrize(
    "source",
    [
        "employees + 1",
        "employees * 0",  # unknown even though the answer "would" be 0
        "-employees",
        "employees == employees",
        "employees > 1",
        'district == "x"',
        '"x" in recognitions',
        'district in ["a"]',
        'district not in ["a"]',
        '"a" in [district]',  # a list literal with an unknown element is unknown
        "len(recognitions)",
        "len([district])",
        "min(employees, 5)",
        "max(1, employees)",
        "years_between(established_on, today)",
        "not dishonest",
        "employees // (1 - 1) == 1",  # unknown wins over division by zero
    ],
)
def test_unknown_propagates(source):
    assert ev(source, {}) is None


# --- functions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "years"),
    [
        ("2000-01-01", "2026-01-01", 26),
        ("2000-06-30", "2026-06-29", 25),  # the day before the anniversary
        ("2000-06-30", "2026-06-30", 26),  # on the anniversary
        ("2024-02-29", "2025-02-28", 0),  # born on 29 February: not yet one on 28 February…
        ("2024-02-29", "2025-03-01", 1),  # …but one on 1 March
        ("2024-02-29", "2028-02-29", 4),
        ("2024-02-28", "2025-02-28", 1),
        ("2026-06-30", "2026-06-30", 0),
        ("2026-06-30", "2025-06-30", -1),  # backwards: the same rule, negative
        ("2026-06-30", "2026-01-01", -1),
    ],
)
def test_years_between_is_the_age_rule(a, b, years):
    assert years_between(a, b) == years
    assert ev(f'years_between("{a}", "{b}")') == years


def test_years_between_today():
    assert (
        ev("years_between(established_on, today)", {"established_on": "2024-07-01"}, on=dt.date(2026, 6, 30))
        == 1
    )
    assert (
        ev("years_between(established_on, today)", {"established_on": "2024-06-30"}, on=dt.date(2026, 6, 30))
        == 2
    )


def test_len_min_max():
    assert ev("len(recognitions)", {"recognitions": ["a", "b"]}) == 2
    assert ev("len([])") == 0
    assert ev("min(employees, 5, 7)", {"employees": 9}) == 5
    assert ev("max(employees, 5, 7)", {"employees": 9}) == 9
    assert ev("min(3)") == 3
    assert ev('max(established_on, "2020-01-01")', {"established_on": "2019-01-01"}) == "2020-01-01"
    assert ev("today") == ON.isoformat()


def test_integers_are_64_bit():
    assert ev("employees * 2", {"employees": 2**62 - 1}) == 2**63 - 2
    with pytest.raises(Exception, match="超出整数范围"):
        ev("employees * 2", {"employees": 2**62})
    with pytest.raises(Exception, match="超出整数范围"):
        ev("-employees - 2", {"employees": 2**63 - 1})


# --- policies ---------------------------------------------------------------------------------------

STARTUP = {
    "c1": "years_between(established_on, today) < 2",
    "c2": "employees >= 10",
    "c3": "penalties_last_year == 0",
}


def test_statuses_of_a_policy():
    policy = make_policy(STARTUP, amount="min(employees * 1000, 30000)")
    good = {"established_on": "2025-01-01", "employees": 12, "penalties_last_year": 0}
    result = evaluate_policy(policy, good, ON)
    assert (result.status, result.amount, result.has_amount) == ("eligible", 12000, True)
    assert result.criteria_statuses() == {"c1": "pass", "c2": "pass", "c3": "pass"}

    undetermined = evaluate_policy(policy, {**good, "penalties_last_year": None}, ON)
    assert undetermined.status == "undetermined"
    assert undetermined.criteria_statuses()["c3"] == "unknown"
    assert not undetermined.has_amount

    # a failure wins over an unknown: ineligible
    ineligible = evaluate_policy(policy, {"employees": 3}, ON)
    assert ineligible.status == "ineligible"
    assert ineligible.criteria_statuses() == {"c1": "unknown", "c2": "fail", "c3": "unknown"}


def test_values_used_are_kept_for_explanations():
    policy = make_policy(STARTUP)
    result = evaluate_policy(policy, {"employees": 3, "district": "371502"}, ON)
    assert result.criteria[1].facts == {"employees": 3}
    assert result.criteria[0].missing == ["established_on"]


def test_amounts():
    facts = {"established_on": "2025-01-01", "employees": 40, "penalties_last_year": 0}
    assert (
        evaluate_policy(make_policy(STARTUP, amount="min(employees * 1000, 30000)"), facts, ON).amount
        == 30000
    )
    assert evaluate_policy(make_policy(STARTUP, amount=5000), facts, ON).amount == 5000
    # eligible, but the amount needs a fact that is unknown: null, not a guess
    unknown = evaluate_policy(make_policy(STARTUP, amount="registered_capital // 100"), facts, ON)
    assert (unknown.status, unknown.amount, unknown.has_amount) == ("eligible", None, True)
    # no amount in the policy: no amount key
    none = evaluate_policy(make_policy(STARTUP), facts, ON)
    assert (none.status, none.has_amount) == ("eligible", False)


def test_amount_is_only_evaluated_for_eligible_beneficiaries():
    policy = make_policy({"c1": "employees > 0"}, amount="100 // employees")
    assert evaluate_policy(policy, {"employees": 0}, ON).status == "ineligible"  # no division by zero
    with pytest.raises(EvaluationError, match="除数为 0"):
        evaluate_policy(
            make_policy({"c1": "employees >= 0"}, amount="100 // employees"), {"employees": 0}, ON
        )


@pytest.mark.parametrize(
    ("on", "status"),
    [
        (dt.date(2025, 12, 31), "not_in_force"),
        (dt.date(2026, 1, 1), "eligible"),  # valid_from is inclusive
        (dt.date(2026, 12, 31), "eligible"),  # valid_to is inclusive
        (dt.date(2027, 1, 1), "not_in_force"),
    ],
)
def test_validity_window(on, status):
    policy = make_policy({"c1": "employees > 0"})
    result = evaluate_policy(policy, {"employees": 1}, on)
    assert result.status == status
    if status == "not_in_force":
        assert result.criteria == ()


def test_open_ended_validity():
    policy = make_policy({"c1": "employees > 0"}, valid_to="DROP")
    assert evaluate_policy(policy, {"employees": 1}, dt.date(2099, 1, 1)).status == "eligible"


def test_errors_name_the_criterion_and_column():
    policy = make_policy({"c1": "employees > 0", "c2": "100 // (employees - 5) > 1"})
    with pytest.raises(EvaluationError) as info:
        evaluate_policy(policy, {"employees": 5}, ON)
    assert info.value.place.criterion == "c2"
    assert info.value.place.column == 8
    assert "除数为 0" in str(info.value)


def test_fact_values_of_the_wrong_type_are_errors_naming_the_criterion():
    policy = make_policy(STARTUP)
    with pytest.raises(EvaluationError) as info:
        evaluate_policy(policy, {"employees": "十二"}, ON)
    assert info.value.place.criterion == "c2"
    assert "应为整数" in str(info.value)
    with pytest.raises(EvaluationError, match="YYYY-MM-DD"):
        evaluate_policy(policy, {"established_on": "2020/01/01"}, ON)
