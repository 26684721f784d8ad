"""Published Q&A in the site search (``gongkai.search``), when that app is installed.

Documents are built from :func:`selectors.published_messages` — the reviewed public texts only —
so a search snippet can never show a sender's name or contact. ``message_publish`` and
``message_unpublish`` call :func:`refresh` inside their transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.apps import apps
from django.urls import reverse

DOC_TYPE = "message"


def _enabled() -> bool:
    return apps.is_installed("gongkai.search")


def _documents(messages) -> Iterator:
    from gongkai.search.registry import IndexDocument

    for m in messages:
        yield IndexDocument(
            doc_type=DOC_TYPE,
            doc_id=str(m.pk),
            title=m.public_subject,
            body=f"【{m.get_category_display()}】{m.public_body}；答复：{m.public_reply}",
            url=reverse("public-message", args=[m.pk]),
            date=m.replied_on,
            department=m.department.name if m.department_id else "",
        )


def all_documents() -> Iterator:
    from gongkai.interaction.selectors import published_messages

    yield from _documents(published_messages().iterator(chunk_size=500))


def documents_for(ids: list[str]) -> list:
    from gongkai.interaction.selectors import published_messages

    return list(_documents(published_messages().filter(pk__in=[int(i) for i in ids])))


def register() -> None:
    if not _enabled():
        return
    from gongkai.search.registry import DocumentType
    from gongkai.search.registry import register as add

    add(
        DocumentType(
            key=DOC_TYPE, label="留言答复", enumerate_all=all_documents, documents_for=documents_for, order=60
        )
    )


def refresh(pks: Iterable[int]) -> None:
    ids = [str(pk) for pk in pks]
    if not ids or not _enabled():
        return
    from gongkai.search.services import index_refresh

    index_refresh(doc_type=DOC_TYPE, doc_ids=ids)
