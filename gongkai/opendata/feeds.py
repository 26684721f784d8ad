"""Atom feeds for every column and every filtered list: the list's URL plus ``feed``.

``/penalties/feed?district=371502`` is the feed of ``/penalties/?district=371502``;
``/search/feed?q=食品`` of the search. One URL pattern (``<list path>feed``) resolves the list path
with Django's resolver and looks its URL name up in :data:`SOURCES`; each source reads the same
public selector as the list page, with the same query parameters, so a feed can show nothing the
page does not. E-mail alerts (:mod:`gongkai.opendata.services`) use the same sources.

The penalties module's older address ``/penalties/feed.xml`` redirects here (permanently, keeping
its query) so that existing subscribers keep their feed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

FEED_LIMIT = 50


@dataclass(frozen=True)
class FeedItem:
    key: str
    title: str
    link: str
    description: str
    published: dt.datetime | None


@dataclass(frozen=True)
class FeedSource:
    """Items of one list page, newest first, for the page's query parameters."""

    url_name: str
    title: Callable[[QueryDict], str]
    items: Callable[[QueryDict, int], list[FeedItem]]


def _day_start(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _titled(title: str, params: QueryDict, keys: tuple[str, ...] = ()) -> str:
    """The list's title with its filters, ``行政处罚公示（筛选：district=371502，year=2025）``; only the
    keys the page understands. In the active language: Chinese in feeds and e-mails."""
    parts = [f"{k}={params[k]}" for k in keys if params.get(k)]
    if not parts:
        return title
    filters = pgettext("separator between items of a list", "，").join(parts)
    return gettext("%(title)s（筛选：%(filters)s）") % {"title": title, "filters": filters}


# --- 行政处罚 -------------------------------------------------------------------------------------

PENALTY_KEYS = ("q", "year", "category", "authority", "district")


def _penalty_items(params: QueryDict, limit: int) -> list[FeedItem]:
    from gongkai.penalties import public, selectors

    day = selectors.today()
    form = public.FilterForm(params or None, selectors.public_facets(day=day))
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    qs = selectors.public_search(day=day, **filters).order_by("-published_at", "-id")[:limit]
    return [
        FeedItem(
            f"penalty:{d.public_id}",
            public.feed_title(d),
            reverse("public-penalty", args=[d.public_id]),
            public.feed_description(d),
            d.published_at,
        )
        for d in qs
    ]


# --- 政务公开 -------------------------------------------------------------------------------------


def _document_items(params: QueryDict, limit: int) -> list[FeedItem]:
    from gongkai.disclosure import selectors
    from gongkai.disclosure.choices import Topic, Validity

    topic = params.get("topic", "")
    validity = params.get("validity", "")
    qs = selectors.public_documents(
        topic=topic if topic in Topic.values else "",
        validity=validity if validity in Validity.values else "",
        year=_int(params.get("year")),
    )[:limit]
    return [
        FeedItem(
            f"document:{d.pk}",
            d.title,
            reverse("public-document", args=[d.pk]),
            f"{d.issuer} {d.doc_number}".strip(),
            d.published_at,
        )
        for d in qs
    ]


def _interpretation_items(params: QueryDict, limit: int) -> list[FeedItem]:
    from gongkai.disclosure import selectors
    from gongkai.disclosure.choices import InterpretationKind

    kind = params.get("kind", "")
    qs = selectors.public_interpretations(kind=kind if kind in InterpretationKind.values else "")[:limit]
    return [
        FeedItem(
            f"interpretation:{i.pk}",
            i.title,
            reverse("public-interpretation", args=[i.pk]),
            f"解读：{i.document.title}（{i.get_kind_display()}）",
            i.published_at,
        )
        for i in qs
    ]


def _guide_items(params: QueryDict, limit: int) -> list[FeedItem]:
    from gongkai.disclosure import selectors

    qs = selectors.public_guides().order_by("-published_at", "-id")[:limit]
    return [
        FeedItem(
            f"guide:{g.pk}",
            g.name,
            reverse("public-guide", args=[g.pk]),
            f"实施机构：{g.department}；办理时限：{g.time_limit}",
            g.published_at,
        )
        for g in qs
    ]


# --- 双随机、一公开 ------------------------------------------------------------------------------

INSPECTION_TABS = {
    "items": _("抽查事项清单"),
    "plans": _("抽查计划公告"),
    "tasks": _("抽查任务公告"),
    "results": _("抽查结果公告"),
}


def _inspection_tab(params: QueryDict) -> str:
    tab = params.get("tab", "tasks")
    return tab if tab in INSPECTION_TABS else "tasks"


def _inspection_items(params: QueryDict, limit: int) -> list[FeedItem]:
    from django.db.models import Q

    from gongkai.inspections import selectors

    tab = _inspection_tab(params)
    page = reverse("public-inspections")
    if tab == "items":
        return [
            FeedItem(
                f"item:{i.pk}",
                f"{i.category}：{i.name}",
                f"{page}?tab=items",
                f"检查对象：{i.target}；检查方式：{i.methods}；检查依据：{i.basis}",
                i.published_at,
            )
            for i in selectors.published_items().order_by("-published_at", "-id")[:limit]
        ]
    if tab == "plans":
        return [
            FeedItem(
                f"plan:{p.pk}",
                f"{p.year}年 {p.name}",
                f"{page}?tab=plans",
                f"{p.department.name}；检查内容：{p.content}；抽查比例：{p.ratio}",
                p.published_at,
            )
            for p in selectors.public_plans().order_by("-published_at", "-id")[:limit]
        ]
    if tab == "results":
        q = params.get("q", "").strip()
        results = selectors.published_results()
        if q:
            results = results.filter(Q(entity__name__contains=q) | Q(entity_id=q.upper()))
        out = []
        for t in results[:limit]:
            found = "；".join(
                f"{r.item.name}：{'、'.join(c.label for c in r.categories.all())}" for r in t.records.all()
            )
            out.append(
                FeedItem(
                    f"result:{t.pk}",
                    f"{t.entity.name} 抽查结果",
                    reverse("public-task", args=[t.task.public_id]),
                    f"{t.task.name}。{found}",
                    t.results_published_at,
                )
            )
        return out
    return [
        FeedItem(
            f"task:{t.public_id}",
            t.name,
            reverse("public-task", args=[t.public_id]),
            f"{t.plan.department.name}；{t.get_state_display()}；检查时间 {t.period_start:%Y-%m-%d} 至 {t.period_end:%Y-%m-%d}",
            t.announced_at,
        )
        for t in selectors.public_tasks()[:limit]
    ]


# --- 互动交流 -------------------------------------------------------------------------------------


def _message_items(params: QueryDict, limit: int) -> list[FeedItem]:
    from gongkai.interaction import selectors
    from gongkai.interaction.choices import MessageCategory

    category = params.get("category", "")
    qs = selectors.published_messages(
        category=category if category in MessageCategory.values else "", q=params.get("q", "").strip()[:50]
    ).order_by("-published_at", "-id")[:limit]
    return [
        FeedItem(
            f"message:{m.pk}",
            m.public_subject,
            reverse("public-message", args=[m.pk]),
            f"答复：{m.public_reply}",
            m.published_at,
        )
        for m in qs
    ]


# --- 惠企政策 -------------------------------------------------------------------------------------


def _benefit_items(params: QueryDict, limit: int) -> list[FeedItem]:
    from gongkai.policies import selectors

    pairs = sorted(selectors.public_policies(), key=lambda pv: pv[1].created_at, reverse=True)[:limit]
    return [
        FeedItem(
            f"benefit:{policy.code}:{version.number}",
            policy.title,
            reverse("public-benefit", args=[policy.code]),
            f"{policy.department}；{version.mode}；自 {version.valid_from:%Y-%m-%d} 起",
            version.created_at,
        )
        for policy, version in pairs
    ]


# --- 站内搜索 -------------------------------------------------------------------------------------

SEARCH_KEYS = ("q", "type", "year", "dept", "district")


def _search_items(params: QueryDict, limit: int) -> list[FeedItem]:
    from gongkai.search import selectors
    from gongkai.search.registry import document_types

    doc_type = params.get("type", "")
    if doc_type not in {t.key for t in document_types()}:
        doc_type = ""
    result = selectors.site_search(
        q=params.get("q", ""),
        doc_type=doc_type,
        year=_int(params.get("year")),
        department=params.get("dept", "")[:100],
        district=params.get("district", "")[:50],
        sort="date",
        per_page=min(limit, FEED_LIMIT),
        with_facets=False,
    )
    return [
        FeedItem(
            f"search:{h.doc.doc_type}:{h.doc.doc_id}",
            h.doc.title,
            h.doc.url,
            f"{h.type_label}：{h.doc.body[:200]}",
            _day_start(h.doc.date),
        )
        for h in result.hits
    ]


SOURCES: dict[str, FeedSource] = {
    s.url_name: s
    for s in (
        FeedSource(
            "public-penalties", lambda p: _titled(gettext("行政处罚公示"), p, PENALTY_KEYS), _penalty_items
        ),
        FeedSource(
            "public-documents",
            lambda p: _titled(gettext("政策文件"), p, ("topic", "year", "validity")),
            _document_items,
        ),
        FeedSource(
            "public-interpretations",
            lambda p: _titled(gettext("政策解读"), p, ("kind",)),
            _interpretation_items,
        ),
        FeedSource("public-guides", lambda p: gettext("办事指南"), _guide_items),
        FeedSource(
            "public-inspections",
            lambda p: _titled(
                gettext("双随机一公开 · %(list)s") % {"list": INSPECTION_TABS[_inspection_tab(p)]}, p, ("q",)
            ),
            _inspection_items,
        ),
        FeedSource(
            "public-messages", lambda p: _titled(gettext("留言答复"), p, ("category", "q")), _message_items
        ),
        FeedSource("public-benefits", lambda p: gettext("惠企政策"), _benefit_items),
        FeedSource(
            "public-search",
            lambda p: _titled(gettext("站内搜索：%(q)s") % {"q": p.get("q", "")}, p, SEARCH_KEYS[1:]),
            _search_items,
        ),
    )
}


class UnknownList(ValueError):
    """The URL is not a list page of this site with a feed; ``str()`` is the message for the user (in
    the active language)."""


@dataclass(frozen=True)
class ListRef:
    """A list page with its filters: what a feed and a subscription are of."""

    source: FeedSource
    path: str
    params: QueryDict

    @property
    def url(self) -> str:
        query = self.params.urlencode()
        return self.path + (f"?{query}" if query else "")

    @property
    def feed_url(self) -> str:
        query = self.params.urlencode()
        return self.path + "feed" + (f"?{query}" if query else "")

    @property
    def title(self) -> str:
        return self.source.title(self.params)

    def items(self, limit: int = FEED_LIMIT) -> list[FeedItem]:
        return self.source.items(self.params, limit)


def list_ref(path: str, query: str = "") -> ListRef:
    """The list page at ``path`` with ``query``; raises :class:`UnknownList` when it has no feed."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        raise UnknownList(gettext("网址应为本站列表页面的路径，例如 /penalties/?district=371502"))
    try:
        match = resolve(path)
    except Resolver404:
        raise UnknownList(gettext("本站没有这个页面：%(path)s") % {"path": path[:100]}) from None
    source = SOURCES.get(match.url_name or "")
    if source is None:
        raise UnknownList(
            gettext(
                "该页面不是可订阅的列表页面：%(path)s（可订阅政策文件、政策解读、办事指南、双随机一公开、"
                "行政处罚公示、留言答复、惠企政策和站内搜索）"
            )
            % {"path": path[:100]}
        )
    params = QueryDict(query, mutable=True)
    for key in ("page", "format"):
        params.pop(key, None)
    return ListRef(source, path, params)


def list_ref_from_url(url: str) -> ListRef:
    """A list from what a user typed or pasted: a path with a query, or a full URL of this site."""
    url = (url or "").strip()
    if not url:
        raise UnknownList(gettext("请填写要订阅的列表网址"))
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        site = urlsplit(settings.GONGKAI_SITE_URL)
        if parts.scheme not in ("http", "https") or parts.netloc != site.netloc:
            raise UnknownList(gettext("只能订阅本站（%(site)s）的列表页面") % {"site": site.netloc})
    return list_ref(parts.path or "/", parts.query)


class ListFeed(Feed):
    """``<list path>feed``: the Atom feed of the list page with the same query parameters."""

    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # A feed is Chinese whatever language the visitor chose (ADR 0060): feed readers send no
        # cookie, the items are Chinese content, and one URL gives one feed.
        with translation.override(settings.LANGUAGE_CODE):
            response = super().__call__(request, *args, **kwargs)
        response["Content-Language"] = settings.LANGUAGE_CODE
        return response

    def get_object(self, request: HttpRequest, list_path: str = "") -> ListRef:  # type: ignore[override]
        try:
            return list_ref("/" + list_path, request.GET.urlencode())
        except UnknownList as exc:
            raise Http404(str(exc)) from None

    def title(self, obj: ListRef) -> str:
        return obj.title

    def subtitle(self, obj: ListRef) -> str:
        return f"{settings.GONGKAI_BUREAU_NAME} · 与列表页面相同的筛选条件，最新 {FEED_LIMIT} 条"

    def link(self, obj: ListRef) -> str:
        return obj.url

    def feed_url(self, obj: ListRef) -> str:
        return obj.feed_url

    def items(self, obj: ListRef) -> list[FeedItem]:
        return obj.items()

    def item_title(self, item: FeedItem) -> str:
        return item.title

    def item_description(self, item: FeedItem) -> str:
        return item.description

    def item_link(self, item: FeedItem) -> str:
        return item.link

    def item_guid(self, item: FeedItem) -> str:
        return f"urn:gongkai:{item.key}"

    def item_guid_is_permalink(self, item: FeedItem) -> bool:
        return False

    def item_pubdate(self, item: FeedItem) -> dt.datetime | None:
        return timezone.localtime(item.published) if item.published else None

    def item_updateddate(self, item: FeedItem) -> dt.datetime | None:
        return self.item_pubdate(item)


def feed_link_for(path: str, query: str) -> tuple[str, str] | None:
    """(feed URL, title) for a page that has a feed, for ``<link rel="alternate">``; else None. The
    title is in the page's language; the feed itself is Chinese."""
    try:
        ref = list_ref(path, query)
    except UnknownList:
        return None
    return ref.feed_url, ref.title
