"""The publication workflow: draft → review → published → corrected / withdrawn, audited and indexed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongkai.core.models import AuditEvent
from gongkai.disclosure import selectors, services
from gongkai.disclosure.choices import InterpretationKind, State
from gongkai.disclosure.demo import png_bytes
from gongkai.disclosure.models import ChangeNote, Document
from gongkai.search import selectors as search

pytestmark = pytest.mark.django_db

DATA = {
    "title": "关于加强农村集体聚餐食品安全指导的通知",
    "doc_number": "聊市监发〔2026〕21号",
    "issuer": "聊城市市场监督管理局",
    "written_on": dt.date(2026, 4, 1),
    "topic": "food",
    "body_html": '<p>农村集体聚餐应当向村级食品安全协管员报告。</p><script>alert("x")</script>',
}


def _published(author, reviewer, **overrides) -> Document:
    doc = services.document_create(actor=author, data={**DATA, **overrides})
    services.item_submit(actor=author, item=doc)
    return services.item_publish(actor=reviewer, item=doc)


def test_a_document_goes_from_draft_through_review_to_published_and_into_the_search(author, reviewer):
    doc = services.document_create(actor=author, data=DATA)
    assert doc.state == State.DRAFT and doc.index_no.endswith("/2026-00001")
    assert "<script>" not in doc.body_html
    assert search.site_search(q="集体聚餐").total == 0
    services.item_submit(actor=author, item=doc)
    doc = services.item_publish(actor=reviewer, item=doc)
    assert doc.state == State.PUBLISHED and doc.published_at and doc.reviewed_by == reviewer
    assert search.site_search(q="集体聚餐").total == 1
    actions = list(
        AuditEvent.objects.filter(object_id=str(doc.pk), object_type="disclosure.document").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "disclosure.document.create",
        "disclosure.document.submit",
        "disclosure.document.publish",
    ]


def test_the_submitter_cannot_publish_their_own_document(author):
    doc = services.document_create(actor=author, data=DATA)
    services.item_submit(actor=author, item=doc)
    with pytest.raises(ValidationError, match="审核人不能发布自己提交的内容"):
        services.item_publish(actor=author, item=doc)


def test_a_returned_draft_keeps_the_reason_and_transitions_are_checked(author, reviewer):
    doc = services.document_create(actor=author, data=DATA)
    with pytest.raises(ValidationError, match="不能发布"):
        services.item_publish(actor=reviewer, item=doc)
    services.item_submit(actor=author, item=doc)
    with pytest.raises(ValidationError):
        services.item_return(actor=reviewer, item=doc, reason=" ")
    doc = services.item_return(actor=reviewer, item=doc, reason="文号有误")
    assert doc.state == State.DRAFT and doc.return_reason == "文号有误"


def test_published_documents_are_corrected_with_a_public_note_never_edited_silently(author, reviewer):
    doc = _published(author, reviewer)
    with pytest.raises(ValidationError, match="只能修改草稿"):
        services.document_update(actor=author, document=doc, data={"title": "改"})
    with pytest.raises(ValidationError):
        services.item_correct(actor=reviewer, item=doc, data={"title": "改"}, note="")
    services.item_correct(
        actor=reviewer, item=doc, data={"doc_number": "聊市监发〔2026〕22号"}, note="更正文号"
    )
    doc.refresh_from_db()
    assert doc.doc_number == "聊市监发〔2026〕22号"
    assert ChangeNote.objects.get(document=doc).note == "更正文号"
    event = AuditEvent.objects.get(action="disclosure.document.correct")
    assert event.before["doc_number"] == "聊市监发〔2026〕21号"


def test_a_withdrawn_document_keeps_its_page_with_the_notice_and_leaves_the_search(client, author, reviewer):
    doc = _published(author, reviewer)
    services.item_withdraw(actor=reviewer, item=doc, notice="该文件内容有误，已撤回")
    assert Document.objects.filter(pk=doc.pk).exists()
    assert search.site_search(q="集体聚餐").total == 0
    page = client.get(f"/policies/{doc.pk}/").content.decode()
    assert "该文件内容有误，已撤回" in page


def test_drafts_are_not_public(client, author):
    doc = services.document_create(actor=author, data=DATA)
    assert client.get(f"/policies/{doc.pk}/").status_code == 404
    assert "集体聚餐" not in client.get("/policies/").content.decode()


def test_an_interpretation_needs_its_document_published_and_a_graphic_needs_text(author, reviewer):
    doc = services.document_create(actor=author, data=DATA)
    with pytest.raises(ValidationError) as exc:
        services.interpretation_create(
            actor=author, document=doc, data={"kind": InterpretationKind.GRAPHIC, "title": "一图读懂"}
        )
    assert "image_alt" in exc.value.message_dict and "body_html" in exc.value.message_dict
    item = services.interpretation_create(
        actor=author, document=doc, data={"kind": "text", "title": "解读", "body_html": "解读正文"}
    )
    services.item_submit(actor=author, item=item)
    with pytest.raises(ValidationError, match="所解读的文件尚未发布"):
        services.item_publish(actor=reviewer, item=item)


def test_document_and_interpretation_link_to_each_other(client, author, reviewer):
    doc = _published(author, reviewer)
    item = services.interpretation_create(
        actor=author,
        document=doc,
        data={
            "kind": "graphic",
            "title": "一图读懂农村集体聚餐",
            "image_alt": "一图读懂农村集体聚餐报告流程",
            "body_html": "图解文字版：聚餐前向村级食品安全协管员报告，协管员上门指导，聚餐后留样四十八小时。",
        },
    )
    services.attachment_add(actor=author, owner=item, name="t.png", data=png_bytes(), kind="image")
    services.item_submit(actor=author, item=item)
    services.item_publish(actor=reviewer, item=item)
    doc_page = client.get(f"/policies/{doc.pk}/").content.decode()
    assert f"/interpretations/{item.pk}/" in doc_page and "图片解读" in doc_page
    page = client.get(f"/interpretations/{item.pk}/").content.decode()
    assert f"/policies/{doc.pk}/" in page
    assert 'alt="一图读懂农村集体聚餐报告流程"' in page and "图解文字版" in page
    image = item.attachments.get()
    response = client.get(f"/files/{image.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


def test_files_of_unpublished_items_are_not_served(client, author):
    doc = services.document_create(actor=author, data=DATA)
    att = services.attachment_add(actor=author, owner=doc, name="a.png", data=png_bytes())
    assert client.get(f"/files/{att.pk}/").status_code == 404


def test_staff_see_documents_lacking_an_interpretation_and_deadlines(author, reviewer):
    doc = _published(author, reviewer)
    _published(author, reviewer, title="事务性通知", needs_interpretation=False)
    assert list(selectors.documents_lacking_interpretation()) == [doc]
    draft = services.document_create(actor=author, data=DATA)
    pending = selectors.pending_with_deadlines()
    assert pending[0][0] == draft
    due = pending[0][1]
    from django.utils import timezone

    from gongkai.core.calendar import working_days_between

    assert working_days_between(timezone.localdate(draft.created_at), due) == 20


def test_validity_and_superseding_document(client, author, reviewer):
    old = _published(author, reviewer, title="旧文件")
    new = _published(author, reviewer, title="新文件")
    with pytest.raises(ValidationError):
        services.document_set_validity(actor=reviewer, document=old, validity="repealed", changed_on=None)
    services.document_set_validity(
        actor=reviewer, document=old, validity="repealed", changed_on=dt.date(2026, 5, 1), superseded_by=new
    )
    page = client.get(f"/policies/{old.pk}/").content.decode()
    assert "本文件已废止" in page and f"/policies/{new.pk}/" in page
    assert "本文件替代的文件" in client.get(f"/policies/{new.pk}/").content.decode()
