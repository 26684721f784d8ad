"""The public portal. The full site (columns, search, accessibility modes) is built on this base."""

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongkai.registry.choices import EntityStatus
from gongkai.registry.models import Entity


def home(request: HttpRequest) -> HttpResponse:
    """Home page: what the site offers and a few public figures about the register."""
    by_type = (
        Entity.objects.filter(status=EntityStatus.ACTIVE)
        .values("entity_type")
        .annotate(n=Count("credit_code"))
        .order_by("-n")
    )
    labels = dict(Entity._meta.get_field("entity_type").choices)
    figures = [(labels.get(row["entity_type"], row["entity_type"]), row["n"]) for row in by_type]
    return render(request, "portal/home.html", {"figures": figures, "total": sum(n for _, n in figures)})
