"""The public open-data pages: the daily files and their downloads, the feeds, and alerts.

No page here shows anything about subscribers: the subscribe form answers the same whether an
address was already subscribed, and the confirm/unsubscribe pages show only the list's title.
"""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from gongkai.opendata import datasets as ds
from gongkai.opendata import feeds, selectors, services
from gongkai.opendata.forms import SubscribeForm
from gongkai.opendata.models import Subscription
from gongkai.portal.language import sentence
from gongkai.portal.templatetags.portal import chinese_content

CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".jsonl": "application/jsonl; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _feed_links() -> list[tuple[str, str]]:
    links = []
    for source in feeds.SOURCES.values():
        if source.url_name == "public-search":
            continue
        ref = feeds.list_ref(reverse(source.url_name))
        links.append((ref.title, ref.feed_url))
        if source.url_name == "public-inspections":
            for tab in ("items", "plans", "results"):
                tab_ref = feeds.list_ref(ref.path, f"tab={tab}")
                links.append((tab_ref.title, tab_ref.feed_url))
    return links


def index(request: HttpRequest) -> HttpResponse:
    """开放数据: each dataset of the chosen day with its formats, sizes, checksums and dictionary."""
    days = selectors.published_days()
    chosen = days[0] if days else None
    error = ""
    if request.GET.get("date"):
        try:
            wanted = services.parse_day(request.GET["date"])
        except services.OpenDataError as exc:
            error = str(exc)
        else:
            if wanted in days:
                chosen = wanted
            else:
                error = gettext("没有 %(day)s 的数据文件（只保留最近的版本），以下是最新一天的文件") % {
                    "day": f"{wanted:%Y-%m-%d}"
                }
    status = 404 if error else 200
    return render(
        request,
        "opendata/index.html",
        {
            "days": days,
            "day": chosen,
            "datasets": selectors.published(chosen) if chosen else [],
            "catalogue": list(ds.DATASETS.values()),
            "error": error,
            "form": SubscribeForm(initial={"url": request.GET.get("url", "")}),
            "feed_links": _feed_links(),
            "type_labels": ds.TYPE_LABELS,
        },
        status=status,
    )


def download(request: HttpRequest, day: str, name: str) -> FileResponse:
    """One file of the export directory, if a manifest lists it (nothing else can be named)."""
    path = selectors.published_file(day, name)
    if path is None:
        raise Http404("没有这个数据文件：可能已超过保留期限，请到开放数据页面下载最新版本")
    content_type = (
        CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "text/plain; charset=utf-8"
    )
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=f"{day}-{name}", content_type=content_type
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """订阅提醒: e-mail + list URL; a confirmation mail completes it (double opt-in)."""
    if request.method == "GET":
        form = SubscribeForm(initial={"url": request.GET.get("url", "")})
        return render(request, "opendata/subscribe.html", {"form": form})
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "opendata/subscribe.html", {"form": form}, status=400)
    if form.cleaned_data["website"]:
        # A robot filled in the hidden field: answer as if it worked, send nothing.
        return render(request, "opendata/subscribe_sent.html", {}, status=200)
    try:
        email = services.normalise_email(form.cleaned_data["email"])
        ref = feeds.list_ref_from_url(form.cleaned_data["url"])
    except services.OpenDataError as exc:
        form.add_error("email", str(exc))
        return render(request, "opendata/subscribe.html", {"form": form}, status=400)
    except feeds.UnknownList as exc:
        form.add_error("url", str(exc))
        return render(request, "opendata/subscribe.html", {"form": form}, status=400)
    if not services.subscribe_allowed(address=_client_address(request), email=email):
        form.add_error(None, gettext("订阅请求过于频繁，请一小时后再试"))
        response = render(request, "opendata/subscribe.html", {"form": form}, status=429)
        response["Retry-After"] = "3600"
        return response
    services.subscription_request(email=email, url=ref.url)
    return render(request, "opendata/subscribe_sent.html", {"title": ref.title})


def _list_title(sub: Subscription) -> str | SafeString:
    """The subscribed list's title in the page's language; the stored title is Chinese, for the
    e-mails (on a page in another language, it is shown marked as Chinese if the list is gone)."""
    if translation.get_language() == settings.LANGUAGE_CODE:
        return sub.title
    try:
        return feeds.list_ref_from_url(sub.url).title
    except feeds.UnknownList:
        return chinese_content(sub.title)


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        sub = services.subscription_confirm(token=token)
    except services.OpenDataError as exc:
        return render(
            request,
            "opendata/message.html",
            {"heading": gettext("无法确认订阅"), "text": str(exc)},
            status=400,
        )
    return render(
        request,
        "opendata/message.html",
        {
            "heading": gettext("订阅成功"),
            "text": sentence(
                gettext("今后“%(title)s”有新信息时，我们会发邮件提醒您。每封邮件都有一键退订链接。"),
                title=_list_title(sub),
            ),
        },
    )


@csrf_exempt  # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button (link scanners must not unsubscribe anyone); POST unsubscribes."""
    if request.method == "GET":
        try:
            sub = services.subscription_for_unsubscribe(token)
        except services.OpenDataError as exc:
            return render(
                request,
                "opendata/message.html",
                {"heading": gettext("无法退订"), "text": str(exc)},
                status=400,
            )
        return render(request, "opendata/unsubscribe.html", {"title": _list_title(sub)})
    try:
        sub = services.subscription_cancel(token=token)
    except services.OpenDataError as exc:
        return render(
            request, "opendata/message.html", {"heading": gettext("无法退订"), "text": str(exc)}, status=400
        )
    return render(
        request,
        "opendata/message.html",
        {
            "heading": gettext("已退订"),
            "text": sentence(gettext("您不会再收到“%(title)s”的提醒邮件。"), title=_list_title(sub)),
        },
    )
