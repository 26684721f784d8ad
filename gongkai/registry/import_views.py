"""Staff pages to import and export the two registers (included under ``/staff/imports/``).

Views stay thin: the form checks the upload (size, and type by content), the importers in
:mod:`gongkai.registry.importing` and :mod:`gongkai.inspectors.importing` do the work, and the
files an import leaves (report, refused rows) are served only to staff allowed to import that
register. Staff limited to some districts may export their districts' entities but may not import,
since an import writes to the whole city's register.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header

from gongkai.core import tabular
from gongkai.core.access import staff_districts, staff_view
from gongkai.core.audit import actor_label
from gongkai.inspectors import exporting as officer_export
from gongkai.inspectors.importing import import_officers
from gongkai.registry import exporting as entity_export
from gongkai.registry.importing import (
    import_entities,
    load_summary,
    new_run_directory,
    recent_runs,
    run_directory,
    save_summary,
)


@dataclass(frozen=True)
class Register:
    slug: str
    label: str
    import_perm: str
    export_perm: str
    importer: Callable[..., tabular.ImportResult]

    def url(self, what: str = "", **kwargs: str) -> str:
        return reverse(f"staff-imports-{self.slug}" + (f"-{what}" if what else ""), kwargs=kwargs or None)

    @property
    def page_url(self) -> str:
        return self.url()

    @property
    def csv_url(self) -> str:
        return self.url("csv")

    @property
    def xlsx_url(self) -> str:
        return self.url("xlsx")

    def headers_and_rows(self, request: HttpRequest) -> tuple[list[str], Iterator[list[str]]]:
        if self.slug == "entities":
            internal = request.user.has_perm("registry.view_credit_risk")
            districts = staff_districts(request.user)
            return (
                entity_export.entity_headers(include_internal=internal),
                entity_export.entity_rows(include_internal=internal, districts=districts),
            )
        return officer_export.officer_headers(), officer_export.officer_rows()


REGISTERS = {
    "entities": Register(
        "entities", "市场主体", "registry.import_entity", "registry.export_entity", import_entities
    ),
    "inspectors": Register(
        "inspectors",
        "执法检查人员",
        "inspectors.import_officer",
        "inspectors.export_officer",
        import_officers,
    ),
}
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


class ImportFileForm(forms.Form):
    """An uploaded register file: size-limited, and its content must match its extension."""

    file = forms.FileField(
        label="文件",
        help_text="Excel工作簿（.xlsx）或CSV文件（UTF-8或GB18030编码），第一行为列标题。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.GONGKAI_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"文件过大（{upload.size / 1048576:.1f} MB），最大允许{limit / 1048576:.0f} MB；请分成几个文件导入"
            )
        try:
            kind = tabular.file_kind(upload.name)
            upload.seek(0)
            tabular.sniff(upload.read(tabular.SNIFF_BYTES), kind)
            upload.seek(0)
            if kind == "xlsx":
                _check_workbook(upload)
        except tabular.TableError as exc:
            raise forms.ValidationError(str(exc)) from None
        finally:
            upload.seek(0)
        return upload


def _check_workbook(upload: Any) -> None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise tabular.TableError(
            "Excel工作簿已损坏或不完整（无法解压），请重新保存或重新下载后再导入"
        ) from None
    if "xl/workbook.xml" not in names:
        raise tabular.TableError("文件是zip压缩包，但不是Excel工作簿（.xlsx）")


def _register(request: HttpRequest, slug: str, perm: str) -> Register:
    register = REGISTERS[slug]
    if not request.user.has_perm(getattr(register, perm)):
        raise PermissionDenied(
            f"您没有{'导入' if perm == 'import_perm' else '导出'}{register.label}名录的权限"
        )
    return register


def _safe_name(name: str) -> str:
    path = Path(_UNSAFE_NAME.sub("_", Path(name).name))
    stem = path.stem.strip(" .")[:80] or "upload"
    return stem + path.suffix.lower()


@staff_view()
def imports_index(request: HttpRequest) -> HttpResponse:
    """Which registers this member of staff may import or export."""
    allowed = [
        (r, request.user.has_perm(r.import_perm), request.user.has_perm(r.export_perm))
        for r in REGISTERS.values()
    ]
    allowed = [item for item in allowed if item[1] or item[2]]
    if not allowed:
        raise PermissionDenied("您没有导入或导出名录的权限")
    return render(request, "registry/imports/index.html", {"registers": allowed})


@staff_view()
def register_import(request: HttpRequest, register: str) -> HttpResponse:
    """The upload form of one register, and its recent imports."""
    reg = _register(request, register, "import_perm")
    if staff_districts(request.user) is not None:
        raise PermissionDenied("按区划限定的工作人员不能导入全市名录，请联系名录库管理员")
    form = ImportFileForm()
    if request.method == "POST":
        form = ImportFileForm(request.POST, request.FILES)
        if form.is_valid():
            run = _run_upload(request, reg, form)
            if run is not None:
                return redirect(f"staff-imports-{reg.slug}-run", name=run)
    return render(
        request,
        "registry/imports/register.html",
        {
            "register": reg,
            "form": form,
            "runs": [{**run, "url": reg.url("run", name=run["name"])} for run in recent_runs(reg.slug)],
            "can_export": request.user.has_perm(reg.export_perm),
            "max_mb": settings.GONGKAI_IMPORT_MAX_BYTES // 1048576,
        },
    )


def _run_upload(request: HttpRequest, reg: Register, form: ImportFileForm) -> str | None:
    """Store the upload in a fresh run directory and import it; the run's name, or None on refusal."""
    upload = form.cleaned_data["file"]
    name = _safe_name(upload.name)
    directory = new_run_directory(reg.slug)
    source = directory / f"上传-{name}"
    with open(source, "wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    try:
        result = reg.importer(source, actor=request.user, name=name, report_dir=directory)
    except tabular.TableError as exc:
        shutil.rmtree(directory, ignore_errors=True)
        form.add_error("file", f"{exc}。名录库没有任何改动。")
        return None
    except DatabaseError as exc:
        # The import's transaction was rolled back; say so rather than show a server error.
        shutil.rmtree(directory, ignore_errors=True)
        form.add_error("file", f"导入失败，数据库拒绝写入（{exc}）。名录库没有任何改动，请联系系统管理员。")
        return None
    save_summary(directory, result, actor=actor_label(request.user)[1])
    return directory.name


@staff_view()
def import_run(request: HttpRequest, register: str, name: str) -> HttpResponse:
    """What one import did, with links to its report and refused rows."""
    reg = _register(request, register, "import_perm")
    directory = run_directory(reg.slug, name)
    if directory is None:
        raise Http404("没有这次导入的记录")
    run = load_summary(directory)
    links = {
        "report_url": reg.url("report", name=name) if run.get("report_path") else "",
        "rejected_url": reg.url("rejected", name=name) if run.get("rejected_path") else "",
    }
    return render(request, "registry/imports/run.html", {"register": reg, "run": run, **links})


def _run_file(request: HttpRequest, register: str, name: str, key: str) -> FileResponse:
    reg = _register(request, register, "import_perm")
    directory = run_directory(reg.slug, name)
    file_name = load_summary(directory).get(key) if directory is not None else None
    if directory is None or not file_name or Path(file_name).name != file_name:
        raise Http404("文件不存在")
    path = directory / file_name
    if not path.is_file():
        raise Http404("文件不存在或已被清理")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=file_name)


@staff_view()
def import_report(request: HttpRequest, register: str, name: str) -> FileResponse:
    return _run_file(request, register, name, "report_path")


@staff_view()
def import_rejected(request: HttpRequest, register: str, name: str) -> FileResponse:
    return _run_file(request, register, name, "rejected_path")


@staff_view()
def register_export(request: HttpRequest, register: str, fmt: str) -> HttpResponse:
    """The register as a file: CSV streams as it is read, .xlsx is built in a temporary file first."""
    reg = _register(request, register, "export_perm")
    headers, rows = reg.headers_and_rows(request)
    file_name = f"{reg.label}名录-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            tabular.csv_chunks(headers, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = content_disposition_header(True, file_name)
        return response
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export.{fmt}"
        with tabular.TableWriter(path, headers, sheet=f"{reg.label}名录") as writer:
            for row in rows:
                writer.write(row)
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    # The directory is gone; the open handle still reads the file until the response closes it.
    return FileResponse(handle, as_attachment=True, filename=file_name)
