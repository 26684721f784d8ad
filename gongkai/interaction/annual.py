"""政府信息公开工作年度报告: tables from the data, consistency checks, export, publication.

The format is 国办公开办函〔2021〕30号 (six parts; tables 二, 三 and 四). Table 三 counts 依申请公开
requests by applicant type:

* 本年新收: received in the year; 上年结转: received before it and not closed on 1 January;
* 办理结果: closed in the year, by outcome; 结转下年度: received by 31 December, still open then.

So, for every column, 新收 + 上年结转 = 总计 + 结转下年度, and the year's 上年结转 equals the previous
year's 结转下年度 — both are checked, the second against the *published* previous report when
there is one (its frozen tables), since that is what the public can compare.

Labels are Chinese here, in the exported documents and in the frozen tables; they are marked with
``gettext_noop`` so that the public page can show them translated (``page_tables``, ADR 0060).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from gongkai.core import audit
from gongkai.interaction import documents, outcomes
from gongkai.interaction.choices import ApplicantType, ReportState
from gongkai.interaction.models import AnnualReport, InfoRequest

PERSON_COLUMNS = ["person"]
ORG_COLUMNS = ["business", "research", "nonprofit", "legal", "other"]
COLUMNS = [*PERSON_COLUMNS, *ORG_COLUMNS, "total"]
# Chinese whatever the language of the request that happens to import this module first.
with translation.override(settings.LANGUAGE_CODE):
    COLUMN_LABELS = {**{c.value: str(c.label) for c in ApplicantType}, "total": gettext_noop("总计")}

REVIEW_ROWS = ["review", "litigation_direct", "litigation_after_review"]
REVIEW_LABELS = {
    "review": gettext_noop("行政复议"),
    "litigation_direct": gettext_noop("行政诉讼（未经复议直接起诉）"),
    "litigation_after_review": gettext_noop("行政诉讼（复议后起诉）"),
}
REVIEW_COLUMNS = ["upheld", "corrected", "other", "pending", "total"]
REVIEW_COLUMN_LABELS = {
    "upheld": gettext_noop("结果维持"),
    "corrected": gettext_noop("结果纠正"),
    "other": gettext_noop("其他结果"),
    "pending": gettext_noop("尚未审结"),
    "total": gettext_noop("总计"),
}

ACTIVE_MANUAL = {
    "licensing": gettext_noop("第二十条第（五）项 行政许可：本年处理决定数量"),
    "coercion": gettext_noop("第二十条第（六）项 行政强制：本年处理决定数量"),
    "charges": gettext_noop("第二十条第（八）项 行政事业性收费：本年收费金额（万元）"),
}


def _empty() -> dict[str, int]:
    return dict.fromkeys(COLUMNS, 0)


def _add(row: dict[str, int], column: str) -> None:
    row[column] += 1
    row["total"] += 1


def request_matrix(year: int) -> dict[str, dict[str, int]]:
    """Table 三: row code → column → count. Row codes: new, carried_in, each outcome, each
    ``group:<g>``, ``results_total``, carried_out."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    rows: dict[str, dict[str, int]] = {"new": _empty(), "carried_in": _empty()}
    for o in outcomes.OUTCOMES:
        rows.setdefault(o.row, _empty())
    for g in outcomes.GROUPS:
        rows[f"group:{g}"] = _empty()
    rows["results_total"] = _empty()
    rows["carried_out"] = _empty()
    relevant = (
        InfoRequest.objects.filter(received_on__lte=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .only("applicant_type", "received_on", "closed_on", "outcome")
    )
    for r in relevant:
        column = r.applicant_type
        if r.received_on >= start:
            _add(rows["new"], column)
        else:
            _add(rows["carried_in"], column)
        if r.closed_on is not None and r.closed_on <= end:
            chosen = outcomes.outcome(r.outcome)
            _add(rows[chosen.row], column)
            _add(rows[f"group:{chosen.group}"], column)
            _add(rows["results_total"], column)
        else:
            _add(rows["carried_out"], column)
    return rows


# A numbered row of table 三 ("1.属于国家秘密").
NUMBERED_ROW = gettext_noop("%(n)s.%(label)s")


def _same(text: str) -> str:
    return text


def matrix_rows(
    matrix: dict[str, dict[str, int]], translate: Callable[[str], str] = _same
) -> list[tuple[str, str, list[int]]]:
    """(indent level, label, values) in the order of the format, for templates and exports; the
    labels Chinese, or passed through ``translate`` (``gettext``) for a public page."""
    out: list[tuple[str, str, dict[str, int] | None]] = [
        ("0", translate(gettext_noop("一、本年新收政府信息公开申请数量")), matrix["new"]),
        ("0", translate(gettext_noop("二、上年结转政府信息公开申请数量")), matrix["carried_in"]),
        ("0", translate(gettext_noop("三、本年度办理结果")), None),
    ]
    for group, label in outcomes.GROUPS.items():
        members = [o for o in outcomes.OUTCOMES if o.group == group and not o.report_row]
        out.append(("1", translate(label), matrix[f"group:{group}"]))
        if group not in ("disclosed", "partial"):
            for n, o in enumerate(members, 1):
                out.append(
                    ("2", translate(NUMBERED_ROW) % {"n": n, "label": translate(o.label)}, matrix[o.code])
                )
    out.append(("1", translate(gettext_noop("（七）总计")), matrix["results_total"]))
    out.append(("0", translate(gettext_noop("四、结转下年度继续办理")), matrix["carried_out"]))
    return [(level, label, [values[c] for c in COLUMNS] if values else []) for level, label, values in out]


def active_table(year: int, manual: dict[str, Any]) -> list[tuple[str, str]]:
    """Table 二 (主动公开): documents from the disclosure module, penalties from the penalties
    module when installed, the rest entered by staff."""
    rows: list[tuple[str, str]] = []
    try:
        from gongkai.disclosure.models import Document

        start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        published = Document.objects.filter(published_at__isnull=False)
        made = published.filter(written_on__gte=start, written_on__lte=end).count()
        repealed = (
            published.filter(validity_changed_on__gte=start, validity_changed_on__lte=end)
            .exclude(validity="valid")
            .count()
        )
        valid = (
            published.filter(written_on__lte=end)
            .filter(Q(validity="valid") | Q(validity_changed_on__gt=end))
            .count()
        )
        rows += [
            (gettext_noop("第二十条第（一）项 行政规范性文件：本年制发件数"), str(made)),
            (gettext_noop("第二十条第（一）项 行政规范性文件：本年废止件数"), str(repealed)),
            (gettext_noop("第二十条第（一）项 行政规范性文件：现行有效件数"), str(valid)),
        ]
    except ImportError:  # the disclosure module is not installed
        pass
    rows.append((ACTIVE_MANUAL["licensing"], str(manual.get("licensing") or "—")))
    penalties = penalty_decisions(year)
    rows.append(
        (
            gettext_noop("第二十条第（六）项 行政处罚：本年处理决定数量"),
            str(penalties) if penalties is not None else str(manual.get("penalties") or "—"),
        )
    )
    rows.append((ACTIVE_MANUAL["coercion"], str(manual.get("coercion") or "—")))
    rows.append((ACTIVE_MANUAL["charges"], str(manual.get("charges") or "—")))
    return rows


def penalty_decisions(year: int) -> int | None:
    try:
        from gongkai.penalties.models import Decision
    except ImportError:
        return None
    return Decision.objects.filter(decision_date__year=year).count()


def fees_collected(year: int) -> str:
    total = InfoRequest.objects.filter(fee_paid_on__year=year).aggregate(s=Sum("fee_amount"))["s"] or 0
    return f"{total:.2f}"


def review_table(values: dict[str, Any]) -> dict[str, dict[str, int]]:
    table = {}
    for row in REVIEW_ROWS:
        given = values.get(row, {}) if isinstance(values, dict) else {}
        cells = {c: int(given.get(c) or 0) for c in REVIEW_COLUMNS if c != "total"}
        cells["total"] = sum(cells.values())
        table[row] = cells
    return table


def tables_for(report: AnnualReport) -> dict[str, Any]:
    """Every table of the report, computed now (a draft) or as frozen (published)."""
    if report.state == ReportState.PUBLISHED and report.tables:
        return report.tables
    return {
        "requests": request_matrix(report.year),
        "active": active_table(report.year, report.active_extra or {}),
        "review": review_table(report.review_litigation or {}),
        "fees": fees_collected(report.year),
    }


def page_tables(report: AnnualReport, translate: Callable[[str], str] = _same) -> dict[str, Any]:
    """The tables of a report's page (staff or public), their labels passed through ``translate``.

    A published report's frozen table 二 holds its labels as they were then; one no longer in the
    catalogue stays Chinese.
    """
    tables = tables_for(report)
    return {
        "tables": {**tables, "active": [(translate(label), value) for label, value in tables["active"]]},
        "rows": matrix_rows(tables["requests"], translate),
        "columns": [translate(COLUMN_LABELS[c]) for c in COLUMNS],
        "column_keys": COLUMNS,
        "review_rows": [
            (translate(REVIEW_LABELS[r]), [tables["review"][r][c] for c in REVIEW_COLUMNS])
            for r in REVIEW_ROWS
        ],
        "review_columns": {k: translate(v) for k, v in REVIEW_COLUMN_LABELS.items()},
    }


def previous_carried_out(year: int) -> tuple[dict[str, int], str]:
    """Last year's 结转下年度 as published (or computed when no report was published) and whence."""
    previous = AnnualReport.objects.filter(year=year - 1, state=ReportState.PUBLISHED).first()
    if previous and previous.tables:
        return previous.tables["requests"]["carried_out"], f"{year - 1}年度已发布的报告"
    return request_matrix(year - 1)["carried_out"], f"{year - 1}年度的办理数据"


def consistency_problems(report: AnnualReport) -> list[str]:
    tables = tables_for(report)
    m = tables["requests"]
    problems = []
    for column in COLUMNS:
        left = m["new"][column] + m["carried_in"][column]
        right = m["results_total"][column] + m["carried_out"][column]
        if left != right:
            problems.append(
                f"{COLUMN_LABELS[column]}：新收{m['new'][column]} + 上年结转{m['carried_in'][column]} ≠ "
                f"办理结果总计{m['results_total'][column]} + 结转下年度{m['carried_out'][column]}"
            )
        groups = sum(m[f"group:{g}"][column] for g in outcomes.GROUPS)
        if groups != m["results_total"][column]:
            problems.append(
                f"{COLUMN_LABELS[column]}：各类办理结果之和{groups}与总计{m['results_total'][column]}不符"
            )
    before, source = previous_carried_out(report.year)
    for column in COLUMNS:
        if m["carried_in"][column] != before.get(column, 0):
            problems.append(
                f"{COLUMN_LABELS[column]}：本年“上年结转”{m['carried_in'][column]}与{source}的“结转下年度”"
                f"{before.get(column, 0)}不一致"
            )
    for row, cells in tables["review"].items():
        if cells["total"] != sum(v for k, v in cells.items() if k != "total"):
            problems.append(f"{REVIEW_LABELS[row]}：总计与各项之和不符")
    for part, label in (("overview", "一、总体情况"), ("problems", "五、存在的主要问题及改进情况")):
        if not getattr(report, part).strip():
            problems.append(f"“{label}”尚未填写")
    return problems


def document_parts(report: AnnualReport) -> tuple[str, str, list[documents.Table]]:
    """(title, text, tables) of the report as exported."""
    tables = tables_for(report)
    title = f"{settings.GONGKAI_BUREAU_NAME}{report.year}年政府信息公开工作年度报告"
    text = "\n".join(
        [
            "一、总体情况",
            report.overview,
            "二、主动公开政府信息情况",
            report.active_notes,
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            report.problems,
            "六、其他需要报告的事项",
            f"本年度收取信息处理费{tables['fees']}元。",
            report.other,
        ]
    )
    request_table = documents.Table(
        "表三 收到和处理政府信息公开申请情况",
        ["项目", *[COLUMN_LABELS[c] for c in COLUMNS]],
        [
            [label, *([str(v) for v in values] or [""] * len(COLUMNS))]
            for _l, label, values in matrix_rows(tables["requests"])
        ],
        anchor="三、收到和处理政府信息公开申请情况",
    )
    active = documents.Table(
        "表二 主动公开政府信息情况",
        ["项目", "数量"],
        [list(r) for r in tables["active"]],
        anchor="二、主动公开政府信息情况",
    )
    review = documents.Table(
        "表四 政府信息公开行政复议、行政诉讼情况",
        ["类别", *REVIEW_COLUMN_LABELS.values()],
        [[REVIEW_LABELS[r], *[str(tables["review"][r][c]) for c in REVIEW_COLUMNS]] for r in REVIEW_ROWS],
        anchor="四、政府信息公开行政复议、行政诉讼情况",
    )
    return title, text, [active, request_table, review]


@transaction.atomic
def report_save(*, actor: Any, year: int, values: dict[str, Any]) -> AnnualReport:
    report = AnnualReport.objects.select_for_update().filter(year=year).first() or AnnualReport(year=year)
    if report.state == ReportState.PUBLISHED:
        raise ValidationError("已发布的年度报告不能修改")
    before = audit.snapshot(report) if report.pk else None
    for name in ("overview", "active_notes", "problems", "other", "review_litigation", "active_extra"):
        if name in values:
            setattr(report, name, values[name])
    report.full_clean()
    report.save()
    audit.record(
        actor=actor, action="interaction.report.save", obj=report, before=before, after=audit.snapshot(report)
    )
    return report


@transaction.atomic
def report_publish(*, actor: Any, report: AnnualReport) -> AnnualReport:
    """Freeze the tables, export .docx (and PDF), and publish — only when consistent."""
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.state == ReportState.PUBLISHED:
        raise ValidationError("该年度报告已发布")
    problems = consistency_problems(report)
    if problems:
        raise ValidationError(["年度报告未通过一致性检查，不能发布：", *problems])
    report.tables = tables_for(report)
    report.state = ReportState.PUBLISHED
    report.published_at = timezone.now()
    title, text, tables = document_parts(report)
    data = documents.docx_bytes(title, text, tables=tables)
    report.docx.save(f"annual-report-{report.year}.docx", ContentFile(data), save=False)
    pdf = documents.pdf_bytes(title, text, tables=tables)
    if pdf is not None:
        report.pdf.save(f"annual-report-{report.year}.pdf", ContentFile(pdf), save=False)
    report.save()
    audit.record(
        actor=actor,
        action="interaction.report.publish",
        obj=report,
        after={"state": report.state, "docx_sha256": hashlib.sha256(data).hexdigest()},
    )
    return report


def years_with_data() -> Iterable[int]:
    years = {d.year for d in InfoRequest.objects.dates("received_on", "year")}
    years.add(timezone.localdate().year - 1)
    return sorted(years, reverse=True)
