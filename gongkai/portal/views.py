"""The public portal: home, columns, entity lookup, display modes, sitemap, robots and error pages.

Every page is server-rendered and works without JavaScript. Nothing here writes to the database.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gongkai.portal import navigation, selectors
from gongkai.registry.choices import EntityStatus
from gongkai.registry.models import Entity

HOME_ITEMS = 6
# A display preference lasts a year; it is not personal data and needs no consent banner.
PREFERENCE_MAX_AGE = 365 * 24 * 3600


def _latest_results():
    from gongkai.inspections.selectors import published_results

    return list(published_results()[:HOME_ITEMS])


def home(request: HttpRequest) -> HttpResponse:
    """Home page: the latest items of each column, when the site was last updated, register figures."""
    from gongkai.disclosure import selectors as disclosure
    from gongkai.inspections.selectors import public_tasks

    documents = list(disclosure.public_documents()[:HOME_ITEMS])
    interpretations = list(disclosure.public_interpretations()[:HOME_ITEMS])
    guides = list(disclosure.public_guides().order_by("-published_at")[:HOME_ITEMS])
    tasks = list(public_tasks()[:HOME_ITEMS])
    results = _latest_results()
    candidates = [d.published_at for d in documents[:1] + interpretations[:1] + guides[:1]]
    candidates += [t.announced_at for t in tasks[:1]] + [r.results_published_at for r in results[:1]]
    updated_at = max((c for c in candidates if c), default=None)
    by_type = (
        Entity.objects.filter(status=EntityStatus.ACTIVE)
        .values("entity_type")
        .annotate(n=Count("credit_code"))
        .order_by("-n")
    )
    labels = dict(Entity._meta.get_field("entity_type").choices)
    figures = [(labels.get(row["entity_type"], row["entity_type"]), row["n"]) for row in by_type]
    return render(
        request,
        "portal/home.html",
        {
            "documents": documents,
            "interpretations": interpretations,
            "guides": guides,
            "tasks": tasks,
            "results": results,
            "updated_at": updated_at,
            "columns": navigation.COLUMNS,
            "figures": figures,
            "total": sum(n for _, n in figures),
        },
    )


def column_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A column's landing page, or the "栏目建设中" page of a column whose module is not built."""
    col = navigation.column(slug)
    if col is not None:
        return render(request, "portal/column.html", {"column": col})
    title = navigation.PLACEHOLDERS.get(slug)
    if title is None:
        raise Http404("没有这个栏目")
    return render(request, "portal/placeholder.html", {"title": gettext(title)})


def entities(request: HttpRequest) -> HttpResponse:
    """经营主体查询: by full or partial name, or by (the start of) the credit code."""
    q = request.GET.get("q", "").strip()[:100]
    rows, more = selectors.entity_lookup(q)
    return render(request, "portal/entities.html", {"q": q, "rows": rows, "more": more, "searched": bool(q)})


def entity(request: HttpRequest, code: str) -> HttpResponse:
    """One entity's public record: licence, every address, cluster host, published results."""
    try:
        obj = selectors.public_entity(code)
    except Entity.DoesNotExist as exc:
        raise Http404("没有这个统一社会信用代码的经营主体") from exc
    return render(
        request,
        "portal/entity.html",
        {
            "entity": obj,
            "facts": selectors.public_entity_facts(obj),
            "hosted": selectors.hosted_count(obj),
            "results": selectors.entity_public_results(obj),
            "penalties": selectors.entity_public_penalties(obj),
        },
    )


def verify_draw(request: HttpRequest) -> HttpResponse:
    """摇号验证: how anyone can check a draw, with the verifier and the tasks."""
    from gongkai.inspections.selectors import public_tasks

    return render(request, "portal/verify_draw.html", {"tasks": public_tasks().exclude(seed="")[:20]})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/accessibility.html")


@csrf_exempt  # a display preference only; a forged request can at most enlarge the text or switch language
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    """Large text / high contrast / language, remembered in cookies; a plain form, so it works without JS.

    Choosing Chinese, the default, deletes the language cookie, as "normal" deletes the display
    cookies: a visitor who never chose English sends no cookie and gets the default page (ADR 0060).
    """
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    for key, cookie, values in (
        ("text", "gk_text", {"large", "normal"}),
        ("contrast", "gk_contrast", {"high", "normal"}),
    ):
        value = request.POST.get(key)
        if value in values:
            if value == "normal":
                response.delete_cookie(cookie, samesite="Lax")
            else:
                response.set_cookie(cookie, value, max_age=PREFERENCE_MAX_AGE, samesite="Lax", httponly=True)
    language = request.POST.get("language")
    if language == settings.LANGUAGE_CODE:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    elif language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


def sitemap_page(request: HttpRequest) -> HttpResponse:
    """网站地图 for people: every column and page."""
    return render(request, "portal/sitemap.html", {"columns": navigation.COLUMNS})


def sitemap_xml(request: HttpRequest) -> HttpResponse:
    """sitemap.xml for search engines: the columns and every published document, interpretation, guide."""
    from gongkai.disclosure import selectors as disclosure

    urls: list[tuple[str, dt.datetime | None]] = [(reverse("portal-home"), None)]
    urls += [(reverse("portal-column", args=[c.slug]), None) for c in navigation.COLUMNS]
    urls += [(link.url, None) for c in navigation.COLUMNS for link in c.links if link.built]
    urls += [
        (reverse("public-document", args=[d.pk]), d.updated_at)
        for d in disclosure.public_documents().only("pk", "updated_at")
    ]
    urls += [
        (reverse("public-interpretation", args=[i.pk]), i.updated_at)
        for i in disclosure.public_interpretations().select_related(None).only("pk", "updated_at")
    ]
    urls += [
        (reverse("public-guide", args=[g.pk]), g.updated_at)
        for g in disclosure.public_guides().only("pk", "updated_at")
    ]
    seen: set[str] = set()
    entries = []
    for path, modified in urls:
        if path in seen:
            continue
        seen.add(path)
        entries.append((request.build_absolute_uri(path), modified))
    body = loader.render_to_string("portal/sitemap.xml", {"entries": entries})
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /staff/",
        "Disallow: /admin/",
        "Disallow: /preferences/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('portal-sitemap-xml'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A friendly 404 in Chinese, with the search box and the columns."""
    return render(request, "404.html", {"columns": navigation.COLUMNS}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """A 500 page that needs nothing that may have failed (no database, no context processors)."""
    path = request.get_full_path() if request is not None else "/"
    return HttpResponse(loader.get_template("500.html").render({"next": path}), status=500)
