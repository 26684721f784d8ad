"""Writes of 政务公开: every change goes through here, is validated, audited and re-indexed.

The workflow is an explicit state machine (:data:`TRANSITIONS`) shared by documents,
interpretations and guides:

============  ==================  ===========  =====================================================
transition    from                to           side effects
============  ==================  ===========  =====================================================
submit        草稿                待审核        records who submitted
return        待审核              草稿          reason kept for the author
publish       待审核              已发布        reviewer ≠ submitter; published_at; search index
correct       已发布              已发布        public change note (更正说明); search index
withdraw      已发布              已撤回        public notice; page stays; out of the search index
============  ==================  ===========  =====================================================

Nothing published is ever deleted. Each transition writes an audit event.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from gongkai.core import audit
from gongkai.disclosure import filetypes
from gongkai.disclosure.choices import AttachmentKind, State, Validity
from gongkai.disclosure.models import Attachment, ChangeNote, Document, Guide, Interpretation, Publishable
from gongkai.disclosure.sanitise import clean_html

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({State.DRAFT}), State.REVIEW),
    "return": (frozenset({State.REVIEW}), State.DRAFT),
    "publish": (frozenset({State.REVIEW}), State.PUBLISHED),
    "correct": (frozenset({State.PUBLISHED}), State.PUBLISHED),
    "withdraw": (frozenset({State.PUBLISHED}), State.WITHDRAWN),
}

DOCUMENT_FIELDS = [
    "doc_number", "title", "issuer", "written_on", "topic", "valid_from", "body_html", "needs_interpretation",
]  # fmt: skip
INTERPRETATION_FIELDS = ["kind", "title", "body_html", "image_alt", "press_date", "speakers"]
GUIDE_FIELDS = [
    "name", "department", "basis", "conditions", "materials", "process", "time_limit", "fees",
    "place_hours", "phone", "online_url",
]  # fmt: skip


def _kind(item: Publishable) -> str:
    return type(item).__name__.lower()


def _check(item: Publishable, transition: str) -> None:
    sources, _target = TRANSITIONS[transition]
    if item.state not in sources:
        labels = {
            "submit": "提交审核",
            "return": "退回",
            "publish": "发布",
            "correct": "更正",
            "withdraw": "撤回",
        }
        raise ValidationError(f"“{item}”当前状态为{item.get_state_display()}，不能{labels[transition]}")


def _assign(item: Publishable, data: dict[str, Any], fields: list[str]) -> None:
    for name in fields:
        if name in data:
            value = data[name]
            if name == "body_html":
                value = clean_html(value)
            setattr(item, name, value)


def _save(item: Publishable, *, actor: Any, action: str, before: dict | None, note: str = "") -> None:
    item.full_clean()
    item.save()
    audit.record(
        actor=actor,
        action=f"disclosure.{_kind(item)}.{action}",
        obj=item,
        before=before,
        after=audit.snapshot(item),
        note=note,
    )


def _reindex(item: Publishable) -> None:
    from gongkai.disclosure import search_index

    search_index.refresh(item)


def org_code() -> str:
    """The bureau's code at the head of every 索引号 (setting ``GONGKAI_ORG_CODE``)."""
    return getattr(settings, "GONGKAI_ORG_CODE", "") or "371500-SCJG"


def next_index_no(year: int) -> str:
    """索引号: the bureau's organisation code, the year and a serial (e.g. 11371500MB2834XXXX/2026-00012)."""
    prefix = f"{org_code()}/{year}-"
    last = (
        Document.objects.filter(index_no__startswith=prefix)
        .order_by("-index_no")
        .values_list("index_no", flat=True)
        .first()
    )
    serial = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{serial:05d}"


# --- create and edit drafts -------------------------------------------------------------------


@transaction.atomic
def document_create(*, actor: Any, data: dict[str, Any]) -> Document:
    """A new policy document, as a draft (its 20-working-day publication clock starts now)."""
    doc = Document(created_by=actor if getattr(actor, "pk", None) else None)
    _assign(doc, data, DOCUMENT_FIELDS)
    doc.index_no = data.get("index_no") or next_index_no(
        doc.written_on.year if doc.written_on else timezone.localdate().year
    )
    _save(doc, actor=actor, action="create", before=None)
    return doc


@transaction.atomic
def document_update(*, actor: Any, document: Document, data: dict[str, Any]) -> Document:
    """Edit a draft. A published document is changed only through :func:`item_correct`."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.state != State.DRAFT:
        raise ValidationError("只能修改草稿；已发布的文件请使用“更正”，并填写更正说明")
    before = audit.snapshot(document)
    _assign(document, data, DOCUMENT_FIELDS)
    _save(document, actor=actor, action="update", before=before)
    return document


@transaction.atomic
def interpretation_create(*, actor: Any, document: Document, data: dict[str, Any]) -> Interpretation:
    item = Interpretation(document=document, created_by=actor if getattr(actor, "pk", None) else None)
    _assign(item, data, INTERPRETATION_FIELDS)
    _save(item, actor=actor, action="create", before=None)
    return item


@transaction.atomic
def interpretation_update(
    *, actor: Any, interpretation: Interpretation, data: dict[str, Any]
) -> Interpretation:
    item = Interpretation.objects.select_for_update().get(pk=interpretation.pk)
    if item.state != State.DRAFT:
        raise ValidationError("只能修改草稿；已发布的解读请使用“更正”，并填写更正说明")
    before = audit.snapshot(item)
    _assign(item, data, INTERPRETATION_FIELDS)
    _save(item, actor=actor, action="update", before=before)
    return item


@transaction.atomic
def guide_create(*, actor: Any, data: dict[str, Any], documents: list[Document] | None = None) -> Guide:
    guide = Guide(created_by=actor if getattr(actor, "pk", None) else None)
    _assign(guide, data, GUIDE_FIELDS)
    _save(guide, actor=actor, action="create", before=None)
    if documents is not None:
        guide.documents.set(documents)
    return guide


@transaction.atomic
def guide_update(
    *, actor: Any, guide: Guide, data: dict[str, Any], documents: list[Document] | None = None
) -> Guide:
    item = Guide.objects.select_for_update().get(pk=guide.pk)
    if item.state != State.DRAFT:
        raise ValidationError("只能修改草稿；已发布的指南请使用“更正”，并填写更正说明")
    before = audit.snapshot(item)
    _assign(item, data, GUIDE_FIELDS)
    _save(item, actor=actor, action="update", before=before)
    if documents is not None:
        item.documents.set(documents)
    return item


def _fields_of(item: Publishable) -> list[str]:
    return {Document: DOCUMENT_FIELDS, Interpretation: INTERPRETATION_FIELDS, Guide: GUIDE_FIELDS}[type(item)]


def _locked(item: Publishable) -> Publishable:
    return type(item).objects.select_for_update().get(pk=item.pk)


# --- the workflow -----------------------------------------------------------------------------


@transaction.atomic
def item_submit(*, actor: Any, item: Publishable) -> Publishable:
    """草稿 → 待审核."""
    item = _locked(item)
    _check(item, "submit")
    before = audit.snapshot(item)
    item.state = State.REVIEW
    item.submitted_at = timezone.now()
    item.submitted_by = actor if getattr(actor, "pk", None) else None
    item.return_reason = ""
    _save(item, actor=actor, action="submit", before=before)
    return item


@transaction.atomic
def item_return(*, actor: Any, item: Publishable, reason: str) -> Publishable:
    """待审核 → 草稿, with the reviewer's reason."""
    if not reason.strip():
        raise ValidationError({"reason": "退回时必须填写退回意见"})
    item = _locked(item)
    _check(item, "return")
    before = audit.snapshot(item)
    item.state = State.DRAFT
    item.return_reason = reason.strip()
    _save(item, actor=actor, action="return", before=before, note=reason.strip())
    return item


@transaction.atomic
def item_publish(*, actor: Any, item: Publishable) -> Publishable:
    """待审核 → 已发布: by a reviewer who did not submit it; the item enters the search index."""
    item = _locked(item)
    _check(item, "publish")
    if item.submitted_by_id is not None and item.submitted_by_id == getattr(actor, "pk", None):
        raise ValidationError("审核人不能发布自己提交的内容（须由另一名信息公开审核员审核）")
    if isinstance(item, Interpretation) and item.document.state != State.PUBLISHED:
        raise ValidationError("所解读的文件尚未发布，请先发布文件再发布解读")
    before = audit.snapshot(item)
    item.state = State.PUBLISHED
    item.published_at = timezone.now()
    item.reviewed_by = actor if getattr(actor, "pk", None) else None
    _save(item, actor=actor, action="publish", before=before)
    _reindex(item)
    return item


@transaction.atomic
def item_correct(*, actor: Any, item: Publishable, data: dict[str, Any], note: str) -> Publishable:
    """Correct a published item in place, with a public change note saying what changed and why."""
    if not note.strip():
        raise ValidationError({"note": "更正已发布的内容必须填写公开的更正说明"})
    item = _locked(item)
    _check(item, "correct")
    before = audit.snapshot(item)
    _assign(item, data, _fields_of(item))
    _save(item, actor=actor, action="correct", before=before, note=note.strip())
    ChangeNote.objects.create(**{_kind(item): item}, note=note.strip())
    _reindex(item)
    return item


@transaction.atomic
def item_withdraw(*, actor: Any, item: Publishable, notice: str) -> Publishable:
    """已发布 → 已撤回: the page stays with the notice; the item leaves the search index."""
    if not notice.strip():
        raise ValidationError({"notice": "撤回必须填写公开的撤回说明"})
    item = _locked(item)
    _check(item, "withdraw")
    before = audit.snapshot(item)
    item.state = State.WITHDRAWN
    item.withdrawn_at = timezone.now()
    item.withdrawal_notice = notice.strip()
    _save(item, actor=actor, action="withdraw", before=before, note=notice.strip())
    _reindex(item)
    return item


@transaction.atomic
def document_set_validity(
    *,
    actor: Any,
    document: Document,
    validity: str,
    changed_on,
    superseded_by: Document | None = None,
    note: str = "",
) -> Document:
    """Mark a document 失效/废止 (or valid again), optionally naming the document that replaces it."""
    doc = Document.objects.select_for_update().get(pk=document.pk)
    before = audit.snapshot(doc)
    doc.validity = validity
    doc.validity_changed_on = changed_on if validity != Validity.VALID else None
    doc.superseded_by = superseded_by
    _save(doc, actor=actor, action="validity", before=before, note=note)
    if doc.is_public:
        with translation.override(settings.LANGUAGE_CODE):  # the public note is stored in Chinese
            label = str(dict(Validity.choices)[validity])
        if note.strip():
            text = note.strip()
        elif changed_on and validity != Validity.VALID:
            text = f"本文件自{changed_on:%Y年%m月%d日}起{label}"
        else:
            text = f"本文件有效性变更为{label}"
        if superseded_by:
            text += f"，由《{superseded_by.title}》替代"
        ChangeNote.objects.create(document=doc, note=text)
        _reindex(doc)
    return doc


# --- files ------------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(
    *,
    actor: Any,
    owner: Publishable,
    name: str,
    data: bytes,
    title: str = "",
    kind: str = AttachmentKind.ATTACHMENT,
) -> Attachment:
    """Attach a type-checked, size-limited file. On a published item this is a correction and needs a note."""
    try:
        file_type = filetypes.check(
            name,
            data,
            kind="image"
            if kind == AttachmentKind.IMAGE
            else "video"
            if kind == AttachmentKind.VIDEO
            else "default",
        )
    except filetypes.FileTypeError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    if owner.state == State.WITHDRAWN:
        raise ValidationError("已撤回的内容不能再添加附件")
    att = Attachment(
        **{_kind(owner): owner},
        kind=kind,
        title=(title or name)[:200],
        file_type=file_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    att.file.save(f"{att.sha256[:16]}.{file_type}", ContentFile(data), save=False)
    att.full_clean()
    att.save()
    audit.record(
        actor=actor,
        action=f"disclosure.{_kind(owner)}.attachment_add",
        obj=owner,
        after={
            "attachment": att.pk,
            "title": att.title,
            "sha256": att.sha256,
            "size": att.size,
            "kind": kind,
        },
    )
    return att
