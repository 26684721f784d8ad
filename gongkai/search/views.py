"""The site search page, and the staff page for the synonym list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext

from gongkai.core.access import staff_view
from gongkai.portal.templatetags.portal import chinese_content
from gongkai.search import selectors, services
from gongkai.search.models import SynonymGroup
from gongkai.search.registry import document_types, type_labels


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _used(pairs: list[tuple[str, list[str]]]) -> SafeString:
    """What typed terms were also searched as: ``spaq → 食品安全、食品安全法；…`` (the words are Chinese
    content, marked as such on a page in another language)."""
    return format_html_join(
        pgettext("separator between items of a list", "；"),
        "{} → {}",
        (
            (typed if typed.isascii() else chinese_content(typed), chinese_content("、".join(words)))
            for typed, words in pairs
        ),
    )


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
    labels = type_labels()
    if result.facets:
        facets = [
            (
                gettext("类型"),
                "type",
                doc_type,
                [(k, labels.get(k, k), n, link(type=k)) for k, n in result.facets.doc_type],
            ),
            (
                gettext("年份"),
                "year",
                params.get("year", ""),
                [
                    (str(k), gettext("%(year)s年") % {"year": k}, n, link(year=k))
                    for k, n in result.facets.year
                ],
            ),
            (
                gettext("部门"),
                "dept",
                params.get("dept", ""),
                [(k, chinese_content(k), n, link(dept=k)) for k, n in result.facets.department],
            ),
            (
                gettext("区县"),
                "district",
                params.get("district", ""),
                [(k, chinese_content(k), n, link(district=k)) for k, n in result.facets.district],
            ),
        ]
        facets = [
            (title, key, chosen, items, link(**{key: ""})) for title, key, chosen, items in facets if items
        ]
    understood = result.understood
    context = {
        "result": result,
        "search_q": result.q,
        "sort": sort,
        "facets": facets,
        "sort_relevance": link(sort=""),
        "sort_date": link(sort="date"),
        "prev_link": link(page=result.page - 1) if result.has_previous else "",
        "next_link": link(page=result.page + 1) if result.has_next else "",
        "types": [{"key": key, "label": label} for key, label in labels.items()],
        "pinyin_used": _used(understood.pinyin_used) if understood else "",
        "synonyms_used": _used(understood.synonyms_used) if understood else "",
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
