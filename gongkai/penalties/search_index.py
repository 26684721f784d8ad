"""Decisions in the site search (``gongkai.search``), when that app is installed.

Documents are built from :func:`selectors.public_decisions` only — the summary and the redacted
text — so a search snippet can never show the original text. Services call :func:`refresh` inside
their transaction after every change of a decision's public state; the search app re-reads the
decisions and indexes those in display, removing the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

DOC_TYPE = "penalty"


def _enabled() -> bool:
    return apps.is_installed("gongkai.search")


def _documents(decisions) -> Iterator:
    from gongkai.search.registry import IndexDocument

    for d in decisions:
        body = "；".join(
            part
            for part in [
                f"决定书文号：{d.number}",
                f"当事人：{d.party_name}" + (f"（{d.entity.credit_code}）" if d.entity_id else ""),
                f"违法行为类型：{d.violation_type}",
                f"处罚内容：{d.penalty_summary}",
                f"作出决定机关：{d.authority}",
                d.public_text,
            ]
            if part
        )
        yield IndexDocument(
            doc_type=DOC_TYPE,
            doc_id=d.public_id,
            title=f"{d.party_name} 行政处罚决定（{d.number}）",
            body=body,
            url=reverse("public-penalty", args=[d.public_id]),
            date=d.decision_date,
            department=d.authority,
            district=d.district.name if d.district_id else "",
        )


def all_documents() -> Iterator:
    from gongkai.penalties.selectors import public_decisions

    yield from _documents(public_decisions().iterator(chunk_size=500))


def documents_for(ids: list[str]) -> list:
    from gongkai.penalties.selectors import public_decisions

    return list(_documents(public_decisions().filter(public_id__in=ids)))


def register() -> None:
    if not _enabled():
        return
    from gongkai.search.registry import DocumentType
    from gongkai.search.registry import register as add

    add(
        DocumentType(
            key=DOC_TYPE,
            label=_("行政处罚"),
            enumerate_all=all_documents,
            documents_for=documents_for,
            order=40,
        )
    )


def refresh(public_ids: Iterable[str]) -> None:
    """Bring the index in line with the decisions' public state (call inside the service's transaction)."""
    ids = [str(i) for i in public_ids]
    if not ids or not _enabled():
        return
    from gongkai.search.services import index_refresh

    index_refresh(doc_type=DOC_TYPE, doc_ids=ids)
