"""Matching stored policies against stored beneficiaries, and keeping the determinations.

:func:`match_run` is the one entry point: the nightly and on-demand full match (``gongkai
match-policies``), the incremental match after a fact import (only the beneficiaries whose values
changed, only the policies reading a changed fact), after a new version is published (that version,
everyone), and after one beneficiary supplied or corrected a fact.

Facts are gathered column-wise (:mod:`gongkai.policies.facts`) and matched with the vectorised
matcher; each result worth keeping is compared with the current stored determination and a new one
is written only when status, per-criterion results, amount or the 差一点 flag changed. Every stored
determination carries the facts it read with their as-of dates and sources and the engine version,
so :func:`replay` reproduces it exactly.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import batched
from typing import Any

from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from gongkai.core import audit
from gongkai.policies import facts as factlib
from gongkai.policies import selectors
from gongkai.policies.choices import BeneficiaryKind, DeterminationStatus, RunKind
from gongkai.policies.models import Beneficiary, Determination, MatchRun, PolicyVersion
from gongkai.policies.rules import ENGINE_VERSION, Frame, evaluate_policy, explain
from gongkai.policies.rules.explain import Explanation
from gongkai.policies.rules.vector import Matcher

CHUNK = 5000


@dataclass
class RunOutcome:
    run: MatchRun
    changed: list[Determination] = field(default_factory=list)
    cases: list[Any] = field(default_factory=list)


def match_run(
    *,
    actor: Any,
    kind: str = RunKind.FULL,
    on: dt.date | None = None,
    versions: Sequence[PolicyVersion] | None = None,
    beneficiary_ids: Iterable[int] | None = None,
    facts_changed: Iterable[str] | None = None,
    note: str = "",
    deliver: bool = True,
) -> RunOutcome:
    """Match, store what changed, open cases for the newly eligible (``deliver``), audit the run.

    ``versions``: only these (each only if it is the version in force on ``on``); default every
    policy's version in force. ``beneficiary_ids``: only these beneficiaries. ``facts_changed``: only
    the versions reading one of these facts (an import).
    """
    on = on or selectors.today()
    cat = selectors.catalogue()
    in_force = selectors.versions_in_force(on)
    if versions is not None:
        wanted = {v.pk for v in versions}
        in_force = [v for v in in_force if v.pk in wanted]
    policies = {v.pk: selectors.loaded_policy(v, cat) for v in in_force}
    if facts_changed is not None:
        changed_facts = set(facts_changed)
        in_force = [v for v in in_force if changed_facts & set(policies[v.pk].facts_used)]
    ids = None if beneficiary_ids is None else sorted(set(beneficiary_ids))
    if ids is None:
        factlib.ensure_entity_beneficiaries()
    _, actor_name = audit.actor_label(actor)
    run = MatchRun(
        kind=kind,
        on=on,
        engine_version=ENGINE_VERSION,
        started_at=timezone.now(),
        note=note[:300],
        actor_name=actor_name,
    )
    outcome = RunOutcome(run)
    with transaction.atomic():
        run.save()
        total_rows = 0
        for bkind in (BeneficiaryKind.ENTITY, BeneficiaryKind.PERSON):
            group = [v for v in in_force if v.beneficiary_kind == bkind]
            if not group or ids == []:
                continue
            group_policies = [policies[v.pk] for v in group]
            names = list(dict.fromkeys(n for p in group_policies for n in p.facts_used))
            sheet = factlib.gather(kind=bkind, on=on, names=names, catalogue=cat, beneficiary_ids=ids)
            if not len(sheet):
                continue
            total_rows += len(sheet)
            frame = Frame.from_records(sheet.records, cat, names, validate=False)
            matches = Matcher(frame, on, group_policies).match_all(
                group_policies, detail=True, near_miss=True
            )
            outcome.changed += _store(run, group, group_policies, matches, sheet, on, whole=ids is None)
        if ids is None:
            # the versions matched for everyone are now each policy's only current ones
            (
                Determination.objects.filter(policy_id__in=[v.policy_id for v in in_force], current=True)
                .exclude(version_id__in=[v.pk for v in in_force])
                .update(current=False)
            )
        run.policies = len(in_force)
        run.beneficiaries = total_rows
        run.changed = len(outcome.changed)
        if deliver and outcome.changed:
            from gongkai.policies import workflow

            outcome.cases = workflow.cases_open(actor=actor, determinations=outcome.changed, on=on)
        run.cases_created = len(outcome.cases)
        run.finished_at = timezone.now()
        run.save()
        audit.record(
            actor=actor,
            action="policies.match.run",
            obj=run,
            after={
                "kind": run.kind,
                "on": on,
                "engine_version": ENGINE_VERSION,
                "versions": [str(v) for v in in_force],
                "beneficiaries": run.beneficiaries,
                "changed": run.changed,
                "cases_created": run.cases_created,
            },
            note=note,
        )
    return outcome


def _store(
    run: MatchRun,
    versions: list[PolicyVersion],
    policies: list,
    matches: list,
    sheet: factlib.FactSheet,
    on: dt.date,
    *,
    whole: bool,
) -> list[Determination]:
    row_of = {bid: row for row, bid in enumerate(sheet.ids)}
    existing: dict[tuple[int, int], tuple[int, str, dict, int | None, bool]] = {}
    base = Determination.objects.filter(version__in=versions, current=True)
    chunks: Iterable[Sequence[int] | None] = [None] if whole else batched(sheet.ids, CHUNK)
    loads = json.loads
    for ids in chunks:
        qs = base if ids is None else base.filter(beneficiary_id__any=ids)
        qs = qs.annotate(criteria_text=Cast("criteria", TextField()))  # decoded here, not per converter
        for pk, vid, bid, status, criteria, amount, near in qs.values_list(
            "id", "version_id", "beneficiary_id", "status", "criteria_text", "amount", "near_miss"
        ):
            existing[(vid, bid)] = (pk, status, loads(criteria), amount, near)
    stored_rows: dict[int, set[int]] = {}
    for vid, bid in existing:
        row = row_of.get(bid)
        if row is not None:
            stored_rows.setdefault(vid, set()).add(row)
    retire: list[int] = []
    new: list[Determination] = []
    for version, policy, match in zip(versions, policies, matches, strict=True):
        near = set(match.near_miss_rows().tolist())
        # what is worth keeping: the eligible and the undetermined, and any change to a kept result
        rows = set(match.eligible_rows().tolist()) | set(match.undetermined_rows().tolist())
        rows |= stored_rows.get(version.pk, set())
        used = policy.facts_used
        for row in sorted(rows):
            result = match.result(row)
            bid = sheet.ids[row]
            amount = result.amount if result.has_amount else None
            state = (result.status, result.criteria_statuses(), amount, row in near)
            old = existing.get((version.pk, bid))
            if old is not None and old[1:] == state:
                continue
            if old is not None:
                retire.append(old[0])
            record = sheet.records[row]
            new.append(
                Determination(
                    version=version,
                    policy_id=version.policy_id,
                    beneficiary_id=bid,
                    on=on,
                    status=result.status,
                    criteria=state[1],
                    amount=amount,
                    facts={name: record.get(name) for name in used},
                    provenance=sheet.provenance(row, used),
                    engine_version=ENGINE_VERSION,
                    near_miss=state[3],
                    current=True,
                    run=run,
                )
            )
    for ids in batched(retire, CHUNK):
        Determination.objects.filter(id__any=ids).update(current=False)
    insert_determinations(run, new)
    return new


def insert_determinations(run: MatchRun, new: list[Determination]) -> None:
    """Insert many determinations fast and give each object its id (an import can change thousands
    of results at once; see :mod:`gongkai.policies.fastbulk`)."""
    if not new:
        return
    from gongkai.policies.fastbulk import fast_insert

    fast_insert(Determination, new)
    ids = {
        (vid, bid): pk
        for pk, vid, bid in Determination.objects.filter(run=run, current=True).values_list(
            "id", "version_id", "beneficiary_id"
        )
    }
    for d in new:
        d.pk = ids[(d.version_id, d.beneficiary_id)]
        d._state.adding = False


# --- reading determinations back -------------------------------------------------------------------


def replay(determination: Determination) -> bool:
    """Whether evaluating the stored version on the stored facts and date gives the stored result."""
    policy = selectors.loaded_policy(determination.version)
    result = evaluate_policy(policy, determination.facts, determination.on)
    amount = result.amount if result.has_amount else None
    return (result.status, result.criteria_statuses(), amount) == (
        determination.status,
        determination.criteria,
        determination.amount,
    )


def _origin_maps(provenance: dict[str, Any]) -> tuple[dict[str, dt.date], dict[str, str]]:
    as_of: dict[str, dt.date] = {}
    sources: dict[str, str] = {}
    for name, origin in provenance.items():
        if origin:
            as_of[name] = dt.date.fromisoformat(origin[0])
            sources[name] = origin[1]
    return as_of, sources


def explanation_of(determination: Determination) -> Explanation:
    """The Chinese explanation of a stored determination, with its values' dates and sources."""
    policy = selectors.loaded_policy(determination.version)
    as_of, sources = _origin_maps(determination.provenance)
    return explain(policy, determination.facts, determination.on, as_of=as_of, sources=sources)


def explanation_now(
    beneficiary: Beneficiary, version: PolicyVersion, *, on: dt.date | None = None
) -> Explanation:
    """The explanation from the beneficiary's current facts (when nothing is stored: ineligible)."""
    on = on or selectors.today()
    cat = selectors.catalogue()
    policy = selectors.loaded_policy(version, cat)
    values, provenance = factlib.facts_of(beneficiary, on=on, catalogue=cat, names=policy.facts_used)
    as_of, sources = _origin_maps(provenance)
    return explain(policy, values, on, as_of=as_of, sources=sources)


def stale_facts(provenance: dict[str, Any], *, on: dt.date | None = None) -> list[tuple[str, str]]:
    """(label, as-of date) of the stored values behind a result that are older than their fact allows."""
    from gongkai.policies.models import Fact

    on = on or selectors.today()
    facts = {f.name: f for f in Fact.objects.filter(name__in=list(provenance))}
    out = []
    for name, origin in provenance.items():
        if origin and selectors.is_stale(facts.get(name), dt.date.fromisoformat(origin[0]), on):
            out.append((facts[name].label, origin[0]))
    return out


@dataclass(frozen=True)
class NearMiss:
    beneficiary_id: int
    key: str
    criterion: str  # the one criterion that fails


def near_misses(version: PolicyVersion, *, on: dt.date | None = None) -> list[NearMiss]:
    """Staff's 差一点 list: beneficiaries failing exactly one criterion (the others pass or are
    unknown), computed now from the current facts — it is a planning list, never a notification,
    and storing it would mean storing most of the population for a policy with a qualifying status."""
    on = on or selectors.today()
    cat = selectors.catalogue()
    policy = selectors.loaded_policy(version, cat)
    if not policy.in_force(on):
        return []
    if version.beneficiary_kind == BeneficiaryKind.ENTITY:
        factlib.ensure_entity_beneficiaries()
    names = list(policy.facts_used)
    sheet = factlib.gather(kind=version.beneficiary_kind, on=on, names=names, catalogue=cat)
    if not len(sheet):
        return []
    frame = Frame.from_records(sheet.records, cat, names, validate=False)
    match = Matcher(frame, on, [policy]).match(policy, detail=True, near_miss=True)
    out = []
    for row in match.near_miss_rows().tolist():
        failed = next(c.id for c in match.result(row).criteria if c.status == "fail")
        out.append(NearMiss(sheet.ids[row], sheet.keys[row], failed))
    return out


__all__ = [
    "DeterminationStatus",
    "RunOutcome",
    "explanation_now",
    "explanation_of",
    "match_run",
    "near_misses",
    "replay",
]
