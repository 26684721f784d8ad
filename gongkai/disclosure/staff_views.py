"""Staff pages of 政务公开: drafts, review, publication, correction, withdrawal, files.

Views validate input and call services; every write is a service call (and so audited).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from gongkai.core.access import staff_view
from gongkai.disclosure import selectors, services
from gongkai.disclosure.choices import State
from gongkai.disclosure.forms import (
    AttachmentForm,
    DocumentForm,
    GuideForm,
    InterpretationForm,
    NoteForm,
    ValidityForm,
)
from gongkai.disclosure.models import Document, Guide, Interpretation

MODELS = {"document": Document, "interpretation": Interpretation, "guide": Guide}
REVIEW_PERM = "disclosure.review_document"


def _errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def _message(request, exc: ValidationError) -> None:
    text = (
        "；".join(m for ms in exc.message_dict.values() for m in ms)
        if hasattr(exc, "error_dict")
        else "；".join(exc.messages)
    )
    messages.error(request, text)


@staff_view("disclosure.view_document")
def overview(request: HttpRequest) -> HttpResponse:
    """Everything awaiting publication with its deadline, and published documents lacking a 解读."""
    state = request.GET.get("state", "")
    state = state if state in State.values else ""
    return render(
        request,
        "disclosure/staff/overview.html",
        {
            "pending": selectors.pending_with_deadlines(),
            "lacking": selectors.documents_lacking_interpretation()[:50],
            "documents": selectors.staff_documents(state=state)[:100],
            "guides": Guide.objects.order_by("-created_at")[:50],
            "state": state,
            "states": State.choices,
        },
    )


@staff_view("disclosure.add_document")
def document_new(request: HttpRequest) -> HttpResponse:
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            doc = services.document_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"已保存草稿，索引号 {doc.index_no}。")
            return redirect("staff-disclosure-document", pk=doc.pk)
    return render(request, "disclosure/staff/form.html", {"form": form, "heading": "新建政策文件"})


@staff_view("disclosure.view_document")
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_object_or_404(
        Document.objects.prefetch_related("interpretations", "attachments", "change_notes"), pk=pk
    )
    return render(
        request,
        "disclosure/staff/item.html",
        {
            "item": doc,
            "kind": "document",
            "due": selectors.publication_due(doc),
            "note_form": NoteForm(),
            "validity_form": ValidityForm(initial={"validity": doc.validity}),
            "attachment_form": AttachmentForm(),
        },
    )


@staff_view("disclosure.change_document")
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_object_or_404(Document, pk=pk)
    correcting = doc.state == State.PUBLISHED
    initial = {f: getattr(doc, f) for f in services.DOCUMENT_FIELDS}
    form = DocumentForm(request.POST or None, initial=initial)
    note_form = NoteForm(request.POST or None) if correcting else None
    if correcting and not request.user.has_perm(REVIEW_PERM):
        raise PermissionDenied("只有信息公开审核员可以更正已发布的文件")
    if request.method == "POST" and form.is_valid() and (note_form is None or note_form.is_valid()):
        try:
            if correcting:
                services.item_correct(
                    actor=request.user, item=doc, data=form.cleaned_data, note=note_form.cleaned_data["note"]
                )
            else:
                services.document_update(actor=request.user, document=doc, data=form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "已更正，更正说明已公开。" if correcting else "已保存。")
            return redirect("staff-disclosure-document", pk=doc.pk)
    heading = f"更正：{doc.title}" if correcting else f"修改：{doc.title}"
    return render(
        request, "disclosure/staff/form.html", {"form": form, "note_form": note_form, "heading": heading}
    )


@staff_view("disclosure.add_interpretation")
def interpretation_new(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_object_or_404(Document, pk=pk)
    form = InterpretationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.interpretation_create(actor=request.user, document=doc, data=form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "已保存解读草稿。图解请在下一步上传图片。")
            return redirect("staff-disclosure-interpretation", pk=item.pk)
    return render(request, "disclosure/staff/form.html", {"form": form, "heading": f"新建解读：{doc.title}"})


@staff_view("disclosure.view_interpretation")
def interpretation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Interpretation.objects.select_related("document"), pk=pk)
    return render(
        request,
        "disclosure/staff/item.html",
        {
            "item": item,
            "kind": "interpretation",
            "due": selectors.publication_due(item),
            "note_form": NoteForm(),
            "attachment_form": AttachmentForm(),
        },
    )


@staff_view("disclosure.change_interpretation")
def interpretation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Interpretation, pk=pk)
    correcting = item.state == State.PUBLISHED
    if correcting and not request.user.has_perm(REVIEW_PERM):
        raise PermissionDenied("只有信息公开审核员可以更正已发布的解读")
    form = InterpretationForm(
        request.POST or None, initial={f: getattr(item, f) for f in services.INTERPRETATION_FIELDS}
    )
    note_form = NoteForm(request.POST or None) if correcting else None
    if request.method == "POST" and form.is_valid() and (note_form is None or note_form.is_valid()):
        try:
            if correcting:
                services.item_correct(
                    actor=request.user, item=item, data=form.cleaned_data, note=note_form.cleaned_data["note"]
                )
            else:
                services.interpretation_update(
                    actor=request.user, interpretation=item, data=form.cleaned_data
                )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return redirect("staff-disclosure-interpretation", pk=item.pk)
    return render(
        request,
        "disclosure/staff/form.html",
        {"form": form, "note_form": note_form, "heading": f"修改解读：{item.title}"},
    )


@staff_view("disclosure.add_guide")
def guide_new(request: HttpRequest) -> HttpResponse:
    form = GuideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        documents = list(data.pop("documents"))
        try:
            guide = services.guide_create(actor=request.user, data=data, documents=documents)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return redirect("staff-disclosure-guide", pk=guide.pk)
    return render(request, "disclosure/staff/form.html", {"form": form, "heading": "新建办事指南"})


@staff_view("disclosure.view_guide")
def guide_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Guide, pk=pk)
    return render(
        request,
        "disclosure/staff/item.html",
        {
            "item": item,
            "kind": "guide",
            "due": selectors.publication_due(item),
            "note_form": NoteForm(),
            "attachment_form": AttachmentForm(),
        },
    )


@staff_view("disclosure.change_guide")
def guide_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Guide, pk=pk)
    correcting = item.state == State.PUBLISHED
    if correcting and not request.user.has_perm(REVIEW_PERM):
        raise PermissionDenied("只有信息公开审核员可以更正已发布的指南")
    initial = {f: getattr(item, f) for f in services.GUIDE_FIELDS} | {"documents": item.documents.all()}
    form = GuideForm(request.POST or None, initial=initial)
    note_form = NoteForm(request.POST or None) if correcting else None
    if request.method == "POST" and form.is_valid() and (note_form is None or note_form.is_valid()):
        data = dict(form.cleaned_data)
        documents = list(data.pop("documents"))
        try:
            if correcting:
                services.item_correct(
                    actor=request.user, item=item, data=data, note=note_form.cleaned_data["note"]
                )
                item.documents.set(documents)
            else:
                services.guide_update(actor=request.user, guide=item, data=data, documents=documents)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return redirect("staff-disclosure-guide", pk=item.pk)
    return render(
        request,
        "disclosure/staff/form.html",
        {"form": form, "note_form": note_form, "heading": f"修改办事指南：{item.name}"},
    )


def _item_redirect(kind: str, pk: int):
    return redirect(f"staff-disclosure-{kind}", pk=pk)


def transition(request: HttpRequest, pk: int, kind: str, action: str) -> HttpResponse:
    """POST-only workflow actions: submit, return, publish, withdraw."""
    if request.method != "POST":
        return _item_redirect(kind, pk)
    item = get_object_or_404(MODELS[kind], pk=pk)
    needs_review = action in {"return", "publish", "withdraw"}
    if needs_review and not request.user.has_perm(REVIEW_PERM):
        raise PermissionDenied("只有信息公开审核员可以审核、发布或撤回")
    if action == "submit" and not request.user.has_perm(f"disclosure.change_{kind}"):
        raise PermissionDenied("没有修改权限")
    note = request.POST.get("note", "")
    try:
        if action == "submit":
            services.item_submit(actor=request.user, item=item)
            messages.success(request, "已提交审核。")
        elif action == "return":
            services.item_return(actor=request.user, item=item, reason=note)
            messages.success(request, "已退回。")
        elif action == "publish":
            services.item_publish(actor=request.user, item=item)
            messages.success(request, "已发布。")
        elif action == "withdraw":
            services.item_withdraw(actor=request.user, item=item, notice=note)
            messages.success(request, "已撤回，撤回说明已公开。")
    except ValidationError as exc:
        _message(request, exc)
    return _item_redirect(kind, pk)


def _make(kind: str, action: str):
    @staff_view(f"disclosure.view_{kind}")
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return transition(request, pk, kind, action)

    view.__name__ = f"{kind}_{action}"
    return view


ACTIONS = {
    (kind, action): _make(kind, action)
    for kind in MODELS
    for action in ("submit", "return", "publish", "withdraw")
}


@staff_view(REVIEW_PERM)
def document_validity(request: HttpRequest, pk: int) -> HttpResponse:
    doc = get_object_or_404(Document, pk=pk)
    form = ValidityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_set_validity(
                actor=request.user,
                document=doc,
                validity=data["validity"],
                changed_on=data["changed_on"],
                superseded_by=data["superseded_by"],
                note=data["note"],
            )
            messages.success(request, "已更新有效性。")
        except ValidationError as exc:
            _message(request, exc)
    return redirect("staff-disclosure-document", pk=pk)


def _attach(kind: str):
    @staff_view(f"disclosure.change_{kind}")
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        item = get_object_or_404(MODELS[kind], pk=pk)
        form = AttachmentForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.attachment_add(
                    actor=request.user,
                    owner=item,
                    name=upload.name,
                    data=upload.read(),
                    title=form.cleaned_data["title"],
                    kind=form.cleaned_data["kind"],
                )
                messages.success(request, "已上传。")
            except ValidationError as exc:
                _message(request, exc)
        elif request.method == "POST":
            messages.error(request, "请选择要上传的文件。")
        return _item_redirect(kind, pk)

    view.__name__ = f"{kind}_attach"
    return view


ATTACH = {kind: _attach(kind) for kind in MODELS}
