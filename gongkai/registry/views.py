"""Staff pages of the market-entity register."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gongkai.core import audit
from gongkai.core.access import staff_districts, staff_view
from gongkai.registry import selectors, services
from gongkai.registry.forms import EntitySearchForm, StatusChangeForm
from gongkai.registry.models import Entity


def _visible_entity(request: HttpRequest, code: str) -> Entity:
    limit = staff_districts(request.user)
    try:
        entity = selectors.entity_detail(code.upper())
    except Entity.DoesNotExist as exc:
        raise Http404("没有这个统一社会信用代码的市场主体") from exc
    if limit is not None and not any(a.district_id in limit for a in entity.addresses.all()):
        raise PermissionDenied("该市场主体不在您负责的区划内")
    return entity


@staff_view("registry.view_entity")
def entity_list(request: HttpRequest) -> HttpResponse:
    form = EntitySearchForm(request.GET or None)
    limit = staff_districts(request.user)
    districts = limit
    query = ""
    qs = None
    if form.is_valid():
        data = form.cleaned_data
        query = data["q"].strip()
        if data["district"]:
            if limit is not None and data["district"].code not in limit:
                raise PermissionDenied("您只能查看负责区划内的市场主体")
            districts = [data["district"].code]
        qs = selectors.entity_list(districts=districts, query=query)
        if data["entity_type"]:
            qs = qs.filter(entity_type=data["entity_type"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
    if qs is None:
        qs = selectors.entity_list(districts=districts)
    page = Paginator(qs.order_by("credit_code"), 30).get_page(request.GET.get("page"))
    return render(
        request, "registry/entity_list.html", {"form": form, "page": page, "limited": limit is not None}
    )


@staff_view("registry.view_entity")
def entity_detail(request: HttpRequest, code: str) -> HttpResponse:
    entity = _visible_entity(request, code)
    return render(
        request,
        "registry/entity_detail.html",
        {
            "entity": entity,
            "show_risk": request.user.has_perm("registry.view_credit_risk"),
            "hosted_count": entity.hosted_entities.count() if entity.is_cluster_host else None,
            "shared_count": selectors.shared_address_count(entity),
            "conflicts": entity.conflicts.select_related("officer"),
            "events": audit.history(entity).order_by("-seq")[:100],
            "status_form": StatusChangeForm(),
        },
    )


@staff_view("registry.change_entity")
def entity_status_change(request: HttpRequest, code: str) -> HttpResponse:
    entity = _visible_entity(request, code)
    if request.method != "POST":
        return redirect("staff-entity-detail", code=entity.pk)
    form = StatusChangeForm(request.POST)
    if form.is_valid():
        try:
            services.entity_status_change(
                actor=request.user,
                entity=entity,
                status=form.cleaned_data["status"],
                effective_on=form.cleaned_data["effective_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, "登记状态已更新。")
    else:
        for field_errors in form.errors.values():
            for text in field_errors:
                messages.error(request, str(text))
    return redirect("staff-entity-detail", code=entity.pk)
