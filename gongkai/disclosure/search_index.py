"""Documents, interpretations and guides in the site search (types policy, interpretation, guide)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongkai.disclosure.choices import State
from gongkai.disclosure.models import Document, Guide, Interpretation
from gongkai.disclosure.sanitise import plain_text
from gongkai.search.registry import DocumentType, IndexDocument, register


def _local_date(value):
    from django.utils import timezone

    return timezone.localdate(value) if value else None


def document_doc(d: Document) -> IndexDocument:
    head = " ".join(x for x in [d.doc_number, d.issuer, d.get_topic_display(), d.get_validity_display()] if x)
    return IndexDocument(
        doc_type="policy",
        doc_id=str(d.pk),
        title=d.title,
        body=f"{head}\n{plain_text(d.body_html)}",
        url=reverse("public-document", args=[d.pk]),
        date=_local_date(d.published_at),
        department=d.issuer,
    )


def interpretation_doc(i: Interpretation) -> IndexDocument:
    return IndexDocument(
        doc_type="interpretation",
        doc_id=str(i.pk),
        title=i.title,
        body=f"{i.get_kind_display()}：《{i.document.title}》\n{i.image_alt}\n{plain_text(i.body_html)}",
        url=reverse("public-interpretation", args=[i.pk]),
        date=_local_date(i.published_at),
        department=i.document.issuer,
    )


def guide_doc(g: Guide) -> IndexDocument:
    body = "\n".join(
        [
            f"设定依据：{g.basis}",
            f"办理条件：{g.conditions}",
            f"材料清单：{g.materials}",
            f"办理流程：{g.process}",
            f"办理时限：{g.time_limit}",
            f"收费标准：{g.fees}",
            f"办理地点和时间：{g.place_hours}",
            f"咨询电话：{g.phone}",
        ]
    )
    return IndexDocument(
        doc_type="guide",
        doc_id=str(g.pk),
        title=g.name,
        body=body,
        url=reverse("public-guide", args=[g.pk]),
        date=_local_date(g.published_at),
        department=g.department,
    )


def _all(model, build) -> Iterator[IndexDocument]:
    qs = model.objects.filter(state=State.PUBLISHED)
    if model is Interpretation:
        qs = qs.select_related("document")
    for item in qs.iterator(chunk_size=500):
        yield build(item)


def _for(model, build):
    def documents_for(ids: list[str]) -> Iterable[IndexDocument]:
        qs = model.objects.filter(state=State.PUBLISHED, pk__in=[int(i) for i in ids if str(i).isdigit()])
        if model is Interpretation:
            qs = qs.select_related("document")
        return [build(item) for item in qs]

    return documents_for


TYPES = {Document: "policy", Interpretation: "interpretation", Guide: "guide"}

register(
    DocumentType(
        "policy", _("政策文件"), lambda: _all(Document, document_doc), _for(Document, document_doc), order=10
    )
)
register(
    DocumentType(
        "interpretation",
        _("政策解读"),
        lambda: _all(Interpretation, interpretation_doc),
        _for(Interpretation, interpretation_doc),
        order=20,
    )
)
register(
    DocumentType("guide", _("办事指南"), lambda: _all(Guide, guide_doc), _for(Guide, guide_doc), order=30)
)


def refresh(item) -> None:
    """Bring one item's index entry in line with its state (inside the caller's transaction)."""
    from gongkai.search import services as search

    search.index_refresh(doc_type=TYPES[type(item)], doc_ids=[str(item.pk)])
