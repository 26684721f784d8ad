"""Public content the search indexes on behalf of modules that do not (yet) register themselves.

* ``entity`` — 经营主体: name, credit code, type, status, registration authority, industry,
  every address. Never the credit-risk class, the contact person or phone, nor (for 个体工商户) the
  operator's name — see :func:`gongkai.portal.selectors.public_entity_fields`.
* ``inspection`` — published 双随机 results (``inspections.selectors.published_results``).

The registry writes in bulk (``COPY``), which sends no signals: ``entities_upsert`` calls
``search.services.index_mark_stale(doc_type="entity", …)``, which refreshes a few changed entities
at once and marks the rest for ``gongkai reindex --stale``. Published inspection results are caught by ``post_save`` on
``Target`` (``target_publish`` saves with ``update_fields``), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongkai.search.registry import DocumentType, IndexDocument, register


def _entity_docs(qs) -> Iterator[IndexDocument]:
    from gongkai.portal.selectors import public_entity_fields

    for entity in qs:
        fields = public_entity_fields(entity)
        body = "；".join(f"{label}：{value}" for label, value in fields if value)
        yield IndexDocument(
            doc_type="entity",
            doc_id=entity.credit_code,
            title=entity.name,
            body=body,
            url=reverse("portal-entity", args=[entity.credit_code]),
            date=entity.established_on,
            department=entity.registration_authority,
            district=entity.district.name if entity.district_id else "",
        )


def _entity_queryset():
    from gongkai.registry.models import Entity

    return (
        Entity.objects.select_related("district", "cluster_host")
        .prefetch_related("addresses")
        .order_by("credit_code")
    )


def all_entities() -> Iterator[IndexDocument]:
    qs = _entity_queryset()
    last = ""
    while True:
        chunk = list(qs.filter(credit_code__gt=last)[:2000])
        if not chunk:
            return
        yield from _entity_docs(chunk)
        last = chunk[-1].credit_code


def entities_for(ids: list[str]) -> Iterable[IndexDocument]:
    return list(_entity_docs(_entity_queryset().filter(credit_code__in=ids)))


def _result_docs(targets) -> Iterator[IndexDocument]:
    for t in targets:
        lines = []
        for r in t.records.all():
            cats = "；".join(c.label for c in r.categories.all())
            lines.append(f"{r.item.name}：{cats}")
        task = t.task
        yield IndexDocument(
            doc_type="inspection",
            doc_id=str(t.pk),
            title=f"{t.entity.name} 抽查结果（{task.name}）",
            body=f"统一社会信用代码：{t.entity_id}；抽查任务：{task.public_id} {task.name}；"
            + "；".join(lines),
            url=reverse("public-task", args=[task.public_id]),
            date=t.results_published_at.date() if t.results_published_at else None,
            department=task.plan.department.name if task.plan_id else "",
            district=t.entity.district.name if t.entity.district_id else "",
        )


def _results_queryset():
    from gongkai.inspections.selectors import published_results

    return published_results().select_related("entity__district")


def all_results() -> Iterator[IndexDocument]:
    yield from _result_docs(_results_queryset().iterator(chunk_size=1000))


def results_for(ids: list[str]) -> Iterable[IndexDocument]:
    return list(_result_docs(_results_queryset().filter(pk__in=[int(i) for i in ids if i.isdigit()])))


register(
    DocumentType(
        key="entity", label=_("经营主体"), enumerate_all=all_entities, documents_for=entities_for, order=60
    )
)
register(
    DocumentType(
        key="inspection", label=_("抽查结果"), enumerate_all=all_results, documents_for=results_for, order=50
    )
)


def _connect() -> None:
    from gongkai.inspections.models import Target

    @receiver(post_save, sender=Target, dispatch_uid="search-index-target")
    def target_saved(sender, instance, update_fields=None, raw=False, **kwargs):
        if raw:
            return
        touched = update_fields is None or "results_published_at" in update_fields
        if not touched or (update_fields is None and instance.results_published_at is None):
            return
        from gongkai.search.services import index_refresh

        index_refresh(doc_type="inspection", doc_ids=[str(instance.pk)])


_connect()
