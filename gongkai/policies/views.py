"""Staff pages of 政策找人、免申即享. Views validate input and call services; nothing else."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from gongkai.core.access import staff_view
from gongkai.core.tabular import TableError
from gongkai.policies import accounts, matching, notify, selectors, services, workflow
from gongkai.policies.choices import CaseState, RunKind, VersionState
from gongkai.policies.forms import (
    CorrectForm,
    FactForm,
    FactImportForm,
    InviteForm,
    PayForm,
    PersonForm,
    PolicySettingsForm,
    ReasonForm,
    ResolveForm,
    ReturnForm,
    ServiceDoneForm,
    VersionForm,
)
from gongkai.policies.models import (
    Beneficiary,
    Dispute,
    FactImport,
    MatchRun,
    Person,
    PolicyVersion,
    ServiceRequest,
)
from gongkai.policies.rules.errors import PolicyFileError


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _need(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


# --- overview and policies -------------------------------------------------------------------------


@staff_view("policies.view_policy")
def overview(request: HttpRequest) -> HttpResponse:
    on = selectors.today()
    rows = []
    in_force = {v.policy_id: v for v in selectors.versions_in_force(on)}
    for policy in selectors.policy_list():
        version = in_force.get(policy.pk)
        rows.append((policy, version, selectors.determination_counts(version) if version else None))
    return render(
        request,
        "policies/overview.html",
        {
            "rows": rows,
            "awaiting": selectors.versions_awaiting_review(),
            "runs": MatchRun.objects.order_by("-started_at")[:5],
            "disputes": selectors.open_disputes().count(),
            "cases_open": {
                state: selectors.cases(state=state).count()
                for state in (
                    CaseState.PUBLICITY,
                    CaseState.CONFIRMED,
                    CaseState.APPROVED,
                    CaseState.DISPUTED,
                )
            },
            "on": on,
        },
    )


@staff_view("policies.add_policy")
def version_new(request: HttpRequest) -> HttpResponse:
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.version_save(actor=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"已保存为草稿：{version}（测试全部通过）")
            return redirect("staff-policy-version", version.policy.code, version.pk)
    return render(request, "policies/version_form.html", {"form": form})


@staff_view("policies.view_policy")
def policy_detail(request: HttpRequest, code: str) -> HttpResponse:
    policy = get_object_or_404(selectors.policy_list(), code=code)
    on = selectors.today()
    version = selectors.version_in_force(policy, on)
    return render(
        request,
        "policies/policy_detail.html",
        {
            "policy": policy,
            "versions": selectors.versions_of(policy),
            "in_force": version,
            "counts": selectors.determination_counts(version) if version else None,
            "cases": selectors.cases(policy=policy)[:50],
            "budget_used": selectors.budget_used(policy, workflow.period_of(policy, on)),
            "period": workflow.period_of(policy, on),
        },
    )


@staff_view("policies.change_policy")
def policy_settings(request: HttpRequest, code: str) -> HttpResponse:
    policy = get_object_or_404(selectors.policy_list(), code=code)
    form = PolicySettingsForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.policy_settings_save(actor=request.user, policy=policy, values=form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "兑现设置已保存")
            return redirect("staff-policy-detail", policy.code)
    return render(request, "policies/settings_form.html", {"policy": policy, "form": form})


def _version(code: str, pk: int) -> PolicyVersion:
    return get_object_or_404(
        PolicyVersion.objects.select_related("policy__document", "created_by", "reviewed_by"),
        pk=pk,
        policy__code=code,
    )


@staff_view("policies.view_policy")
def version_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """The reviewer's page: the file as a Chinese table (条款 → 条件 → 数据来源) beside the document."""
    version = _version(code, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "submit":
                _need(request, "policies.change_policy")
                services.version_submit(actor=request.user, version=version)
                messages.success(request, "已提交审核")
            elif action == "approve":
                _need(request, "policies.approve_policyversion")
                services.version_approve(actor=request.user, version=version)
                notify.deliver_pending()
                messages.success(request, "已审核发布，并已按新版本完成比对")
            elif action == "return":
                _need(request, "policies.approve_policyversion")
                form = ReturnForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("请填写退回意见")
                services.version_return(
                    actor=request.user, version=version, reason=form.cleaned_data["reason"]
                )
                messages.success(request, "已退回编写人")
            else:
                raise Http404
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("staff-policy-version", code, pk)
    try:
        policy = selectors.loaded_policy(version)
        table, load_error = selectors.review_table(policy), ""
        tests = [(t.name, t.on, t.expect_status) for t in policy.tests]
    except PolicyFileError as exc:
        table, load_error, tests = [], exc.render(), []
    return render(
        request,
        "policies/version_detail.html",
        {
            "version": version,
            "policy": version.policy,
            "table": table,
            "tests": tests,
            "load_error": load_error,
            "return_form": ReturnForm(),
            "can_review": request.user.has_perm("policies.approve_policyversion")
            and version.created_by_id != request.user.pk,
        },
    )


@staff_view("policies.change_policy")
def version_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    version = _version(code, pk)
    if version.state not in (VersionState.DRAFT, VersionState.RETURNED):
        messages.error(request, "已提交或已发布的版本不能修改，请写新版本")
        return redirect("staff-policy-version", code, pk)
    form = VersionForm(request.POST or None, request.FILES or None, initial={"text": version.text})
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.version_save(
                actor=request.user, text=form.cleaned_data["text"], expect_policy=version.policy
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "已保存（测试全部通过）")
            return redirect("staff-policy-version", code, saved.pk)
    return render(request, "policies/version_form.html", {"form": form, "version": version})


@staff_view("policies.view_policy")
def near_miss(request: HttpRequest, code: str) -> HttpResponse:
    """差一点: beneficiaries failing exactly one criterion of the version in force (computed now)."""
    policy = get_object_or_404(selectors.policy_list(), code=code)
    version = selectors.version_in_force(policy, selectors.today())
    rows: list = []
    labels: dict[str, str] = {}
    if version is not None:
        labels = {c.id: c.label for c in selectors.loaded_policy(version).criteria}
        rows = matching.near_misses(version)
    criterion = request.GET.get("criterion", "")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.criterion] = counts.get(r.criterion, 0) + 1
    if criterion:
        rows = [r for r in rows if r.criterion == criterion]
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    names = dict(
        (b.pk, str(b))
        for b in Beneficiary.objects.filter(
            pk__in=[r.beneficiary_id for r in page.object_list]
        ).select_related("entity", "person")
    )
    page.object_list = [
        (r, names.get(r.beneficiary_id, r.key), labels.get(r.criterion, r.criterion)) for r in page
    ]
    return render(
        request,
        "policies/near_miss.html",
        {
            "policy": policy,
            "version": version,
            "page": page,
            "by_criterion": [(cid, labels.get(cid, cid), n) for cid, n in sorted(counts.items())],
            "criterion": criterion,
        },
    )


@staff_view("policies.view_case")
def case_list(request: HttpRequest, code: str) -> HttpResponse:
    policy = get_object_or_404(selectors.policy_list(), code=code)
    state = request.GET.get("state", "")
    page = Paginator(selectors.cases(policy=policy, state=state), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "policies/case_list.html",
        {"policy": policy, "page": page, "state": state, "states": CaseState.choices},
    )


# --- cases --------------------------------------------------------------------------------------------


@staff_view("policies.view_case")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = selectors.case_detail(pk)
    except Exception:
        raise Http404 from None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "end_publicity":
                _need(request, "policies.review_case")
                workflow.case_end_publicity(actor=request.user, case=case)
            elif action == "approve":
                _need(request, "policies.review_case")
                workflow.case_approve(actor=request.user, case=case)
            elif action == "pay":
                _need(request, "policies.pay_case")
                form = PayForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("请填写拨付日期和支付凭证号")
                workflow.case_pay(actor=request.user, case=case, **form.cleaned_data)
            elif action == "archive":
                _need(request, "policies.pay_case")
                workflow.case_archive(actor=request.user, case=case)
            elif action == "clawback":
                _need(request, "policies.pay_case")
                form = ReasonForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("请填写追回原因")
                workflow.case_clawback(actor=request.user, case=case, reason=form.cleaned_data["reason"])
            else:
                raise Http404
        except ValidationError as exc:
            _errors(request, exc)
        else:
            notify.deliver_pending()
            messages.success(request, "已办理")
        return redirect("staff-policy-case", pk)
    explanation = matching.explanation_of(case.determination)
    return render(
        request,
        "policies/case_detail.html",
        {
            "case": case,
            "explanation": explanation,
            "stale": matching.stale_facts(case.determination.provenance),
            "deadline": selectors.case_deadline(case),
            "pay_form": PayForm(initial={"paid_on": selectors.today()}),
            "reason_form": ReasonForm(),
            "history": _history("policies.case", case.pk),
        },
    )


def _history(object_type: str, pk: int):
    from gongkai.core import audit

    return audit.history(object_type=object_type, object_id=str(pk)).order_by("seq")


# --- facts --------------------------------------------------------------------------------------------


@staff_view("policies.view_policy")
def fact_catalogue(request: HttpRequest) -> HttpResponse:
    form = FactImportForm()
    if request.method == "POST":
        _need(request, "policies.import_facts")
        form = FactImportForm(request.POST, request.FILES)
        if form.is_valid():
            _import(request, form)
            return redirect("staff-policy-facts")
    stale = selectors.stale_counts()
    rows = [(f, stale.get(f.name, 0)) for f in selectors.facts()]
    return render(
        request,
        "policies/facts.html",
        {"rows": rows, "form": form, "imports": selectors.fact_imports()[:20], "new_fact_form": FactForm()},
    )


def _import(request: HttpRequest, form: FactImportForm) -> None:
    from gongkai.policies.importing import import_facts

    upload = form.cleaned_data["file"]
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix.lower()) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            out = import_facts(
                tmp.name,
                actor=request.user,
                as_of=form.cleaned_data["as_of"],
                source=form.cleaned_data["source"],
                name=upload.name,
                complete=form.cleaned_data["complete"],
            )
        except TableError as exc:
            messages.error(request, f"文件被拒绝，未做任何修改：{exc}")
            return
    notify.deliver_pending()
    for line in out.summary_lines()[1:2] + out.summary_lines()[-1:]:
        messages.success(request, line)
    if out.result.rejected:
        messages.error(request, f"{out.result.rejected}行未导入，请下载导入报告")


@staff_view("policies.add_fact")
def fact_new(request: HttpRequest) -> HttpResponse:
    form = FactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        name = values.pop("name")
        try:
            services.fact_save(actor=request.user, name=name, values=values)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"已新增数据项 {name}")
            return redirect("staff-policy-facts")
    return render(request, "policies/fact_form.html", {"form": form})


@staff_view("policies.import_facts")
def import_report(request: HttpRequest, pk: int, name: str) -> FileResponse:
    record = get_object_or_404(FactImport, pk=pk)
    path = {"report": record.report_path, "rejected": record.rejected_path}.get(name)
    if not path or not Path(path).is_file():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=Path(path).name)


# --- beneficiaries and talents --------------------------------------------------------------------------


@staff_view("policies.view_policy")
def beneficiary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    beneficiary = get_object_or_404(Beneficiary.objects.select_related("entity", "person"), pk=pk)
    correct_form, invite_form = CorrectForm(), InviteForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "correct":
                _need(request, "policies.correct_facts")
                correct_form = CorrectForm(request.POST)
                if correct_form.is_valid():
                    data = correct_form.cleaned_data
                    services.facts_correct(
                        actor=request.user,
                        beneficiary=beneficiary,
                        values={data["fact"].name: data["parsed"]},
                        note=data["note"],
                    )
                    notify.deliver_pending()
                    messages.success(request, "已更正并重新比对")
                    return redirect("staff-policy-beneficiary", pk)
            elif action == "invite":
                _need(request, "policies.invite_account")
                invite_form = InviteForm(request.POST)
                if invite_form.is_valid():
                    accounts.invitation_create(
                        actor=request.user,
                        beneficiary=beneficiary,
                        base_url=request.build_absolute_uri("/"),
                        **invite_form.cleaned_data,
                    )
                    messages.success(request, f"已向 {invite_form.cleaned_data['email']} 发送开通账户邀请")
                    return redirect("staff-policy-beneficiary", pk)
            elif action == "rematch":
                _need(request, "policies.run_matching")
                matching.match_run(
                    actor=request.user,
                    kind=RunKind.BENEFICIARY,
                    beneficiary_ids=[pk],
                    note="工作人员重新比对",
                )
                notify.deliver_pending()
                messages.success(request, "已重新比对")
                return redirect("staff-policy-beneficiary", pk)
            else:
                raise Http404
        except ValidationError as exc:
            _errors(request, exc)
    on = selectors.today()
    stored = [(fv, selectors.is_stale(fv.fact, fv.as_of, on)) for fv in selectors.stored_facts(beneficiary)]
    return render(
        request,
        "policies/beneficiary.html",
        {
            "beneficiary": beneficiary,
            "stored": stored,
            "determinations": selectors.current_determinations(beneficiary),
            "cases": selectors.cases(beneficiary=beneficiary),
            "correct_form": correct_form,
            "invite_form": invite_form,
        },
    )


@staff_view("policies.view_policy")
def beneficiary_by_code(request: HttpRequest, code: str) -> HttpResponse:
    """From a credit code (e.g. a link on the register page) to the entity's policy page."""
    from gongkai.registry.models import Entity

    entity = get_object_or_404(Entity, pk=code.upper())
    return redirect("staff-policy-beneficiary", services.beneficiary_for_entity(entity).pk)


@staff_view("policies.view_person")
def person_list(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST":
        _need(request, "policies.add_person")
        if form.is_valid():
            try:
                person = services.person_save(
                    actor=request.user, id_number=form.cleaned_data["id_number"], values=form.values()
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    _errors(request, exc)
            else:
                messages.success(request, f"已登记人才 {person.name}（{person.public_id}）")
                return redirect("staff-policy-beneficiary", person.beneficiary.pk)
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.persons(query=q), 50).get_page(request.GET.get("page"))
    return render(request, "policies/persons.html", {"page": page, "form": form, "q": q})


@staff_view("policies.change_person")
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.select_related("employer", "beneficiary"), pk=pk)
    initial = {
        "name": person.name,
        "employer_code": person.employer_id or "",
        "district": person.district_id,
        "professional_title": person.professional_title,
        "talent_level": person.talent_level,
        "talent_programmes": "、".join(person.talent_programmes),
        "education": person.education,
        "arrival_date": person.arrival_date,
        "email": person.email,
        "phone": person.phone,
    }
    form = PersonForm(request.POST or None, initial=initial, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_save(actor=request.user, person=person, values=form.values())
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已保存")
            return redirect("staff-policy-beneficiary", person.beneficiary.pk)
    return render(request, "policies/person_form.html", {"form": form, "person": person})


# --- disputes, runs, service requests ----------------------------------------------------------------


@staff_view("policies.correct_facts")
def dispute_list(request: HttpRequest) -> HttpResponse:
    return render(request, "policies/disputes.html", {"disputes": selectors.open_disputes()})


@staff_view("policies.correct_facts")
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = get_object_or_404(Dispute.objects.select_related("fact", "beneficiary", "case__policy"), pk=pk)
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        corrected = data["decision"] == "corrected"
        value = None
        try:
            if corrected and not dispute.fact.derivation:
                from gongkai.core.tabular import CellError
                from gongkai.policies.importing import parse_cell

                try:
                    value = parse_cell(dispute.fact, data["value"] or "")
                except CellError as exc:
                    raise ValidationError(f"更正后的值：{exc}") from None
                if not data["value"]:
                    raise ValidationError("请填写更正后的值")
            workflow.dispute_resolve(
                actor=request.user, dispute=dispute, corrected=corrected, value=value, note=data["note"]
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            notify.deliver_pending()
            messages.success(request, "异议已处理")
            return redirect("staff-policy-disputes")
    return render(request, "policies/dispute_detail.html", {"dispute": dispute, "form": form})


@staff_view("policies.view_policy")
def run_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _need(request, "policies.run_matching")
        outcome = matching.match_run(actor=request.user, note="工作人员手动运行")
        workflow.publicity_due(actor=request.user)
        notify.deliver_pending()
        run = outcome.run
        messages.success(
            request, f"比对完成：{run.policies}项政策 × {run.beneficiaries}个对象，{run.changed}项结果有变化"
        )
        return redirect("staff-policy-runs")
    page = Paginator(MatchRun.objects.order_by("-started_at"), 50).get_page(request.GET.get("page"))
    return render(request, "policies/runs.html", {"page": page})


@staff_view()
def service_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "policies/services.html", {"requests": selectors.service_requests_for(request.user)}
    )


@staff_view()
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(
        ServiceRequest.objects.select_related(
            "case__policy", "case__beneficiary__person", "case__beneficiary__entity"
        ),
        pk=pk,
    )
    if service.officer_id != request.user.pk:
        raise PermissionDenied("只有指定的人才服务专员可以办理")
    form = ServiceDoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.service_complete(actor=request.user, request=service, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "服务已办结")
            return redirect(reverse("staff-policy-services"))
    return render(request, "policies/service_detail.html", {"service": service, "form": form})
