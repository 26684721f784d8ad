"""Pages of the annual report: staff drafting and publication, the public list and downloads."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from gongkai.core.access import staff_view
from gongkai.interaction import annual, documents, selectors
from gongkai.interaction.choices import ReportState
from gongkai.interaction.models import AnnualReport

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class ReportForm(forms.Form):
    overview = forms.CharField(label="一、总体情况", widget=forms.Textarea(attrs={"rows": 6}), required=False)
    active_notes = forms.CharField(
        label="二、主动公开情况说明", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    problems = forms.CharField(
        label="五、存在的主要问题及改进情况", widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    other = forms.CharField(
        label="六、其他需要报告的事项", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in annual.REVIEW_ROWS:
            for col in annual.REVIEW_COLUMNS[:-1]:
                self.fields[f"{row}__{col}"] = forms.IntegerField(
                    label=f"{annual.REVIEW_LABELS[row]}：{annual.REVIEW_COLUMN_LABELS[col]}",
                    min_value=0,
                    initial=0,
                )
        for key, label in annual.ACTIVE_MANUAL.items():
            self.fields[f"active__{key}"] = forms.CharField(label=label, required=False, max_length=20)

    def values(self) -> dict:
        data = self.cleaned_data
        review = {
            row: {col: data[f"{row}__{col}"] for col in annual.REVIEW_COLUMNS[:-1]}
            for row in annual.REVIEW_ROWS
        }
        active = {key: data[f"active__{key}"] for key in annual.ACTIVE_MANUAL}
        return {
            "overview": data["overview"],
            "active_notes": data["active_notes"],
            "problems": data["problems"],
            "other": data["other"],
            "review_litigation": review,
            "active_extra": active,
        }

    @classmethod
    def initial_for(cls, report: AnnualReport) -> dict:
        initial = {n: getattr(report, n) for n in ("overview", "active_notes", "problems", "other")}
        for row in annual.REVIEW_ROWS:
            for col in annual.REVIEW_COLUMNS[:-1]:
                initial[f"{row}__{col}"] = (report.review_litigation or {}).get(row, {}).get(col, 0)
        for key in annual.ACTIVE_MANUAL:
            initial[f"active__{key}"] = (report.active_extra or {}).get(key, "")
        return initial


@staff_view("interaction.view_annualreport")
def report_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.user.has_perm("interaction.change_annualreport"):
            messages.error(request, "没有编辑年度报告的权限")
            return redirect("staff-annual-reports")
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            messages.error(request, "请填写年度")
            return redirect("staff-annual-reports")
        if not 2008 <= year <= timezone.localdate().year:
            messages.error(request, "年度超出范围")
            return redirect("staff-annual-reports")
        report = AnnualReport.objects.filter(year=year).first() or annual.report_save(
            actor=request.user, year=year, values={}
        )
        return redirect("staff-annual-report", pk=report.pk)
    return render(
        request,
        "interaction/annual_list.html",
        {"reports": AnnualReport.objects.order_by("-year"), "years": annual.years_with_data()},
    )


@staff_view("interaction.view_annualreport")
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(AnnualReport, pk=pk)
    year = report.year
    form = ReportForm(initial=ReportForm.initial_for(report))
    if request.method == "POST":
        action = request.POST.get("action")
        needed = (
            "interaction.publish_annualreport" if action == "publish" else "interaction.change_annualreport"
        )
        if not request.user.has_perm(needed):
            messages.error(request, "没有权限执行该操作")
            return redirect("staff-annual-report", pk=report.pk)
        try:
            if action == "publish":
                annual.report_publish(actor=request.user, report=report)
                messages.success(request, "年度报告已发布。")
                return redirect("staff-annual-report", pk=report.pk)
            form = ReportForm(request.POST)
            if form.is_valid():
                annual.report_save(actor=request.user, year=year, values=form.values())
                messages.success(request, "已保存。")
                return redirect("staff-annual-report", pk=report.pk)
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
    return render(
        request,
        "interaction/annual_detail.html",
        {
            "report": report,
            "form": form,
            **annual.page_tables(report),
            "problems": annual.consistency_problems(report) if report.state == ReportState.DRAFT else [],
            "published": report.state == ReportState.PUBLISHED,
        },
    )


def _file(report: AnnualReport, fmt: str) -> FileResponse | HttpResponse:
    name = f"{report.year}年政府信息公开工作年度报告"
    if report.state == ReportState.PUBLISHED:
        stored = report.pdf if fmt == "pdf" else report.docx if fmt == "docx" else None
        if not stored:
            raise Http404("没有该格式的文件")
        return FileResponse(
            stored.open("rb"),
            as_attachment=True,
            filename=f"{name}.{fmt}",
            content_type="application/pdf" if fmt == "pdf" else DOCX,
        )
    title, text, tables = annual.document_parts(report)
    data: bytes | None
    if fmt == "docx":
        data = documents.docx_bytes(title, text, tables=tables)
        content_type = DOCX
    elif fmt == "pdf":
        data = documents.pdf_bytes(title, text, tables=tables)
        if data is None:
            raise Http404("服务器未安装中文字体，无法生成PDF")
        content_type = "application/pdf"
    else:
        raise Http404
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{fmt}-draft-{report.year}.{fmt}"
    return response


@staff_view("interaction.view_annualreport")
def report_download(request: HttpRequest, pk: int, fmt: str):
    return _file(get_object_or_404(AnnualReport, pk=pk), fmt)


def public_list(request: HttpRequest) -> HttpResponse:
    return render(request, "interaction/public/annual_list.html", {"reports": selectors.published_reports()})


def public_detail(request: HttpRequest, year: int) -> HttpResponse:
    report = get_object_or_404(selectors.published_reports(), year=year)
    # The labels of the tables in the visitor's language; the downloads stay Chinese.
    return render(
        request,
        "interaction/public/annual_detail.html",
        {"report": report, **annual.page_tables(report, gettext)},
    )


def public_download(request: HttpRequest, year: int, fmt: str):
    return _file(get_object_or_404(selectors.published_reports(), year=year), fmt)
