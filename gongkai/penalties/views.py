"""Staff pages of 行政处罚信息公示. Views validate input and call a service; nothing else.

Every view needs a staff login and the permission named in its decorator; staff limited to some
districts see and change only decisions of those districts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from gongkai.core import audit, tabular
from gongkai.core.access import staff_districts, staff_view
from gongkai.core.audit import actor_label
from gongkai.core.models import Parameter
from gongkai.penalties import forms, importing, periods, redaction, rules, selectors, services
from gongkai.penalties.choices import RepairState, State, TierKey
from gongkai.penalties.models import Decision, RepairApplication, RepairEvidence, RuleSet, Withdrawal
from gongkai.registry.import_views import ImportFileForm, _safe_name
from gongkai.registry.importing import (
    load_summary,
    new_run_directory,
    recent_runs,
    run_directory,
    save_summary,
)


def _decision(request: HttpRequest, pk: int) -> Decision:
    try:
        return selectors.decision_detail(pk, districts=staff_districts(request.user))
    except Decision.DoesNotExist:
        raise Http404("没有这份行政处罚决定，或不在您负责的区划") from None


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- the dashboard ---------------------------------------------------------------------------------


@staff_view("penalties.view_decision")
def dashboard(request: HttpRequest) -> HttpResponse:
    """Due and overdue publications, open repair applications, and every decision (filterable)."""
    districts = staff_districts(request.user)
    state = request.GET.get("state", "")
    q = request.GET.get("q", "").strip()
    decisions = selectors.staff_decisions(
        districts=districts, state=state if state in State.values else "", q=q
    )
    due = selectors.awaiting_publication(districts=districts)
    return render(
        request,
        "penalties/dashboard.html",
        {
            "due": due,
            "overdue_count": sum(1 for _, d, _ in due if d.overdue),
            "soon_count": sum(1 for _, d, _ in due if d.due_soon),
            "repairs": selectors.repairs_open(districts=districts),
            "page": Paginator(decisions, 50).get_page(request.GET.get("page")),
            "states": State.choices,
            "state": state,
            "q": q,
            "working_days": selectors.PUBLISH_WITHIN_WORKING_DAYS,
        },
    )


# --- creating and editing ---------------------------------------------------------------------------


@staff_view("penalties.add_decision")
def decision_create(request: HttpRequest) -> HttpResponse:
    form = forms.DecisionCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        name, text = form.cleaned_data.get("text_file") or ("", "")
        try:
            decision = services.decision_create(
                actor=request.user, values=form.values(), text=text, text_file_name=name
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已录入{decision.number}（草稿）。")
            return redirect("staff-penalty-detail", pk=decision.pk)
    return render(request, "penalties/decision_form.html", {"form": form, "creating": True})


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@staff_view("penalties.change_decision")
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if decision.state != State.DRAFT:
        messages.error(request, "只有草稿可以修改；已公示的决定请使用“更正”。")
        return redirect("staff-penalty-detail", pk=pk)
    form = forms.DecisionForm(request.POST or None, instance=decision)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_update(actor=request.user, decision=decision, values=form.values())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("staff-penalty-detail", pk=pk)
    return render(request, "penalties/decision_form.html", {"form": form, "decision": decision})


@staff_view("penalties.change_decision")
def decision_text(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    form = forms.TextForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_set_text(
                actor=request.user,
                decision=decision,
                text=form.cleaned_data["content"],
                file_name=form.cleaned_data["name"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已上传全文并检出个人信息，请审查隐去项。")
            return redirect("staff-penalty-review", pk=pk)
    return render(request, "penalties/text_form.html", {"form": form, "decision": decision})


# --- the decision and its workflow -----------------------------------------------------------------

ACTIONS = {
    "submit": ("penalties.change_decision", "已提交审核。"),
    "approve": ("penalties.approve_decision", "已审核通过，可以公示。"),
    "return": ("penalties.approve_decision", "已退回草稿。"),
    "publish": ("penalties.publish_decision", "已公示。"),
}


@staff_view("penalties.view_decision")
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    return_form = forms.ReturnForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404("未知操作")
        perm, done = ACTIONS[action]
        if not request.user.has_perm(perm):
            raise PermissionDenied("您没有进行该操作的权限")
        try:
            if action == "submit":
                services.decision_submit(actor=request.user, decision=decision)
            elif action == "approve":
                services.decision_approve(
                    actor=request.user, decision=decision, note=request.POST.get("note", "")
                )
            elif action == "publish":
                services.decision_publish(actor=request.user, decision=decision)
            else:
                return_form = forms.ReturnForm(request.POST)
                if not return_form.is_valid():
                    raise ValidationError("请填写退回理由")
                services.decision_return(
                    actor=request.user, decision=decision, reason=return_form.cleaned_data["reason"]
                )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, done)
            return redirect("staff-penalty-detail", pk=pk)
        decision = _decision(request, pk)
    refusals = selectors.publication_refusals(decision)
    period = selectors.display_period(decision)
    suggestion = ""
    rule = rules.rules_on(decision.decision_date)
    if rule is not None and rule.classification == "severity" and not decision.severity:
        key = periods.suggested_severity(
            decision.content,
            rules.threshold_on(decision.decision_date),
            natural_person=decision.is_natural_person,
        )
        suggestion = f"{rule.short_name}按失信程度确定公示期；按处罚内容，建议认定为“{TierKey(key).label}”（请在“修改”中填写失信程度）"
    context = {
        "d": decision,
        "refusals": refusals,
        "problems": services.publication_problems(decision)
        if decision.state in (State.DRAFT, State.SUBMITTED, State.APPROVED)
        else [],
        "period": period if not isinstance(period, str) else None,
        "period_problem": period if isinstance(period, str) else "",
        "deadline": selectors.publication_deadline(decision) if not refusals else None,
        "withdrawal": Withdrawal.objects.filter(decision=decision).first(),
        "repairs": decision.repairs.all(),
        "corrections": decision.corrections.all(),
        "events": audit.history(decision).order_by("-seq")[:100],
        "return_form": return_form,
        "is_reviewer": services.is_reviewer(request.user),
        "findings_count": len(decision.review_findings),
        "severity_suggestion": suggestion,
    }
    return render(request, "penalties/decision_detail.html", context)


# --- the redaction review -------------------------------------------------------------------------


def _segments(text: str, regions: list[redaction.Redaction], removed: set[str]) -> list[dict]:
    """The text cut at every region, for highlighting (the template escapes each piece)."""
    out, position = [], 0
    for n, region in enumerate(regions, start=1):
        if region.start > position:
            out.append({"text": text[position : region.start]})
        active = [f for f in region.findings if f.key not in removed]
        kinds = {f.kind for f in region.findings}
        out.append(
            {
                "text": text[region.start : region.end],
                "n": n,
                "kind": next(iter(kinds)).value if len(kinds) == 1 else "mixed",
                "label": "、".join(sorted({f.kind.label for f in region.findings})),
                "removed": not active,
                "mask": region.mask,
                "title": "；".join(f.reason for f in region.findings),
            }
        )
        position = region.end
    if position < len(text):
        out.append({"text": text[position:]})
    return out


def _redacted_segments(text: str, regions: list[redaction.Redaction]) -> list[dict]:
    out, position = [], 0
    for n, region in enumerate(regions, start=1):
        out.append({"text": text[position : region.start]})
        out.append({"text": region.mask, "n": n, "kind": region.findings[0].kind.value, "mask": True})
        position = region.end
    out.append({"text": text[position:]})
    return out


@staff_view("penalties.review_redaction")
def decision_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Side by side: the original with every detected or added item highlighted, and the public text."""
    decision = _decision(request, pk)
    if not decision.full_text:
        messages.error(request, "请先上传决定书全文。")
        return redirect("staff-penalty-text", pk=pk)
    mark_form = forms.MarkForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "mark":
                mark_form = forms.MarkForm(request.POST)
                if mark_form.is_valid():
                    services.redaction_mark(actor=request.user, decision=decision, **mark_form.cleaned_data)
                    messages.success(request, f"已隐去全文中所有的“{mark_form.cleaned_data['fragment']}”。")
                    return redirect("staff-penalty-review", pk=pk)
            elif action == "unmark":
                services.redaction_unmark(
                    actor=request.user, decision=decision, fragment=request.POST.get("fragment", "")
                )
                return redirect("staff-penalty-review", pk=pk)
            elif action == "remove":
                services.redaction_remove(
                    actor=request.user,
                    decision=decision,
                    key=request.POST.get("key", ""),
                    reason=request.POST.get("reason", ""),
                )
                return redirect("staff-penalty-review", pk=pk)
            elif action == "restore":
                services.redaction_restore(
                    actor=request.user, decision=decision, key=request.POST.get("key", "")
                )
                return redirect("staff-penalty-review", pk=pk)
            else:
                raise Http404("未知操作")
        except ValidationError as exc:
            _errors(request, exc)
        decision = _decision(request, pk)
    review = services.review_of(decision)
    all_regions = redaction.plan(decision.full_text, review.findings)
    active_regions = review.regions
    rows = []
    for f in review.findings:
        line, column = redaction.line_and_column(decision.full_text, f.start)
        rows.append({"f": f, "line": line, "column": column, "removed": f.key in review.removed})
    editable = decision.state in (State.DRAFT, State.SUBMITTED)
    return render(
        request,
        "penalties/review.html",
        {
            "d": decision,
            "original": _segments(decision.full_text, all_regions, review.removed),
            "redacted": _redacted_segments(decision.full_text, active_regions),
            "rows": rows,
            "marks": review.marks,
            "mark_form": mark_form,
            "editable": editable,
            "minor": decision.is_minor,
        },
    )


# --- after publication -------------------------------------------------------------------------------


@staff_view("penalties.correct_decision")
def decision_correct(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if decision.state != State.PUBLISHED:
        messages.error(request, "只有公示中的决定可以更正。")
        return redirect("staff-penalty-detail", pk=pk)
    form = forms.CorrectionForm(
        request.POST or None, request.FILES or None, instance=Decision.objects.get(pk=pk)
    )
    if request.method == "POST" and form.is_valid():
        name, text = form.cleaned_data.get("text_file") or ("", None)
        try:
            services.decision_correct(
                actor=request.user,
                decision=decision,
                values=form.changed_values(),
                reason=form.cleaned_data["reason"],
                requested_by_party=form.cleaned_data["requested_by_party"],
                evidence=form.cleaned_data["evidence"],
                text=text,
                text_file_name=name,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已更正，更正记录与决定一并公示。")
            return redirect("staff-penalty-detail", pk=pk)
    return render(request, "penalties/correct_form.html", {"form": form, "d": decision})


@staff_view("penalties.withdraw_decision")
def decision_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    if decision.state not in (State.DRAFT, State.SUBMITTED, State.APPROVED, State.PUBLISHED):
        messages.error(request, "该决定已不在公示中，无需撤回。")
        return redirect("staff-penalty-detail", pk=pk)
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_withdraw(actor=request.user, decision=decision, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, "已撤回。" + ("撤回公告已公开。" if decision.state == State.PUBLISHED else "")
            )
            return redirect("staff-penalty-detail", pk=pk)
    return render(request, "penalties/withdraw_form.html", {"form": form, "d": decision})


@staff_view("penalties.decide_repair")
def repair_create(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision(request, pk)
    form = forms.RepairForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        files = [services.EvidenceFile(f.name, f.read()) for f in data.pop("evidence")]
        try:
            application = services.repair_receive(actor=request.user, decision=decision, files=files, **data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"已受理，应于{application.due_on}前办结。")
            return redirect("staff-penalty-repair", pk=application.pk)
    return render(request, "penalties/repair_form.html", {"form": form, "d": decision})


def _repair(request: HttpRequest, pk: int) -> RepairApplication:
    qs = RepairApplication.objects.select_related("decision", "decided_by").prefetch_related("evidence")
    districts = staff_districts(request.user)
    if districts is not None:
        qs = qs.filter(decision__district_id__in=districts)
    try:
        return qs.get(pk=pk)
    except RepairApplication.DoesNotExist:
        raise Http404("没有这份信用修复申请") from None


@staff_view("penalties.decide_repair")
def repair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _repair(request, pk)
    form = forms.RepairDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.repair_decide(
                actor=request.user,
                application=application,
                approve=form.cleaned_data["outcome"] == "approve",
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "已办结。")
            return redirect("staff-penalty-repair", pk=pk)
    refusals = services.repair_refusals(application) if application.state == RepairState.RECEIVED else []
    return render(
        request,
        "penalties/repair_detail.html",
        {
            "a": application,
            "d": application.decision,
            "form": form,
            "refusals": refusals,
            "deadline": selectors.deadline(application.received_on, selectors.REPAIR_WITHIN_WORKING_DAYS),
        },
    )


@staff_view("penalties.decide_repair")
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = RepairEvidence.objects.select_related("application__decision").filter(pk=pk).first()
    districts = staff_districts(request.user)
    if evidence is None or (
        districts is not None and evidence.application.decision.district_id not in districts
    ):
        raise Http404("文件不存在")
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)


# --- rules -----------------------------------------------------------------------------------------


@staff_view("penalties.view_ruleset")
def rule_sets(request: HttpRequest) -> HttpResponse:
    """The display-period rules in force, with their sources, and the provincial thresholds."""
    thresholds = Parameter.objects.filter(key__in=[s.key for s in rules.SPECS]).order_by("key", "-valid_from")
    return render(
        request,
        "penalties/rules.html",
        {
            "rule_sets": RuleSet.objects.prefetch_related("tiers"),
            "thresholds": thresholds,
            "specs": rules.SPECS,
        },
    )


# --- import ------------------------------------------------------------------------------------------

SLUG = importing.SPEC.slug


@staff_view("penalties.import_decision")
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload a month of decisions (.xlsx or .csv); see what earlier imports did."""
    form = ImportFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        name = _safe_name(upload.name)
        directory = new_run_directory(SLUG)
        source = directory / f"上传-{name}"
        with open(source, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        try:
            result = importing.import_decisions(source, actor=request.user, name=name, report_dir=directory)
        except (tabular.TableError, DatabaseError) as exc:
            shutil.rmtree(directory, ignore_errors=True)
            form.add_error("file", f"{exc}。没有任何改动。")
        else:
            source.unlink(missing_ok=True)  # the upload holds personal data; the report and refused rows stay
            save_summary(directory, result, actor=actor_label(request.user)[1])
            return redirect("staff-penalties-import-run", name=directory.name)
    return render(
        request,
        "penalties/import.html",
        {
            "form": form,
            "runs": recent_runs(SLUG),
            "headers": importing.HEADERS,
            "required": importing.REQUIRED,
            "max_mb": settings.GONGKAI_IMPORT_MAX_BYTES // 1048576,
        },
    )


@staff_view("penalties.import_decision")
def import_run(request: HttpRequest, name: str) -> HttpResponse:
    directory = run_directory(SLUG, name)
    if directory is None:
        raise Http404("没有这次导入的记录")
    run = load_summary(directory)
    return render(
        request,
        "penalties/import_run.html",
        {
            "run": run,
            "report_url": reverse("staff-penalties-import-report", args=[name])
            if run.get("report_path")
            else "",
            "rejected_url": reverse("staff-penalties-import-rejected", args=[name])
            if run.get("rejected_path")
            else "",
        },
    )


def _run_file(name: str, key: str) -> FileResponse:
    directory = run_directory(SLUG, name)
    file_name = load_summary(directory).get(key) if directory is not None else None
    if (
        directory is None
        or not file_name
        or Path(file_name).name != file_name
        or not (directory / file_name).is_file()
    ):
        raise Http404("文件不存在或已被清理")
    return FileResponse(open(directory / file_name, "rb"), as_attachment=True, filename=file_name)


@staff_view("penalties.import_decision")
def import_report(request: HttpRequest, name: str) -> FileResponse:
    return _run_file(name, "report_path")


@staff_view("penalties.import_decision")
def import_rejected(request: HttpRequest, name: str) -> FileResponse:
    return _run_file(name, "rejected_path")
