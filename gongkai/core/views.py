"""Staff pages shared by every module: login, the dashboard, the audit log, the calendar."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from gongkai.core import audit, calendar
from gongkai.core.access import staff_view
from gongkai.core.forms import AuditFilterForm, CalendarOverrideForm, CalendarYearForm, WorkdayQueryForm
from gongkai.core.models import AuditEvent, CalendarOverride, CalendarYear
from gongkai.core.workdays import CalendarNotCovered, package_years


class StaffLoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


@staff_view()
def staff_home(request: HttpRequest) -> HttpResponse:
    """The staff dashboard: the modules this person may use."""
    from gongkai.inspectors.models import Officer
    from gongkai.registry.models import Entity

    counts = {}
    if request.user.has_perm("registry.view_entity"):
        counts["entities"] = Entity.objects.count()
    if request.user.has_perm("inspectors.view_officer"):
        counts["officers"] = Officer.objects.count()
    return render(request, "core/staff_home.html", {"counts": counts})


@staff_view("core.view_auditevent")
def audit_log(request: HttpRequest) -> HttpResponse:
    """Browse the audit log, newest first, filtered by object or actor."""
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("actor").order_by("-seq")
    if form.is_valid():
        if form.cleaned_data["object_type"]:
            events = events.filter(object_type=form.cleaned_data["object_type"])
        if form.cleaned_data["object_id"]:
            events = events.filter(object_id=form.cleaned_data["object_id"])
        if form.cleaned_data["actor"]:
            events = events.filter(actor_name=form.cleaned_data["actor"])
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    report = audit.verify_chain() if request.GET.get("verify") == "1" else None
    return render(request, "core/audit_log.html", {"form": form, "page": page, "report": report})


@staff_view()
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The working-day calendar: coverage, administrator entries, and a deadline calculator."""
    can_edit = request.user.has_perm("core.add_calendaroverride")
    override_form = CalendarOverrideForm(prefix="o")
    year_form = CalendarYearForm(prefix="y")
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("只有系统管理员可以修改工作日历")
        if "o-date" in request.POST:
            override_form = CalendarOverrideForm(request.POST, prefix="o")
            if override_form.is_valid():
                data = override_form.cleaned_data
                calendar.override_set(
                    actor=request.user, day=data["date"], is_workday=data["is_workday"], name=data["name"]
                )
                messages.success(
                    request, f"已设置 {data['date']} 为{'工作日' if data['is_workday'] else '休息日'}。"
                )
                return redirect("staff-calendar")
        else:
            year_form = CalendarYearForm(request.POST, prefix="y")
            if year_form.is_valid():
                data = year_form.cleaned_data
                calendar.year_declare(actor=request.user, year=data["year"], source=data["source"])
                messages.success(
                    request, f"{data['year']}年已标记为完整录入，此后涉及该年的期限将按录入的安排计算。"
                )
                return redirect("staff-calendar")
    query = WorkdayQueryForm(request.GET or None)
    answer = error = None
    if query.is_valid():
        try:
            answer = calendar.add_working_days(query.cleaned_data["start"], query.cleaned_data["days"])
        except CalendarNotCovered as exc:
            error = str(exc)
    years = package_years()
    today = timezone.localdate()
    return render(
        request,
        "core/calendar.html",
        {
            "package_first": years.start,
            "package_last": years.stop - 1,
            "entered_years": CalendarYear.objects.all(),
            "overrides": CalendarOverride.objects.filter(date__gte=dt.date(today.year - 1, 1, 1)),
            "override_form": override_form,
            "year_form": year_form,
            "query": query,
            "answer": answer,
            "error": error,
            "can_edit": can_edit,
        },
    )
