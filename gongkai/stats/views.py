"""The staff "everything due" dashboard and the public statistics pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from gongkai.core.access import staff_view
from gongkai.stats import due, public


@staff_view()
def due_dashboard(request: HttpRequest) -> HttpResponse:
    """Everything due or overdue, across the modules this person may see."""
    today = timezone.localdate()
    sections = due.sections_for(request.user, today)
    totals = {
        "overdue": sum(r.status == "overdue" for s in sections for r in s.rows),
        "soon": sum(r.status == "soon" for s in sections for r in s.rows),
    }
    return render(request, "stats/due.html", {"sections": sections, "today": today, "totals": totals})


public_stats = public.stats_page
public_csv = public.csv_response
