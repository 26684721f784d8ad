"""How a draw's rows are kept consistent without row-by-row foreign keys (ADR 9).

Targets and team members refer to their task, entity, target and officer through set-based checks
(statement triggers on PostgreSQL, row triggers on SQLite) instead of the database's row foreign
keys. These tests show each reference is still enforced: on a single insert, on a bulk ``COPY``,
on an update, and (PostgreSQL) when a referenced row is deleted behind the ORM's back.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from gongkai.core.bulk import copy_rows
from gongkai.inspections import services
from gongkai.inspections.models import Target, TeamMember
from gongkai.inspections.tests import factories as f
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db

UNKNOWN_ENTITY = "91371500MA3XXXXX0X"


@pytest.fixture
def drawn():
    item = f.published_item()
    plan = f.published_plan()
    for i in range(10):
        make_entity(name=f"抽查对象{i}")
    for _ in range(4):
        f.officer()
    task = services.task_announce(actor="test", task=f.draft_task(plan, [item]))
    with time_machine.travel(task.seed_not_before + dt.timedelta(minutes=1)):
        return services.task_draw(actor="test", task=task, seed="31415926535897932384", evidence="仪式")


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
    before = (Target.objects.count(), TeamMember.objects.count())
    with pytest.raises(IntegrityError, match=match), transaction.atomic():
        action()
    assert (Target.objects.count(), TeamMember.objects.count()) == before


def test_a_target_of_an_unknown_entity_is_refused(drawn):
    _refused(lambda: Target.objects.create(**_target_values(drawn, UNKNOWN_ENTITY)))


def test_a_bulk_copy_with_one_unknown_entity_stores_nothing(drawn):
    known = make_entity(name="另一主体").pk
    rows = [
        (drawn.pk, entity, 0, "全部", "reserve", rank, "0" * 64, False, True)
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


def test_a_team_member_of_an_unknown_officer_or_target_is_refused(drawn):
    target = drawn.targets.first()
    _refused(lambda: TeamMember.objects.create(target=target, officer_id="无此人员", position=9))
    officer = target.team.first().officer_id
    _refused(lambda: TeamMember.objects.create(target_id=target.pk + 100_000, officer_id=officer, position=1))


def test_the_draw_rows_are_consistent(drawn):
    """Every stored reference resolves (the checks did not let anything through)."""
    targets = list(drawn.targets.select_related("entity", "task"))
    assert targets and all(t.entity.pk == t.entity_id and t.task == drawn for t in targets)
    members = list(TeamMember.objects.filter(target__task=drawn).select_related("officer", "target"))
    assert len(members) == 2 * len(targets) and all(m.officer.pk and m.target.pk for m in members)


def test_deleting_a_drawn_entity_or_officer_through_the_orm_is_refused(drawn):
    target = drawn.targets.first()
    with pytest.raises(ProtectedError):
        target.entity.delete()
    with pytest.raises(ProtectedError):
        target.team.first().officer.delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement triggers guard deletes on PostgreSQL"
)
@pytest.mark.parametrize(
    "table, column, pick",
    [
        ("registry_entity", "credit_code", lambda t: t.entity_id),
        ("inspectors_officer", "code", lambda t: t.team.first().officer_id),
        ("inspections_task", "id", lambda t: t.task_id),
        ("inspections_target", "id", lambda t: t.pk),
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
    item = f.published_item()
    plan = f.published_plan()
    entities = [make_entity(name=f"抽查对象{i}").pk for i in range(10)]
    for _ in range(4):
        f.officer()
    task = services.task_announce(actor="test", task=f.draft_task(plan, [item]))
    # A row for every entity of the population already: whichever is drawn collides with it.
    for rank, entity in enumerate(entities, start=100):
        Target.objects.create(**_target_values(task, entity, rank=rank))
    with (
        time_machine.travel(task.seed_not_before + dt.timedelta(minutes=1)),
        pytest.raises(IntegrityError, match=r"target_task_entity_unique|UNIQUE constraint failed"),
    ):
        services.task_draw(actor="test", task=task, seed="31415926535897932384", evidence="仪式")
    task.refresh_from_db()
    assert task.state == "announced" and not task.result_text and not task.seed
    assert task.targets.count() == len(entities) and not TeamMember.objects.exists()


def _announced_with_officers():
    item = f.published_item()
    plan = f.published_plan()
    for i in range(10):
        make_entity(name=f"抽查对象{i}")
    officers = [f.officer() for _ in range(4)]
    return services.task_announce(actor="test", task=f.draft_task(plan, [item])), officers


def _nothing_drawn(task):
    task.refresh_from_db()
    assert task.state == "announced" and not task.result_text and not task.seed
    assert not task.targets.exists() and not TeamMember.objects.exists()


def test_a_draw_whose_teams_cannot_be_written_stores_nothing():
    """The teams are written while the result's text is made (on PostgreSQL from the second
    thread, after the targets): a team that cannot be stored undoes the whole draw."""
    from gongkai.inspectors.models import Officer

    task, officers = _announced_with_officers()
    # The roster was frozen at the announcement; its officers are gone from the register since.
    Officer.objects.filter(pk__in=[o.pk for o in officers]).delete()
    with (
        time_machine.travel(task.seed_not_before + dt.timedelta(minutes=1)),
        pytest.raises(IntegrityError, match=MISSING),
    ):
        services.task_draw(actor="test", task=task, seed="31415926535897932384", evidence="仪式")
    _nothing_drawn(task)


def test_a_draw_that_fails_after_its_targets_were_handed_over_stores_nothing(monkeypatch):
    """An error in this thread after the targets went to the writer, before the teams did, reaches
    the caller — the writer is not left waiting for teams that never come — and undoes the draw."""
    from gongkai.inspections import engine

    compute_stored = engine.compute_stored

    def failing_after_selection(*args, **kwargs):
        compute_stored(*args, **kwargs)  # §5 handed the targets over, §6 ran
        raise RuntimeError("the engine failed after the selection")

    monkeypatch.setattr(engine, "compute_stored", failing_after_selection)
    task, _ = _announced_with_officers()
    with (
        time_machine.travel(task.seed_not_before + dt.timedelta(minutes=1)),
        pytest.raises(RuntimeError, match="failed after the selection"),
    ):
        services.task_draw(actor="test", task=task, seed="31415926535897932384", evidence="仪式")
    _nothing_drawn(task)
