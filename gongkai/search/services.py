"""Writes to the search index and the synonym list.

Index writes are called by the services that change public content, inside their transaction, so
the index never disagrees with the content it describes (a rolled-back change rolls back its index
entry too). The index is derived data and writes no audit events; synonym edits do.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from gongkai.core import audit
from gongkai.search import text
from gongkai.search.backends import get_backend
from gongkai.search.models import SearchDocument, StaleDocument, SynonymGroup, VocabularyTerm
from gongkai.search.registry import IndexDocument, document_type, document_types

SYNONYM_CACHE_KEY = "search:synonyms:v1"


def _row(doc: IndexDocument) -> dict[str, Any]:
    return {
        "title": doc.title[:500],
        "body": doc.body,
        "date": doc.date,
        "year": doc.date.year if doc.date else None,
        "department": doc.department[:100],
        "district": doc.district[:50],
        "url": doc.url[:300],
    }


def vocabulary_add(docs: Iterable[IndexDocument]) -> None:
    """Count each document's words once in the vocabulary (pinyin look-up and suggestions)."""
    counts: Counter = Counter()
    for doc in docs:
        counts.update(text.vocabulary_words(doc.title) | text.vocabulary_words(doc.body))
    vocabulary_add_counts(counts)


def vocabulary_add_counts(counts: Counter) -> None:
    if not counts:
        return
    rows = []
    for word, n in counts.items():
        full, initials = text.pinyin_keys(word)
        if full:
            rows.append((word, full[:96], initials[:16], len(word), n))
    rows.sort()  # one lock order for concurrent writers
    with connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO search_vocabularyterm (term, pinyin, initials, length, df) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (term) DO UPDATE SET df = search_vocabularyterm.df + excluded.df",
            rows,
        )


@transaction.atomic
def index_update(*, docs: Iterable[IndexDocument], vocabulary: bool = True) -> int:
    """Insert or replace documents in the index. Call inside the transaction of the change."""
    docs = list(docs)
    if not docs:
        return 0
    backend = get_backend()
    keys = {(d.doc_type, str(d.doc_id)) for d in docs}
    existing = SearchDocument.objects.filter(
        doc_type__in={t for t, _ in keys}, doc_id__in={i for _, i in keys}
    ).values_list("doc_type", "doc_id", "pk")
    backend.delete([pk for t, i, pk in existing if (t, i) in keys])  # before the date may change
    rows = []
    for doc in docs:
        obj, _ = SearchDocument.objects.update_or_create(
            doc_type=doc.doc_type, doc_id=str(doc.doc_id), defaults=_row(doc)
        )
        rows.append((obj.pk, doc.title, doc.body, doc.date))
    backend.write(rows)
    if vocabulary:
        vocabulary_add(docs)
    return len(rows)


@transaction.atomic
def index_remove(*, doc_type: str, doc_ids: Iterable[str]) -> int:
    """Take documents out of the index (no longer public)."""
    ids = list(
        SearchDocument.objects.filter(doc_type=doc_type, doc_id__in=[str(i) for i in doc_ids]).values_list(
            "pk", flat=True
        )
    )
    get_backend().delete(ids)
    SearchDocument.objects.filter(pk__in=ids).delete()
    return len(ids)


@transaction.atomic
def index_refresh(*, doc_type: str, doc_ids: Iterable[str]) -> int:
    """Re-read ``doc_ids`` from their module: index the public ones, remove the rest."""
    spec = document_type(doc_type)
    if spec is None or spec.documents_for is None:
        raise ValueError(f"未注册可刷新的检索类型：{doc_type}")
    wanted = [str(i) for i in doc_ids]
    docs = list(spec.documents_for(wanted))
    index_update(docs=docs)
    public = {str(d.doc_id) for d in docs}
    return index_remove(doc_type=doc_type, doc_ids=[i for i in wanted if i not in public]) + len(docs)


# Up to this many documents a bulk writer's change is indexed at once; beyond, it is only marked.
STALE_SYNC_LIMIT = 200


def index_mark_stale(*, doc_type: str, doc_ids: Iterable[str]) -> int:
    """Note that ``doc_ids`` changed: refresh them now when few, else mark them for later.

    Call inside the transaction of the change. Returns how many were marked (0 when refreshed).
    Marked documents are refreshed by :func:`index_process_stale` (``gongkai reindex --stale``).
    """
    from gongkai.core.bulk import copy_rows

    ids = [str(i) for i in doc_ids]
    if not ids:
        return 0
    if len(ids) <= STALE_SYNC_LIMIT:
        index_refresh(doc_type=doc_type, doc_ids=ids)
        return 0
    copy_rows(StaleDocument, ["doc_type", "doc_id"], [(doc_type, i) for i in ids])
    return len(ids)


def index_process_stale(*, batch: int = 2000, progress: Callable[[str, int], None] | None = None) -> int:
    """Refresh every marked document, ``batch`` marks per transaction; returns how many marks."""
    done = 0
    while True:
        with transaction.atomic():
            marks = list(
                StaleDocument.objects.select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("id", "doc_type", "doc_id")[:batch]
            )
            if not marks:
                return done
            by_type: dict[str, set[str]] = {}
            for _, doc_type, doc_id in marks:
                by_type.setdefault(doc_type, set()).add(doc_id)
            for doc_type, ids in by_type.items():
                if document_type(doc_type) is not None:
                    index_refresh(doc_type=doc_type, doc_ids=sorted(ids))
            StaleDocument.objects.filter(id__in=[m[0] for m in marks]).delete()
        done += len(marks)
        if progress:
            progress("stale", done)


def index_rebuild(
    *,
    doc_types: list[str] | None = None,
    batch: int = 2000,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Rebuild the index (all types, or some) from each module's ``enumerate_all``.

    Each type is rebuilt in one transaction: readers see the old index until it commits. The
    vocabulary is rebuilt too when every type is.
    """
    specs = [t for t in document_types() if doc_types is None or t.key in doc_types]
    unknown = set(doc_types or []) - {t.key for t in specs}
    if unknown:
        raise ValueError(f"未知的检索类型：{'、'.join(sorted(unknown))}")
    counts: dict[str, int] = {}
    backend = get_backend()
    with transaction.atomic():
        if doc_types is None:
            VocabularyTerm.objects.all().delete()
            backend.clear()
            SearchDocument.objects.all().delete()
    for spec in specs:
        with transaction.atomic():
            old = list(SearchDocument.objects.filter(doc_type=spec.key).values_list("pk", flat=True))
            for start in range(0, len(old), 5000):
                backend.delete(old[start : start + 5000])
            SearchDocument.objects.filter(doc_type=spec.key).delete()
            # Marks made before this point are covered by the rebuild.
            StaleDocument.objects.filter(doc_type=spec.key).delete()
            n = 0
            chunk: list[IndexDocument] = []
            for doc in spec.enumerate_all():
                chunk.append(doc)
                if len(chunk) >= batch:
                    n += _bulk_insert(chunk, backend)
                    chunk = []
                    if progress:
                        progress(spec.key, n)
            n += _bulk_insert(chunk, backend)
            counts[spec.key] = n
            if progress:
                progress(spec.key, n)
    return counts


def _bulk_insert(docs: list[IndexDocument], backend) -> int:
    if not docs:
        return 0
    objs = SearchDocument.objects.bulk_create(
        [SearchDocument(doc_type=d.doc_type, doc_id=str(d.doc_id), **_row(d)) for d in docs]
    )
    backend.write([(o.pk, d.title, d.body, d.date) for o, d in zip(objs, docs, strict=True)])
    vocabulary_add(docs)
    return len(objs)


# --- synonyms -----------------------------------------------------------------------------------


def _forget_synonyms() -> None:
    """Drop the cached synonym map now and again at commit (a reader may refill it meanwhile)."""
    cache.delete(SYNONYM_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SYNONYM_CACHE_KEY))


def _clean_terms(terms: str) -> str:
    parts = [p.strip() for p in re.split(r"[、,，;；\s]+", terms) if p.strip()]
    parts = list(dict.fromkeys(parts))
    if len(parts) < 2:
        raise ValidationError({"terms": "同义词组至少要有两个词（用顿号、逗号或空格分隔）"})
    if any(len(p) > 40 for p in parts):
        raise ValidationError({"terms": "每个词不能超过40个字"})
    return "、".join(parts)


@transaction.atomic
def synonym_group_save(
    *, actor: Any, terms: str, note: str = "", group: SynonymGroup | None = None
) -> SynonymGroup:
    """Create or change a synonym group; takes effect on the next search (no reindex needed)."""
    before = audit.snapshot(group) if group else None
    group = group or SynonymGroup()
    group.terms = _clean_terms(terms)
    group.note = note
    group.full_clean()
    group.save()
    audit.record(
        actor=actor,
        action="search.synonyms.save",
        obj=group,
        before=before,
        after=audit.snapshot(group, ["terms", "note"]),
    )
    _forget_synonyms()
    return group


@transaction.atomic
def synonym_group_delete(*, actor: Any, group: SynonymGroup) -> None:
    audit.record(
        actor=actor,
        action="search.synonyms.delete",
        obj=group,
        before=audit.snapshot(group, ["terms", "note"]),
    )
    group.delete()
    _forget_synonyms()
