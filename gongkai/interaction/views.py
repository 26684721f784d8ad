"""Staff pages of 互动交流: the message queue, 依申请公开 cases, letter templates, annual reports."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render

from gongkai.core.access import staff_view
from gongkai.core.calendar import CalendarNotCovered
from gongkai.interaction import documents, forms, outcomes, selectors, services
from gongkai.interaction.choices import MessageState, RequestState
from gongkai.interaction.models import InfoRequest, Letter, Message, MessageAttachment


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


# --- messages -------------------------------------------------------------------------------------


@staff_view("interaction.view_message")
def message_queue(request: HttpRequest) -> HttpResponse:
    """The queue: open messages soonest deadline first; due-soon and overdue views."""
    form = forms.QueueFilterForm(request.GET or {"state": "open"})
    form.is_valid()
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {"state": "open"}
    qs = selectors.staff_messages(
        state=data.get("state", "open"),
        category=data.get("category", ""),
        department=data["department"].pk if data.get("department") else "",
        assignee=request.user if data.get("mine") else None,
    )
    due = data.get("due", "")
    rows: list[tuple[Message, Any]]
    if data.get("state", "open") in ("open", "new", "assigned") or due:
        rows = selectors.open_messages_with_deadlines(qs=qs)
        if due == "soon":
            rows = [r for r in rows if r[1].due_soon]
        elif due == "overdue":
            rows = [r for r in rows if r[1].overdue]
    else:
        rows = [(m, None) for m in qs.order_by("-received_at")]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    counts = {"soon": 0, "overdue": 0}
    critical = []
    today = selectors.today()
    for m, d in selectors.open_messages_with_deadlines(day=today):
        counts["soon"] += d.due_soon
        counts["overdue"] += d.overdue
        if today - m.received_on > selectors.INSPECTION_LIMIT:
            critical.append(m)
    return render(
        request,
        "interaction/message_queue.html",
        {
            "form": form,
            "page": page,
            "counts": counts,
            "critical": critical,
            "limit_days": selectors.INSPECTION_LIMIT.days,
        },
    )


ACTIONS = {
    "route": forms.RouteForm,
    "assign": forms.AssignForm,
    "transfer": forms.TransferForm,
    "note": forms.NoteForm,
    "reply": forms.ReplyForm,
    "close": forms.CloseForm,
    "invalid": forms.InvalidForm,
    "publish": forms.PublishForm,
    "unpublish": forms.InvalidForm,
}


@staff_view("interaction.view_message")
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        message = selectors.message_detail(pk)
    except Message.DoesNotExist:
        raise Http404("没有这条留言") from None
    bound = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        form_class = ACTIONS.get(action)
        needed = (
            "interaction.publish_message"
            if action in ("publish", "unpublish")
            else "interaction.handle_message"
        )
        if form_class is None or not request.user.has_perm(needed):
            messages.error(request, "没有权限执行该操作")
            return redirect("staff-message-detail", pk=pk)
        form = form_class(request.POST, prefix=action)
        if form.is_valid():
            try:
                _apply(request, action, message, form.cleaned_data)
            except ValidationError as exc:
                _errors(request, exc)
                bound[action] = form
            else:
                return redirect("staff-message-detail", pk=pk)
        else:
            bound[action] = form
    suggested = services.suggested_public_texts(message) if message.reply else {}
    initial_publish = (
        {
            "public_subject": message.public_subject,
            "public_body": message.public_body,
            "public_reply": message.public_reply,
        }
        if message.published_at
        else suggested
    )
    action_forms = {
        name: bound.get(name) or cls(prefix=name, initial=initial_publish if name == "publish" else None)
        for name, cls in ACTIONS.items()
    }
    return render(
        request,
        "interaction/message_detail.html",
        {
            "m": message,
            "deadline": selectors.message_deadline(message),
            "forms": action_forms,
            "open": message.state in (MessageState.NEW, MessageState.ASSIGNED),
        },
    )


def _apply(request: HttpRequest, action: str, message: Message, data: dict) -> None:
    actor = request.user
    if action == "route":
        services.message_route(actor=actor, message=message, department=data["department"], note=data["note"])
        messages.success(request, f"已分办至{data['department'].name}。")
    elif action == "assign":
        services.message_assign(actor=actor, message=message, assignee=data["assignee"])
        messages.success(request, "已指定承办人。")
    elif action == "transfer":
        services.message_transfer(
            actor=actor, message=message, department=data["department"], reason=data["reason"]
        )
        messages.success(request, f"已转办至{data['department'].name}，答复期限不变。")
    elif action == "note":
        services.message_note_add(actor=actor, message=message, text=data["text"])
        messages.success(request, "备注已保存。")
    elif action == "reply":
        services.message_reply(actor=actor, message=message, text=data["text"])
        messages.success(request, "已答复；留言人可凭查询码查看答复并评价。")
    elif action == "close":
        services.message_close(actor=actor, message=message, note=data["note"])
        messages.success(request, "已办结。")
    elif action == "invalid":
        services.message_invalidate(actor=actor, message=message, reason=data["reason"])
        messages.success(request, "已标记为无效留言。")
    elif action == "publish":
        services.message_publish(actor=actor, message=message, **data)
        messages.success(request, "已公开（隐去个人信息）。")
    elif action == "unpublish":
        services.message_unpublish(actor=actor, message=message, reason=data["reason"])
        messages.success(request, "已取消公开。")


@staff_view("interaction.view_message")
def message_attachment(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(MessageAttachment, pk=pk)
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.original_name,
    )


# --- 依申请公开 ----------------------------------------------------------------------------------


@staff_view("interaction.view_inforequest")
def request_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "open")
    rows: list[tuple[InfoRequest, Any]]
    if state == "open":
        rows = selectors.open_requests_with_deadlines()
    else:
        rows = [(r, None) for r in selectors.staff_requests(state=state, q=request.GET.get("q", ""))]
    return render(
        request,
        "interaction/request_list.html",
        {
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "state": state,
            "states": RequestState.choices,
            "corrections": selectors.correction_notices_due(),
        },
    )


@staff_view("interaction.handle_inforequest")
def request_create(request: HttpRequest) -> HttpResponse:
    form = forms.StaffRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.request_receive(
                actor=request.user,
                data=data,
                channel=data["channel"],
                submitted_on=data["submitted_on"],
                confirmed_on=data.get("confirmed_on"),
                department=data.get("department"),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errs in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, f"已登记，受理编号{created.number}；已生成登记回执。")
            return redirect("staff-request-detail", pk=created.pk)
    return render(request, "interaction/request_form.html", {"form": form})


REQUEST_ACTIONS = {
    "correction": forms.CorrectionForm,
    "correction_received": forms.StepForm,
    "correction_lapse": forms.StepForm,
    "consult": forms.ConsultForm,
    "consult_end": forms.StepForm,
    "extend": forms.ExtendForm,
    "fee_notice": forms.FeeForm,
    "fee_paid": forms.StepForm,
    "fee_lapse": forms.StepForm,
    "answer": forms.AnswerForm,
    "withdraw": forms.StepForm,
}


@staff_view("interaction.view_inforequest")
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        info = selectors.request_detail(pk)
    except InfoRequest.DoesNotExist:
        raise Http404("没有这件申请") from None
    bound = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        form_class = REQUEST_ACTIONS.get(action)
        if form_class is None or not request.user.has_perm("interaction.handle_inforequest"):
            messages.error(request, "没有权限执行该操作")
            return redirect("staff-request-detail", pk=pk)
        form = form_class(request.POST, prefix=action)
        if form.is_valid():
            try:
                _apply_request(request, action, info, form.cleaned_data)
            except (ValidationError, CalendarNotCovered) as exc:
                if isinstance(exc, ValidationError):
                    _errors(request, exc)
                else:
                    messages.error(request, str(exc))
                bound[action] = form
            else:
                return redirect("staff-request-detail", pk=pk)
        else:
            bound[action] = form
    try:
        clock = services.request_clock(info)
        problem = ""
    except CalendarNotCovered as exc:
        clock, problem = None, str(exc)
    return render(
        request,
        "interaction/request_detail.html",
        {
            "r": info,
            "clock": clock,
            "problem": problem,
            "deadline": selectors.request_deadline(info),
            "forms": {n: bound.get(n) or cls(prefix=n) for n, cls in REQUEST_ACTIONS.items()},
            "outcome": outcomes.BY_CODE.get(info.outcome),
            "pdf_available": documents.pdf_available(),
        },
    )


def _apply_request(request: HttpRequest, action: str, info: InfoRequest, data: dict) -> None:
    actor = request.user
    on = data["on"]
    if action == "correction":
        services.request_correction(
            actor=actor, request=info, on=on, items=data["items"], until=data["until"]
        )
        messages.success(request, "已生成补正告知书；答复期限自收到补正之日起重新计算。")
    elif action == "correction_received":
        services.request_correction_received(actor=actor, request=info, on=on, note=data["text"])
        messages.success(request, "已登记补正，答复期限重新起算。")
    elif action == "correction_lapse":
        services.request_correction_lapse(actor=actor, request=info, on=on)
        messages.success(request, "已登记为逾期未补正、视为放弃申请。")
    elif action == "consult":
        services.request_consult(actor=actor, request=info, on=on, third_party=data["third_party"])
        messages.success(request, "已生成征求意见函；征求意见期间不计入答复期限。")
    elif action == "consult_end":
        services.request_consult_end(actor=actor, request=info, on=on, note=data["text"])
        messages.success(request, "已登记第三方意见，恢复计时。")
    elif action == "extend":
        services.request_extend(
            actor=actor, request=info, on=on, reason=data["reason"], approver=data["approver"]
        )
        messages.success(request, "已延长答复期限并生成延期答复告知书。")
    elif action == "fee_notice":
        services.request_fee_notice(
            actor=actor, request=info, on=on, method=data["method"], pages=data["pages"]
        )
        messages.success(request, "已生成收费通知；缴费期间不计入答复期限。")
    elif action == "fee_paid":
        services.request_fee_paid(actor=actor, request=info, on=on)
        messages.success(request, "已登记缴费，恢复计时。")
    elif action == "fee_lapse":
        services.request_fee_lapse(actor=actor, request=info, on=on)
        messages.success(request, "已登记为逾期未缴费、不再处理。")
    elif action == "answer":
        services.request_answer(
            actor=actor,
            request=info,
            on=on,
            outcome=data["outcome"],
            summary=data["summary"],
            other_agency=data["other_agency"],
        )
        messages.success(request, "已答复并生成答复书。")
    elif action == "withdraw":
        services.request_withdraw(actor=actor, request=info, on=on, note=data["text"])
        messages.success(request, "已登记申请人撤回申请。")


@staff_view("interaction.view_inforequest")
def letter_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponseBase:
    letter = get_object_or_404(Letter.objects.select_related("request"), pk=pk)
    return _letter_response(letter, fmt)


def _letter_response(letter: Letter, fmt: str) -> HttpResponseBase:
    name = f"{letter.request.number}-{letter.title}"
    if fmt == "pdf":
        data = documents.pdf_bytes(letter.title, letter.text, subtitle=f"受理编号：{letter.request.number}")
        if data is None:
            raise Http404("服务器未安装中文字体，无法生成PDF；请下载Word版本")
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.pdf"
        return response
    if fmt != "docx":
        raise Http404
    return FileResponse(
        letter.docx.open("rb"),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        as_attachment=True,
        filename=f"{name}.docx",
    )


@staff_view("interaction.view_lettertemplate")
def template_list(request: HttpRequest) -> HttpResponse:
    rows = [(key, *services.template_for(key)) for key in documents.DEFAULTS]
    return render(
        request, "interaction/template_list.html", {"rows": rows, "placeholders": documents.PLACEHOLDERS}
    )


@staff_view("interaction.view_lettertemplate")
def template_edit(request: HttpRequest, key: str) -> HttpResponse:
    if key not in documents.DEFAULTS:
        raise Http404("没有这种文书")
    title, body = services.template_for(key)
    form = forms.TemplateForm(request.POST or None, initial={"title": title, "body": body})
    if request.method == "POST":
        if not request.user.has_perm("interaction.edit_lettertemplate"):
            messages.error(request, "没有修改文书模板的权限")
            return redirect("staff-template-edit", key=key)
        if request.POST.get("reset"):
            services.template_reset(actor=request.user, key=key)
            messages.success(request, "已恢复默认模板。")
            return redirect("staff-template-edit", key=key)
        if form.is_valid():
            try:
                services.template_save(actor=request.user, key=key, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error("body" if hasattr(exc, "error_dict") else None, exc.messages)
            else:
                messages.success(request, "模板已保存；此后生成的文书使用新模板，已发出的文书不变。")
                return redirect("staff-template-list")
    return render(
        request,
        "interaction/template_form.html",
        {
            "form": form,
            "key": key,
            "placeholders": documents.PLACEHOLDERS,
            "default": documents.DEFAULTS[key],
        },
    )


# --- settings: the configurable periods ------------------------------------------------------------


@staff_view("interaction.view_message")
def settings_page(request: HttpRequest) -> HttpResponse:
    """The reply periods and other values of this module, as dated parameters with their sources."""
    from gongkai.core import parameters
    from gongkai.core.models import Parameter
    from gongkai.interaction import rules

    numbers = [(s.key, s.label) for s in rules.SPECS if isinstance(s.default, int)]
    current = rules.value(rules.MESSAGE_REPLY_DAYS)
    reply_form = forms.ReplyDaysForm(prefix="reply", initial=dict(current))
    number_form = forms.NumberParameterForm(prefix="number", choices=numbers)
    if request.method == "POST":
        if not request.user.has_perm("core.add_parameter"):
            messages.error(request, "只有系统管理员可以修改参数")
            return redirect("staff-interaction-settings")
        which = request.POST.get("which")
        form: Any = (
            forms.ReplyDaysForm(request.POST, prefix="reply")
            if which == "reply"
            else forms.NumberParameterForm(request.POST, prefix="number", choices=numbers)
        )
        if form.is_valid():
            data = form.cleaned_data
            if which == "reply":
                key = rules.MESSAGE_REPLY_DAYS
                value = {c: data[c] for c in ("consult", "complaint", "suggestion")}
            else:
                key, value = data["key"], data["value"]
            parameters.parameter_set(
                actor=request.user, key=key, value=value, valid_from=data["valid_from"], source=data["source"]
            )
            messages.success(request, "已保存；自生效日期起收到的留言按新值计算期限。")
            return redirect("staff-interaction-settings")
        if which == "reply":
            reply_form = form
        else:
            number_form = form
    rows = [
        (spec, rules.value(spec.key), Parameter.objects.filter(key=spec.key).order_by("-valid_from"))
        for spec in rules.SPECS
    ]
    return render(
        request,
        "interaction/settings.html",
        {"rows": rows, "reply_form": reply_form, "number_form": number_form, "specs": parameters.SPECS},
    )
