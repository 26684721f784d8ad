"""§1 rules, §3 seeds and the bad-input cases of issue 3 §6: each refused with a message naming it."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone

import pytest

from gongkai.inspections import gongkai_draw as gd
from gongkai.inspections.tests.test_draw_support import DEMO_001_SEED, demo_001

SHANGHAI = timezone(timedelta(hours=8))


def broken(edit) -> gd.FrozenError:
    """Apply ``edit`` to a copy of demo-001 and return the error the engine raises."""
    frozen = demo_001()
    edit(frozen)
    with pytest.raises(gd.FrozenError) as error:
        gd.compute_draw(frozen, DEMO_001_SEED)
    assert str(error.value).startswith("frozen document breaks §1")
    return error.value


def test_demo_001_is_valid_and_has_only_the_unassigned_warning():
    run = gd.run_draw(demo_001(), DEMO_001_SEED)
    assert [w.code for w in run.warnings] == ["unassigned"]
    assert run.loads == {"3715009788000": 3, "3715098966003": 3}


# ---------------------------------------------------------------------------------------------
# §1, rule by rule
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "code", "words"),
    [
        (lambda f: f.pop("seed_source"), "seed_source", 'missing the member "seed_source"'),
        (lambda f: f.pop("conflicts"), "conflicts", 'missing the member "conflicts"'),
        (lambda f: f.update(protocol="gongkai-draw/2"), "protocol", "exactly"),
        (lambda f: f.update(plan=""), "plan", "non-empty"),
        (lambda f: f.update(plan=7), "plan", "must be a string"),
        (lambda f: f.update(seed_not_before="2026-03-02 10:00"), "seed_not_before", "ISO 8601"),
        (lambda f: f.update(seed_not_before="2026-03-02T10:00:00"), "seed_not_before", "with offset"),
        (lambda f: f.update(strata=[]), "strata", "at least one"),
        (lambda f: f["strata"][1].update(name="A"), "stratum-name", "used twice"),
        (lambda f: f["strata"][0].update(quota=-1), "quota", "≥ 0"),
        (lambda f: f["strata"][0].update(quota=True), "quota", "must be an integer"),
        (lambda f: f["strata"][0].update(quota=2.0), "quota", "must be an integer"),
        (lambda f: f["strata"][0].pop("members"), "members", '"members"'),
        (lambda f: f["strata"][0]["members"].append("9137ZZ"), "member", "must be an object"),
        (lambda f: f["strata"][0]["members"][0].pop("id"), "member-id", '"id"'),
        (lambda f: f["strata"][0]["members"][0].update(id=""), "member-id", "non-empty"),
        (lambda f: f["strata"][0]["members"][0].update(id=91371), "member-id", "must be a string"),
        (lambda f: f["strata"][0]["members"][0].update(unit=3), "member-unit", "must be a string"),
        (lambda f: f["strata"][0]["members"][0].update(unit=None), "member-unit", "not null"),
        (lambda f: f["strata"][0]["members"].reverse(), "members-sorted", "sorted ascending by id"),
        (
            lambda f: f["strata"][0]["members"].insert(1, {"id": "91371X0FXBN9Y10KL1"}),
            "member-duplicate",
            "appears twice",
        ),
        (
            lambda f: f["strata"][1]["members"].insert(6, {"id": "9137LJ3146E80QKAT1"}),
            "one-stratum",
            'in stratum "A" and in stratum "B"',
        ),
        (lambda f: f["strata"][0]["members"][0].update(id="9137\x1f"), "no-unit-separator", "U+001F"),
        (lambda f: f.update(title="a\x1fb"), "no-unit-separator", "U+001F"),
        (lambda f: f["inspectors"][0].update(name="李\x1f静"), "no-unit-separator", "U+001F"),
        (lambda f: f.update(extra={"weight": 0.5}), "integers-only", "not an integer"),
        (lambda f: f.update(extra={"count": 2**60}), "integer-range", "2^53"),
        (lambda f: f.update({"标题": "x"}), "ascii-keys", "not ASCII"),
        (
            lambda f: f["strata"][0]["members"][0].update(id="91371X0FXBN9Y10KL1\ud800"),
            "unicode",
            "surrogate",
        ),
        (lambda f: f.update(items=["SJ-005", 8]), "items", "must be a string"),
        (lambda f: f["team"].update(size=0), "team", "≥ 1"),
        (lambda f: f["team"].update(departments=["SCJG", "SCJG"]), "team", "twice"),
        (lambda f: f["team"].update(departments=["SCJG", "SW", "YJ"]), "team", "more than team.size"),
        (lambda f: f["rules"].update(cross_unit="yes"), "rules", "must be a boolean"),
        (lambda f: f["rules"].update(max_load=-1), "rules", "≥ 0"),
        (lambda f: f["conflicts"].append(["3715098966003"]), "conflicts", "pair"),
        (lambda f: f["conflicts"].append(["3715098966003", 5]), "conflicts", "pair"),
        (lambda f: f["conflicts"].reverse(), "conflicts-sorted", "sorted by inspector id"),
    ],
)
def test_each_rule_of_section_1_is_named(edit, code, words):
    error = broken(edit)
    assert error.code == code
    assert words in error.message


# Issue 3 §6: conflicting, duplicated or unsorted inspectors.


def test_unsorted_inspectors_are_refused():
    error = broken(lambda f: f["inspectors"].reverse())
    assert error.code == "inspectors-sorted"
    assert "sorted by id" in error.message


def test_duplicated_inspector_is_refused():
    error = broken(lambda f: f["inspectors"].insert(1, copy.deepcopy(f["inspectors"][0])))
    assert error.code == "inspector-duplicate"
    assert "appears twice" in error.message and "3715009788000" in error.message


def test_conflicting_inspector_records_are_refused_as_such():
    def edit(frozen):
        twin = dict(frozen["inspectors"][0], department="YJ")
        frozen["inspectors"].insert(1, twin)

    error = broken(edit)
    assert error.code == "inspector-duplicate"
    assert "conflicting data" in error.message


@pytest.mark.parametrize("field", ["id", "department", "unit", "items"])
def test_inspector_fields_are_required(field):
    error = broken(lambda f: f["inspectors"][2].pop(field))
    assert error.code == "inspector"
    assert f'"{field}"' in error.message


def test_members_may_carry_informative_fields_covered_by_the_commitment():
    frozen = demo_001()
    before = gd.commitment(frozen)
    frozen["strata"][0]["members"][0]["name"] = "某某有限公司"
    assert gd.commitment(frozen) != before
    gd.compute_draw(frozen, DEMO_001_SEED)


def test_seed_not_before_accepts_the_usual_offset_forms():
    for text in ("2026-03-02T10:00+08:00", "2026-03-02T02:00:00Z", "2026-03-02T10:00:00.5+0800"):
        assert gd.parse_time(text) == datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI).replace(
            microsecond=500000 if ".5" in text else 0
        )


# ---------------------------------------------------------------------------------------------
# §3 seeds
# ---------------------------------------------------------------------------------------------


def test_seed_is_nfc_normalised_and_stripped_of_unicode_white_space():
    assert gd.normalise_seed("\u3000 e\u0301 12\n") == "é 12"
    assert gd.normalise_seed("\t31415\r\n") == "31415"


def test_seed_strip_does_not_eat_information_separators():
    # Python's str.strip() would remove U+001C..U+001E; the protocol's white space does not.
    assert gd.normalise_seed("\x1e12", strict=False) == "\x1e12"


@pytest.mark.parametrize("seed", ["", "   ", "\u3000\n"])
def test_empty_seed_is_refused(seed):
    with pytest.raises(gd.SeedError) as error:
        gd.normalise_seed(seed)
    assert error.value.code == "seed-empty"


def test_seed_with_unit_separator_is_refused_even_when_verifying():
    with pytest.raises(gd.SeedError) as error:
        gd.normalise_seed("12\x1f34", strict=False)
    assert error.value.code == "seed-separator"


@pytest.mark.parametrize(
    ("seed", "shown"),
    [
        ("3141\x005926", "control character U+0000"),
        ("3141\x075926", "control character U+0007"),
        ("3141\x1b[0m", "control character U+001B"),
        ("31\x8541", "control character U+0085"),
        ("3141\u200b5926", "invisible formatting character U+200B ZERO WIDTH SPACE"),
        ("3141\u202e5926", "invisible formatting character U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("\ufeff31415926", "invisible formatting character U+FEFF"),
        ("3141\ue0005926", "private-use character U+E000"),
    ],
)
def test_seed_with_control_characters_gets_a_specific_message(seed, shown):
    with pytest.raises(gd.SeedError) as error:
        gd.compute_draw(demo_001(), seed)
    assert error.value.code == "seed-control"
    assert shown in error.value.message
    assert "position" in error.value.message


def test_ordinary_white_space_inside_a_seed_is_kept():
    assert gd.normalise_seed("round 1234\nsignature abcd") == "round 1234\nsignature abcd"


def test_verification_follows_the_protocol_for_seeds_it_would_not_accept_as_input():
    frozen = demo_001()
    seed = "3141\x075926"
    result = gd.compute_draw(frozen, seed, strict_seed=False)
    assert gd.verify_bundle({"frozen": frozen, "seed": seed, "result": result}) == (True, "")
    assert [w.code for w in gd.seed_warnings(seed)] == ["seed-control"]


def test_seed_entered_before_seed_not_before_is_refused():
    frozen = demo_001()
    gd.check_seed_time(frozen, datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
    with pytest.raises(gd.SeedError) as error:
        gd.check_seed_time(frozen, datetime(2026, 3, 2, 1, 59, tzinfo=UTC))
    assert error.value.code == "seed-too-early"


def test_ticket_is_sha256_of_the_fields_joined_by_unit_separators():
    digest = gd.hashlib.sha256(b"c\x1fs\x1fentity\x1f9137").hexdigest()
    assert gd.ticket("c", "s", "entity", "9137") == digest


# ---------------------------------------------------------------------------------------------
# Issue 3 §6: populations, quotas and teams the protocol allows but a task should refuse
# ---------------------------------------------------------------------------------------------


def test_empty_population_draws_nothing_and_says_so():
    frozen = demo_001()
    for stratum in frozen["strata"]:
        stratum["members"] = []
    frozen["conflicts"] = []
    run = gd.run_draw(frozen, DEMO_001_SEED)
    assert "empty_population" in [w.code for w in run.warnings]
    assert run.result["assignments"] == run.result["unassigned"] == []
    assert all(s["selected"] == s["reserve"] == [] for s in run.result["strata"])


def test_quota_larger_than_its_stratum_selects_all_with_a_warning():
    frozen = demo_001()
    frozen["strata"][0]["quota"] = 5  # three members
    run = gd.run_draw(frozen, DEMO_001_SEED)
    stratum = run.result["strata"][0]
    assert len(stratum["selected"]) == 3 and stratum["reserve"] == []
    (warning,) = [w for w in run.warnings if w.code == "quota_exceeds_stratum"]
    assert warning.detail == {"stratum": "A", "quota": 5, "size": 3}


def test_team_larger_than_the_qualified_inspectors_leaves_everyone_unassigned():
    frozen = demo_001()
    frozen["team"]["size"] = 3  # only two inspectors are qualified for SJ-005 and SJ-008
    run = gd.run_draw(frozen, DEMO_001_SEED)
    assert run.result["assignments"] == []
    selected = [m["id"] for s in run.result["strata"] for m in s["selected"]]
    assert run.result["unassigned"] == [{"entity": i, "reason": "insufficient_inspectors"} for i in selected]
    codes = [w.code for w in run.warnings]
    assert "team_larger_than_qualified" in codes and "unassigned" in codes


def test_required_department_without_any_qualified_inspector_is_reported():
    frozen = demo_001()
    frozen["team"]["departments"] = ["YJ"]
    run = gd.run_draw(frozen, DEMO_001_SEED)
    assert "department_without_inspector" in [w.code for w in run.warnings]
    assert run.result["assignments"] == []


def test_nothing_is_computed_from_a_broken_document():
    frozen = demo_001()
    frozen["inspectors"].reverse()
    with pytest.raises(gd.FrozenError):
        gd.run_draw(frozen, DEMO_001_SEED)
    with pytest.raises(gd.FrozenError):
        gd.commitment(frozen)
