# django-ninja declares query parameters as `name: type = Query(default, …)` defaults (its documented style).
# ruff: noqa: B008
"""The open-data API, ``/api/v1/`` (django-ninja; ADR 0050, docs/api.md).

Read-only, no login, JSON. Every dataset is read through its module's **public selector** — the
same functions the public pages use — so the API can show nothing those pages would not: no
credit-risk class, no drafts, no unredacted penalty text, no personal contact data, no expired
penalties, nothing unpublished. Each response is built field by field from the schemas in
:mod:`gongkai.api.schemas`; nothing is serialised from a model wholesale.

Identifiers are stable and link the chain plan → task → draw → result → penalty: a plan's
``tasks_url``, a task's ``draw_url`` and ``results_url``, a result's ``entity`` and
``penalties_url``, a penalty's ``entity_url``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from typing import Annotated, Any
from urllib.parse import quote, quote_plus, urlencode

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import http_date
from ninja import NinjaAPI, Path, Query, Router
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.renderers import JSONRenderer
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError, to_json

from gongkai.api import schemas as S
from gongkai.api.errors import ApiError, not_found, validation_error
from gongkai.api.listquery import DATE, DATETIME, STR, ListQuery
from gongkai.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, Sort, envelope, paginate, paginate_list
from gongkai.disclosure import selectors as disclosure
from gongkai.disclosure.choices import InterpretationKind, Topic, Validity
from gongkai.inspections import selectors as inspections
from gongkai.inspections.choices import ItemLevel, TaskState
from gongkai.interaction import selectors as interaction
from gongkai.interaction.choices import MessageCategory
from gongkai.penalties import selectors as penalties
from gongkai.penalties.choices import ViolationCategory, WithdrawalGround
from gongkai.portal import selectors as portal
from gongkai.registry import industries
from gongkai.registry.choices import EntityStatus, EntityType

PREFIX = "/api/v1/"


def _iso_date(value: Any) -> Any:
    # Pydantic would take a bare number as a Unix timestamp (?replied_until=0 → 1970-01-01);
    # filters take ISO 8601 text only.
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise PydanticCustomError("date_parsing", "Input should be a valid date in the format YYYY-MM-DD")
    return value.strip()


def _iso_datetime(value: Any) -> Any:
    if not isinstance(value, str) or not re.match(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise PydanticCustomError(
            "datetime_parsing", "Input should be an ISO 8601 date-time such as 2026-03-02T00:00:00+08:00"
        )
    return value.strip()


Date = Annotated[dt.date, BeforeValidator(_iso_date)]
DateTime = Annotated[dt.datetime, BeforeValidator(_iso_datetime)]


class Renderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Gongkai 开放数据接口 (open data API)",
    version="1",
    description=(
        "只读、免登录的开放数据接口：市场主体公示信息、双随机抽查（事项、计划、任务、摇号、结果）、"
        "公示期内的行政处罚、政策文件与解读、办事指南、公开的留言答复、惠企政策和统计数据。\n\n"
        "Read-only, no login. Lists take filters, a stable sort and an opaque cursor "
        f"(`?cursor=`, from `next_cursor`); `limit` is 1–{MAX_LIMIT}. Rate limit per client address "
        "(429 with `Retry-After`); CORS open for reads; `ETag`/`Last-Modified` with 304. "
        "Nothing private is published (docs/api.md)."
    ),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=Swagger(settings={"validatorUrl": None, "defaultModelsExpandDepth": 0}),
    renderer=Renderer(),
)

LIST_ERRORS: dict[int, Any] = {400: S.Error, 422: S.Error, 429: S.Error}
DETAIL_ERRORS: dict[int, Any] = {404: S.Error, 422: S.Error, 429: S.Error}
LIMIT = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"page size, 1–{MAX_LIMIT}")
MAX_ID = 2_147_483_647  # database integer keys; a larger number is a 422, not a database error
CURSOR = Query(None, max_length=500, description="next_cursor of the previous page")


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(request, exc.body(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    err = validation_error(list(exc.errors))
    return api.create_response(request, err.body(), status=err.status)


@api.exception_handler(Http404)
def _http404(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request,
        {"error": "not_found", "message": "没有该资源 / not found", "detail": []},
        status=404,
    )


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _http404(request, exc)


# --- helpers -------------------------------------------------------------------------------------


def _origin(request: HttpRequest) -> str:
    """scheme://host of this request, worked out once per request (a page builds many links)."""
    origin = getattr(request, "_api_origin", None)
    if origin is None:
        origin = request.build_absolute_uri("/")[:-1]
        request._api_origin = origin  # type: ignore[attr-defined]
    return origin


def _part(value: Any) -> str:
    text = str(value)
    return text if text.isascii() and text.isalnum() else quote(text, safe="")


def _qv(value: str) -> str:
    """``value`` as urlencode() would write it in a query string (most keys need no escaping)."""
    return value if value.isascii() and value.isalnum() else quote_plus(value)


def _time(value: dt.datetime) -> str:
    """A time as the JSON renderer writes it (DjangoJSONEncoder: milliseconds, UTC as ``Z``), done
    while building the row so the encoder's fallback is not called for every value."""
    text = value.isoformat()
    if value.microsecond:
        text = text[:23] + text[26:]
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_TRANSLATED: dict[tuple[int, str | None], dict[str, str]] = {}


def _translated(labels: dict[str, Any]) -> dict[str, str]:
    """``labels`` (lazy translations) as text in the active language, translated once per language
    instead of once per row."""
    key = (id(labels), translation.get_language())
    found = _TRANSLATED.get(key)
    if found is None:
        found = _TRANSLATED[key] = {k: str(v) for k, v in labels.items()}
    return found


def _url(request: HttpRequest, *parts: Any, query: dict[str, str] | None = None) -> str:
    path = PREFIX + "/".join(_part(p) for p in parts)
    if query:
        path += "?" + urlencode(query)
    return _origin(request) + path


# Placeholders reverse() accepts for a str or an int argument and that no real path contains.
_HOLE = {False: ("\x00", "%00"), True: ("987654321987654321", "987654321987654321")}


@functools.cache
def _page_template(name: str, kinds: tuple[bool, ...]) -> tuple[str, ...]:
    """The page's path cut at its arguments: reverse() once per page kind, not once per row."""
    path = reverse(name, args=[_HOLE[k][0] for k in kinds])
    segments = []
    for kind in kinds:
        before, path = path.split(_HOLE[kind][1], 1)
        segments.append(before)
    return (*segments, path)


def _page(request: HttpRequest, name: str, *args: Any) -> str:
    segments = _page_template(name, tuple(isinstance(a, int) for a in args))
    parts = [_origin(request), segments[0]]
    for arg, segment in zip(args, segments[1:], strict=True):
        parts += (_part(arg), segment)
    return "".join(parts)


def _list(
    request: HttpRequest, page: Page, items: list[dict[str, Any]], limit: int, *, plain: bool = False
) -> HttpResponse:
    """A list page, rendered directly: the items are built field by field from the schemas' names and
    the tests check every list against the OpenAPI document, so the per-row Pydantic pass (most of a
    20-row page's CPU time) is skipped on the hot path.

    ``plain``: the items hold only text, numbers, booleans, None, lists and dicts (dates and times
    already written as text), so pydantic-core's encoder (in Rust, a dependency of django-ninja)
    writes the body, a third of the time of ``json.dumps`` with Django's encoder; it writes no
    spaces between items. It would write a date, time or decimal its own way, so plain lists must
    not hold any (a test walks the entity list's values); other objects are refused."""
    body = envelope(request, page, items, limit)
    if not plain:
        return api.create_response(request, body, status=200)
    return HttpResponse(to_json(body, fallback=_not_plain), content_type=JSON_TYPE)


JSON_TYPE = "application/json; charset=utf-8"


def _not_plain(value: Any) -> Any:
    raise TypeError(f"not a plain JSON value: {type(value).__name__}")


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A filter time in UTC. Without an offset it means Asia/Shanghai (the site's time zone); any
    offset Python accepts (up to ±24 h) is converted here, because PostgreSQL takes only ±15:59."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ApiError(
            422,
            "invalid_parameter",
            "时间超出可用范围（公元1年至9999年）",
            "time out of range (years 1 to 9999)",
        ) from None


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _last_modified(response: HttpResponse, *stamps: dt.datetime | None) -> None:
    known = [s for s in stamps if s is not None]
    if known:
        response["Last-Modified"] = http_date(max(known).timestamp())


def _coded(code: str, name: str) -> dict[str, str]:
    return {"code": code, "name": name}


def _str(value: Any) -> str | None:
    return None if value is None else f"{value.normalize():f}" if hasattr(value, "normalize") else str(value)


# --- index ---------------------------------------------------------------------------------------

meta = Router(tags=["参考 reference"])


@meta.get("/districts", response={200: S.CodedList, 429: S.Error}, summary="区划 districts (filter values)")
def districts(request: HttpRequest):
    from gongkai.core.models import District

    rows = District.objects.order_by("sort_order", "code").values_list("code", "name")
    return {"items": [_coded(c, n) for c, n in rows]}


@meta.get(
    "/departments", response={200: S.CodedList, 429: S.Error}, summary="部门 departments (filter values)"
)
def departments(request: HttpRequest):
    from gongkai.inspectors.models import Department

    return {"items": [_coded(c, n) for c, n in Department.objects.values_list("code", "name")]}


# --- entities ------------------------------------------------------------------------------------

registry = Router(tags=["市场主体 entities"])
ENTITY_SORTS = {
    "credit_code": Sort("credit_code", (("credit_code", False),)),
    "updated_at": Sort("updated_at", (("updated_at", False), ("credit_code", False))),
}
TYPE_LABELS = dict(EntityType.choices)
STATUS_LABELS = dict(EntityStatus.choices)
DIVISION_LABELS = dict(industries.DIVISION_CHOICES)


# The list reads plain rows, not model instances (building 40 instances was a seventh of a page's
# CPU). Only public fields: a test checks these against the columns public_entities() loads.
ENTITY_COLUMNS = (
    "credit_code", "name", "entity_type", "legal_representative", "registered_capital", "established_on",
    "status", "status_since", "registration_authority", "industry_section", "industry_division",
    "district_id", "district__name", "is_cluster_host", "cluster_host_id", "cluster_host__name", "updated_at",
)  # fmt: skip


# The list's query, compiled once per shape (ADR 0053): the filters are exact lookups or bounds.
ENTITY_LIST = ListQuery(
    portal.public_entities,
    ENTITY_COLUMNS,
    {
        "district_id": STR,
        "status": STR,
        "entity_type": STR,
        "industry_section": STR,
        "established_on__gte": DATE,
        "established_on__lte": DATE,
        "updated_at__gte": DATETIME,
        "credit_code": STR,
        "updated_at": DATETIME,
    },
)


def _entities(request: HttpRequest, records: Iterable[tuple[Any, str, str | None]]) -> list[dict[str, Any]]:
    """The public records of ``records``: (entity, its district's name, its cluster host's name),
    the entity a model instance or a row of :data:`ENTITY_COLUMNS`. What is the same on every row
    (labels in the active language, the links' beginnings) is worked out once per page."""
    base = _origin(request) + PREFIX
    entity_url = base + "entities/"
    results_url = base + "results?credit_code="
    penalties_url = base + "penalties?credit_code="
    page_start, page_end = _page_template("portal-entity", (False,))
    page_start = _origin(request) + page_start
    types, statuses = _translated(TYPE_LABELS), _translated(STATUS_LABELS)
    divisions = _translated(DIVISION_LABELS)
    individual = EntityType.INDIVIDUAL.value
    mask = portal.mask_person
    out = []
    for e, district_name, host_name in records:
        code, kind, status, division, host = (
            e.credit_code, e.entity_type, e.status, e.industry_division, e.cluster_host_id
        )  # fmt: skip
        part, query = _part(code), _qv(code)
        out.append(
            {
                "credit_code": code,
                "name": e.name,
                "entity_type": kind,
                "entity_type_label": types.get(kind, kind),
                "legal_representative": mask(e.legal_representative)
                if kind == individual
                else e.legal_representative,
                "registered_capital": None if kind == individual else _str(e.registered_capital),
                "established_on": e.established_on.isoformat(),
                "status": status,
                "status_label": statuses.get(status, status),
                "status_since": e.status_since.isoformat(),
                "registration_authority": e.registration_authority,
                "industry_section": e.industry_section,
                "industry_division": division,
                "industry_division_label": divisions.get(division, division),
                "district": {"code": e.district_id, "name": district_name},
                "is_cluster_host": e.is_cluster_host,
                "cluster_host": {"credit_code": host, "name": host_name, "url": entity_url + _part(host)}
                if host
                else None,
                "updated_at": _time(e.updated_at),
                "url": entity_url + part,
                "page_url": page_start + part + page_end,
                "results_url": results_url + query,
                "penalties_url": penalties_url + query,
            }
        )
    return out


@registry.get(
    "/entities",
    response={200: S.EntityPage, **LIST_ERRORS},
    summary="市场主体 entities: public record, filtered and paged",
)
def entity_list(
    request: HttpRequest,
    district: str | None = Query(
        None, max_length=6, description="district code of the 住所 (see /districts)"
    ),
    status: EntityStatus | None = None,
    entity_type: EntityType | None = None,
    industry_section: str | None = Query(None, max_length=1, description="行业门类, A–T"),
    established_from: Date | None = None,
    established_until: Date | None = None,
    updated_since: DateTime | None = Query(
        None, description="only entities changed at or after this time (pull a day's changes)"
    ),
    sort: str = Query("credit_code", pattern="^(credit_code|updated_at)$"),
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    page = ENTITY_LIST.page(
        filters={
            # An empty parameter (?district=) filters nothing, as before.
            "district_id": district or None,
            "status": status or None,
            "entity_type": entity_type or None,
            "industry_section": industry_section.upper() if industry_section else None,
            "established_on__gte": established_from or None,
            "established_on__lte": established_until or None,
            "updated_at__gte": _aware(updated_since) if updated_since else None,
        },
        sort=ENTITY_SORTS[sort],
        cursor=cursor,
        limit=limit,
    )
    items = _entities(request, ((e, e.district__name, e.cluster_host__name) for e in page.rows))
    return _list(request, page, items, limit, plain=True)


@registry.get(
    "/entities/{credit_code}",
    response={200: S.EntityDetail, **DETAIL_ERRORS},
    summary="一个市场主体 one entity by 统一社会信用代码, with its published results and penalties",
)
def entity_detail(request: HttpRequest, credit_code: str):
    try:
        entity = portal.public_entity(credit_code.strip())
    except ObjectDoesNotExist:
        raise not_found("市场主体", "entity", credit_code) from None
    host = entity.cluster_host
    [data] = _entities(request, [(entity, entity.district.name, host.name if host else None)])
    data["addresses"] = [
        {
            "kind": a.kind,
            "kind_label": a.get_kind_display(),
            "full_text": a.full_text,
            "district": _coded(a.district_id, a.district.name),
        }
        for a in entity.addresses.all()
    ]
    data["hosted_count"] = portal.hosted_count(entity)
    data["results"] = [_result(request, t) for t in portal.entity_public_results(entity)[:50]]
    data["penalties"] = [_penalty(request, d) for d in portal.entity_public_penalties(entity)]
    return data


# --- inspections -----------------------------------------------------------------------------------

insp = Router(tags=["双随机、一公开 inspections"])
ITEM_SORT = Sort("code", (("code", False), ("id", False)))
PLAN_SORT = Sort("-year", (("year", True), ("id", True)))
TASK_SORT = Sort("-announced_at", (("announced_at", True), ("id", True)))
RESULT_SORT = Sort("-results_published_at", (("results_published_at", True), ("id", True)))


def _item(request: HttpRequest, i: Any) -> dict[str, Any]:
    return {
        "code": i.code,
        "version": i.version,
        "category": i.category,
        "name": i.name,
        "target": i.target,
        "level": i.level,
        "level_label": i.get_level_display(),
        "methods": i.methods,
        "subject": i.subject,
        "basis": i.basis,
        "is_joint": i.is_joint,
        "lead_department": i.lead_department,
        "partner_departments": i.partner_departments,
        "tier": i.tier,
        "published_at": i.published_at,
        "url": _url(request, "items", i.code),
    }


@insp.get("/items", response={200: S.ItemPage, **LIST_ERRORS}, summary="抽查事项清单 inspection items")
def item_list(
    request: HttpRequest,
    category: str | None = Query(None, max_length=100, description="抽查类别"),
    level: ItemLevel | None = None,
    published_since: DateTime | None = None,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    qs = inspections.published_items()
    if category:
        qs = qs.filter(category=category)
    if level:
        qs = qs.filter(level=level)
    if published_since:
        qs = qs.filter(published_at__gte=_aware(published_since))
    page = paginate(qs, ITEM_SORT, cursor=cursor, limit=limit)
    return _list(request, page, [_item(request, i) for i in page.rows], limit)


@insp.get("/items/{code}", response={200: S.Item, **DETAIL_ERRORS}, summary="一个抽查事项 one item by code")
def item_detail(request: HttpRequest, code: str):
    item = inspections.published_items().filter(code=code).order_by("-version").first()
    if item is None:
        raise not_found("抽查事项", "inspection item", code)
    return _item(request, item)


def _plan(request: HttpRequest, p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "year": p.year,
        "name": p.name,
        "department": _coded(p.department_id, p.department.name),
        "content": p.content,
        "period": p.period,
        "ratio": p.ratio,
        "frequency": p.frequency,
        "quantity": p.quantity,
        "published_at": p.published_at,
        "url": _url(request, "plans", p.pk),
        "tasks_url": _url(request, "tasks", query={"plan": str(p.pk)}),
    }


@insp.get("/plans", response={200: S.PlanPage, **LIST_ERRORS}, summary="抽查计划 annual plans")
def plan_list(
    request: HttpRequest,
    year: int | None = Query(None, ge=2000, le=2100),
    department: str | None = Query(None, max_length=20, description="department code (see /departments)"),
    published_since: DateTime | None = None,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    qs = inspections.public_plans()
    if year:
        qs = qs.filter(year=year)
    if department:
        qs = qs.filter(department_id=department)
    if published_since:
        qs = qs.filter(published_at__gte=_aware(published_since))
    page = paginate(qs, PLAN_SORT, cursor=cursor, limit=limit)
    return _list(request, page, [_plan(request, p) for p in page.rows], limit)


@insp.get("/plans/{plan_id}", response={200: S.Plan, **DETAIL_ERRORS}, summary="一个抽查计划 one plan")
def plan_detail(request: HttpRequest, plan_id: int = Path(..., ge=1, le=MAX_ID)):
    plan = inspections.public_plans().filter(pk=plan_id).first()
    if plan is None:
        raise not_found("抽查计划", "plan", str(plan_id))
    return _plan(request, plan)


def _task(request: HttpRequest, t: Any) -> dict[str, Any]:
    return {
        "id": t.public_id,
        "name": t.name,
        "plan": {"id": str(t.plan_id), "name": t.plan.name, "url": _url(request, "plans", t.plan_id)},
        "department": _coded(t.plan.department_id, t.plan.department.name),
        "items": [{"code": i.code, "version": i.version, "name": i.name} for i in t.items.all()],
        "is_joint": t.is_joint,
        "period_start": t.period_start,
        "period_end": t.period_end,
        "state": t.state,
        "state_label": t.get_state_display(),
        "announced_at": t.announced_at,
        "drawn_at": t.drawn_at,
        "results_published_at": t.results_published_at,
        "closed_at": t.closed_at,
        "url": _url(request, "tasks", t.public_id),
        "page_url": _page(request, "public-task", t.public_id),
        "draw_url": _url(request, "tasks", t.public_id, "draw"),
        "results_url": _url(request, "results", query={"task": t.public_id}),
    }


@insp.get("/tasks", response={200: S.TaskPage, **LIST_ERRORS}, summary="抽查任务 announced tasks")
def task_list(
    request: HttpRequest,
    plan: int | None = Query(None, ge=1, le=MAX_ID, description="plan id"),
    department: str | None = Query(None, max_length=20),
    state: TaskState | None = None,
    announced_since: DateTime | None = None,
    announced_until: DateTime | None = None,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    qs = inspections.public_tasks()
    if plan:
        qs = qs.filter(plan_id=plan)
    if department:
        qs = qs.filter(plan__department_id=department)
    if state:
        qs = qs.filter(state=state)
    if announced_since:
        qs = qs.filter(announced_at__gte=_aware(announced_since))
    if announced_until:
        qs = qs.filter(announced_at__lte=_aware(announced_until))
    page = paginate(qs, TASK_SORT, cursor=cursor, limit=limit)
    return _list(request, page, [_task(request, t) for t in page.rows], limit)


def _public_task(task_id: str) -> Any:
    task = inspections.public_tasks().filter(public_id=task_id).first()
    if task is None:
        raise not_found("抽查任务", "task", task_id)
    return task


@insp.get("/tasks/{task_id}", response={200: S.Task, **DETAIL_ERRORS}, summary="一个抽查任务 one task")
def task_detail(request: HttpRequest, task_id: str):
    task = _public_task(task_id)
    response = api.create_response(
        request, S.Task(**_task(request, task)).model_dump(mode="json"), status=200
    )
    _last_modified(
        response, task.announced_at, task.drawn_at, task.inspection_started_at, task.results_published_at,
        task.closed_at,
    )  # fmt: skip
    return response


@insp.get(
    "/tasks/{task_id}/draw",
    response={200: S.Draw, **DETAIL_ERRORS},
    summary="摇号 the task's verifiable draw: commitment, seed, strata, drawn list",
)
def task_draw(request: HttpRequest, task_id: str):
    from gongkai.inspections import selectors
    from gongkai.inspections.public import public_strata

    task = _public_task(task_id)
    drawn: list[dict[str, Any]] = []
    replacements: list[dict[str, Any]] = []
    if task.drawn_at is not None:
        drawn = [
            {"credit_code": code, "name": name, "ticket": ticket}
            for code, name, ticket in selectors.drawn_list(task)  # ticket order for private strata
        ]
        for r in task.replacements.select_related("out_target__entity", "in_target__entity"):
            out, new = r.out_target.entity, r.in_target.entity
            replacements.append(
                {
                    "sequence": r.sequence,
                    "at": r.at,
                    "out": {
                        "credit_code": out.pk,
                        "name": out.name,
                        "url": _url(request, "entities", out.pk),
                    },
                    "replacement": {
                        "credit_code": new.pk,
                        "name": new.name,
                        "url": _url(request, "entities", new.pk),
                    },
                    "reason": r.reason,
                }
            )
    drawn_yet = bool(task.seed)
    return {
        "task": {"id": task.public_id, "name": task.name, "url": _url(request, "tasks", task.public_id)},
        "commitment": task.commitment,
        "seed_source": task.seed_source,
        "seed_not_before": task.seed_not_before,
        "seed": task.seed if drawn_yet else None,
        "seed_evidence": task.seed_evidence if drawn_yet else None,
        "seed_entered_at": task.seed_entered_at if drawn_yet else None,
        "drawn_at": task.drawn_at,
        "full_bundle_public": task.full_bundle_public,
        "strata": public_strata(task),
        "drawn": drawn,
        "replacements": replacements,
        "frozen_url": _page(request, "public-task-frozen", task.public_id)
        if task.full_bundle_public
        else None,
        "bundle_url": _page(request, "public-task-bundle", task.public_id)
        if task.full_bundle_public and task.drawn_at is not None
        else None,
        "verifier_url": _page(request, "public-verifier"),
    }


def _result(request: HttpRequest, t: Any) -> dict[str, Any]:
    task, entity = t.task, t.entity
    return {
        "id": f"{task.public_id}/{entity.credit_code}",
        "task": {"id": task.public_id, "name": task.name, "url": _url(request, "tasks", task.public_id)},
        "plan_id": task.plan_id,
        "department": _coded(task.plan.department_id, task.plan.department.name),
        "entity": {
            "credit_code": entity.credit_code,
            "name": entity.name,
            "url": _url(request, "entities", entity.credit_code),
        },
        "published_at": t.results_published_at,
        "records": [
            {
                "item_code": r.item.code,
                "item_name": r.item.name,
                "results": [_coded(c.code, c.label) for c in r.categories.all()],
            }
            for r in t.records.all()
        ],
        "url": _url(request, "results", task.public_id, entity.credit_code),
        "penalties_url": _url(request, "penalties", query={"credit_code": entity.credit_code}),
    }


@insp.get("/results", response={200: S.ResultPage, **LIST_ERRORS}, summary="抽查结果 published results")
def result_list(
    request: HttpRequest,
    task: str | None = Query(None, max_length=40, description="task id"),
    credit_code: str | None = Query(None, max_length=18),
    department: str | None = Query(None, max_length=20),
    district: str | None = Query(None, max_length=6, description="district of the entity's 住所"),
    published_since: DateTime | None = None,
    published_until: DateTime | None = None,
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    qs = inspections.published_results()
    if task:
        qs = qs.filter(task__public_id=task)
    if credit_code:
        qs = qs.filter(entity_id=credit_code.upper())
    if department:
        qs = qs.filter(task__plan__department_id=department)
    if district:
        qs = qs.filter(entity__district_id=district)
    if published_since:
        qs = qs.filter(results_published_at__gte=_aware(published_since))
    if published_until:
        qs = qs.filter(results_published_at__lte=_aware(published_until))
    page = paginate(qs, RESULT_SORT, cursor=cursor, limit=limit)
    return _list(request, page, [_result(request, t) for t in page.rows], limit)


@insp.get(
    "/results/{task_id}/{credit_code}",
    response={200: S.Result, **DETAIL_ERRORS},
    summary="一条抽查结果 one result by task id and credit code",
)
def result_detail(request: HttpRequest, task_id: str, credit_code: str):
    target = (
        inspections.published_results().filter(task__public_id=task_id, entity_id=credit_code.upper()).first()
    )
    if target is None:
        raise not_found("抽查结果", "result", f"{task_id}/{credit_code}")
    return _result(request, target)


# --- penalties -----------------------------------------------------------------------------------

pen = Router(tags=["行政处罚 penalties"])
PENALTY_SORTS = {
    "-decision_date": Sort("-decision_date", (("decision_date", True), ("id", True))),
    "published_at": Sort("published_at", (("published_at", False), ("id", False))),
}
WITHDRAWAL_SORT = Sort("-withdrawn_at", (("withdrawn_at", True), ("id", True)))


def _penalty(request: HttpRequest, d: Any) -> dict[str, Any]:
    code = d.entity.credit_code if d.entity_id else None
    return {
        "id": d.public_id,
        "number": d.number,
        "party": d.party_name or (d.entity.name if d.entity_id else ""),
        "party_kind": d.party_kind,
        "credit_code": code,
        "entity_url": _url(request, "entities", code) if code else None,
        "violation_type": d.violation_type,
        "violation_category": d.violation_category,
        "violation_category_label": d.get_violation_category_display(),
        "legal_basis": d.legal_basis,
        "penalty": d.penalty_summary,
        "fine": _str(d.fine),
        "confiscated_gains": _str(d.confiscated_gains),
        "authority": d.authority,
        "decision_date": d.decision_date,
        "published_on": d.published_on,
        "published_at": d.published_at,
        "display_ends_on": None if d.display_indefinite else d.display_ends_on,
        "display_indefinite": d.display_indefinite,
        "district": _coded(d.district_id, d.district.name),
        "url": _url(request, "penalties", d.public_id),
        "page_url": _page(request, "public-penalty", d.public_id),
    }


@pen.get(
    "/penalties",
    response={200: S.PenaltyPage, **LIST_ERRORS},
    summary="行政处罚 penalty decisions in their display period (expired ones are never listed)",
)
def penalty_list(
    request: HttpRequest,
    credit_code: str | None = Query(None, max_length=18),
    number: str | None = Query(None, max_length=100, description="决定书文号 (exact)"),
    district: str | None = Query(None, max_length=6),
    authority: str | None = Query(None, max_length=100, description="作出决定机关 (exact)"),
    category: ViolationCategory | None = None,
    decided_from: Date | None = None,
    decided_until: Date | None = None,
    published_since: DateTime | None = None,
    sort: str = Query("-decision_date", pattern="^(-decision_date|published_at)$"),
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    qs = penalties.public_decisions()
    if credit_code:
        qs = qs.filter(entity_id=credit_code.upper())
    if number:
        qs = qs.filter(number=number)
    if district:
        qs = qs.filter(district_id=district)
    if authority:
        qs = qs.filter(authority=authority)
    if category:
        qs = qs.filter(violation_category=category)
    if decided_from:
        qs = qs.filter(decision_date__gte=decided_from)
    if decided_until:
        qs = qs.filter(decision_date__lte=decided_until)
    if published_since:
        qs = qs.filter(published_at__gte=_aware(published_since))
    page = paginate(qs, PENALTY_SORTS[sort], cursor=cursor, limit=limit)
    return _list(request, page, [_penalty(request, d) for d in page.rows], limit)


@pen.get(
    "/penalties/{key}",
    response={200: S.PenaltyDetail, **DETAIL_ERRORS},
    summary="一个行政处罚决定 one decision by public id or 决定书文号, with the redacted text",
)
def penalty_detail(request: HttpRequest, key: str):
    qs = penalties.public_decisions().prefetch_related("corrections")
    decision = qs.filter(public_id=key).first() or qs.filter(number=key).first()
    if decision is None:
        raise not_found("公示期内的行政处罚决定（可能已届满或已撤回）", "penalty decision in display", key)
    data = _penalty(request, decision)
    data["text"] = decision.public_text
    corrections = list(decision.corrections.all())
    data["corrections"] = [
        {
            "at": c.corrected_at,
            "reason": c.reason,
            "requested_by_party": c.requested_by_party,
            "changes": [
                {"field": ch.get("field"), "label": ch.get("label")}
                if ch.get("field") == "public_text"
                else {k: ch.get(k) for k in ("field", "label", "before", "after")}
                for ch in c.changes
            ],
        }
        for c in corrections
    ]
    response = api.create_response(request, S.PenaltyDetail(**data).model_dump(mode="json"), status=200)
    _last_modified(response, decision.published_at, *(c.corrected_at for c in corrections))
    return response


@pen.get(
    "/penalty-withdrawals",
    response={200: S.WithdrawalPage, **LIST_ERRORS},
    summary="撤回公告 notices of withdrawn penalty publications",
)
def withdrawal_list(request: HttpRequest, cursor: str | None = CURSOR, limit: int = LIMIT):
    page = paginate(penalties.public_withdrawals(), WITHDRAWAL_SORT, cursor=cursor, limit=limit)
    labels = dict(WithdrawalGround.choices)
    items = [
        {
            "decision_id": w.decision.public_id,
            "number": w.decision.number,
            "party": w.decision.party_name,
            "authority": w.decision.authority,
            "ground": w.ground,
            "ground_label": str(labels.get(w.ground, w.ground)),
            "grounds_date": w.grounds_date,
            "reason": w.reason,
            "withdrawn_at": w.withdrawn_at,
            "notice_until": w.notice_until,
        }
        for w in page.rows
    ]
    return _list(request, page, items, limit)


# --- 政务公开 ------------------------------------------------------------------------------------

disc = Router(tags=["政务公开 policy documents, interpretations, guides"])
PUBLISHED_SORTS = {
    "-published_at": Sort("-published_at", (("published_at", True), ("id", True))),
    "updated_at": Sort("updated_at", (("updated_at", False), ("id", False))),
}
GUIDE_SORTS = {
    "name": Sort("name", (("name", False), ("id", False))),
    "updated_at": PUBLISHED_SORTS["updated_at"],
}
TOPIC_LABELS = dict(Topic.choices)
VALIDITY_LABELS = dict(Validity.choices)


def _attachment(request: HttpRequest, a: Any) -> dict[str, Any]:
    return {
        "title": a.title,
        "kind": a.kind,
        "file_type": a.file_type,
        "size": a.size,
        "sha256": a.sha256,
        "url": _page(request, "public-file", a.pk),
    }


def _notes(item: Any) -> list[dict[str, Any]]:
    return [{"at": n.at, "note": n.note} for n in item.change_notes.all()]


def _document(request: HttpRequest, d: Any) -> dict[str, Any]:
    return {
        "id": d.pk,
        "index_no": d.index_no,
        "doc_number": d.doc_number,
        "title": d.title,
        "issuer": d.issuer,
        "written_on": d.written_on,
        "topic": d.topic,
        "topic_label": str(TOPIC_LABELS.get(d.topic, d.topic)),
        "validity": d.validity,
        "validity_label": str(VALIDITY_LABELS.get(d.validity, d.validity)),
        "valid_from": d.valid_from,
        "validity_changed_on": d.validity_changed_on,
        "superseded_by": d.superseded_by_id,
        "state": d.state,
        "published_at": d.published_at,
        "updated_at": d.updated_at,
        "withdrawn_at": d.withdrawn_at,
        "withdrawal_notice": d.withdrawal_notice,
        "interpretation_count": getattr(d, "n_interpretations", 0),
        "url": _url(request, "documents", d.pk),
        "page_url": _page(request, "public-document", d.pk),
    }


def _dates(qs: Any, since: dt.datetime | None, until: dt.datetime | None, updated: dt.datetime | None) -> Any:
    if since:
        qs = qs.filter(published_at__gte=_aware(since))
    if until:
        qs = qs.filter(published_at__lte=_aware(until))
    if updated:
        qs = qs.filter(updated_at__gte=_aware(updated))
    return qs


@disc.get("/documents", response={200: S.DocumentPage, **LIST_ERRORS}, summary="政策文件 policy documents")
def document_list(
    request: HttpRequest,
    topic: Topic | None = None,
    validity: Validity | None = None,
    issuer: str | None = Query(None, max_length=100),
    published_since: DateTime | None = None,
    published_until: DateTime | None = None,
    updated_since: DateTime | None = Query(
        None, description="changed (published, corrected, withdrawn) since"
    ),
    sort: str = Query("-published_at", pattern="^(-published_at|updated_at)$"),
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    qs = disclosure.public_documents(topic=topic or "", validity=validity or "")
    if issuer:
        qs = qs.filter(issuer=issuer)
    qs = _dates(qs, published_since, published_until, updated_since)
    page = paginate(qs, PUBLISHED_SORTS[sort], cursor=cursor, limit=limit)
    return _list(request, page, [_document(request, d) for d in page.rows], limit)


@disc.get(
    "/documents/{doc_id}",
    response={200: S.DocumentDetail, **DETAIL_ERRORS},
    summary="一个政策文件 one document",
)
def document_detail(request: HttpRequest, doc_id: int = Path(..., ge=1, le=MAX_ID)):
    try:
        d = disclosure.public_document(doc_id)
    except ObjectDoesNotExist:
        raise not_found("政策文件", "document", str(doc_id)) from None
    data = _document(request, d)
    interps = list(d.interpretations.all())
    data["interpretation_count"] = len(interps)
    data["body_html"] = d.body_html
    data["interpretations"] = [
        {"id": i.pk, "title": i.title, "kind": i.kind, "url": _url(request, "interpretations", i.pk)}
        for i in interps
    ]
    data["attachments"] = [_attachment(request, a) for a in d.attachments.all()]
    data["change_notes"] = _notes(d)
    data["supersedes"] = [
        {"id": s.pk, "title": s.title, "url": _url(request, "documents", s.pk)} for s in d.supersedes.all()
    ]
    data["guides"] = [
        {"id": g.pk, "name": g.name, "url": _url(request, "guides", g.pk)} for g in d.guides.all()
    ]
    response = api.create_response(request, S.DocumentDetail(**data).model_dump(mode="json"), status=200)
    _last_modified(response, d.updated_at)
    return response


def _interpretation(request: HttpRequest, i: Any) -> dict[str, Any]:
    return {
        "id": i.pk,
        "document": {
            "id": i.document_id,
            "title": i.document.title,
            "url": _url(request, "documents", i.document_id),
        },
        "kind": i.kind,
        "kind_label": i.get_kind_display(),
        "title": i.title,
        "image_alt": i.image_alt,
        "press_date": i.press_date,
        "speakers": i.speakers,
        "state": i.state,
        "published_at": i.published_at,
        "updated_at": i.updated_at,
        "withdrawal_notice": i.withdrawal_notice,
        "url": _url(request, "interpretations", i.pk),
        "page_url": _page(request, "public-interpretation", i.pk),
    }


@disc.get(
    "/interpretations",
    response={200: S.InterpretationPage, **LIST_ERRORS},
    summary="政策解读 interpretations of policy documents",
)
def interpretation_list(
    request: HttpRequest,
    kind: InterpretationKind | None = None,
    document: int | None = Query(None, ge=1, le=MAX_ID, description="document id"),
    published_since: DateTime | None = None,
    published_until: DateTime | None = None,
    updated_since: DateTime | None = None,
    sort: str = Query("-published_at", pattern="^(-published_at|updated_at)$"),
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    qs = disclosure.public_interpretations(kind=kind or "")
    if document:
        qs = qs.filter(document_id=document)
    qs = _dates(qs, published_since, published_until, updated_since)
    page = paginate(qs, PUBLISHED_SORTS[sort], cursor=cursor, limit=limit)
    return _list(request, page, [_interpretation(request, i) for i in page.rows], limit)


@disc.get(
    "/interpretations/{interpretation_id}",
    response={200: S.InterpretationDetail, **DETAIL_ERRORS},
    summary="一篇政策解读 one interpretation",
)
def interpretation_detail(request: HttpRequest, interpretation_id: int = Path(..., ge=1, le=MAX_ID)):
    try:
        i = disclosure.public_interpretation(interpretation_id)
    except ObjectDoesNotExist:
        raise not_found("政策解读", "interpretation", str(interpretation_id)) from None
    data = _interpretation(request, i)
    data["body_html"] = i.body_html
    data["attachments"] = [_attachment(request, a) for a in i.attachments.all()]
    data["change_notes"] = _notes(i)
    response = api.create_response(
        request, S.InterpretationDetail(**data).model_dump(mode="json"), status=200
    )
    _last_modified(response, i.updated_at)
    return response


def _guide(request: HttpRequest, g: Any) -> dict[str, Any]:
    return {
        "id": g.pk,
        "name": g.name,
        "department": g.department,
        "basis": g.basis,
        "conditions": g.conditions,
        "materials": g.material_lines(),
        "process": g.process,
        "time_limit": g.time_limit,
        "fees": g.fees,
        "place_hours": g.place_hours,
        "phone": g.phone,
        "online_url": g.online_url,
        "state": g.state,
        "published_at": g.published_at,
        "updated_at": g.updated_at,
        "withdrawal_notice": g.withdrawal_notice,
        "url": _url(request, "guides", g.pk),
        "page_url": _page(request, "public-guide", g.pk),
    }


@disc.get("/guides", response={200: S.GuidePage, **LIST_ERRORS}, summary="办事指南 business guides")
def guide_list(
    request: HttpRequest,
    department: str | None = Query(None, max_length=100, description="实施机构 (exact)"),
    updated_since: DateTime | None = None,
    sort: str = Query("name", pattern="^(name|updated_at)$"),
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    qs = disclosure.public_guides()
    if department:
        qs = qs.filter(department=department)
    qs = _dates(qs, None, None, updated_since)
    page = paginate(qs, GUIDE_SORTS[sort], cursor=cursor, limit=limit)
    return _list(request, page, [_guide(request, g) for g in page.rows], limit)


@disc.get(
    "/guides/{guide_id}", response={200: S.GuideDetail, **DETAIL_ERRORS}, summary="一个办事指南 one guide"
)
def guide_detail(request: HttpRequest, guide_id: int = Path(..., ge=1, le=MAX_ID)):
    try:
        g = disclosure.public_guide(guide_id)
    except ObjectDoesNotExist:
        raise not_found("办事指南", "guide", str(guide_id)) from None
    data = _guide(request, g)
    data["documents"] = [
        {"id": d.pk, "title": d.title, "url": _url(request, "documents", d.pk)} for d in g.documents.all()
    ]
    data["attachments"] = [_attachment(request, a) for a in g.attachments.all()]
    data["change_notes"] = _notes(g)
    response = api.create_response(request, S.GuideDetail(**data).model_dump(mode="json"), status=200)
    _last_modified(response, g.updated_at)
    return response


# --- 互动交流 ------------------------------------------------------------------------------------

qa = Router(tags=["留言答复 published Q&A"])
MESSAGE_SORTS = {
    "-replied_on": Sort("-replied_on", (("replied_on", True), ("id", True))),
    "published_at": Sort("published_at", (("published_at", False), ("id", False))),
}
CATEGORY_LABELS = dict(MessageCategory.choices)


def _message(request: HttpRequest, m: Any) -> dict[str, Any]:
    return {
        "id": m.pk,
        "category": m.category,
        "category_label": str(CATEGORY_LABELS.get(m.category, m.category)),
        "subject": m.public_subject,
        "question": m.public_body,
        "reply": m.public_reply,
        "department": m.department.name if m.department_id else None,
        "received_on": m.received_on,
        "replied_on": m.replied_on,
        "published_at": m.published_at,
        "url": _url(request, "messages", m.pk),
        "page_url": _page(request, "public-message", m.pk),
    }


@qa.get(
    "/messages",
    response={200: S.MessagePage, **LIST_ERRORS},
    summary="公开的留言及答复 published questions and replies (the sender's identity removed)",
)
def message_list(
    request: HttpRequest,
    category: MessageCategory | None = None,
    replied_from: Date | None = None,
    replied_until: Date | None = None,
    published_since: DateTime | None = None,
    sort: str = Query("-replied_on", pattern="^(-replied_on|published_at)$"),
    cursor: str | None = CURSOR,
    limit: int = LIMIT,
):
    qs = interaction.published_messages(category=category or "")
    if replied_from:
        qs = qs.filter(replied_on__gte=replied_from)
    if replied_until:
        qs = qs.filter(replied_on__lte=replied_until)
    if published_since:
        qs = qs.filter(published_at__gte=_aware(published_since))
    page = paginate(qs, MESSAGE_SORTS[sort], cursor=cursor, limit=limit)
    return _list(request, page, [_message(request, m) for m in page.rows], limit)


@qa.get(
    "/messages/{message_id}", response={200: S.Message, **DETAIL_ERRORS}, summary="一条公开的留言 one Q&A"
)
def message_detail(request: HttpRequest, message_id: int = Path(..., ge=1, le=MAX_ID)):
    m = interaction.published_messages().filter(pk=message_id).first()
    if m is None:
        raise not_found("公开的留言", "published message", str(message_id))
    return _message(request, m)


# --- 惠企政策 and statistics ---------------------------------------------------------------------

pol = Router(tags=["惠企政策 support policies"])
POLICY_SORT = Sort("code", (("code", False),))


def _policy(request: HttpRequest, policy: Any, version: Any) -> dict[str, Any]:
    from gongkai.policies import selectors as policies

    f = policies.public_figures(policy)
    return {
        "code": policy.code,
        "title": policy.title,
        "department": policy.department,
        "version": version.number,
        "valid_from": version.valid_from,
        "valid_to": version.valid_to,
        "mode": version.mode,
        "beneficiary_kind": version.beneficiary_kind,
        "figures": {
            "eligible": f.eligible,
            "notified": f.notified,
            "paid_count": f.paid_count,
            "paid_amount": f.paid_amount,
        },
        "url": _url(request, "policies", policy.code),
        "page_url": _page(request, "public-benefit", policy.code),
    }


@pol.get(
    "/policies",
    response={200: S.PolicyPage, **LIST_ERRORS},
    summary="惠企政策 published support policies with counts (never names or amounts per beneficiary)",
)
def policy_list(request: HttpRequest, cursor: str | None = CURSOR, limit: int = LIMIT):
    from gongkai.policies import selectors as policies

    page = paginate_list(
        policies.public_policies(), POLICY_SORT, lambda pv: (pv[0].code,), cursor=cursor, limit=limit
    )
    return _list(request, page, [_policy(request, p, v) for p, v in page.rows], limit)


@pol.get("/policies/{code}", response={200: S.Policy, **DETAIL_ERRORS}, summary="一项惠企政策 one policy")
def policy_detail(request: HttpRequest, code: str):
    from gongkai.policies import selectors as policies

    for policy, version in policies.public_policies():
        if policy.code == code:
            return _policy(request, policy, version)
    raise not_found("已发布的惠企政策", "published policy", code)


stats = Router(tags=["统计 statistics"])
DATASET_SORT = Sort("name", (("name", False),))


def _dataset_ref(request: HttpRequest, name: str, title: str) -> dict[str, Any]:
    return {
        "name": name,
        "title": title,
        "url": _url(request, "stats", name),
        "csv_url": _page(request, "public-stats-csv", name),
    }


@stats.get(
    "/stats", response={200: S.DatasetRefPage, **LIST_ERRORS}, summary="统计数据集 statistical datasets"
)
def dataset_list(request: HttpRequest, cursor: str | None = CURSOR, limit: int = LIMIT):
    from gongkai.stats import selectors as st

    names = [n for n in st.DATASETS if st.dataset(n) is not None]
    page = paginate_list(names, DATASET_SORT, lambda n: (n,), cursor=cursor, limit=limit)
    items = []
    for name in page.rows:
        data = st.dataset(name)
        if data is not None:
            items.append(_dataset_ref(request, name, data.title))
    return _list(request, page, items, limit)


@stats.get("/stats/{name}", response={200: S.Dataset, **DETAIL_ERRORS}, summary="一个统计数据集 one dataset")
def dataset_detail(request: HttpRequest, name: str):
    from gongkai.stats import selectors as st

    data = st.dataset(name) if name in st.DATASETS else None
    if data is None:
        raise not_found("统计数据集", "dataset", name)
    refresh = st.last_refresh()
    return {
        **_dataset_ref(request, name, data.title),
        "header": [str(h) for h in data.header],
        "rows": [list(r) for r in data.rows],
        "note": data.note,
        "source": data.source,
        "refreshed_at": refresh.refreshed_at if refresh else None,
    }


for router in (meta, registry, insp, pen, disc, qa, pol, stats):
    api.add_router("/", router)
