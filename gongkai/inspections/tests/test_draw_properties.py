"""Properties of the draw, checked with hypothesis against a literal reference implementation.

* the optimised engine gives exactly the result of the specification read literally;
* any single edit to a bundle is caught;
* selected and reserve are the first ``2 × quota`` of one fixed ranking, so larger quotas extend
  the same prefix;
* results do not depend on the order in which rows arrive (``build_frozen`` sorts them);
* a replacement takes the first unused reserve, and its team follows §6 with the loads as they are;
* the compact ``MemberColumns`` form, the parallel hashing and the ticket bound change nothing.
"""

from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongkai.inspections import gongkai_draw as gd
from gongkai.inspections.tests.test_draw_support import (
    DEMO_001_SEED,
    demo_001,
    frozen_documents,
    reference_draw,
    reference_replacements,
    seeds,
)

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(frozen_documents(), seeds)
def test_engine_equals_the_literal_reading_of_the_specification(frozen, seed):
    assert gd.compute_draw(frozen, seed, strict_seed=False) == reference_draw(frozen, seed)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frozen_documents(max_members=60, max_inspectors=14), st.text("0123456789", min_size=1, max_size=20))
def test_engine_equals_the_reference_on_busier_teams(frozen, seed):
    frozen["rules"]["max_load"] = 0
    for stratum in frozen["strata"]:
        stratum["quota"] = max(stratum["quota"], len(stratum["members"]) // 2)
    assert gd.compute_draw(frozen, seed) == reference_draw(frozen, seed)


# ---------------------------------------------------------------------------------------------
# Any single edit is caught
# ---------------------------------------------------------------------------------------------


# An id no generated document holds (member ids use ID_ALPHABET, inspectors three digits): an edit to
# it always changes the bundle ("X" did not: it is a possible member id).
NO_SUCH_ID = "无此编号"


def _edits(bundle: dict) -> list:
    """Every kind of single edit a forger might make, as (label, function) pairs that apply."""
    result = bundle["result"]
    strata = result["strata"]
    edits = [
        ("seed", lambda b: b.update(seed=b["seed"] + "0")),
        ("title", lambda b: b["frozen"].update(title="changed")),
        ("result seed", lambda b: b["result"].update(seed=b["result"]["seed"] + "0")),
        ("commitment", lambda b: b["result"].update(commitment="0" * 64)),
        ("protocol", lambda b: b["result"].update(protocol="gongkai-draw/2")),
        ("extra member", lambda b: b["result"].update(note="x")),
    ]
    for s, stratum in enumerate(strata):
        frozen_members = bundle["frozen"]["strata"][s]["members"]
        if frozen_members:
            edits.append(
                ("frozen member", lambda b, s=s: b["frozen"]["strata"][s]["members"][-1].update(id="\uffff"))
            )
            edits.append(("drop frozen member", lambda b, s=s: b["frozen"]["strata"][s]["members"].pop()))
        edits.append(
            (
                "quota",
                lambda b, s=s: b["frozen"]["strata"][s].update(quota=b["frozen"]["strata"][s]["quota"] + 1),
            )
        )
        for field in ("selected", "reserve"):
            if stratum[field]:
                edits.append(
                    (f"{field} ticket", lambda b, s=s, f=field: _flip_ticket(b["result"]["strata"][s][f][0]))
                )
                edits.append(
                    (
                        f"{field} id",
                        lambda b, s=s, f=field: b["result"]["strata"][s][f][0].update(id=NO_SUCH_ID),
                    )
                )
                edits.append((f"{field} dropped", lambda b, s=s, f=field: b["result"]["strata"][s][f].pop()))
            if len(stratum[field]) > 1:
                edits.append(
                    (f"{field} order", lambda b, s=s, f=field: b["result"]["strata"][s][f].reverse())
                )
        if stratum["selected"] and stratum["reserve"]:

            def swap(b, s=s):
                stratum = b["result"]["strata"][s]
                stratum["selected"][0], stratum["reserve"][0] = stratum["reserve"][0], stratum["selected"][0]

            edits.append(("selected swapped with reserve", swap))
    if result["assignments"]:
        edits.append(("assignment entity", lambda b: b["result"]["assignments"][0].update(entity=NO_SUCH_ID)))
        edits.append(
            (
                "assignment inspector",
                lambda b: b["result"]["assignments"][0]["inspectors"].__setitem__(0, NO_SUCH_ID),
            )
        )
        edits.append(("assignment dropped", lambda b: b["result"]["assignments"].pop()))
        edits.append(
            (
                "assigned made unassigned",
                lambda b: b["result"]["unassigned"].append(
                    {
                        "entity": b["result"]["assignments"].pop()["entity"],
                        "reason": "insufficient_inspectors",
                    }
                ),
            )
        )
        if len(result["assignments"][0]["inspectors"]) > 1:
            edits.append(("team order", lambda b: b["result"]["assignments"][0]["inspectors"].reverse()))
    if len(result["assignments"]) > 1:
        edits.append(("assignment order", lambda b: b["result"]["assignments"].reverse()))
    if result["unassigned"]:
        edits.append(("unassigned reason", lambda b: b["result"]["unassigned"][0].update(reason="other")))
        edits.append(("unassigned dropped", lambda b: b["result"]["unassigned"].pop()))
    if bundle["frozen"]["inspectors"]:
        edits.append(("inspector unit", lambda b: b["frozen"]["inspectors"][0].update(unit="U9")))
    return edits


def _flip_ticket(entry: dict) -> None:
    ticket = entry["ticket"]
    entry["ticket"] = ("1" if ticket[-1] == "0" else "0").join((ticket[:-1], ""))


@FAST
@given(frozen_documents(), seeds, st.data())
def test_any_single_edit_to_a_bundle_is_caught(frozen, seed, data):
    result = gd.compute_draw(frozen, seed, strict_seed=False)
    bundle = {"frozen": frozen, "seed": seed, "result": result}
    assert gd.verify_bundle(bundle) == (True, "")
    label, edit = data.draw(st.sampled_from(_edits(bundle)), label="edit")
    forged = copy.deepcopy(bundle)
    edit(forged)
    ok, reason = gd.verify_bundle(forged)
    assert not ok, label
    assert reason


def test_verify_bundle_never_raises_on_nonsense():
    for bundle in (
        None,
        [],
        {"frozen": 1, "seed": 2, "result": 3},
        {"frozen": {}, "seed": "1", "result": {}},
    ):
        ok, reason = gd.verify_bundle(bundle)
        assert not ok and reason


# ---------------------------------------------------------------------------------------------
# One ranking per stratum: selected, then reserve; larger quotas extend the same prefix
# ---------------------------------------------------------------------------------------------


def _ranking(commitment: str, seed: str, members: list) -> list:
    return sorted((gd.ticket(commitment, seed, "entity", m["id"]), m["id"]) for m in members)


@FAST
@given(frozen_documents(), seeds)
def test_selected_and_reserve_are_the_first_two_quotas_of_one_ranking(frozen, seed):
    result = gd.compute_draw(frozen, seed, strict_seed=False)
    for stratum, drawn in zip(frozen["strata"], result["strata"], strict=True):
        ranking = _ranking(result["commitment"], result["seed"], stratum["members"])
        got = [(m["ticket"], m["id"]) for m in drawn["selected"] + drawn["reserve"]]
        assert got == ranking[: 2 * stratum["quota"]]
        assert len(drawn["selected"]) == min(stratum["quota"], len(ranking))


@FAST
@given(frozen_documents(), seeds)
def test_larger_quotas_extend_the_same_prefix(frozen, seed):
    # The quota is part of the committed document, so the comparison holds commitment and seed
    # fixed and varies only the number taken: quota k's selection is a prefix of quota k+1's.
    prepared = gd._prepare(frozen)
    seed = gd.normalise_seed(seed, strict=False)
    previous = None
    for quota in range(0, 6):
        for stratum in prepared.strata:
            stratum.quota = quota
        selections = [[(t, i) for t, i, _ in selected] for _, selected, _ in gd._select(prepared, seed, 1)]
        if previous is not None:
            for before, after in zip(previous, selections, strict=True):
                assert after[: len(before)] == before
        previous = selections


# ---------------------------------------------------------------------------------------------
# Rows in any order give the same document and the same draw
# ---------------------------------------------------------------------------------------------


@FAST
@given(frozen_documents(), seeds, st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_rows_arrive(frozen, seed, rng):
    shuffled_strata = []
    for stratum in frozen["strata"]:
        members = [dict(m) for m in stratum["members"]]
        rng.shuffle(members)
        shuffled_strata.append(dict(stratum, members=members))
    inspectors = [dict(i, items=list(reversed(i["items"]))) for i in frozen["inspectors"]]
    rng.shuffle(inspectors)
    conflicts = [tuple(pair) for pair in frozen["conflicts"]] * 2
    rng.shuffle(conflicts)
    rebuilt = gd.build_frozen(
        plan=frozen["plan"],
        seed_source=frozen["seed_source"],
        seed_not_before=frozen["seed_not_before"],
        strata=shuffled_strata,
        items=list(reversed(frozen["items"])),
        team_size=frozen["team"]["size"],
        departments=frozen["team"]["departments"],
        inspectors=inspectors,
        cross_unit=frozen["rules"]["cross_unit"],
        max_load=frozen["rules"]["max_load"],
        conflicts=conflicts,
    )
    assert gd.canonical_json(rebuilt) == gd.canonical_json(frozen)
    assert gd.compute_draw(rebuilt, seed, strict_seed=False) == gd.compute_draw(
        frozen, seed, strict_seed=False
    )


def test_build_frozen_accepts_plain_ids_and_keeps_department_order():
    frozen = gd.build_frozen(
        plan="P",
        seed_source="dice",
        seed_not_before="2026-03-02T10:00:00+08:00",
        strata=[{"name": "全部", "quota": 1, "members": ["B", "A"]}],
        items=["I2", "I1", "I1"],
        team_size=2,
        departments=["YJ", "SCJG"],
        inspectors=[],
        cross_unit=False,
        title="标题",
    )
    assert frozen["strata"][0]["members"] == [{"id": "A"}, {"id": "B"}]
    assert frozen["items"] == ["I1", "I2"]
    assert frozen["team"]["departments"] == ["YJ", "SCJG"]
    assert frozen["title"] == "标题"


def test_build_frozen_refuses_duplicates_it_cannot_resolve():
    with pytest.raises(gd.FrozenError) as error:
        gd.build_frozen(
            plan="P",
            seed_source="dice",
            seed_not_before="2026-03-02T10:00:00+08:00",
            strata=[{"name": "A", "quota": 1, "members": ["X"]}, {"name": "B", "quota": 1, "members": ["X"]}],
            items=[],
            team_size=1,
            inspectors=[],
            cross_unit=False,
        )
    assert error.value.code == "one-stratum"


# ---------------------------------------------------------------------------------------------
# §8 replacements
# ---------------------------------------------------------------------------------------------


@FAST
@given(frozen_documents(replaceable=True), seeds, st.data())
def test_replacements_take_the_first_unused_reserve_and_follow_section_6(frozen, seed, data):
    result = gd.compute_draw(frozen, seed, strict_seed=False)
    assert any(s["selected"] and s["reserve"] for s in result["strata"])
    events = []
    active = {s["name"]: [m["id"] for m in s["selected"]] for s in result["strata"]}
    reserve = {s["name"]: [m["id"] for m in s["reserve"]] for s in result["strata"]}
    for number in range(data.draw(st.integers(1, 4))):
        names = [name for name in active if active[name] and reserve[name]]
        if not names:
            break
        name = data.draw(st.sampled_from(names))
        out = data.draw(st.sampled_from(active[name]))
        incoming = reserve[name].pop(0)
        active[name].remove(out)
        active[name].append(incoming)
        events.append({"out": out, "reason": "注销", "at": f"2026-04-0{number + 1}T09:00:00+08:00"})
    applied = gd.apply_replacements(frozen, seed, result, events)
    assert applied == reference_replacements(frozen, seed, result, events)
    first_reserves = {s["name"]: [m["id"] for m in s["reserve"]] for s in result["strata"]}
    used: dict = {}
    for record in applied:
        name = next(s["name"] for s in result["strata"] if record["in"] in first_reserves[s["name"]])
        assert record["in"] == first_reserves[name][used.get(name, 0)]
        used[name] = used.get(name, 0) + 1


def test_replacement_naming_anyone_but_the_first_reserve_is_refused():
    frozen = demo_001()
    result = gd.compute_draw(frozen, DEMO_001_SEED)
    stratum = result["strata"][3]
    out = stratum["selected"][0]["id"]
    second = stratum["reserve"][1]["id"]
    with pytest.raises(gd.ReplacementError) as error:
        gd.apply_replacements(frozen, DEMO_001_SEED, result, [{"out": out, "in": second, "reason": "迁出"}])
    assert error.value.code == "replacement-in"
    assert stratum["reserve"][0]["id"] in error.value.message


def test_replacement_of_a_member_not_selected_is_refused():
    frozen = demo_001()
    result = gd.compute_draw(frozen, DEMO_001_SEED)
    reserve_member = result["strata"][0]["reserve"][0]["id"]
    with pytest.raises(gd.ReplacementError) as error:
        gd.apply_replacements(frozen, DEMO_001_SEED, result, [{"out": reserve_member, "reason": "x"}])
    assert error.value.code == "replacement-out"


def test_replacement_stops_when_the_reserve_is_used_up():
    frozen = demo_001()
    result = gd.compute_draw(frozen, DEMO_001_SEED)
    stratum = result["strata"][0]  # quota 1: one reserve member
    first = stratum["selected"][0]["id"]
    second = stratum["reserve"][0]["id"]
    events = [{"out": first, "reason": "注销"}, {"out": second, "reason": "注销"}]
    with pytest.raises(gd.ReplacementError) as error:
        gd.apply_replacements(frozen, DEMO_001_SEED, result, events)
    assert error.value.code == "replacement-exhausted"


def test_replacement_frees_the_outgoing_team_for_the_incoming_member():
    frozen = demo_001()  # two qualified inspectors, each at max_load 3 after the draw
    result = gd.compute_draw(frozen, DEMO_001_SEED)
    out = result["assignments"][0]["entity"]
    (record,) = gd.apply_replacements(frozen, DEMO_001_SEED, result, [{"out": out, "reason": "注销"}])
    assert record["in"] == result["strata"][0]["reserve"][0]["id"]
    assert record["inspectors"] == ["3715098966003", "3715009788000"]


# ---------------------------------------------------------------------------------------------
# Compact members, parallel hashing and the ticket bound change nothing
# ---------------------------------------------------------------------------------------------


def _as_columns(frozen: dict) -> dict:
    columns = copy.deepcopy(frozen)
    for stratum in columns["strata"]:
        stratum["members"] = gd.MemberColumns.from_members(stratum["members"], chunk=3)
    return columns


@FAST
@given(frozen_documents(), seeds)
def test_member_columns_give_the_same_commitment_and_draw(frozen, seed):
    columns = _as_columns(frozen)
    assert gd.commitment(columns) == gd.commitment(frozen)
    assert gd.compute_draw(columns, seed, strict_seed=False) == gd.compute_draw(
        frozen, seed, strict_seed=False
    )


def test_member_columns_refuse_what_member_arrays_refuse(monkeypatch):
    monkeypatch.setattr(gd, "_raw_chunks", _tiny_chunks)
    frozen = _as_columns(demo_001())
    frozen["strata"][1]["members"] = gd.MemberColumns.from_members(
        sorted(
            [*frozen["strata"][1]["members"].to_list(), {"id": "9137LJ3146E80QKAT1"}], key=lambda m: m["id"]
        )
    )
    with pytest.raises(gd.FrozenError) as error:
        gd.check_frozen(frozen)
    assert error.value.code == "one-stratum"
    for ids, code in (
        (b"B\x1fA", "members-sorted"),
        (b"A\x1fA", "member-duplicate"),
        (b"A\x1f\x1fB", "member-id"),
    ):
        frozen = _as_columns(demo_001())
        frozen["strata"][0]["members"] = gd.MemberColumns(ids)
        with pytest.raises(gd.FrozenError) as error:
            gd.check_frozen(frozen)
        assert error.value.code == code


_original_chunks = gd._raw_chunks


def _tiny_chunks(data, size=1 << 20):
    return _original_chunks(data, 20)


def test_tight_ticket_bound_falls_back_to_a_full_scan(monkeypatch):
    expected = gd.compute_draw(demo_001(), DEMO_001_SEED)
    monkeypatch.setattr(gd, "_threshold", lambda count, needed: b"\x00" * 32)
    assert gd.compute_draw(demo_001(), DEMO_001_SEED) == expected


PARALLEL_CHECK = """
import json, sys
from gongkai.inspections import gongkai_draw as gd
gd._TASK_BYTES = 500
members = [{"id": f"91370000{n * 7919 % 1000003:07d}", "unit": f"U{n % 4}"} for n in range(6000)]
members.sort(key=lambda m: m["id"])
frozen = gd.build_frozen(
    plan="P", seed_source="s", seed_not_before="2026-03-02T10:00:00+08:00",
    strata=[{"name": "A", "quota": 40, "members": members[:2500]}, {"name": "B", "quota": 90, "members": members[2500:]}],
    items=["I"], team_size=2, departments=["D1"],
    inspectors=[{"id": f"{n:03d}", "department": f"D{n % 3}", "unit": f"U{n % 4}", "items": ["I"]} for n in range(30)],
    cross_unit=True, max_load=0,
)
serial = gd.compute_draw(frozen, "42", workers=1)
parallel = gd.compute_draw(frozen, "42", workers=3)
tasks = gd._tasks([stratum.blob for stratum in gd._prepare(frozen).strata])
print(json.dumps({"same": serial == parallel, "tasks": len(tasks)}))
"""


def test_parallel_hashing_gives_the_serial_result():
    # In a fresh single-threaded interpreter: forking from pytest's threads is not a fair test.
    project = Path(__file__).resolve().parents[3]
    proc = subprocess.run(
        [sys.executable, "-c", PARALLEL_CHECK], capture_output=True, text=True, cwd=project, check=False
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["same"] and report["tasks"] > 3


def test_demo_001_result_is_stable():
    result = gd.compute_draw(demo_001(), DEMO_001_SEED)
    digest = hashlib.sha256(gd.canonical_json(result) + b"\n").hexdigest()
    assert digest == "ebf99bf8b8e7f01b60fdd72b89d6998269f92b28d327b800b99d2c662df63818"


@FAST
@given(frozen_documents(replaceable=True), seeds)
def test_replacements_read_units_from_member_columns_too(frozen, seed):
    result = gd.compute_draw(frozen, seed, strict_seed=False)
    events = [
        {"out": s["selected"][0]["id"], "reason": "注销"}
        for s in result["strata"]
        if s["selected"] and s["reserve"]
    ]
    assert events
    columns = _as_columns(frozen)
    assert gd.apply_replacements(columns, seed, result, events) == gd.apply_replacements(
        frozen, seed, result, events
    )


PARALLEL_VERIFY = """
import copy, json
from gongkai.inspections import gongkai_draw as gd
members = [{"id": f"91370000{n * 7919 % 1000003:07d}", "unit": f"U{n % 4}"} for n in range(8000)]
frozen = gd.build_frozen(
    plan="P", seed_source="s", seed_not_before="2026-03-02T10:00:00+08:00",
    strata=[{"name": "A", "quota": 3000, "members": members[:4000]}, {"name": "B", "quota": 2000, "members": members[4000:]}],
    items=["I"], team_size=2, departments=["D1"],
    inspectors=[{"id": f"{n:03d}", "department": f"D{n % 3}", "unit": f"U{n % 4}", "items": ["I"]} for n in range(40)],
    cross_unit=True, max_load=260,
)
result = gd.compute_draw(frozen, "42", workers=1)
report = {"assigned": len(result["assignments"]), "unassigned": len(result["unassigned"])}
report["valid"] = gd.verify_bundle({"frozen": frozen, "seed": "42", "result": result}, workers=3)
for position in (5, len(result["assignments"]) - 3):
    forged = copy.deepcopy(result)
    forged["assignments"][position]["inspectors"].reverse()
    report[f"forged {position}"] = gd.verify_bundle({"frozen": frozen, "seed": "42", "result": forged}, workers=3)
print(json.dumps(report))
"""


def test_parallel_team_verification_accepts_the_draw_and_catches_a_late_forgery():
    project = Path(__file__).resolve().parents[3]
    proc = subprocess.run(
        [sys.executable, "-c", PARALLEL_VERIFY], capture_output=True, text=True, cwd=project, check=False
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report.pop("valid") == [True, ""]
    assert report.pop("assigned") > 3000 and report.pop("unassigned") > 0  # max_load binds at the end
    for label, (ok, reason) in report.items():
        position = int(label.split()[1])
        assert not ok
        assert reason.startswith(f"result.assignments[{position}].inspectors[0]")
