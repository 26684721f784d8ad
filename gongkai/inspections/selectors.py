"""Reads of 双随机、一公开, shared by staff pages, the public pages and the API."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from gongkai.inspections.choices import ItemStatus, PlanStatus, TargetRole, TaskState
from gongkai.inspections.models import InspectionItem, InspectionRecord, Plan, Target, Task, via
from gongkai.inspectors.models import Officer

PUBLIC_TASK_STATES = [s for s in TaskState.values if s != TaskState.DRAFT]


def published_items() -> QuerySet[InspectionItem]:
    return InspectionItem.objects.filter(status=ItemStatus.PUBLISHED).order_by("category", "code")


def public_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(status=PlanStatus.PUBLISHED).select_related("department")


def public_tasks() -> QuerySet[Task]:
    return (
        Task.objects.filter(state__in=PUBLIC_TASK_STATES)
        .select_related("plan__department")
        .prefetch_related("items")
        .order_by("-announced_at")
    )


def drawn_list(task: Task):
    """The members the draw selected, as ``(credit code, name, ticket)``, in the order the public
    sees them: the result's (stratum, then rank), or by ticket alone where strata are private (the
    stratum order would reveal the risk class). From the target rows, not the stored result."""
    order = ("stratum_index", "rank") if task.full_bundle_public else ("ticket",)
    return (
        task.targets.filter(role=TargetRole.SELECTED)
        .order_by(*order)
        .values_list("entity_id", "entity__name", "ticket")
    )


def active_targets(task: Task) -> QuerySet[Target]:
    return (
        task.targets.filter(Q(role="selected", replaced=False) | Q(activated=True))
        .select_related("entity")
        .order_by("stratum_index", "role", "rank")
    )


def with_team_officers(targets) -> list[Target]:
    """The targets, each with ``team_officers``: its team's officers (department joined), in order."""
    targets = list(targets)
    officers = Officer.objects.select_related("department").in_bulk({c for t in targets for c in t.team})
    for target in targets:
        target.team_officers = [officers[code] for code in target.team]
    return targets


def team_officers(target: Target) -> list[Officer]:
    """One target's team: its officers (department joined), in the order the draw took them."""
    return with_team_officers([target])[0].team_officers


def published_results() -> QuerySet[Target]:
    """Targets whose results are public, newest first, with their records."""
    return (
        Target.objects.filter(results_published_at__isnull=False)
        .select_related("entity", "task__plan__department")
        .defer(*via("task"))
        .prefetch_related(
            Prefetch(
                "records",
                queryset=InspectionRecord.objects.select_related("item").prefetch_related("categories"),
            )
        )
        .order_by("-results_published_at")
    )


def officer_targets(officer) -> QuerySet[Target]:
    return (
        Target.objects.filter(
            team__includes=officer.code, task__state__in=[TaskState.DRAWN, TaskState.INSPECTING]
        )
        .filter(Q(role="selected", replaced=False) | Q(activated=True))
        .select_related("entity", "task")
        .defer(*via("task"))
        .annotate(signed=Count("signoffs", distinct=True), recorded=Count("records", distinct=True))
        .order_by("task__public_id", "entity__name")
    )


def results_awaiting_publication() -> QuerySet[Target]:
    return (
        Target.objects.filter(completed_on__isnull=False, results_published_at__isnull=True)
        .select_related("entity", "task")
        .defer(*via("task"))
        .order_by("completed_on")
    )
