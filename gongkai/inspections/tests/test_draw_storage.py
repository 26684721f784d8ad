"""How a draw's rows are kept consistent without row-by-row foreign keys (ADR 9, ADR 14).

Targets refer to their task, their entity and, through their teams, to officers by set-based checks
(statement triggers on PostgreSQL, row triggers on SQLite) instead of the database's row foreign
keys. These tests show each reference is still enforced: on a single insert, on a bulk ``COPY``,
on an update, and (PostgreSQL) when a referenced row is deleted behind the ORM's back. The draw
writes its targets with their teams while §6 runs: a failure at any point stores nothing.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from gongkai.core.bulk import copy_rows
from gongkai.core.models import AuditEvent
from gongkai.inspections import engine, services
from gongkai.inspections.models import Target, Task
from gongkai.inspections.selectors import officer_targets
from gongkai.inspections.tests import factories as f
from gongkai.inspectors.models import Officer
from gongkai.registry.models import Entity
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db

UNKNOWN_ENTITY = "91371500MA3XXXXX0X"


@pytest.fixture
def drawn():
    return f.draw(f.announced_task()[0])


def _target_values(task, entity_id, rank=99):
    return dict(
        task=task,
        entity_id=entity_id,
        stratum_index=0,
        stratum_name="全部",
        role="reserve",
        rank=rank,
        ticket="0" * 64,
        activated=True,
    )


MISSING = r"no such row in|FOREIGN KEY constraint failed"  # PostgreSQL's check, SQLite's trigger


def _refused(action, match: str = MISSING) -> None:
    before = list(Target.objects.order_by("pk").values_list("pk", "entity_id", "task_id", "team"))
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        action()
    assert list(Target.objects.order_by("pk").values_list("pk", "entity_id", "task_id", "team")) == before


@pytest.mark.parametrize("slice_size", [1, 7, 1 << 23])
def test_the_draw_reads_the_stored_frozen_text_exactly(slice_size):
    """On PostgreSQL the text comes in byte slices, which may cut a character in two."""
    task, _ = f.announced_task()
    task.refresh_from_db()
    assert any(ord(c) > 0x7FF for c in task.frozen_text)  # characters of three bytes: slices cut them
    assert services._frozen_bytes(task, slice_size) == task.frozen_text.encode("utf-8")


def test_the_stored_result_is_the_draw_of_the_stored_document(drawn):
    """The result text goes to the database as bytes (PostgreSQL: decoded by the server)."""
    task = Task.objects.get(pk=drawn.pk)
    assert drawn.result_text == task.result_text  # the drawing instance reads it back
    result = engine.compute_stored(task.frozen_text, task.commitment, task.seed)
    assert task.result_text == engine.result_text(result)
    event = AuditEvent.objects.get(action="inspections.task.draw", object_id=str(task.pk))
    assert event.after["result_sha256"] == hashlib.sha256(task.result_text.encode("utf-8")).hexdigest()
    assert event.after["selected"] == task.targets.filter(role="selected").count() > 0


def test_a_target_of_an_unknown_entity_is_refused(drawn):
    _refused(lambda: Target.objects.create(**_target_values(drawn, UNKNOWN_ENTITY)))


def test_a_bulk_copy_with_one_unknown_entity_stores_nothing(drawn):
    known = make_entity(name="另一主体").pk
    rows = [
        (drawn.pk, entity, 0, "全部", "reserve", rank, "0" * 64, False, True, "[]")
        for rank, entity in enumerate([known, UNKNOWN_ENTITY], start=50)
    ]
    _refused(lambda: copy_rows(Target, services._TARGET_COLUMNS, rows))


def test_a_target_of_an_unknown_task_is_refused(drawn):
    entity = make_entity(name="另一主体").pk
    values = _target_values(drawn, entity)
    del values["task"]
    _refused(lambda: Target.objects.create(task_id=drawn.pk + 1000, **values))


def test_moving_a_target_to_an_unknown_entity_is_refused(drawn):
    target = drawn.targets.first()
    _refused(lambda: Target.objects.filter(pk=target.pk).update(entity_id=UNKNOWN_ENTITY))


def test_a_team_with_an_unknown_officer_is_refused(drawn):
    target = drawn.targets.first()
    known = target.team[0]
    values = _target_values(drawn, make_entity(name="另一主体").pk)
    _refused(lambda: Target.objects.create(**values, team=[known, "无此人员"]))
    _refused(lambda: Target.objects.filter(pk=target.pk).update(team=[known, "无此人员"]))
    row = (drawn.pk, values["entity_id"], 0, "全部", "reserve", 99, "0" * 64, False, True, '["无此人员"]')
    _refused(lambda: copy_rows(Target, services._TARGET_COLUMNS, [row]))


def test_the_draw_rows_are_consistent(drawn):
    """Every stored reference resolves (the checks did not let anything through), and every team
    is the stored result's, in order."""
    targets = list(drawn.targets.select_related("entity", "task"))
    assert targets and all(t.entity.pk == t.entity_id and t.task == drawn for t in targets)
    codes = {code for t in targets for code in t.team}
    assert all(len(t.team) == 2 for t in targets)
    assert Officer.objects.filter(pk__in=codes).count() == len(codes)
    assignments = {a["entity"]: a["inspectors"] for a in json.loads(drawn.result_text)["assignments"]}
    assert {t.entity_id: t.team for t in targets} == assignments


def test_an_officer_finds_exactly_the_targets_whose_team_has_them(drawn):
    """``team__includes`` matches a whole code, never a code that merely begins the same way."""
    target = drawn.targets.first()
    officer = Officer.objects.get(pk=target.team[0])
    twin = f.officer(code=officer.code + "0")  # "SCJG0001" and "SCJG00010"
    services.task_start_inspection(actor="test", task=drawn)
    mine = {t.pk for t in drawn.targets.all() if officer.code in t.team}
    assert {t.pk for t in Target.objects.filter(team__includes=officer.code)} == mine
    assert {t.pk for t in officer_targets(officer)} == mine
    assert not Target.objects.filter(team__includes=twin.code).exists()
    assert not Target.objects.filter(team__includes=officer.code[:-1]).exists()


def test_deleting_a_drawn_entity_or_officer_through_the_orm_is_refused(drawn):
    target = drawn.targets.first()
    with pytest.raises(ProtectedError):
        target.entity.delete()
    # Refused inside the delete's transaction (a signal, not the collector): the caller's atomic
    # block is rolled back, as for any error of a write.
    with pytest.raises(ProtectedError, match="检查组"), transaction.atomic():
        Officer.objects.get(pk=target.team[0]).delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Officer.objects.filter(pk=target.team[1]).delete()
    assert Officer.objects.filter(pk__in=target.team).count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement triggers guard deletes on PostgreSQL"
)
@pytest.mark.parametrize(
    "table, column, pick",
    [
        ("registry_entity", "credit_code", lambda t: t.entity_id),
        ("inspectors_officer", "code", lambda t: t.team[0]),
        ("inspections_task", "id", lambda t: t.task_id),
    ],
)
def test_deleting_a_referenced_row_behind_the_orm_is_refused_on_postgresql(drawn, table, column, pick):
    key = pick(drawn.targets.first())

    def delete():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [key])

    _refused(delete, match="is still referred to by")


def test_a_draw_whose_targets_cannot_be_written_stores_nothing():
    """The selected members are written while the inspectors are assigned (on PostgreSQL from a
    second thread): a failure there still undoes the whole draw, and the error reaches the caller."""
    task, _ = f.announced_task()
    entities = list(Entity.objects.values_list("pk", flat=True))
    # A row for every entity of the population already: whichever is drawn collides with it.
    for rank, entity in enumerate(entities, start=100):
        Target.objects.create(**_target_values(task, entity, rank=rank))
    with pytest.raises(IntegrityError, match=r"target_entity_task_unique|UNIQUE constraint failed"):
        f.draw(task)
    task.refresh_from_db()
    assert task.state == "announced" and not task.result_text and not task.seed
    assert task.targets.count() == len(entities)
    assert set(task.targets.values_list("rank", flat=True)) == set(range(100, 100 + len(entities)))


def _nothing_drawn(task):
    task.refresh_from_db()
    assert task.state == "announced" and not task.result_text and not task.seed
    assert not Target.objects.exists()


def test_a_draw_whose_teams_cannot_be_written_stores_nothing():
    """Each target is written with its team (on PostgreSQL from the second thread, while §6 goes
    on): a team that cannot be stored undoes the whole draw."""
    from gongkai.inspectors.models import Officer

    task, officers = f.announced_task()
    # The roster was frozen at the announcement; its officers are gone from the register since.
    Officer.objects.filter(pk__in=[o.pk for o in officers]).delete()
    with pytest.raises(IntegrityError, match=MISSING):
        f.draw(task)
    _nothing_drawn(task)


def test_a_draw_that_fails_after_its_targets_were_handed_over_stores_nothing(monkeypatch):
    """An error in this thread after every target and team went to the writer reaches the caller
    — the writer's ``COPY`` is cancelled, not completed — and undoes the draw."""
    from gongkai.inspections import engine

    compute_stored = engine.compute_stored

    def failing_after_selection(*args, **kwargs):
        compute_stored(*args, **kwargs)  # §5 handed the targets over, §6 ran
        raise RuntimeError("the engine failed after the selection")

    monkeypatch.setattr(engine, "compute_stored", failing_after_selection)
    task, _ = f.announced_task()
    with pytest.raises(RuntimeError, match="failed after the selection"):
        f.draw(task)
    _nothing_drawn(task)


def _draw_with(monkeypatch, on_assigned_wrapper):
    """Draw a fresh task with the engine's ``on_assigned`` callback wrapped."""
    from gongkai.inspections import engine

    compute_stored = engine.compute_stored

    def wrapped(*args, on_assigned, **kwargs):
        return compute_stored(*args, on_assigned=on_assigned_wrapper(on_assigned), **kwargs)

    monkeypatch.setattr(engine, "compute_stored", wrapped)
    return f.draw(f.announced_task()[0])


def test_a_draw_that_fails_while_the_teams_are_made_stores_nothing(monkeypatch):
    """The engine fails in the middle of §6, after some rows went to the writer: nothing is stored
    and the engine's error reaches the caller."""

    def first_then_fail(on_assigned):
        def call(teams):
            on_assigned(teams[:1])
            raise RuntimeError("the engine failed during §6")

        return call

    with pytest.raises(RuntimeError, match="during §6"):
        _draw_with(monkeypatch, first_then_fail)
    assert not Target.objects.exists() and not Task.objects.exclude(result_text="").exists()


def test_a_draw_is_never_stored_with_a_member_missing_its_team(monkeypatch):
    """If some selected members' teams never reach the writer, the rows are not completed: the
    draw fails as a whole instead of storing targets without their teams."""

    def drop_the_last(on_assigned):
        def call(teams):
            on_assigned(teams[:-1])

        return call

    with pytest.raises(AssertionError, match="got no team"):
        _draw_with(monkeypatch, drop_the_last)
    assert not Target.objects.exists() and not Task.objects.exclude(result_text="").exists()


@pytest.mark.parametrize("part", [3, 8192])
@pytest.mark.parametrize("codes", [("Q1", "Q2", "Q3", "Q4"), ('引"号', "反\\斜", "制\u0001表", "普通")])
def test_every_team_is_stored_as_drawn_whatever_its_codes_hold(codes, part, monkeypatch):
    """Teams go to the database as JSON joined by hand when the codes need no escaping, and
    through the JSON encoder when one holds a quote, a backslash or a control character; in one
    part or in several (``part`` members at a time)."""
    from gongkai.inspections import gongkai_draw

    monkeypatch.setattr(gongkai_draw, "_ASSIGNED_CHUNK", part)
    task = f.draw(f.announced_task(codes=codes)[0])
    assignments = {a["entity"]: a["inspectors"] for a in json.loads(task.result_text)["assignments"]}
    assert len(assignments) == task.targets.count()
    assert part > 10 or task.targets.count() > part  # several parts where asked for
    assert dict(task.targets.values_list("entity_id", "team")) == assignments
    assert {code for team in assignments.values() for code in team} == set(codes)
