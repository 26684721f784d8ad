"""Reads from the market-entity register, shared by the site, the API and the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from gongkai.registry.models import Address, Entity, StatusChange


def entity_list(*, districts: Iterable[str] | None = None, query: str = "") -> QuerySet[Entity]:
    """Entities, optionally limited to those with any address in ``districts`` and a name/code match."""
    qs = Entity.objects.select_related("district", "cluster_host")
    if districts is not None:
        qs = qs.filter(Exists(Address.objects.filter(entity=OuterRef("pk"), district_id__in=list(districts))))
    if query:
        qs = qs.filter(Q(name__contains=query) | Q(credit_code=query.upper()))
    return qs


def entity_detail(code: str) -> Entity:
    return (
        Entity.objects.select_related("district", "cluster_host")
        .prefetch_related("addresses__district", "status_changes")
        .get(pk=code)
    )


def entities_per_address(*, min_count: int = 2) -> QuerySet:
    """How many entities share each (normalised) address: the basis for raised draw ratios."""
    return (
        Address.objects.values("normalised")
        .annotate(entities=Count("entity", distinct=True))
        .filter(entities__gte=min_count)
        .order_by("-entities")
    )


def shared_address_count(entity: Entity) -> int:
    """The largest number of entities registered at any one of this entity's addresses."""
    keys = list(entity.addresses.values_list("normalised", flat=True))
    counts = (
        Address.objects.filter(normalised__in=keys)
        .values("normalised")
        .annotate(n=Count("entity", distinct=True))
    )
    return max((row["n"] for row in counts), default=0)


def status_on(entity: Entity, day: dt.date) -> str | None:
    """The entity's registration status on ``day`` (None before it was established)."""
    change = (
        StatusChange.objects.filter(entity=entity, effective_on__lte=day)
        .order_by("-effective_on", "-id")
        .first()
    )
    return change.to_status if change else None
