"""The site search page, and the staff page for the synonym list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from gongkai.core.access import staff_view
from gongkai.search import selectors, services
from gongkai.search.models import SynonymGroup
from gongkai.search.registry import document_types


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def search(request: HttpRequest) -> HttpResponse:
    """``/search/?q=…``: facets (type, year, department, district), sort, snippets, pagination."""
    params = request.GET
    doc_type = params.get("type", "")
    if doc_type not in {t.key for t in document_types()}:
        doc_type = ""
    sort = "date" if params.get("sort") == "date" else "relevance"
    result = selectors.site_search(
        q=params.get("q", ""),
        doc_type=doc_type,
        year=_int(params.get("year")),
        department=params.get("dept", "")[:100],
        district=params.get("district", "")[:50],
        sort=sort,
        page=_int(params.get("page")) or 1,
    )
    base = {k: v for k, v in params.items() if k != "page" and v}

    def link(**changes) -> str:
        from urllib.parse import urlencode

        merged = {**base, **changes}
        return "?" + urlencode({k: v for k, v in merged.items() if v not in ("", None)})

    facets = []
    if result.facets:
        labels = {t.key: t.label for t in document_types()}
        facets = [
            (
                "类型",
                "type",
                doc_type,
                [(k, labels.get(k, k), n, link(type=k)) for k, n in result.facets.doc_type],
            ),
            (
                "年份",
                "year",
                params.get("year", ""),
                [(str(k), f"{k}年", n, link(year=k)) for k, n in result.facets.year],
            ),
            (
                "部门",
                "dept",
                params.get("dept", ""),
                [(k, k, n, link(dept=k)) for k, n in result.facets.department],
            ),
            (
                "区县",
                "district",
                params.get("district", ""),
                [(k, k, n, link(district=k)) for k, n in result.facets.district],
            ),
        ]
        facets = [
            (title, key, chosen, items, link(**{key: ""})) for title, key, chosen, items in facets if items
        ]
    context = {
        "result": result,
        "search_q": result.q,
        "sort": sort,
        "facets": facets,
        "sort_relevance": link(sort=""),
        "sort_date": link(sort="date"),
        "prev_link": link(page=result.page - 1) if result.has_previous else "",
        "next_link": link(page=result.page + 1) if result.has_next else "",
        "types": document_types(),
        "first_number": (result.page - 1) * selectors.PER_PAGE + 1,
    }
    response = render(request, "search/search.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@staff_view("disclosure.manage_search_synonyms")
def synonyms(request: HttpRequest) -> HttpResponse:
    """检索同义词: staff add, change and remove groups; effective on the next search."""
    error = None
    if request.method == "POST":
        group = None
        if request.POST.get("id"):
            group = get_object_or_404(SynonymGroup, pk=_int(request.POST["id"]))
        try:
            if request.POST.get("delete") and group:
                services.synonym_group_delete(actor=request.user, group=group)
                messages.success(request, "已删除同义词组。")
            else:
                services.synonym_group_save(
                    actor=request.user,
                    terms=request.POST.get("terms", ""),
                    note=request.POST.get("note", ""),
                    group=group,
                )
                messages.success(request, "已保存同义词组，下一次检索即生效。")
            return redirect("staff-search-synonyms")
        except ValidationError as exc:
            error = (
                "；".join(m for msgs in exc.message_dict.values() for m in msgs)
                if hasattr(exc, "message_dict")
                else "；".join(exc.messages)
            )
    return render(request, "search/synonyms.html", {"groups": SynonymGroup.objects.all(), "error": error})
