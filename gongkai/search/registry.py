"""The index-document interface: how a module puts its public content into the site search.

A module registers a :class:`DocumentType` (usually in its ``AppConfig.ready``)::

    from gongkai.search.registry import DocumentType, IndexDocument, register

    register(DocumentType(key="penalty", label=gettext_lazy("行政处罚"), order=50,
                          enumerate_all=all_public_penalty_docs,     # every public document
                          documents_for=penalty_docs_for_ids))        # the public ones among ids

(the label is the name of the kind on the English search page too, so mark it for translation)

and, in the services that publish, change or withdraw content, inside their transaction::

    from gongkai.search import services as search
    search.index_update(docs=[doc])          # or search.index_refresh(doc_type="penalty", doc_ids=[...])
    search.index_remove(doc_type="penalty", doc_ids=[...])

``gongkai reindex`` rebuilds everything from ``enumerate_all``. An :class:`IndexDocument` must be
built from public fields only: its title and body are shown as search snippets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_noop


@dataclass(frozen=True)
class IndexDocument:
    """One public document as the search sees it."""

    doc_type: str
    doc_id: str
    title: str
    body: str
    url: str
    date: dt.date | None = None
    department: str = ""
    district: str = ""


@dataclass(frozen=True)
class DocumentType:
    """A kind of public content: its key, its Chinese label (plain, or ``gettext_lazy``), and how to
    enumerate it."""

    key: str
    label: str | Promise
    enumerate_all: Callable[[], Iterable[IndexDocument]]
    documents_for: Callable[[list[str]], Iterable[IndexDocument]] | None = None
    order: int = 100


_TYPES: dict[str, DocumentType] = {}


def register(doc_type: DocumentType) -> None:
    """Add (or replace) a document type; called once per type at start-up."""
    _TYPES[doc_type.key] = doc_type


def document_types() -> list[DocumentType]:
    return sorted(_TYPES.values(), key=lambda t: (t.order, t.key))


def document_type(key: str) -> DocumentType | None:
    return _TYPES.get(key)


# The labels other modules register as plain Chinese (interaction's messages), marked here so that
# the search's catalogue translates them on the English search page. A module may instead register
# a gettext_lazy label, as disclosure, penalties and the providers do.
TYPE_LABELS_ELSEWHERE = (gettext_noop("留言答复"),)


def type_labels() -> dict[str, str]:
    """key → label in the active language (a plain Chinese label is looked up in the catalogues)."""
    return {t.key: gettext(str(t.label)) for t in document_types()}
