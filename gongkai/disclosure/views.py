"""Public pages of 政务公开: the 指南, the 目录, documents, interpretations, guides, forms, files."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongkai.disclosure import selectors
from gongkai.disclosure.choices import InterpretationKind, Topic, Validity
from gongkai.disclosure.models import Attachment, Document, Guide, Interpretation

PER_PAGE = 20


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def catalogue(request: HttpRequest) -> HttpResponse:
    """政府信息公开目录, generated from what is published."""
    return render(
        request,
        "disclosure/catalogue.html",
        {"rows": selectors.catalogue(), "topics": selectors.topic_counts()},
    )


def disclosure_guide(request: HttpRequest) -> HttpResponse:
    """政府信息公开指南, generated from the data (columns, statutory deadlines and fees).

    The bureau's name in the heading is base.html's ``bureau`` (translated), like the rest of the site."""
    return render(request, "disclosure/guide.html", {"rows": selectors.catalogue()})


def documents(request: HttpRequest) -> HttpResponse:
    topic = request.GET.get("topic", "")
    validity = request.GET.get("validity", "")
    topic = topic if topic in Topic.values else ""
    validity = validity if validity in Validity.values else ""
    qs = selectors.public_documents(topic=topic, validity=validity, year=_int(request.GET.get("year")))
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/documents.html",
        {
            "page": page,
            "topic": topic,
            "validity": validity,
            "topics": Topic.choices,
            "validities": Validity.choices,
        },
    )


def document(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        doc = selectors.public_document(pk)
    except Document.DoesNotExist as exc:
        raise Http404(_("没有这份文件，或文件尚未发布")) from exc
    return render(request, "disclosure/document.html", {"doc": doc})


def interpretations(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in InterpretationKind.values else ""
    page = Paginator(selectors.public_interpretations(kind=kind), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/interpretations.html",
        {"page": page, "kind": kind, "kinds": InterpretationKind.choices},
    )


def interpretation(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = selectors.public_interpretation(pk)
    except Interpretation.DoesNotExist as exc:
        raise Http404(_("没有这篇解读，或解读尚未发布")) from exc
    images = [a for a in item.attachments.all() if a.kind == "image"]
    others = [a for a in item.attachments.all() if a.kind != "image"]
    return render(
        request, "disclosure/interpretation.html", {"item": item, "images": images, "others": others}
    )


def guides(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.public_guides(), 50).get_page(request.GET.get("page"))
    return render(request, "disclosure/guides.html", {"page": page})


def guide(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = selectors.public_guide(pk)
    except Guide.DoesNotExist as exc:
        raise Http404(_("没有这个办事指南")) from exc
    return render(request, "disclosure/guide_detail.html", {"guide": item})


def forms_page(request: HttpRequest) -> HttpResponse:
    return render(request, "disclosure/forms.html", {"forms": selectors.public_forms()})


def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A published file: served by this view (uploads are outside the web root), with its real type."""
    try:
        att = selectors.public_attachment(pk)
    except Attachment.DoesNotExist as exc:
        raise Http404(_("没有这个文件")) from exc
    types = {
        "pdf": "application/pdf",
        "png": "image/png",
        "jpg": "image/jpeg",
        "gif": "image/gif",
        "mp4": "video/mp4",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "doc": "application/msword",
        "xls": "application/vnd.ms-excel",
        "ppt": "application/vnd.ms-powerpoint",
    }
    inline = att.file_type in {"pdf", "png", "jpg", "gif", "mp4"}
    response = FileResponse(
        att.file.open("rb"),
        content_type=types.get(att.file_type, "application/octet-stream"),
        as_attachment=not inline,
        filename=f"{att.title}.{att.file_type}",
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response
