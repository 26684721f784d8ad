"""Reads of 双随机、一公开, shared by staff pages, the public pages and the API."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
from django.db import connection
from django.db.models import Count, Func, IntegerField, Prefetch, Q, QuerySet

from gongkai.inspections.choices import ItemStatus, PlanStatus, TargetRole, TaskState
from gongkai.inspections.models import TASK_TEXTS, InspectionItem, InspectionRecord, Plan, Target, Task, via
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


class OctetLength(Func):
    """A text's length in bytes (UTF-8). PostgreSQL reads it from the stored value's header, so a
    document of hundreds of megabytes is neither fetched nor decompressed."""

    function = "OCTET_LENGTH"
    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):  # octet_length() came in 3.43
        return self.as_sql(compiler, connection, template="length(CAST(%(expressions)s AS BLOB))")


def text_sizes(task: Task) -> dict[str, int]:
    """The byte length (UTF-8) of each of the task's stored documents (``TASK_TEXTS``)."""
    row = Task.objects.filter(pk=task.pk).values_list(*(OctetLength(name) for name in TASK_TEXTS)).get()
    return dict(zip(TASK_TEXTS, row, strict=True))


# The slices in which a stored document is sent on (a download streams hundreds of MB for a province).
TEXT_SLICE = 1 << 20


def text_slices(task: Task, column: str, slice_size: int | None = None) -> Iterator[bytes]:
    """One of the task's stored documents (``TASK_TEXTS``) as UTF-8, in slices of ``slice_size``
    bytes (default ``TEXT_SLICE``).

    Neither a whole string nor whole bytes of it are made: a province's frozen document is hundreds
    of megabytes (361 MB measured for 15M entities without 所所交叉's units; twice that as a Python
    string), which a download or the draw would otherwise hold at once, and
    libpq twice more if it came as one value. On PostgreSQL the slices are the rows of one
    streamed query; a slice may end inside a character. On SQLite, the embedded database of
    small installations, the text is read whole and then sliced.
    """
    if column not in TASK_TEXTS:  # the name goes into SQL
        raise ValueError(f"not a task document: {column!r}")
    slice_size = slice_size or TEXT_SLICE
    if connection.vendor != "postgresql":
        data = Task.objects.values_list(column, flat=True).get(pk=task.pk).encode("utf-8")
        for start in range(0, len(data), slice_size):
            yield data[start : start + slice_size]
        return
    # convert_to() of a UTF-8 database's text to UTF-8 is the same bytes, now as bytea, whose
    # substring() counts bytes; the subquery (one row) decodes the stored value once.
    query = (
        "SELECT g, substring(s.raw FROM g FOR %(slice)s)"
        f" FROM (SELECT convert_to({column}, 'UTF8') AS raw FROM {Task._meta.db_table}"
        " WHERE id = %(id)s OFFSET 0) s,"
        " generate_series(1, octet_length(s.raw), %(slice)s) g"
    )
    connection.ensure_connection()
    expected = 1
    # A server-binding cursor (Django's is client-side, which cannot receive binary values).
    with psycopg.Cursor(connection.connection) as raw:
        for start, piece in raw.stream(query, {"id": task.pk, "slice": slice_size}, binary=True):
            # Rows come in generate_series' order; ORDER BY would make the server sort (and
            # spill) the whole document first. Should they ever not, fail rather than reorder.
            if start != expected:
                raise RuntimeError(f"slice at byte {start} arrived where {expected} was due")
            expected += len(piece)
            yield piece


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


def find_targets(task: Task, q: str = "") -> QuerySet[Target]:
    """``active_targets``, narrowed to those whose entity's name contains ``q`` or whose credit
    code is ``q`` (any case) when ``q`` is given."""
    targets = active_targets(task)
    q = q.strip()
    return targets.filter(Q(entity__name__contains=q) | Q(entity_id=q.upper())) if q else targets


def unassigned_count(task: Task) -> int:
    """How many active targets the draw could not give a team (``insufficient_inspectors``)."""
    return active_targets(task).filter(team=[]).count()


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
