"""Migrations on a database that holds drawn tasks.

``inspections/0006`` (ADR 14): the team-member rows become each target's ``team`` in order and back,
and the officer checks move with them. ``0007``: announced tasks get their strata from their stored
frozen documents. ``0008`` (ADR 15): one unique index on ``(entity, task)`` replaces the unique
``(task, entity)`` and the plain ``(entity, task)``, and the pair stays unique both ways."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from gongkai.core.tests.schema import migrate, refused
from gongkai.inspections import services
from gongkai.inspections.models import Target, Task
from gongkai.inspections.tests import factories as f

BEFORE = [("inspections", "0005_team_member_officer_index_without_pattern_copy")]
AFTER = [("inspections", "0006_team_on_the_target_row")]
ANNOUNCED_STRATA = [("inspections", "0007_announced_strata")]
LATEST = [("inspections", "0008_one_index_for_both_target_keys")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_teams_survive_0006_both_ways():
    task = f.draw(f.announced_task(entities=8)[0])
    teams = dict(Target.objects.filter(task=task).values_list("pk", "team"))
    assert teams and all(len(team) == 2 for team in teams.values())
    try:
        apps = migrate(BEFORE)
        TeamMember = apps.get_model("inspections", "TeamMember")
        rows = TeamMember.objects.order_by("target_id", "position").values_list("target_id", "officer_id")
        back: dict[int, list[str]] = {}
        for pk, code in rows:
            back.setdefault(pk, []).append(code)
        assert back == teams
        # 0004's check of the member table is back: an unknown officer is refused.
        pk = next(iter(teams))
        assert refused(lambda: TeamMember.objects.create(target_id=pk, officer_id="无此人员", position=9))
    finally:
        migrate(LATEST)
    assert dict(Target.objects.filter(task=task).values_list("pk", "team")) == teams
    assert refused(lambda: Target.objects.filter(pk=pk).update(team=["无此人员"]))
    assert not refused(lambda: Target.objects.filter(pk=pk).update(team=list(reversed(teams[pk]))))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_0007_gives_announced_tasks_their_strata_from_the_stored_document():
    task = f.announced_task(entities=5)[0]
    drawn = f.draw(f.announced_task(entities=3)[0])
    expected = {
        t.pk: services.announced_strata(json.loads(t.frozen_text))
        for t in Task.objects.filter(pk__in=[task.pk, drawn.pk])
    }
    assert all(strata and strata[0]["size"] > 0 for strata in expected.values())
    try:
        migrate(AFTER)
    finally:
        migrate(LATEST)
    assert dict(Task.objects.filter(pk__in=expected).values_list("pk", "announced_strata")) == expected


def _target_indexes() -> dict[str, tuple[list[str], bool]]:
    """The target table's indexes other than the primary key: name → (columns, unique)."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Target._meta.db_table)
    return {
        name: (c["columns"], c["unique"])
        for name, c in found.items()
        if (c["index"] or c["unique"]) and not c["primary_key"]
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_0008_keeps_each_entity_once_per_task_both_ways():
    task = f.draw(f.announced_task(entities=6)[0])
    target = task.targets.first()
    copy = {
        field.attname: getattr(target, field.attname)
        for field in Target._meta.concrete_fields
        if not field.primary_key
    }
    again = dict(copy, rank=copy["rank"] + 1000)  # the same entity and task, another place
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        assert _target_indexes() == {
            "target_entity_task_unique": (["entity_id", "task_id"], True),
            "target_rank_unique": (["task_id", "stratum_index", "role", "rank"], True),
        }
    assert refused(lambda: Target.objects.create(**again))
    # Control: the same row for another task is no duplicate.
    other = f.announced_task(entities=1)[0]
    assert not refused(lambda: Target.objects.create(**dict(again, task_id=other.pk)))
    try:
        apps = migrate(ANNOUNCED_STRATA)
        if postgresql:
            assert _target_indexes() == {
                "target_task_entity_unique": (["task_id", "entity_id"], True),
                "target_entity_task_idx": (["entity_id", "task_id"], False),
                "target_rank_unique": (["task_id", "stratum_index", "role", "rank"], True),
            }
        assert refused(lambda: apps.get_model("inspections", "Target").objects.create(**again))
    finally:
        migrate(LATEST)
    assert refused(lambda: Target.objects.create(**again))
    assert task.targets.count() == Target.objects.filter(task=task).values("entity").distinct().count()
