"""The public 数据统计 page and its CSV downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from gongkai.stats import selectors

DATASETS = selectors.DATASETS
# Sections of the page, in order: (heading, datasets).
SECTIONS = [
    (_("经营主体"), ["new-by-month", "new-by-year", "new-by-district", "new-by-type", "status"]),
    (_("监管执法"), ["inspections", "penalties"]),
    (_("互动交流"), ["messages", "requests"]),
]


def stats_page(request: HttpRequest) -> HttpResponse:
    sections = []
    for heading, names in SECTIONS:
        datasets = [d for d in (selectors.dataset(n) for n in names) if d is not None]
        for d in datasets:
            d.chart_json = json.dumps(d.chart, ensure_ascii=False)  # type: ignore[attr-defined]
        sections.append((heading, datasets))
    summary = selectors.summary()
    summary["month_name"] = selectors.month_name(dt.date(summary["year"], summary["month"], 1))
    return render(
        request,
        "stats/public.html",
        {"sections": sections, "summary": summary, "refresh": selectors.last_refresh()},
    )


def csv_response(request: HttpRequest, name: str) -> HttpResponse:
    data = selectors.dataset(name)
    if data is None:
        raise Http404("该数据集所属的模块未启用")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(data.header)
    writer.writerows(data.rows)
    # UTF-8 with a byte-order mark, so that spreadsheet programs read the Chinese headers.
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gongkai-{name}.csv"'
    return response
