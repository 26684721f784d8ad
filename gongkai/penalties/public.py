"""What the public sees of 行政处罚信息公示: the list, a page per decision, its CSV and JSON (its Atom feed is
the open-data feed of this list, ``/penalties/feed``).

Every view reads through :mod:`gongkai.penalties.selectors` (``public_decisions``: published and in
display today), and only the summary fields and ``public_text`` — the redacted text a 信息公开审核员
approved. The original text, ID numbers and the review never reach these views (``PUBLIC_FIELDS``
limits what is even loaded).
"""

from __future__ import annotations

from collections.abc import Iterator

from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from gongkai.core import tabular
from gongkai.penalties import selectors
from gongkai.penalties.choices import ViolationCategory
from gongkai.penalties.models import Decision, Withdrawal
from gongkai.portal.language import CHINESE_TEXT, ContentSelect
from gongkai.portal.templatetags.portal import chinese_content

PAGE_SIZE = 20
API_PAGE_SIZE = 100


class FilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False, max_length=100)
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label=_("违法行为类别"), required=False)
    authority = forms.ChoiceField(label=_("作出决定机关"), required=False, widget=ContentSelect)
    district = forms.ChoiceField(label=_("区划"), required=False, widget=ContentSelect)

    def __init__(self, data, facets: dict):
        super().__init__(data)
        labels = dict(ViolationCategory.choices)
        every = ("", _("全部"))
        self.fields["year"].choices = [every] + [(y, _("%(year)s年") % {"year": y}) for y in facets["years"]]
        self.fields["category"].choices = [every] + [(c, labels.get(c, c)) for c in facets["categories"]]
        self.fields["authority"].choices = [every] + [(a, a) for a in facets["authorities"]]
        self.fields["district"].choices = [every] + [(c, n) for c, n in facets["districts"]]


def _filtered(request: HttpRequest) -> tuple[FilterForm, object]:
    day = selectors.today()
    form = FilterForm(request.GET or None, selectors.public_facets(day=day))
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    return form, selectors.public_search(day=day, **filters)


def index(request: HttpRequest) -> HttpResponse:
    """行政处罚公示: decisions in display, filtered; and the withdrawal notices."""
    if request.GET.get("tab") == "withdrawals":
        page = Paginator(selectors.public_withdrawals(), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "penalties/public/index.html", {"tab": "withdrawals", "page": page})
    form, qs = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "penalties/public/index.html",
        {"tab": "decisions", "form": form, "page": page, "query": query.urlencode()},
    )


def decision_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """One decision: the summary, then the redacted full text, then its corrections; or a withdrawal notice."""
    try:
        decision = selectors.public_decision(public_id)
    except Decision.DoesNotExist:
        try:
            notice = selectors.public_withdrawal(public_id)
        except Withdrawal.DoesNotExist:
            raise Http404("没有该行政处罚公示信息，或其公示期已满") from None
        return render(request, "penalties/public/withdrawn.html", {"notice": notice})
    corrections = [(c, [_change(change) for change in c.changes]) for c in decision.corrections.all()]
    return render(request, "penalties/public/decision.html", {"d": decision, "corrections": corrections})


TEXT_CHANGED = _("决定书全文")
YES_NO = {"是": _("是"), "否": _("否")}


def _change(change: dict) -> dict:
    """One line of a correction record as the page shows it.

    The record keeps the field's label and the values as the Chinese summary showed them. On a page
    in another language the label is the field's again, a choice's label or a yes/no is translated,
    and any other value (a name, an amount) is marked as Chinese content.
    """
    if translation.get_language() == settings.LANGUAGE_CODE:
        return change
    name = change.get("field", "")
    if name == "public_text":
        return {"field": name, "label": TEXT_CHANGED}
    try:
        field = Decision._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed: its label as it was kept
        field = None
    shown = {
        "field": name,
        "label": field.verbose_name if field else chinese_content(change.get("label", "")),
    }
    for side in ("before", "after"):
        shown[side] = _value(field, str(change.get(side, "")))
    return shown


def _value(field, stored: str):
    if isinstance(field, models.BooleanField) and stored in YES_NO:
        return YES_NO[stored]
    if field is not None and field.choices:
        with translation.override(settings.LANGUAGE_CODE):
            values = {str(label): value for value, label in field.flatchoices}
        if stored in values:
            return dict(field.flatchoices)[values[stored]]
    return chinese_content(stored) if CHINESE_TEXT.search(stored) else stored


# --- open data -----------------------------------------------------------------------------------

CSV_HEADERS = [
    "决定书文号",
    "当事人名称",
    "统一社会信用代码",
    "违法行为类型",
    "违法行为类别",
    "处罚依据",
    "处罚内容",
    "作出决定机关",
    "作出决定日期",
    "公示日期",
    "公示截止日期",
    "网址",
]


def summary(d: Decision, request: HttpRequest | None = None) -> dict:
    """The public summary of a decision as data (JSON, CSV and the feed use it)."""
    url = reverse("public-penalty", args=[d.public_id])
    return {
        "id": d.public_id,
        "number": d.number,
        "party": d.party_name,
        "credit_code": d.entity.credit_code if d.entity_id else "",
        "violation_type": d.violation_type,
        "violation_category": _category_in_chinese(d),
        "legal_basis": d.legal_basis,
        "penalty": d.penalty_summary,
        "fine": str(d.fine) if d.fine is not None else None,
        "authority": d.authority,
        "decision_date": d.decision_date.isoformat(),
        "published_on": d.published_on.isoformat() if d.published_on else None,
        "display_ends_on": d.display_ends_on.isoformat() if d.display_ends_on else None,
        "district": d.district.name if d.district_id else "",
        "url": request.build_absolute_uri(url) if request else url,
    }


def _category_in_chinese(d: Decision) -> str:
    """Data (CSV, JSON, feeds, open-data files) is Chinese whatever language the visitor chose."""
    with translation.override(settings.LANGUAGE_CODE):
        return d.get_violation_category_display()


def _csv_rows(qs, request) -> Iterator[list[str]]:
    for d in qs.iterator(chunk_size=500):
        s = summary(d, request)
        yield [
            s["number"],
            s["party"],
            s["credit_code"],
            s["violation_type"],
            s["violation_category"],
            s["legal_basis"],
            s["penalty"],
            s["authority"],
            s["decision_date"],
            s["published_on"] or "",
            s["display_ends_on"] or "长期",
            s["url"],
        ]


def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered list as CSV (summaries; the full text is on each decision's page)."""
    _form, qs = _filtered(request)
    response = StreamingHttpResponse(
        tabular.csv_chunks(CSV_HEADERS, _csv_rows(qs, request)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, f"行政处罚公示-{timezone.localdate():%Y%m%d}.csv"
    )
    return response


def api_list(request: HttpRequest) -> JsonResponse:
    """``GET /penalties/api/decisions.json`` — the filtered list, 100 a page."""
    _form, qs = _filtered(request)
    page = Paginator(qs, API_PAGE_SIZE).get_page(request.GET.get("page"))
    return JsonResponse(
        {
            "count": page.paginator.count,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "results": [summary(d, request) for d in page.object_list],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def api_detail(request: HttpRequest, public_id: str) -> JsonResponse:
    """``GET /penalties/api/decisions/<id>.json`` — the summary and the redacted full text."""
    try:
        d = selectors.public_decision(public_id)
    except Decision.DoesNotExist:
        raise Http404("没有该行政处罚公示信息，或其公示期已满") from None
    data = summary(d, request)
    data["text"] = d.public_text
    data["corrections"] = [
        {"at": timezone.localtime(c.corrected_at).isoformat(), "reason": c.reason, "changes": c.changes}
        for c in d.corrections.all()
    ]
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def feed_title(decision: Decision) -> str:
    """An Atom entry's title for a decision in display (the feeds live in :mod:`gongkai.opendata.feeds`)."""
    return f"{decision.party_name} {decision.number}"


def feed_description(decision: Decision) -> str:
    return (
        f"违法行为类型：{decision.violation_type}；处罚内容：{decision.penalty_summary}；"
        f"作出决定机关：{decision.authority}"
    )
