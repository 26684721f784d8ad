"""Shared material for the draw tests: vectors, a literal reference implementation, strategies.

``reference_draw`` follows the text of ``gongkai-draw/1`` as literally as possible (sort everything,
build the full inspector order for every member, canonicalise with the independent ``rfc8785``
package) so that the optimised engine can be property-tested against it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import rfc8785
from hypothesis import strategies as st

from gongkai.inspections import gongkai_draw as gd

VECTOR_NAMES = ("demo-001", "demo-002", "demo-003")


def vectors_dir() -> Path | None:
    """The specification's vectors: $GONGKAI_DRAW_VECTORS, or ../shared/specs/vectors of the repo."""
    configured = os.environ.get("GONGKAI_DRAW_VECTORS")
    candidates = [Path(configured)] if configured else []
    candidates.append(Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "vectors")
    for candidate in candidates:
        if (candidate / "demo-001.frozen.json").is_file():
            return candidate
    return None


# demo-001 of the specification, embedded so that one vector is checked even without ../shared.
DEMO_001_SEED = "31415926535897932384"
DEMO_001_COMMITMENT = "9432e2b3283b8f5ac7b73d6fe3fb3f89e9e0de9bc77716d14acc3098d08dc523"
DEMO_001_RESULT_SHA256 = "ebf99bf8b8e7f01b60fdd72b89d6998269f92b28d327b800b99d2c662df63818"
DEMO_001_FROZEN_JSON = (
    '{"protocol":"gongkai-draw/1","plan":"LC-2026-DEMO-001","title":"聊城市2026年度企业公示信息随机抽查",'
    '"seed_source":"公开摇号：2026年3月2日10时在市局会议室由公证员见证投掷20枚十面骰子",'
    '"seed_not_before":"2026-03-02T10:00:00+08:00","strata":['
    '{"name":"A","quota":1,"members":[{"id":"91371X0FXBN9Y10KL1","unit":"U03"},'
    '{"id":"9137J42B4WEAMPNGJ9","unit":"U06"},{"id":"9137LJ3146E80QKAT1","unit":"U03"}]},'
    '{"name":"B","quota":1,"members":[{"id":"913731GY87PNC8DTW4","unit":"U05"},'
    '{"id":"91373CD608URJ9W069","unit":"U03"},{"id":"913766XX1FCNCD2JL4","unit":"U03"},'
    '{"id":"9137ERF5MH6EG6PQ46","unit":"U04"},{"id":"9137EUHUXQEEGUJ657","unit":"U05"},'
    '{"id":"9137G902JQ3C3U9C20","unit":"U02"},{"id":"9137LKR53E942HRWN9","unit":"U01"}]},'
    '{"name":"C","quota":1,"members":[{"id":"9137226JL70KBBKE47","unit":"U02"},'
    '{"id":"9137A29A0YDQX347N0","unit":"U02"},{"id":"9137G5XP247FHLUKK3","unit":"U02"},'
    '{"id":"9137RYXAB2MFW2UUD0","unit":"U02"},{"id":"9137W7K0QEAEJT6G77","unit":"U06"}]},'
    '{"name":"D","quota":5,"members":[{"id":"91370M2EL8DHXT2N83","unit":"U03"},'
    '{"id":"91375PLYH6MYCWFK21","unit":"U04"},{"id":"91378WDPACXPNJEEE1","unit":"U06"},'
    '{"id":"9137CYELPKL5K0TG23","unit":"U02"},{"id":"9137GQG09K2F07YN39","unit":"U03"},'
    '{"id":"9137P9A422EHBP1WX2","unit":"U04"},{"id":"9137TJ4UC5L49X7TK3","unit":"U04"},'
    '{"id":"9137UFJ0KMCCJ0K221","unit":"U06"},{"id":"9137XX6P028DE71158","unit":"U03"}]}],'
    '"items":["SJ-005","SJ-008"],"team":{"size":2,"departments":["SCJG"]},"inspectors":['
    '{"id":"3715009788000","name":"李静","department":"SW","unit":"U01","items":'
    '["SJ-001","SJ-002","SJ-003","SJ-004","SJ-005","SJ-006","SJ-007","SJ-008"]},'
    '{"id":"3715014289002","name":"孙芳","department":"SW","unit":"U02","items":'
    '["SJ-001","SJ-002","SJ-003","SJ-008"]},'
    '{"id":"3715051578004","name":"黄芳","department":"YJ","unit":"U06","items":'
    '["SJ-001","SJ-002","SJ-003","SJ-004","SJ-005","SJ-007"]},'
    '{"id":"3715059615001","name":"赵伟","department":"YJ","unit":"U02","items":'
    '["SJ-001","SJ-004","SJ-006","SJ-008"]},'
    '{"id":"3715072091005","name":"徐洋","department":"YJ","unit":"U06","items":'
    '["SJ-001","SJ-002","SJ-006","SJ-007"]},'
    '{"id":"3715098966003","name":"郭伟","department":"SCJG","unit":"U02","items":'
    '["SJ-002","SJ-005","SJ-006","SJ-007","SJ-008"]}],'
    '"rules":{"cross_unit":true,"max_load":3},'
    '"conflicts":[["3715014289002","91378WDPACXPNJEEE1"],["3715059615001","9137226JL70KBBKE47"]]}'
)


def demo_001() -> dict:
    return json.loads(DEMO_001_FROZEN_JSON)


# ---------------------------------------------------------------------------------------------
# A literal reference implementation of the specification
# ---------------------------------------------------------------------------------------------


def reference_draw(frozen: dict, seed: str) -> dict:
    """§2–§7 exactly as written, with no optimisation at all."""
    seed = gd.normalise_seed(seed, strict=False)
    commitment = hashlib.sha256(rfc8785.dumps(frozen)).hexdigest()

    def ticket(*parts: str) -> str:
        return hashlib.sha256("\x1f".join((commitment, seed, *parts)).encode("utf-8")).hexdigest()

    strata = []
    for stratum in frozen["strata"]:
        ranked = sorted(stratum["members"], key=lambda m: (ticket("entity", m["id"]), m["id"]))
        quota = stratum["quota"]
        strata.append((stratum["name"], ranked[:quota], ranked[quota : 2 * quota]))
    state = ReferenceLoads(frozen, ticket)
    assignments, unassigned = [], []
    for _, selected, _ in strata:
        for member in selected:
            team = state.team(member)
            if team is None:
                unassigned.append({"entity": member["id"], "reason": "insufficient_inspectors"})
            else:
                state.add(team, 1)
                assignments.append({"entity": member["id"], "inspectors": team})
    return {
        "protocol": "gongkai-draw/1",
        "commitment": commitment,
        "seed": seed,
        "strata": [
            {
                "name": name,
                "selected": [{"id": m["id"], "ticket": ticket("entity", m["id"])} for m in selected],
                "reserve": [{"id": m["id"], "ticket": ticket("entity", m["id"])} for m in reserve],
            }
            for name, selected, reserve in strata
        ],
        "assignments": assignments,
        "unassigned": unassigned,
    }


class ReferenceLoads:
    """§6 steps 1–5, literally."""

    def __init__(self, frozen: dict, ticket):
        self.frozen = frozen
        self.ticket = ticket
        self.load = {inspector["id"]: 0 for inspector in frozen["inspectors"]}

    def team(self, member: dict) -> list | None:
        frozen, rules = self.frozen, self.frozen["rules"]
        eligible = [
            i
            for i in frozen["inspectors"]
            if all(code in i["items"] for code in frozen["items"])
            and not (rules["cross_unit"] and "unit" in member and i["unit"] == member["unit"])
            and [i["id"], member["id"]] not in frozen["conflicts"]
            and (rules["max_load"] == 0 or self.load[i["id"]] < rules["max_load"])
        ]
        order = sorted(
            eligible,
            key=lambda i: (self.load[i["id"]], self.ticket("inspector", member["id"], i["id"]), i["id"]),
        )
        taken: list = []
        for department in frozen["team"]["departments"]:
            found = next((i for i in order if i["department"] == department and i not in taken), None)
            if found is None:
                return None
            taken.append(found)
        for inspector in order:
            if len(taken) == frozen["team"]["size"]:
                break
            if inspector not in taken:
                taken.append(inspector)
        if len(taken) < frozen["team"]["size"]:
            return None
        return [i["id"] for i in taken]

    def add(self, team: list, change: int) -> None:
        for inspector_id in team:
            self.load[inspector_id] += change


def reference_replacements(frozen: dict, seed: str, result: dict, events: list) -> list:
    """§8, literally: first unused reserve; loads after the original draw minus the outgoing team."""
    seed = gd.normalise_seed(seed, strict=False)
    commitment = result["commitment"]

    def ticket(*parts: str) -> str:
        return hashlib.sha256("\x1f".join((commitment, seed, *parts)).encode("utf-8")).hexdigest()

    state = ReferenceLoads(frozen, ticket)
    teams = {a["entity"]: a["inspectors"] for a in result["assignments"]}
    for team in teams.values():
        state.add(team, 1)
    members = {m["id"]: m for s in frozen["strata"] for m in s["members"]}
    stratum_of = {m["id"]: s["name"] for s in result["strata"] for m in s["selected"]}
    reserves = {s["name"]: [m["id"] for m in s["reserve"]] for s in result["strata"]}
    out = []
    for event in events:
        name = stratum_of.pop(event["out"])
        incoming = reserves[name].pop(0)
        stratum_of[incoming] = name
        if event["out"] in teams:
            state.add(teams.pop(event["out"]), -1)
        team = state.team(members[incoming])
        record = dict(event, **{"in": incoming})
        if team is None:
            record["unassigned"] = "insufficient_inspectors"
        else:
            state.add(team, 1)
            teams[incoming] = team
            record["inspectors"] = team
        out.append(record)
    return out


# ---------------------------------------------------------------------------------------------
# Hypothesis strategies
# ---------------------------------------------------------------------------------------------

# Ids mix ASCII, CJK, an accented letter and a character outside the BMP, so that code point order,
# UTF-8 order and UTF-16 order would disagree if anything compared them the wrong way.
ID_ALPHABET = st.sampled_from([*"0123459ABXZaz", "é", "中", "国", "\U0001d11e", "\uff21"])
member_ids = st.text(ID_ALPHABET, min_size=1, max_size=5)
UNITS = ["U1", "U2", "U3"]
DEPARTMENTS = ["SCJG", "YJ", "SW"]
ITEMS = ["I1", "I2", "I3"]


@st.composite
def frozen_documents(draw, max_members: int = 24, max_inspectors: int = 9, replaceable: bool = False) -> dict:
    """Small but varied valid frozen documents, built from unordered rows by ``build_frozen``.

    ``replaceable`` guarantees a stratum with both a selected member and a reserve (§8 tests).
    """
    ids = draw(st.lists(member_ids, min_size=4 if replaceable else 0, max_size=max_members, unique=True))
    stratum_count = draw(st.integers(1, 3))
    labels = draw(st.lists(st.integers(0, stratum_count - 1), min_size=len(ids), max_size=len(ids)))
    with_units = draw(st.booleans())
    strata = []
    for number in range(stratum_count):
        members = []
        for member_id, label in zip(ids, labels, strict=True):
            if label == number:
                unit = draw(st.sampled_from([*UNITS, None])) if with_units else None
                members.append({"id": member_id} if unit is None else {"id": member_id, "unit": unit})
        quota = draw(st.integers(0, 5))
        if replaceable and len(members) >= 2:  # 4 ids in at most 3 strata: one has two or more
            quota = min(max(quota, 1), len(members) - 1)
        strata.append({"name": f"S{number}", "quota": quota, "members": members})
    inspector_ids = draw(
        st.lists(
            st.text("0123456789", min_size=3, max_size=3), min_size=0, max_size=max_inspectors, unique=True
        )
    )
    inspectors = [
        {
            "id": inspector_id,
            "department": draw(st.sampled_from(DEPARTMENTS)),
            "unit": draw(st.sampled_from(UNITS)),
            "items": draw(st.lists(st.sampled_from(ITEMS), max_size=3, unique=True)),
        }
        for inspector_id in inspector_ids
    ]
    size = draw(st.integers(1, 3))
    departments = draw(st.lists(st.sampled_from(DEPARTMENTS), max_size=size, unique=True))
    conflicts = []
    if inspector_ids and ids:
        conflicts = draw(
            st.lists(st.tuples(st.sampled_from(inspector_ids), st.sampled_from(ids)), max_size=6, unique=True)
        )
    return gd.build_frozen(
        plan="P-TEST",
        seed_source="test",
        seed_not_before="2026-03-02T10:00:00+08:00",
        strata=strata,
        items=draw(st.lists(st.sampled_from(ITEMS[:2]), max_size=2, unique=True)),
        team_size=size,
        departments=departments,
        inspectors=inspectors,
        cross_unit=draw(st.booleans()),
        max_load=draw(st.integers(0, 3)),
        conflicts=conflicts,
    )


seeds = st.one_of(
    st.text("0123456789", min_size=1, max_size=24),
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=12
    ).filter(lambda s: s.strip(gd._WHITE_SPACE) and "\x1f" not in s),
)
