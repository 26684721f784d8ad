"""Reads of 政务公开 for the public site, the staff pages and the search index."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongkai.disclosure.choices import AttachmentKind, State
from gongkai.disclosure.models import Attachment, ChangeNote, Document, Guide, Interpretation

PUBLIC_STATES = (State.PUBLISHED, State.WITHDRAWN)
# 政府信息公开条例 第二十六条: 主动公开 within 20 working days of creation or change.
PUBLICATION_WORKING_DAYS = 20


def public_documents(*, topic: str = "", year: int | None = None, validity: str = "") -> QuerySet[Document]:
    qs = Document.objects.filter(state__in=PUBLIC_STATES).annotate(
        n_interpretations=Count("interpretations", filter=Q(interpretations__state=State.PUBLISHED))
    )
    if topic:
        qs = qs.filter(topic=topic)
    if year:
        qs = qs.filter(published_at__year=year)
    if validity:
        qs = qs.filter(validity=validity)
    return qs.order_by("-published_at", "-id")


def public_document(pk: int) -> Document:
    return (
        Document.objects.filter(state__in=PUBLIC_STATES)
        .select_related("superseded_by")
        .prefetch_related(
            Prefetch(
                "interpretations",
                queryset=Interpretation.objects.filter(state=State.PUBLISHED).prefetch_related("attachments"),
            ),
            "attachments",
            "change_notes",
            Prefetch("supersedes", queryset=Document.objects.filter(state__in=PUBLIC_STATES)),
            Prefetch("guides", queryset=Guide.objects.filter(state=State.PUBLISHED)),
        )
        .get(pk=pk)
    )


def public_interpretations(*, kind: str = "") -> QuerySet[Interpretation]:
    qs = Interpretation.objects.filter(state__in=PUBLIC_STATES).select_related("document")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-published_at", "-id")


def public_interpretation(pk: int) -> Interpretation:
    return (
        Interpretation.objects.filter(state__in=PUBLIC_STATES)
        .select_related("document")
        .prefetch_related("attachments", "change_notes")
        .get(pk=pk)
    )


def public_guides() -> QuerySet[Guide]:
    return Guide.objects.filter(state__in=PUBLIC_STATES).order_by("name", "id")


def public_guide(pk: int) -> Guide:
    return (
        Guide.objects.filter(state__in=PUBLIC_STATES)
        .prefetch_related(
            "attachments",
            "change_notes",
            Prefetch("documents", queryset=Document.objects.filter(state__in=PUBLIC_STATES)),
        )
        .get(pk=pk)
    )


def public_forms() -> QuerySet[Attachment]:
    """Blank forms (表格下载) of published guides."""
    return (
        Attachment.objects.filter(kind=AttachmentKind.FORM, guide__state=State.PUBLISHED)
        .select_related("guide")
        .order_by("guide__name", "id")
    )


def public_attachment(pk: int) -> Attachment:
    """A file whose owner is public (published, or withdrawn with notice)."""
    att = Attachment.objects.select_related("document", "interpretation", "guide").get(pk=pk)
    if not att.owner.is_public:
        raise Attachment.DoesNotExist
    return att


def latest_changes(limit: int = 5) -> QuerySet[ChangeNote]:
    return ChangeNote.objects.select_related("document", "interpretation", "guide").order_by("-at")[:limit]


def catalogue() -> list[dict]:
    """公开目录: each column with its count and its latest update, generated from the data."""
    docs = Document.objects.filter(state=State.PUBLISHED)
    interps = Interpretation.objects.filter(state=State.PUBLISHED)
    guides = Guide.objects.filter(state=State.PUBLISHED)
    from django.db.models import Max

    rows = []
    for label, url_name, qs in [
        (_("政策文件"), "public-documents", docs),
        (_("政策解读"), "public-interpretations", interps),
        (_("办事指南"), "public-guides", guides),
    ]:
        agg = qs.aggregate(n=Count("id"), last=Max("published_at"))
        rows.append({"label": label, "url_name": url_name, "count": agg["n"], "last": agg["last"]})
    return rows


def topic_counts() -> list[tuple[str, str, int]]:
    from gongkai.disclosure.choices import Topic

    counts = dict(
        Document.objects.filter(state=State.PUBLISHED)
        .values_list("topic")
        .annotate(n=Count("id"))
        .values_list("topic", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in Topic.choices]


# --- staff --------------------------------------------------------------------------------------


def staff_documents(*, state: str = "", missing_interpretation: bool = False) -> QuerySet[Document]:
    qs = Document.objects.select_related("created_by", "submitted_by").annotate(
        n_interpretations=Count("interpretations", filter=Q(interpretations__state=State.PUBLISHED)),
        has_any_interpretation=Exists(
            Interpretation.objects.filter(document=OuterRef("pk")).exclude(state=State.WITHDRAWN)
        ),
    )
    if state:
        qs = qs.filter(state=state)
    if missing_interpretation:
        qs = qs.filter(state=State.PUBLISHED, needs_interpretation=True, n_interpretations=0)
    return qs.order_by("-created_at", "-id")


def documents_lacking_interpretation() -> QuerySet[Document]:
    return staff_documents(missing_interpretation=True)


def publication_due(item, calendar=None) -> dt.date | None:
    """The last day to publish: 20 working days after the item was created (None once public)."""
    from django.utils import timezone

    from gongkai.core import calendar as cal

    if item.is_public:
        return None
    start = timezone.localdate(item.created_at)
    try:
        return (calendar or cal.calendar_in_force()).add_working_days(start, PUBLICATION_WORKING_DAYS)
    except cal.CalendarNotCovered:
        return None


def pending_with_deadlines() -> list[tuple[object, dt.date | None]]:
    """Every unpublished item with its publication deadline, earliest first."""
    from gongkai.core import calendar as cal

    calendar = cal.calendar_in_force()
    items: list = []
    for model in (Document, Interpretation, Guide):
        for item in model.objects.filter(state__in=[State.DRAFT, State.REVIEW]).order_by("created_at"):
            items.append((item, publication_due(item, calendar)))
    return sorted(items, key=lambda pair: (pair[1] is None, pair[1] or dt.date.max))
