"""Writes of 双随机、一公开. Every function is a transaction and writes audit events.

Task states move forward only (草稿 → 已公告 → 已摇号 → 检查中 → 结果已公示 → 已完结); no function
here moves a task back, and none redraws — there is no such operation for anyone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import queue
import re
import threading
from array import array
from collections.abc import Iterator
from itertools import islice
from typing import Any

import psycopg
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.core import audit
from gongkai.inspections import selectors
from gongkai.inspections.choices import ItemStatus, PlanStatus, TargetRole, TaskState
from gongkai.inspections.models import InspectionItem, Plan, Task, via

ITEM_FIELDS = [
    "category",
    "name",
    "target",
    "level",
    "methods",
    "subject",
    "basis",
    "is_joint",
    "lead_department",
    "partner_departments",
    "tier",
]
TASK_EDITABLE = [
    "name",
    "is_joint",
    "required_departments",
    "districts",
    "entity_types",
    "industry_sections",
    "industry_divisions",
    "cluster_host",
    "strata_mode",
    "ratios",
    "min_count",
    "shared_address_threshold",
    "shared_address_ratio",
    "exclude_same_item_this_year",
    "apply_yearly_cap",
    "team_size",
    "cross_unit",
    "max_load",
    "period_start",
    "period_end",
    "seed_source",
    "seed_not_before",
]


def _now(now: dt.datetime | None) -> dt.datetime:
    """The time of a write: the clock, or an earlier time given by a loader of past records (the demo).

    Never a later one: a write dated in the future could enter a seed before ``seed_not_before``.
    """
    clock = timezone.now()
    if now is None:
        return clock
    if now > clock:
        raise ValidationError("不能以将来的时间记录操作")
    return now


# --- the item catalogue -----------------------------------------------------------------------


@transaction.atomic
def item_save(*, actor: Any, code: str, values: dict[str, Any]) -> InspectionItem:
    """Create a draft item, edit an existing draft, or start a new draft version of a published item."""
    latest = InspectionItem.objects.select_for_update().filter(code=code).order_by("-version").first()
    if latest is not None and latest.status == ItemStatus.DRAFT:
        item, before = latest, audit.snapshot(latest)
    else:
        item = InspectionItem(code=code, version=(latest.version + 1) if latest else 1)
        if latest is not None:  # a revision starts from the version it revises
            for name in ITEM_FIELDS:
                setattr(item, name, getattr(latest, name))
        before = None
    for name in ITEM_FIELDS:
        if name in values:
            setattr(item, name, values[name])
    item.full_clean()
    if before is not None and all(before.get(k) == audit.jsonable(getattr(item, k)) for k in ITEM_FIELDS):
        return item
    item.save()
    after = audit.snapshot(item)
    changed_before, changed_after = audit.diff(before, after) if before else (None, after)
    audit.record(
        actor=actor, action="inspections.item.save", obj=item, before=changed_before, after=changed_after
    )
    return item


@transaction.atomic
def item_publish(*, actor: Any, item: InspectionItem, now: dt.datetime | None = None) -> InspectionItem:
    """Publish a draft version; the previous published version of the code is retired."""
    item = InspectionItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ItemStatus.DRAFT:
        raise ValidationError(f"事项{item.code}第{item.version}版不是草稿，不能发布")
    now = _now(now)
    for old in InspectionItem.objects.filter(code=item.code, status=ItemStatus.PUBLISHED):
        old.status, old.retired_at = ItemStatus.RETIRED, now
        old.save(update_fields=["status", "retired_at"])
        audit.record(
            actor=actor, action="inspections.item.retire", obj=old, after={"superseded_by": item.version}
        )
    item.status, item.published_at = ItemStatus.PUBLISHED, now
    item.save(update_fields=["status", "published_at"])
    audit.record(actor=actor, action="inspections.item.publish", obj=item, after={"status": item.status})
    return item


@transaction.atomic
def item_retire(*, actor: Any, item: InspectionItem, note: str = "") -> InspectionItem:
    item = InspectionItem.objects.select_for_update().get(pk=item.pk)
    if item.status != ItemStatus.PUBLISHED:
        raise ValidationError("只有已发布的事项可以停用")
    item.status, item.retired_at = ItemStatus.RETIRED, timezone.now()
    item.save(update_fields=["status", "retired_at"])
    audit.record(
        actor=actor, action="inspections.item.retire", obj=item, after={"status": item.status}, note=note
    )
    return item


# --- plans --------------------------------------------------------------------------------------


@transaction.atomic
def plan_save(*, actor: Any, plan: Plan) -> Plan:
    if plan.pk:
        stored = Plan.objects.select_for_update().get(pk=plan.pk)
        if stored.status != PlanStatus.DRAFT:
            raise ValidationError("已公布的计划不能修改")
        before = audit.snapshot(stored)
    else:
        before = None
    plan.full_clean()
    plan.save()
    b, a = audit.diff(before, audit.snapshot(plan)) if before else (None, audit.snapshot(plan))
    audit.record(actor=actor, action="inspections.plan.save", obj=plan, before=b, after=a)
    return plan


@transaction.atomic
def plan_publish(*, actor: Any, plan: Plan, now: dt.datetime | None = None) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError("计划已公布")
    plan.status, plan.published_at = PlanStatus.PUBLISHED, _now(now)
    plan.save(update_fields=["status", "published_at"])
    audit.record(actor=actor, action="inspections.plan.publish", obj=plan, after={"status": plan.status})
    return plan


# --- tasks: the draft -----------------------------------------------------------------------------


def _next_public_id(plan: Plan) -> str:
    prefix = f"{plan.year}-{plan.department_id}-"
    last = (
        Task.objects.filter(public_id__startswith=prefix)
        .order_by("-public_id")
        .values_list("public_id", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


@transaction.atomic
def task_save(*, actor: Any, task: Task, items: list[InspectionItem] | None = None) -> Task:
    """Create or edit a task while it is a draft; its plan must be published."""
    if task.pk:
        stored = Task.objects.select_for_update().get(pk=task.pk)
        if stored.state != TaskState.DRAFT:
            raise ValidationError("任务已公告，抽查范围、分层和规则不能再修改")
        before = audit.snapshot(stored, TASK_EDITABLE)
    else:
        before = None
        if Plan.objects.get(pk=task.plan_id).status != PlanStatus.PUBLISHED:
            raise ValidationError("只能在已公布的计划下创建任务")
        task.public_id = _next_public_id(task.plan)
    if items is not None:
        bad = list(
            InspectionItem.objects.filter(pk__in=[i.pk for i in items])
            .exclude(status=ItemStatus.PUBLISHED)
            .values_list("code", flat=True)
        )
        if bad:
            raise ValidationError(f"事项{'、'.join(bad)}未发布或已停用，任务只能使用已发布的事项")
    task.full_clean()
    task.save()
    if items is not None:
        task.items.set(items)
    after = audit.snapshot(task, TASK_EDITABLE)
    after["items"] = sorted(task.items.values_list("code", flat=True)) if items is not None else None
    b, a = audit.diff(before, after) if before else (None, after)
    audit.record(actor=actor, action="inspections.task.save", obj=task, before=b, after=a)
    return task


def _advance(task: Task, to: TaskState) -> None:
    order = [s.value for s in TaskState]
    if order.index(to) != order.index(task.state) + 1:
        raise ValidationError(
            f"任务状态只能依次推进：当前为“{TaskState(task.state).label}”，不能变为“{to.label}”"
        )
    task.state = to


def next_state(task: Task) -> TaskState | None:
    order = list(TaskState)
    index = order.index(TaskState(task.state))
    return order[index + 1] if index + 1 < len(order) else None


def today() -> dt.date:
    return timezone.localdate()


# --- tasks: announcing, drawing, replacing -----------------------------------------------------


def build_frozen(task: Task, population, *, check: bool = True) -> dict[str, Any]:
    """The frozen document (gongkai-draw/1 §1) of a task, from its computed population.

    Members are held as ``MemberColumns`` (ids joined in one byte string): for a million entities
    that takes a fraction of the time and memory of a million JSON objects, and the canonical text,
    hence the commitment, is exactly the same. ``check=False`` leaves checking to the caller.
    """
    from gongkai.inspections import engine

    local = timezone.localtime(task.seed_not_before)
    item_codes = sorted(task.items.values_list("code", flat=True))
    strata = [
        {"name": s.name, "quota": s.quota, "members": _frozen_members(s.members, units=task.cross_unit)}
        for s in population.strata
    ]
    inspectors = [
        {
            "id": o.code,
            "name": o.name,
            "department": o.department_id,
            # 所所交叉 is checked at district level: the register does not map entities to 所.
            "unit": o.district_id,
            "items": sorted(o.qualified_items),
        }
        for o in population.officers
    ]
    return engine.build_frozen(
        plan=task.public_id,
        title=task.name,
        seed_source=task.seed_source,
        seed_not_before=local.isoformat(timespec="seconds"),
        strata=strata,
        items=item_codes,
        team={"size": task.team_size, "departments": list(task.required_departments)},
        inspectors=inspectors,
        rules={"cross_unit": task.cross_unit, "max_load": task.max_load},
        conflicts=[list(pair) for pair in population.conflicts],
        check=check,
    )


def _frozen_members(pairs: list[tuple[str, Any]], *, units: bool) -> Any:
    """A stratum's sorted ``(credit code, unit)`` pairs as ``MemberColumns`` (units kept or not).

    Anything the compact form cannot hold faithfully (a null unit, U+001F inside an id) stays a
    list of member objects, so that the check refuses it with the rule's own message.
    """
    from gongkai.inspections.gongkai_draw import SEPARATOR, MemberColumns

    if not pairs:
        return MemberColumns(b"")
    ids, names = zip(*pairs, strict=True)
    joined = SEPARATOR.join(ids)
    if joined.count(SEPARATOR) != len(ids) - 1 or (units and (None in names or len(set(names)) > 65536)):
        return [{"id": code, "unit": unit} if units else {"id": code} for code, unit in pairs]
    if not units:
        return MemberColumns(joined.encode("utf-8"))
    distinct = sorted(set(names))
    number = {name: n for n, name in enumerate(distinct)}
    return MemberColumns(joined.encode("utf-8"), array("H", map(number.__getitem__, names)), distinct)


@transaction.atomic
def task_announce(*, actor: Any, task: Task, now: dt.datetime | None = None) -> Task:
    """草稿 → 已公告: freeze the population and rules, publish the commitment before any seed exists."""
    from gongkai.inspections import engine
    from gongkai.inspections.population import compute_population

    now = _now(now)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.state != TaskState.DRAFT:
        raise ValidationError("任务已公告，不能再次公告")
    if task.plan.status != PlanStatus.PUBLISHED:
        raise ValidationError("所属计划尚未公布")
    problems = []
    if not task.seed_source.strip():
        problems.append("请填写随机种子来源（公告中要写明种子将如何产生）")
    if task.seed_not_before is None:
        problems.append("请填写种子最早录入时间")
    elif task.seed_not_before <= now:
        problems.append("种子最早录入时间必须晚于公告时间")
    population = compute_population(task)
    problems.extend(population.problems)
    if problems:
        raise ValidationError(problems)
    try:
        # Checked once, by freeze: the canonical text and the commitment come out of the same pass.
        frozen = build_frozen(task, population, check=False)
        frozen_text, commitment = engine.freeze(frozen)
    except engine.DrawError as exc:
        raise ValidationError(f"冻结文件不符合协议：{exc}") from exc
    _advance(task, TaskState.ANNOUNCED)
    task.frozen_text, task.commitment = frozen_text, commitment
    task.announced_strata = announced_strata(frozen)
    task.announced_at = now
    task.full_bundle_public = task.strata_mode != "risk"
    task.save(
        update_fields=[
            "state",
            "frozen_text",
            "announced_strata",
            "commitment",
            "announced_at",
            "full_bundle_public",
        ]
    )
    audit.record(
        actor=actor,
        action="inspections.task.announce",
        obj=task,
        after={
            "commitment": task.commitment,
            "population": population.size,
            "quota": population.total_quota,
            "strata": [{"name": s.name, "size": len(s.members), "quota": s.quota} for s in population.strata],
            "excluded": len(population.excluded),
            "seed_not_before": task.seed_not_before,
        },
    )
    return task


def announced_strata(frozen: dict[str, Any]) -> list[dict[str, Any]]:
    """Each stratum of a frozen document as ``Task.announced_strata`` keeps it: name, size, quota."""
    return [
        {"name": stratum["name"], "size": len(stratum["members"]), "quota": stratum["quota"]}
        for stratum in frozen["strata"]
    ]


@transaction.atomic
def task_draw(*, actor: Any, task: Task, seed: str, evidence: str, now: dt.datetime | None = None) -> Task:
    """已公告 → 已摇号: enter the seed with its evidence, compute the draw, store it. One transaction.

    There is no redraw: a task that is drawn can never be drawn again.
    """
    from gongkai.inspections import engine

    task = Task.objects.select_for_update().defer("frozen_text").get(pk=task.pk)
    if task.state != TaskState.ANNOUNCED:
        raise ValidationError(
            "任务已经摇号，不能重新摇号" if task.state != TaskState.DRAFT else "任务尚未公告，不能摇号"
        )
    now = _now(now)
    if task.seed_not_before is None:  # an announced task always has one; refuse rather than guess
        raise ValidationError("任务没有公告种子最早录入时间，不能摇号")
    if now < task.seed_not_before:
        local = timezone.localtime(task.seed_not_before)
        raise ValidationError(f"未到公告的种子最早录入时间（{local:%Y-%m-%d %H:%M}），不能录入种子")
    if not evidence.strip():
        raise ValidationError("请填写种子证据（轮次号与签名、仪式记录或视频链接）")
    try:
        normalised = engine.normalise_seed(seed)
    except engine.DrawError as exc:
        raise ValidationError(f"随机种子不可用：{exc}") from exc
    # The stored text must still be the published commitment's; compute_stored checks it. The
    # selected members are written with their teams while the inspectors are assigned
    # (_TargetWriter).
    writer = _TargetWriter(task)
    try:
        result = engine.compute_stored(
            _frozen_bytes(task),
            task.commitment,
            normalised,
            on_selected=writer.start,
            on_assigned=writer.assigned,
        )
        # While the last rows are written. Then only the text is kept: the result's objects and
        # its text as a string are some 300 and 200 MB for fifteen million members.
        text = engine.result_text(result).encode("utf-8")
        selected, unassigned = sum(len(s["selected"]) for s in result["strata"]), len(result["unassigned"])
        del result
    except BaseException:
        writer.abort()  # the engine's own error goes first
        raise
    failed = writer.finish()
    del writer
    if failed is not None:
        raise failed
    _advance(task, TaskState.DRAWN)
    task.seed, task.seed_as_entered, task.seed_evidence = normalised, seed, evidence.strip()
    task.seed_entered_by, task.seed_entered_at = (actor if not isinstance(actor, str) else None), now
    task.drawn_at = now
    task.save(
        update_fields=[
            "state",
            "seed",
            "seed_as_entered",
            "seed_evidence",
            "seed_entered_by",
            "seed_entered_at",
            "drawn_at",
        ]
    )
    _store_result_text(task, text)  # read back from the database when task.result_text is used
    audit.record(
        actor=actor,
        action="inspections.task.draw",
        obj=task,
        after={
            "seed": normalised,
            "evidence": task.seed_evidence,
            "commitment": task.commitment,
            "result_sha256": hashlib.sha256(text).hexdigest(),
            "selected": selected,
            "unassigned": unassigned,
        },
    )
    return task


def _store_result_text(task: Task, text: bytes) -> None:
    """Store a draw's result text (canonical JSON, UTF-8) as ``task.result_text``.

    On PostgreSQL the bytes go as one binary parameter and the server decodes them: saved as a
    string through Django's client-side binding, a result of fifteen million members (107 MB, a
    200 MB string) cost half a gigabyte more while the statement was built.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        Task.objects.filter(pk=task.pk).update(result_text=text.decode("utf-8"))
    else:
        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(
                f"UPDATE {Task._meta.db_table} SET result_text = convert_from(%s, 'UTF8') WHERE id = %s",
                [text, task.pk],
            )
    task.__dict__.pop("result_text", None)  # deferred again: read from the database when used


# The slices in which PostgreSQL sends a stored frozen text to the draw.
_FROZEN_SLICE = 1 << 23


def _frozen_bytes(task: Task, slice_size: int = _FROZEN_SLICE) -> bytes | bytearray:
    """The task's stored frozen text as UTF-8, without building a Python string of it.

    A string holding any Chinese takes two bytes a character (1.2 GB for fifteen million members);
    the bytes are what the draw hashes and reads anyway. On PostgreSQL the text comes in slices of
    ``slice_size`` bytes (8 MiB, ``selectors.text_slices``) into one ``bytearray`` that the draw
    takes over (``engine.compute_stored``). Fetched as one value, libpq would hold it twice, in its
    input buffer and in its result, besides the copy handed to Python, and keep the buffer for the
    rest of the connection's life: three copies of a text of 360 MB at fifteen million members
    (570 MB when the members carry their units for 所所交叉).
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return Task.objects.values_list("frozen_text", flat=True).get(pk=task.pk).encode("utf-8")
    text = bytearray(selectors.text_sizes(task)["frozen_text"])
    received = 0
    with memoryview(text) as view:
        for piece in selectors.text_slices(task, "frozen_text", slice_size):
            end = received + len(piece)
            if end > len(text):
                break
            view[received:end] = piece
            received = end
    if received != len(text):  # compute_stored's commitment check would refuse it anyway
        raise AssertionError(f"the frozen text did not arrive as the {len(text)} bytes its length says")
    return text


_TARGET_COLUMNS = [
    "task_id",
    "entity_id",
    "stratum_index",
    "stratum_name",
    "role",
    "rank",
    "ticket",
    "replaced",
    "activated",
    "team",
]

_END, _ABORT = object(), object()  # what follows the last teams: the draw went on, or it failed


def team_json(team: list[str] | None) -> str:
    """A team as ``Target.team``'s JSON text."""
    return json.dumps(team or [], ensure_ascii=False)


# A character that COPY's text format or a JSON string would have to escape (tab and line feed are
# counted instead).
_ESCAPED = re.compile(r"[\x00-\x08\x0b-\x1f\\]")


class _TargetWriter:
    """Writes a draw's selected members (``Target`` rows, each with its team) while §6 goes on.

    §5's selection arrives first (:meth:`start`); then §6's teams, a few thousand members at a time
    and in the selection's order (:meth:`assigned`); each member's row goes to the database with
    its team as soon as the team is made (ADR 14). Reserve members stay in the stored result only;
    ``target_replace`` writes a reserve's row when a replacement brings it in (ADR 9). On
    PostgreSQL the rows go in with one ``COPY`` per part, from a second thread on the same
    connection, inside the draw's transaction, so the database works on the other core while §6
    runs; elsewhere they are written in the calling thread once every team is known. :meth:`finish`
    completes the writing and returns what it raised; :meth:`abort`, for a draw that failed, stops
    it (the draw's transaction takes back what was written). Nothing else uses the connection
    meanwhile: the engine does not touch the database.
    """

    def __init__(self, task: Task):
        self.task = task
        self.selections: list = []
        self.count = 0  # selected members
        self.teams: queue.SimpleQueue = queue.SimpleQueue()  # for the thread: lists of teams
        self.written: list[list] = []  # without the thread: every member's team, in order
        self.thread: threading.Thread | None = None
        self.db: Any = None
        self.error: BaseException | None = None

    def start(self, selections: list) -> None:
        from django.db import DEFAULT_DB_ALIAS, connections

        # Called between §5 and §6: the rows are made by the thread, not here.
        self.selections = selections
        self.count = sum(len(selected) for _name, selected, _reserve in selections)
        self.db = connections[DEFAULT_DB_ALIAS]  # this thread's connection itself, not the proxy
        if self.db.vendor != "postgresql" or not self.count:
            return
        self.db.inc_thread_sharing()
        self.thread = threading.Thread(target=self._copy, name="draw-targets")
        self.thread.start()

    def assigned(self, teams: list) -> None:
        """The teams of the next selected members (a list of officer codes, or None: unassigned)."""
        if self.thread is not None:
            self.teams.put(teams)
        else:
            self.written += teams

    def _members(self) -> Iterator[tuple]:
        """Each selected member's row without its team: the columns of ``_TARGET_COLUMNS`` but the last."""
        pk, selected_role = self.task.pk, TargetRole.SELECTED.value
        for index, (name, selected, _reserve) in enumerate(self.selections):
            for rank, (ticket, member_id, _) in enumerate(selected, start=1):
                yield (pk, member_id, index, name, selected_role, rank, ticket, False, False)

    def _rows(self, teams: list, start: int = 0) -> list[tuple]:
        """The rows of the selected members from ``start`` on, with their ``teams``."""
        rows = islice(self._members(), start, start + len(teams))
        return [(*row, team_json(team)) for row, team in zip(rows, teams, strict=True)]

    def _lines(self) -> list[str]:
        """Each selected member's ``COPY`` line up to its team."""
        return [
            f"{pk}\t{member_id}\t{index}\t{name}\t{role}\t{rank}\t{ticket}\tf\tf\t"
            for pk, member_id, index, name, role, rank, ticket, _replaced, _activated in self._members()
        ]

    def _copy(self) -> None:
        from gongkai.core.bulk import copy_payload, copy_rows
        from gongkai.inspections.models import Target

        try:
            lines = self._lines()
            position = 0
            while (teams := self.teams.get()) is not _END:
                if teams is _ABORT:
                    return  # the draw failed: its transaction takes back what was written
                # One statement per part: each part's reference checks (ADR 9) run while §6 goes on.
                payload = self._payload(lines[position : position + len(teams)], teams)
                if payload is not None:
                    copy_payload(Target, _TARGET_COLUMNS, payload, db=self.db)
                else:
                    copy_rows(Target, _TARGET_COLUMNS, self._rows(teams, position), db=self.db)
                position += len(teams)
            if position != self.count:  # a draw is never stored with a member missing its team
                raise AssertionError(f"{self.count - position} selected members got no team")
        except BaseException as exc:  # handed to finish(), in the thread that owns the transaction
            self.error = exc

    @staticmethod
    def _payload(lines: list[str], teams: list) -> bytes | None:
        """A part's rows in ``COPY`` text, each team written as JSON by joining its codes; None when
        a code holds a character that JSON or ``COPY`` would escape (the caller encodes properly)."""
        between = '","'
        text = "".join(
            [
                f'{line}["{between.join(team)}"]\n' if team else f"{line}[]\n"
                for line, team in zip(lines, teams, strict=True)
            ]
        )
        codes = sum(len(team) for team in teams if team)
        if (
            text.count("\t") != 9 * len(teams)
            or text.count("\n") != len(teams)
            or text.count('"') != 2 * codes
            or _ESCAPED.search(text)
        ):
            return None
        return text.encode()

    def _join(self, last: object) -> None:
        if self.thread is not None:
            self.teams.put(last)
            self.thread.join()
            self.thread = None
            self.db.dec_thread_sharing()

    def finish(self) -> BaseException | None:
        """Complete the writing (every selected member has its team); return what it raised."""
        if self.thread is not None:
            self._join(_END)
        elif self.count:
            from gongkai.core.bulk import copy_rows
            from gongkai.inspections.models import Target

            try:
                if len(self.written) != self.count:
                    raise AssertionError(f"{self.count - len(self.written)} selected members got no team")
                copy_rows(Target, _TARGET_COLUMNS, self._rows(self.written), db=self.db)
            except BaseException as exc:
                self.error = exc
        return self.error

    def abort(self) -> None:
        """The draw failed: stop the writing (its own error, if any, is dropped for the draw's)."""
        self._join(_ABORT)


@transaction.atomic
def target_replace(*, actor: Any, task: Task, credit_code: str, reason: str) -> Any:
    """Replace a selected entity found out of scope by the next unused reserve of its stratum (§8)."""
    from gongkai.inspections import engine
    from gongkai.inspections.models import Replacement, Target

    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.state not in (TaskState.DRAWN, TaskState.INSPECTING):
        raise ValidationError("只有已摇号或检查中的任务可以替补")
    if not reason.strip():
        raise ValidationError("请填写替补原因（如：已于某日注销）")
    out = Target.objects.select_for_update().filter(task=task, entity_id=credit_code.strip().upper()).first()
    if out is None or not out.is_active:
        raise ValidationError("该主体不是本任务当前的抽查对象")
    if out.records.exists():
        raise ValidationError("该主体已有检查结果，不能替补")
    result = engine.loads(task.result_text)
    reserve = result["strata"][out.stratum_index]["reserve"]
    used = task.targets.filter(stratum_index=out.stratum_index, role=TargetRole.RESERVE).count()
    if used >= len(reserve):
        raise ValidationError("该层的备选主体已用完，不能替补")
    # The next reserve of the stratum gets its row now (the draw stores only the selected, ADR 9).
    incoming = Target(
        task=task,
        entity_id=reserve[used]["id"],
        stratum_index=out.stratum_index,
        stratum_name=out.stratum_name,
        role=TargetRole.RESERVE,
        rank=used + 1,
        ticket=reserve[used]["ticket"],
        activated=True,
    )
    sequence = task.replacements.count() + 1
    now = timezone.now()
    events = [
        {
            "out": r.out_target.entity_id,
            "in": r.in_target.entity_id,
            "reason": r.reason,
            "at": r.at.isoformat(),
        }
        for r in task.replacements.select_related("out_target", "in_target").order_by("sequence")
    ]
    events.append(
        {"out": out.entity_id, "in": incoming.entity_id, "reason": reason.strip(), "at": now.isoformat()}
    )
    frozen = engine.loads(task.frozen_text)
    teams = engine.replace(frozen, task.seed, result, events)
    team = teams[-1]
    out.replaced = True
    out.save(update_fields=["replaced"])
    incoming.team = team
    incoming.save(force_insert=True)
    replacement = Replacement.objects.create(
        task=task,
        sequence=sequence,
        out_target=out,
        in_target=incoming,
        reason=reason.strip(),
        at=now,
        by=actor,
    )
    audit.record(
        actor=actor,
        action="inspections.task.replace",
        obj=task,
        after={"out": out.entity_id, "in": incoming.entity_id, "reason": reason.strip(), "team": team},
    )
    return replacement


# --- inspection and results --------------------------------------------------------------------


@transaction.atomic
def task_start_inspection(*, actor: Any, task: Task, now: dt.datetime | None = None) -> Task:
    """已摇号 → 检查中."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    _advance(task, TaskState.INSPECTING)
    task.inspection_started_at = _now(now)
    task.save(update_fields=["state", "inspection_started_at"])
    audit.record(actor=actor, action="inspections.task.start", obj=task, after={"state": task.state})
    return task


def _team_officer(actor: Any, target) -> Any:
    officer = getattr(actor, "officer", None)
    if officer is None or officer.code not in target.team:
        raise ValidationError("只有被分配到该检查组的执法人员可以录入或签署检查结果")
    return officer


@transaction.atomic
def record_save(
    *,
    actor: Any,
    target,
    item,
    categories,
    findings: str,
    follow_up: str,
    follow_up_note: str = "",
    follow_up_done_on: dt.date | None = None,
    inspected_on: dt.date,
):
    """Record (or correct, until signed) the result of one item for one target."""
    from gongkai.inspections.models import InspectionRecord, Target

    target = Target.objects.select_for_update().select_related("task").defer(*via("task")).get(pk=target.pk)
    _team_officer(actor, target)
    if target.task.state != TaskState.INSPECTING:
        raise ValidationError("任务不在“检查中”状态，不能录入结果")
    if not target.is_active:
        raise ValidationError("该主体已被替补，不再检查")
    if target.signoffs.exists():
        raise ValidationError("检查组已开始签署，结果不能再修改")
    if not target.task.items.filter(pk=item.pk).exists():
        raise ValidationError("该事项不属于本任务")
    if target.task.drawn_at and inspected_on < target.task.drawn_at.date():
        raise ValidationError("检查日期不能早于摇号日期")
    record = InspectionRecord.objects.filter(target=target, item=item).first()
    before = None
    if record is None:
        record = InspectionRecord(target=target, item=item, recorded_by=actor)
    else:
        before = {
            **audit.snapshot(record),
            "categories": sorted(record.categories.values_list("code", flat=True)),
        }
    record.findings, record.follow_up, record.follow_up_note = findings, follow_up, follow_up_note
    record.follow_up_done_on, record.inspected_on = follow_up_done_on, inspected_on
    record.full_clean(exclude=["target", "item", "recorded_by"])
    record.save()
    record.categories.set(categories)
    after = {**audit.snapshot(record), "categories": sorted(c.code for c in categories)}
    b, a = audit.diff(before, after) if before else (None, after)
    audit.record(actor=actor, action="inspections.record.save", obj=record, before=b, after=a)
    return record


@transaction.atomic
def target_sign(*, actor: Any, target, now: dt.datetime | None = None):
    """An officer of the team signs the target's records; the last signature forms the result."""
    from gongkai.inspections.models import AbnormalReferral, SignOff, Target

    target = Target.objects.select_for_update().select_related("task").defer(*via("task")).get(pk=target.pk)
    officer = _team_officer(actor, target)
    items = set(target.task.items.values_list("pk", flat=True))
    recorded = set(target.records.values_list("item_id", flat=True))
    if items - recorded:
        raise ValidationError("还有抽查事项没有录入结果，不能签署")
    if target.signoffs.filter(officer=officer).exists():
        raise ValidationError("您已签署")
    now = _now(now)
    SignOff.objects.create(target=target, officer=officer, signed_at=now)
    audit.record(actor=actor, action="inspections.target.sign", obj=target, after={"officer": officer.code})
    if target.signoffs.count() == len(target.team):
        target.completed_on = timezone.localdate(now)
        target.save(update_fields=["completed_on"])
        flagged = [
            c.label
            for r in target.records.prefetch_related("categories")
            for c in r.categories.all()
            if c.flags_abnormal
        ]
        if flagged:
            from gongkai.core.calendar import add_working_days

            AbnormalReferral.objects.create(
                target=target,
                entity_id=target.entity_id,
                reason="；".join(sorted(set(flagged))),
                flagged_on=target.completed_on,
                due_on=add_working_days(target.completed_on, 10),
            )
            audit.record(
                actor=actor,
                action="inspections.target.abnormal_referral",
                obj=target,
                after={"reason": flagged},
            )
    return target


def publication_due(target) -> dt.date | None:
    """The last day to publish a target's result: 20 working days after it was formed."""
    from gongkai.core.calendar import add_working_days

    return add_working_days(target.completed_on, 20) if target.completed_on else None


@transaction.atomic
def target_publish(*, actor: Any, target, now: dt.datetime | None = None):
    """Publish a formed result on the entity's public record and the 抽查结果公告 tab."""
    from gongkai.inspections.models import Target

    target = Target.objects.select_for_update().select_related("task").defer(*via("task")).get(pk=target.pk)
    if target.completed_on is None:
        raise ValidationError("检查组尚未全部签署，结果还不能公示")
    if target.results_published_at:
        raise ValidationError("该结果已公示")
    now = _now(now)
    target.results_published_at = now
    target.save(update_fields=["results_published_at"])
    audit.record(actor=actor, action="inspections.target.publish", obj=target, after={"published": True})
    task = target.task
    remaining = [t for t in task.targets.all() if t.is_active and not t.results_published_at]
    if not remaining and task.state == TaskState.INSPECTING:
        task = Task.objects.select_for_update().get(pk=task.pk)
        _advance(task, TaskState.RESULTS_PUBLISHED)
        task.results_published_at = now
        task.save(update_fields=["state", "results_published_at"])
        audit.record(
            actor=actor, action="inspections.task.results_published", obj=task, after={"state": task.state}
        )
    return target


@transaction.atomic
def task_close(*, actor: Any, task: Task, now: dt.datetime | None = None) -> Task:
    """结果已公示 → 已完结, once every follow-up is done."""
    from gongkai.inspections.models import InspectionRecord

    task = Task.objects.select_for_update().get(pk=task.pk)
    open_follow_ups = InspectionRecord.objects.filter(
        target__task=task, follow_up_done_on__isnull=True
    ).exclude(follow_up="none")
    if open_follow_ups.exists():
        raise ValidationError(f"还有{open_follow_ups.count()}项后续处置未完结")
    _advance(task, TaskState.CLOSED)
    task.closed_at = _now(now)
    task.save(update_fields=["state", "closed_at"])
    audit.record(actor=actor, action="inspections.task.close", obj=task, after={"state": task.state})
    return task


ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# Recognised by content, never by the name the browser sends; anything else is refused.
ATTACHMENT_TYPES = [
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"%PDF-", "application/pdf", "pdf"),
]


def sniff_attachment(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in ATTACHMENT_TYPES:
        if head.startswith(magic):
            return content_type, ext
    return None


@transaction.atomic
def attachment_add(*, actor: Any, target, upload) -> Any:
    """Store a photo or scan for a target, outside the web root, under a name we choose."""
    import hashlib
    import uuid

    from django.core.files.base import ContentFile

    from gongkai.inspections.models import Attachment

    _team_officer(actor, target)
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(f"文件过大（{upload.size / 1024 / 1024:.1f} MB），单个附件不能超过10 MB")
    data = upload.read(ATTACHMENT_MAX_BYTES + 1)
    if len(data) > ATTACHMENT_MAX_BYTES:
        raise ValidationError("文件过大，单个附件不能超过10 MB")
    kind = sniff_attachment(data[:16])
    if kind is None:
        raise ValidationError("只接受 JPEG、PNG 照片或 PDF 扫描件（按文件内容判断，与扩展名无关）")
    content_type, ext = kind
    attachment = Attachment(
        target=target,
        original_name=str(upload.name)[:200],
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(data), save=False)
    attachment.save()
    audit.record(
        actor=actor,
        action="inspections.attachment.add",
        obj=attachment,
        after={"target": target.pk, "sha256": attachment.sha256, "size": attachment.size},
    )
    return attachment
