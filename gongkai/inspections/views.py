"""Staff pages of 双随机、一公开. Views validate input and call services; nothing else."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from gongkai.core import audit
from gongkai.core.access import staff_view
from gongkai.core.calendar import CalendarNotCovered
from gongkai.inspections import selectors, services
from gongkai.inspections.choices import ItemStatus, TaskState
from gongkai.inspections.forms import (
    AttachmentForm,
    ItemCreateForm,
    ItemForm,
    ItemImportForm,
    PlanForm,
    RecordForm,
    ReplacementForm,
    SeedForm,
    TaskForm,
)
from gongkai.inspections.models import Attachment, InspectionItem, Plan, Target, Task, via
from gongkai.registry.models import Entity


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@staff_view("inspections.view_task")
def overview(request: HttpRequest) -> HttpResponse:
    tasks = Task.objects.select_related("plan__department").order_by("-created_at")
    return render(
        request,
        "inspections/overview.html",
        {
            "plans": Plan.objects.select_related("department").order_by("-year", "name")[:50],
            "page": Paginator(tasks, 30).get_page(request.GET.get("page")),
            "items_count": selectors.published_items().count(),
        },
    )


# --- items ----------------------------------------------------------------------------------------


@staff_view("inspections.view_inspectionitem")
def item_list(request: HttpRequest) -> HttpResponse:
    form = ItemImportForm()
    if request.method == "POST":
        _need(request, "inspections.add_inspectionitem")
        form = ItemImportForm(request.POST, request.FILES)
        if form.is_valid():
            _import_items(request, form.cleaned_data["file"], publish=bool(request.POST.get("publish")))
            return redirect("staff-item-list")
    items = InspectionItem.objects.order_by("code", "-version")
    return render(request, "inspections/item_list.html", {"items": items, "form": form})


def _import_items(request: HttpRequest, upload, *, publish: bool) -> None:
    import tempfile
    from pathlib import Path

    from gongkai.core.tabular import TableError
    from gongkai.inspections.catalogue import import_items

    suffix = Path(upload.name).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            result = import_items(actor=request.user, path=tmp.name, publish=publish, name=upload.name)
        except TableError as exc:
            messages.error(request, f"文件被拒绝，未做任何修改：{exc}")
            return
    messages.success(
        request,
        f"新增或修订 {len(result.saved)} 项，未变化 {result.unchanged} 项，发布 {result.published} 项。",
    )
    for p in result.problems:
        messages.error(request, f"第{p.row}行 {p.column}：{p.message}（该行未导入）")


@staff_view("inspections.add_inspectionitem")
def item_create(request: HttpRequest) -> HttpResponse:
    form = ItemCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data.pop("code")
        if InspectionItem.objects.filter(code=code).exists():
            form.add_error("code", "该编码已存在，请在事项页面修订")
        else:
            try:
                item = services.item_save(actor=request.user, code=code, values=form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "事项草稿已保存。")
                return redirect("staff-item-detail", code=item.code)
    return render(request, "inspections/item_form.html", {"form": form})


@staff_view("inspections.view_inspectionitem")
def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    versions = list(InspectionItem.objects.filter(code=code).order_by("-version"))
    if not versions:
        raise Http404("没有这个事项")
    latest = versions[0]
    form = ItemForm(
        instance=latest if latest.status == ItemStatus.DRAFT else None,
        initial=None
        if latest.status == ItemStatus.DRAFT
        else {f: getattr(latest, f) for f in ItemForm.Meta.fields},
    )
    if request.method == "POST":
        if not request.user.has_perm("inspections.change_inspectionitem"):
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "publish":
                services.item_publish(actor=request.user, item=latest)
                messages.success(request, f"第{latest.version}版已发布。")
                return redirect("staff-item-detail", code=code)
            if action == "retire":
                services.item_retire(actor=request.user, item=latest)
                messages.success(request, "事项已停用；使用过它的任务仍显示该版本。")
                return redirect("staff-item-detail", code=code)
            form = ItemForm(request.POST)
            if form.is_valid():
                services.item_save(actor=request.user, code=code, values=form.cleaned_data)
                messages.success(request, "修订已保存为草稿，发布后生效。")
                return redirect("staff-item-detail", code=code)
        except ValidationError as exc:
            _errors(request, exc)
    return render(
        request, "inspections/item_detail.html", {"versions": versions, "latest": latest, "form": form}
    )


# --- plans ------------------------------------------------------------------------------------------


@staff_view("inspections.add_plan")
def plan_create(request: HttpRequest) -> HttpResponse:
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_save(actor=request.user, plan=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("staff-plan-detail", pk=plan.pk)
    return render(request, "inspections/plan_form.html", {"form": form})


@staff_view("inspections.view_plan")
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.select_related("department"), pk=pk)
    if request.method == "POST":
        if not request.user.has_perm("inspections.change_plan"):
            raise PermissionDenied
        try:
            services.plan_publish(actor=request.user, plan=plan)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "计划已公布。")
        return redirect("staff-plan-detail", pk=pk)
    return render(request, "inspections/plan_detail.html", {"plan": plan, "tasks": plan.tasks.all()})


# --- tasks ------------------------------------------------------------------------------------------


def _task_from_form(task: Task, form: TaskForm) -> None:
    data = form.cleaned_data
    for name in (
        "name",
        "is_joint",
        "entity_types",
        "industry_sections",
        "industry_divisions",
        "strata_mode",
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
    ):
        setattr(task, name, data[name])
    task.required_departments = [d.code for d in data["required_departments"]]
    task.districts = [d.code for d in data["districts"]]
    task.ratios = form.ratios()
    host = data["cluster_host"].strip().upper()
    if host:
        entity = Entity.objects.filter(pk=host, is_cluster_host=True).first()
        if entity is None:
            form.add_error("cluster_host", "不是已登记的集群注册托管机构")
        task.cluster_host = entity
    else:
        task.cluster_host = None


def _task_initial(task: Task) -> dict:
    initial = {
        name: getattr(task, name)
        for name in (
            "name",
            "is_joint",
            "entity_types",
            "industry_sections",
            "strata_mode",
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
        )
    }
    initial["industry_divisions"] = ",".join(task.industry_divisions)
    initial["required_departments"] = task.required_departments
    initial["districts"] = task.districts
    initial["items"] = list(task.items.all()) if task.pk else []
    initial["cluster_host"] = task.cluster_host_id or ""
    ratios = dict(task.ratios)
    initial["ratio_all"] = ratios.pop("*", None)
    for key, name in [
        ("A", "ratio_A"),
        ("B", "ratio_B"),
        ("C", "ratio_C"),
        ("D", "ratio_D"),
        ("_", "ratio_unclassified"),
    ]:
        initial[name] = ratios.pop(key, None)
    initial["ratio_lines"] = "\n".join(f"{k}={v}" for k, v in ratios.items())
    return initial


def _save_task(request: HttpRequest, task: Task, form: TaskForm) -> Task | None:
    if not form.is_valid():
        return None
    _task_from_form(task, form)
    if form.errors:
        return None
    try:
        return services.task_save(actor=request.user, task=task, items=list(form.cleaned_data["items"]))
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@staff_view("inspections.add_task")
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=pk)
    task = Task(plan=plan)
    form = TaskForm(
        request.POST or None,
        initial={
            "team_size": 2,
            "min_count": 0,
            "strata_mode": "none",
            "exclude_same_item_this_year": True,
            "apply_yearly_cap": True,
        },
    )
    if request.method == "POST":
        saved = _save_task(request, task, form)
        if saved:
            messages.success(request, "任务草稿已保存。请检查抽查范围后发布公告。")
            return redirect("staff-task-detail", public_id=saved.public_id)
    return render(request, "inspections/task_form.html", {"form": form, "plan": plan})


@staff_view("inspections.change_task")
def task_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    task = get_object_or_404(Task, public_id=public_id)
    if task.state != TaskState.DRAFT:
        messages.error(request, "任务已公告，不能再修改。")
        return redirect("staff-task-detail", public_id=public_id)
    form = TaskForm(request.POST or None, initial=_task_initial(task))
    if request.method == "POST":
        saved = _save_task(request, task, form)
        if saved:
            messages.success(request, "任务草稿已保存。")
            return redirect("staff-task-detail", public_id=public_id)
    return render(request, "inspections/task_form.html", {"form": form, "plan": task.plan, "task": task})


@staff_view("inspections.view_task")
def task_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    task = get_object_or_404(
        Task.objects.select_related("plan__department", "cluster_host"), public_id=public_id
    )
    seed_form, replace_form = SeedForm(), ReplacementForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "announce":
                _need(request, "inspections.announce_task")
                services.task_announce(actor=request.user, task=task)
                messages.success(request, "任务公告已发布，承诺值已公开。")
            elif action == "draw":
                _need(request, "inspections.draw_task")
                seed_form = SeedForm(request.POST)
                if seed_form.is_valid():
                    services.task_draw(
                        actor=request.user,
                        task=task,
                        seed=seed_form.cleaned_data["seed"],
                        evidence=seed_form.cleaned_data["evidence"],
                    )
                    messages.success(request, "摇号完成，结果已保存。")
                else:
                    raise ValidationError([e for errors in seed_form.errors.values() for e in errors])
            elif action == "replace":
                _need(request, "inspections.replace_target")
                replace_form = ReplacementForm(request.POST)
                if replace_form.is_valid():
                    services.target_replace(
                        actor=request.user,
                        task=task,
                        credit_code=replace_form.cleaned_data["credit_code"],
                        reason=replace_form.cleaned_data["reason"],
                    )
                    messages.success(request, "已从备选中依序替补，替补记录将公开。")
                else:
                    raise ValidationError([e for errors in replace_form.errors.values() for e in errors])
            elif action == "start":
                _need(request, "inspections.change_task")
                services.task_start_inspection(actor=request.user, task=task)
            elif action == "close":
                _need(request, "inspections.change_task")
                services.task_close(actor=request.user, task=task)
            else:
                raise ValidationError("未知操作")
        except ValidationError as exc:
            _errors(request, exc)
        else:
            return redirect("staff-task-detail", public_id=public_id)
        task.refresh_from_db()
    context = {"task": task, "seed_form": seed_form, "replace_form": replace_form, "now": timezone.now()}
    if task.state == TaskState.DRAFT:
        from gongkai.inspections.population import compute_population

        context["population"] = compute_population(task)
    elif task.drawn_at is not None:
        # A city's task has tens of thousands of targets, a province's hundreds of thousands.
        q = request.GET.get("q", "").strip()
        page = Paginator(selectors.find_targets(task, q), TARGETS_PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = selectors.with_team_officers(page.object_list)
        context.update(
            page=page,
            q=q,
            unassigned=selectors.unassigned_count(task),
            replacements=task.replacements.select_related("out_target__entity", "in_target__entity"),
        )
    return render(request, "inspections/task_detail.html", context)


TARGETS_PER_PAGE = 100


def _need(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied("您没有执行该操作的权限")


@staff_view("inspections.view_task")
def task_bundle(request: HttpRequest, public_id: str) -> StreamingHttpResponse:
    """The full bundle for staff and named auditors; every download of a restricted bundle is audited."""
    task = get_object_or_404(Task, public_id=public_id)
    if task.drawn_at is None:
        raise Http404("尚未摇号")
    if not task.full_bundle_public:
        allowed = (
            request.user.has_perm("inspections.view_full_bundle")
            and task.auditors.filter(user_id=int(request.user.pk or 0)).exists()
        )
        if not allowed:
            raise PermissionDenied("该任务按信用风险分类分层，完整摇号数据只提供给指定的审计方")
        with transaction.atomic():
            audit.record(
                actor=request.user,
                action="inspections.task.bundle_access",
                obj=task,
                after={"user": request.user.get_username()},
            )
    from gongkai.inspections.public import bundle_stream, download

    return download(bundle_stream(task), f"{task.public_id}.bundle.json")


# --- inspection -------------------------------------------------------------------------------------


@staff_view()
def my_targets(request: HttpRequest) -> HttpResponse:
    officer = getattr(request.user, "officer", None)
    if officer is None:
        return render(request, "inspections/my_targets.html", {"officer": None, "targets": []})
    return render(
        request,
        "inspections/my_targets.html",
        {"officer": officer, "targets": selectors.officer_targets(officer)},
    )


def _visible_target(request: HttpRequest, pk: int) -> Target:
    target = get_object_or_404(Target.objects.select_related("task", "entity").defer(*via("task")), pk=pk)
    officer = getattr(request.user, "officer", None)
    on_team = officer is not None and officer.code in target.team
    if not on_team and not request.user.has_perm("inspections.view_task"):
        raise PermissionDenied("只有检查组成员和抽查计划员可以查看")
    return target


@staff_view()
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    target = _visible_target(request, pk)
    items = list(target.task.items.all())
    records = {r.item_id: r for r in target.records.prefetch_related("categories")}
    item_pk = request.POST.get("item") or request.GET.get("item")
    current = next((i for i in items if str(i.pk) == str(item_pk)), items[0] if items else None)
    existing = records.get(current.pk) if current else None
    initial: dict[str, object] = {"inspected_on": timezone.localdate()}
    if existing:
        initial = {
            "categories": list(existing.categories.all()),
            "findings": existing.findings,
            "follow_up": existing.follow_up,
            "follow_up_note": existing.follow_up_note,
            "follow_up_done_on": existing.follow_up_done_on,
            "inspected_on": existing.inspected_on,
        }
    form, upload = RecordForm(initial=initial), AttachmentForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "record" and current is not None:
                form = RecordForm(request.POST)
                if form.is_valid():
                    d = form.cleaned_data
                    services.record_save(
                        actor=request.user,
                        target=target,
                        item=current,
                        categories=d["categories"],
                        findings=d["findings"],
                        follow_up=d["follow_up"],
                        follow_up_note=d["follow_up_note"],
                        follow_up_done_on=d["follow_up_done_on"],
                        inspected_on=d["inspected_on"],
                    )
                    messages.success(request, f"事项{current.code}的结果已保存。")
                    return redirect(f"{request.path}?item={current.pk}")
            elif action == "sign":
                services.target_sign(actor=request.user, target=target)
                messages.success(request, "已签署。")
                return redirect(request.path)
            elif action == "attach":
                upload = AttachmentForm(request.POST, request.FILES)
                if upload.is_valid():
                    services.attachment_add(
                        actor=request.user, target=target, upload=upload.cleaned_data["file"]
                    )
                    messages.success(request, "附件已上传。")
                    return redirect(request.path)
            elif action == "publish":
                _need(request, "inspections.publish_result")
                services.target_publish(actor=request.user, target=target)
                messages.success(request, "检查结果已公示。")
                return redirect(request.path)
        except ValidationError as exc:
            _errors(request, exc)
    due = None
    try:
        due = services.publication_due(target)
    except CalendarNotCovered as exc:
        messages.warning(request, str(exc))
    return render(
        request,
        "inspections/target_detail.html",
        {
            "target": target,
            "item_rows": [(i, records.get(i.pk)) for i in items],
            "current": current,
            "form": form,
            "upload": upload,
            "team": selectors.team_officers(target),
            "signoffs": target.signoffs.select_related("officer"),
            "attachments": target.attachments.all(),
            "due": due,
        },
    )


@staff_view()
def target_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable 随机抽查情况记录表 of one entity."""
    target = _visible_target(request, pk)
    return render(
        request,
        "inspections/target_sheet.html",
        {
            "target": target,
            "records": target.records.select_related("item").prefetch_related("categories"),
            "team": selectors.team_officers(target),
            "signoffs": target.signoffs.select_related("officer"),
            "addresses": target.entity.addresses.select_related("district"),
        },
    )


@staff_view()
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(Attachment.objects.select_related("target"), pk=pk)
    _visible_target(request, attachment.target_id)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    # Served as a download with nosniff: an attachment is never rendered or run by the browser.
    response["Content-Disposition"] = (
        f'attachment; filename="{attachment.pk}.{str(attachment.file.name).rsplit(".", 1)[-1]}"'
    )
    return response


@staff_view("inspections.publish_result")
def due_results(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows, uncovered = [], None
    for target in selectors.results_awaiting_publication():
        try:
            due = services.publication_due(target)
        except CalendarNotCovered as exc:
            uncovered, due = str(exc), None
        rows.append((target, due, due is not None and due < today))
    return render(
        request,
        "inspections/due_results.html",
        {"rows": rows, "today": today, "uncovered": uncovered, "soon": today + dt.timedelta(days=7)},
    )
