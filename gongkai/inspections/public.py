"""What the public sees of 双随机、一公开: the four tabs, each task's draw, and the roster.

Nothing here shows a credit-risk class: when a task's strata follow it, the public page shows the
commitment, the seed, each stratum's size and quota under opaque names, and the drawn list with
tickets — never which stratum a drawn entity was in, nor the strata's cut-off tickets (ADR 6).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext

from gongkai.inspections import engine, selectors
from gongkai.inspections.choices import TargetRole
from gongkai.inspections.models import Task
from gongkai.inspectors.models import Officer
from gongkai.registry import industries

VERIFIER = Path(__file__).with_name("gongkai_draw.py")


def bundle_stream(task: Task) -> tuple[int, Iterator[bytes]]:
    """The bundle of §7 (frozen document, seed as entered, result; canonical JSON): its length in
    bytes, and its bytes in slices read from the database as they are sent.

    Both stored texts are canonical already, and a canonical object lists its members by key
    (``frozen`` < ``result`` < ``seed``), so the bundle is the texts joined: nothing is parsed or
    held whole (a province's bundle is hundreds of megabytes, 447 MiB measured for 15M entities;
    sent whole, it cost 2.2 GiB of memory).
    """
    head, middle = b'{"frozen":', b',"result":'
    tail = b',"seed":' + engine.canonical(task.seed_as_entered).encode("utf-8") + b"}\n"
    sizes = selectors.text_sizes(task)

    def chunks() -> Iterator[bytes]:
        yield head
        yield from selectors.text_slices(task, "frozen_text")
        yield middle
        yield from selectors.text_slices(task, "result_text")
        yield tail

    return len(head) + sizes["frozen_text"] + len(middle) + sizes["result_text"] + len(tail), chunks()


def bundle_bytes(task: Task) -> bytes:
    """The whole bundle at once (``bundle_stream``), for a caller that needs it in memory."""
    return b"".join(bundle_stream(task)[1])


def frozen_stream(task: Task) -> tuple[int, Iterator[bytes]]:
    """The frozen document as downloaded (its canonical text and a line feed), like ``bundle_stream``."""

    def chunks() -> Iterator[bytes]:
        yield from selectors.text_slices(task, "frozen_text")
        yield b"\n"

    return selectors.text_sizes(task)["frozen_text"] + 1, chunks()


def download(stream: tuple[int, Iterator[bytes]], filename: str) -> StreamingHttpResponse:
    """A JSON document sent as it is read (``bundle_stream``, ``frozen_stream``), with its length."""
    length, chunks = stream
    response = StreamingHttpResponse(chunks, content_type="application/json")
    response["Content-Length"] = str(length)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stratum_label(name: str) -> tuple[str, bool]:
    """A stratum's name as the page shows it, and whether it is Chinese content.

    The frozen document keeps the names the draw was made with (``population``): 全部, 层1…,
    集中登记地址, "A 农、林、牧、渔业" or a district's name. The ones the system gives are translated;
    a district's name is content.
    """
    if name == "全部":
        return gettext("全部"), False
    if name == "集中登记地址":
        return gettext("集中登记地址"), False
    if match := re.fullmatch(r"层(\d+)", name):
        return gettext("层%(number)s") % {"number": match[1]}, False
    section, _, section_name = name.partition(" ")
    if section_name and section_name == industries.section_name(section):
        return str(dict(industries.SECTION_CHOICES)[section]), False
    return name, True


def public_strata(task: Task) -> list[dict]:
    """Each stratum's name, size, quota and cut-off ticket (the last selected ticket).

    From what the task keeps beside its documents (``announced_strata``) and its target rows: the
    frozen document and the result are not read (tens of megabytes for a city).
    """
    rows = [{**stratum, "cutoff": None} for stratum in task.announced_strata]
    if task.drawn_at is None:
        return rows
    selected = task.targets.filter(role=TargetRole.SELECTED)
    counts = dict(selected.values_list("stratum_index").annotate(count=Count("pk")).order_by())
    for index, row in enumerate(rows):
        row["selected"] = counts.get(index, 0)
    # Cut-off tickets of strata sampled at different rates would let anyone who computes every
    # registered entity's ticket place entities in strata, i.e. learn risk classes.
    if task.full_bundle_public and counts:
        last = Q()
        for index, count in counts.items():
            last |= Q(stratum_index=index, rank=count)
        for index, ticket in selected.filter(last).values_list("stratum_index", "ticket"):
            rows[index]["cutoff"] = ticket
    return rows


def index(request: HttpRequest) -> HttpResponse:
    """The four tabs: 抽查事项清单 / 抽查计划公告 / 抽查任务公告 / 抽查结果公告."""
    tab = request.GET.get("tab", "tasks")
    context: dict = {"tab": tab}
    if tab == "items":
        context["items"] = selectors.published_items()
    elif tab == "plans":
        context["plans"] = selectors.public_plans()
    elif tab == "results":
        q = request.GET.get("q", "").strip()
        results = selectors.published_results()
        if q:
            results = results.filter(Q(entity__name__contains=q) | Q(entity_id=q.upper()))
        context["q"] = q
        context["page"] = Paginator(results, 30).get_page(request.GET.get("page"))
    else:
        context["tab"] = "tasks"
        context["page"] = Paginator(selectors.public_tasks(), 30).get_page(request.GET.get("page"))
    return render(request, "inspections/public/index.html", context)


def task_page(request: HttpRequest, public_id: str) -> HttpResponse:
    task = get_object_or_404(selectors.public_tasks(), public_id=public_id)
    strata = public_strata(task)
    for row in strata:
        row["label"], row["content"] = stratum_label(row["name"])
    context = {"task": task, "strata": strata}
    if task.drawn_at is not None:
        context["page"] = Paginator(selectors.drawn_list(task), DRAWN_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context["replacements"] = task.replacements.select_related("out_target__entity", "in_target__entity")
    return render(request, "inspections/public/task.html", context)


DRAWN_PER_PAGE = 200  # a city's task draws tens of thousands


def task_frozen(request: HttpRequest, public_id: str) -> StreamingHttpResponse:
    task = get_object_or_404(selectors.public_tasks(), public_id=public_id)
    if not task.full_bundle_public:
        raise Http404("该任务按信用风险分类分层，冻结文件不公开（见任务页面说明）")
    return download(frozen_stream(task), f"{task.public_id}.frozen.json")


def task_bundle(request: HttpRequest, public_id: str) -> StreamingHttpResponse:
    task = get_object_or_404(selectors.public_tasks(), public_id=public_id)
    if not task.full_bundle_public or task.drawn_at is None:
        raise Http404("该任务的完整摇号数据不公开或尚未摇号")
    return download(bundle_stream(task), f"{task.public_id}.bundle.json")


def verifier(request: HttpRequest) -> FileResponse:
    """The single-file, standard-library-only verifier (the engine itself)."""
    response = FileResponse(VERIFIER.open("rb"), content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="gongkai_draw.py"'
    return response


def roster(request: HttpRequest) -> HttpResponse:
    """执法检查人员名录: name, certificate number, department — nothing private."""
    officers = (
        Officer.objects.filter(is_law_enforcement=True, status="on_duty")
        .select_related("department")
        .only("name", "certificate_no", "department__name", "unit")
        .order_by("department__code", "name")
    )
    return render(
        request,
        "inspections/public/roster.html",
        {"page": Paginator(officers, 100).get_page(request.GET.get("page"))},
    )
