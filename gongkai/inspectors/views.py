"""Staff pages of the inspector register."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from gongkai.core import audit
from gongkai.core.access import staff_view
from gongkai.inspectors.forms import ConflictForm, OfficerSearchForm
from gongkai.inspectors.models import Officer
from gongkai.registry.models import Entity


@staff_view("inspectors.view_officer")
def officer_list(request: HttpRequest) -> HttpResponse:
    form = OfficerSearchForm(request.GET or None)
    qs = Officer.objects.select_related("department", "district")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(Q(name__contains=q) | Q(code=q) | Q(certificate_no=q))
        if data["department"]:
            qs = qs.filter(department=data["department"])
        if data["status"]:
            qs = qs.filter(status=data["status"])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request, "inspectors/officer_list.html", {"form": form, "page": page, "today": timezone.localdate()}
    )


@staff_view("inspectors.view_officer")
def officer_detail(request: HttpRequest, code: str) -> HttpResponse:
    officer = get_object_or_404(Officer.objects.select_related("department", "district"), pk=code)
    form = ConflictForm()
    if request.method == "POST":
        if not request.user.has_perm("inspectors.add_conflict"):
            messages.error(request, "您没有登记回避申报的权限。")
            return redirect("staff-officer-detail", code=officer.pk)
        form = ConflictForm(request.POST)
        if form.is_valid():
            from gongkai.inspectors.services import conflict_declare

            data = form.cleaned_data
            entity = Entity.objects.filter(pk=data["credit_code"].strip().upper()).first()
            if entity is None:
                form.add_error("credit_code", "名录库中没有这个统一社会信用代码")
            else:
                try:
                    conflict_declare(
                        actor=request.user,
                        officer=officer,
                        entity=entity,
                        reason=data["reason"],
                        declared_on=data["declared_on"],
                        declared_by=data["declared_by"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, "回避申报已登记。")
                    return redirect("staff-officer-detail", code=officer.pk)
    return render(
        request,
        "inspectors/officer_detail.html",
        {
            "officer": officer,
            "conflicts": officer.conflicts.select_related("entity"),
            "form": form,
            "today": timezone.localdate(),
            "events": audit.history(officer).order_by("-seq")[:100],
        },
    )
