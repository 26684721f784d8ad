"""Import of penalty decisions from .xlsx/.csv (a month from the case system): ``gongkai import-penalties``
and the upload page.

The same machinery as the register imports (:func:`gongkai.registry.importing.run_import`): the file
is streamed, each row is parsed and validated on its own (the model's own ``clean()`` included), a
refused row goes to the report and the refused-rows file with its reasons, and the accepted rows are
written through the services in one transaction. A new 决定书文号 creates a draft; a 文号 already
stored as a draft is updated; one already submitted or published is refused (use a correction).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation

from gongkai.core import tabular
from gongkai.core.models import District
from gongkai.core.tabular import CellError, ImportResult, Problem, Row
from gongkai.penalties import services
from gongkai.penalties.choices import (
    IdType,
    PartyKind,
    Procedure,
    Restriction,
    Severity,
    State,
    ViolationCategory,
)
from gongkai.penalties.models import Decision
from gongkai.registry import creditcode
from gongkai.registry.importing import Counts, ImportContext, RegisterSpec, run_import
from gongkai.registry.models import Entity

COLUMNS: list[tuple[str, str]] = [
    ("决定书文号", "number"),
    ("当事人类型", "party_kind"),
    ("统一社会信用代码", "credit_code"),
    ("当事人名称（姓名）", "party_name"),
    ("证件类型", "party_id_type"),
    ("证件号码", "party_id_number"),
    ("出生日期", "party_birth_date"),
    ("违法行为类型", "violation_type"),
    ("违法行为类别", "violation_category"),
    ("处罚依据", "legal_basis"),
    ("警告", "warning"),
    ("通报批评", "circulated_criticism"),
    ("罚款（元）", "fine"),
    ("没收违法所得（元）", "confiscated_gains"),
    ("没收非法财物", "confiscated_property"),
    ("暂扣许可证件", "licence_suspended"),
    ("降低资质等级", "qualification_lowered"),
    ("吊销许可证件", "licence_revoked"),
    ("责令停产停业", "production_suspended"),
    ("责令关闭", "closure"),
    ("限制种类", "restriction"),
    ("限制期限（月）", "restriction_months"),
    ("终身限制", "restriction_lifelong"),
    ("其他处罚", "other_penalty"),
    ("失信程度", "severity"),
    ("处罚程序", "procedure"),
    ("作出决定机关", "authority"),
    ("作出决定日期", "decision_date"),
    ("送达日期", "service_date"),
    ("所属区划代码", "district"),
    ("决定书全文", "full_text"),
]
HEADERS = [h for h, _ in COLUMNS]
HEADER_OF = {attr: h for h, attr in COLUMNS}
REQUIRED = {
    "决定书文号",
    "当事人类型",
    "违法行为类型",
    "违法行为类别",
    "处罚依据",
    "处罚程序",
    "作出决定机关",
    "作出决定日期",
}
SPEC = RegisterSpec("penalties", "行政处罚决定", HEADERS, REQUIRED)
BOOLEAN = [
    "warning",
    "circulated_criticism",
    "licence_suspended",
    "qualification_lowered",
    "licence_revoked",
    "production_suspended",
    "closure",
    "restriction_lifelong",
]
TEXT_LIMITS = {
    "number": 100,
    "party_name": 200,
    "violation_type": 300,
    "confiscated_property": 300,
    "other_penalty": 300,
    "authority": 100,
}
NULLABLE = {
    "fine",
    "confiscated_gains",
    "restriction_months",
    "party_birth_date",
    "decision_date",
    "service_date",
}
FULL_TEXT_LIMIT = 32767  # an Excel cell holds no more


@functools.cache
def labels() -> dict[str, tabular.Labels]:
    with translation.override("zh-hans"):
        return {
            "party_kind": tabular.Labels(
                PartyKind.choices,
                what="当事人类型",
                aliases={
                    "经营主体": "entity",
                    "单位": "entity",
                    "法人": "entity",
                    "企业": "entity",
                    "个体工商户": "entity",
                    "法人及其他组织": "entity",
                    "个人": "person",
                },
            ),
            "party_id_type": tabular.Labels(
                IdType.choices, what="证件类型", aliases={"身份证": "resident_id"}
            ),
            "violation_category": tabular.Labels(ViolationCategory.choices, what="违法行为类别"),
            "restriction": tabular.Labels(
                [c for c in Restriction.choices if c[0]],
                what="限制种类",
                aliases={"限制生产经营": "business", "限制从业": "practice"},
            ),
            "severity": tabular.Labels(
                [c for c in Severity.choices if c[0]],
                what="失信程度",
                aliases={"轻微": "minor", "一般": "general", "严重": "serious"},
            ),
            "procedure": tabular.Labels(
                Procedure.choices,
                what="处罚程序",
                aliases={"简易": "simple", "普通": "ordinary", "一般程序": "ordinary"},
            ),
        }


def _money(label: str):
    def parse(text: str):
        return tabular.parse_decimal(text, max_digits=16, decimal_places=2, label=label)

    return parse


def _months(text: str) -> int:
    value = tabular.norm(text)
    if not value.isdigit() or not 0 < int(value) <= 1200:
        raise CellError(f"限制期限“{text}”应为1到1200之间的整数（月）")
    return int(value)


def _parsers() -> dict[str, Any]:
    lab = labels()
    parsers: dict[str, Any] = {
        "party_kind": lab["party_kind"].parse,
        "party_id_type": lab["party_id_type"].parse,
        "party_id_number": tabular.norm,
        "party_birth_date": tabular.parse_date,
        "violation_category": lab["violation_category"].parse,
        "fine": _money("罚款"),
        "confiscated_gains": _money("没收违法所得"),
        "restriction": lab["restriction"].parse,
        "restriction_months": _months,
        "severity": lab["severity"].parse,
        "procedure": lab["procedure"].parse,
        "decision_date": tabular.parse_date,
        "service_date": tabular.parse_date,
        "credit_code": creditcode.normalise,
        "district": tabular.norm,
    }
    for name in BOOLEAN:
        parsers[name] = tabular.parse_yes_no
    return parsers


def import_decisions(
    path: str | os.PathLike[str], *, actor: Any, name: str | None = None, report_dir: Path | None = None
) -> ImportResult:
    """Import a file of decisions; see the module docstring for the rules."""
    file_name = name or Path(path).name

    def apply(ctx: ImportContext) -> Counts:
        return _Rows(ctx, actor=actor, note=f"导入文件“{file_name}”").run()

    return run_import(path, spec=SPEC, apply=apply, name=file_name, report_dir=report_dir)


class _Rows:
    def __init__(self, ctx: ImportContext, *, actor: Any, note: str):
        self.ctx, self.actor, self.note = ctx, actor, note
        self.parsers = _parsers()
        self.seen: dict[str, int] = {}
        self.districts = set(District.objects.values_list("code", flat=True))
        self.counts = Counts()

    def run(self) -> Counts:
        for row in self.ctx.table.rows():
            self._row(row)
        return self.counts

    def _row(self, row: Row) -> None:
        columns = self.ctx.columns
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        for header, attr in COLUMNS:
            if not columns.has(header):
                continue
            text = columns.get(row, header)
            if attr == "full_text":
                raw = row.cells[columns.index[header]] if columns.index[header] < len(row.cells) else ""
                values[attr] = raw.strip()
                continue
            if not text:
                if header in REQUIRED:
                    problems.append(Problem(row.number, header, f"{header}不能为空"))
                values[attr] = False if attr in BOOLEAN else None if attr in NULLABLE else ""
                continue
            parser = self.parsers.get(attr)
            if parser is None:
                values[attr] = text
                limit = TEXT_LIMITS.get(attr)
                if limit and len(text) > limit:
                    problems.append(
                        Problem(row.number, header, f"{header}过长（{len(text)}字，最多{limit}字）")
                    )
                continue
            try:
                values[attr] = parser(text)
            except CellError as exc:
                problems.append(Problem(row.number, header, str(exc)))
                values[attr] = None
        number = values.get("number") or ""
        if number:
            first = self.seen.setdefault(number, row.number)
            if first != row.number:
                problems.append(
                    Problem(
                        row.number, "决定书文号", f"与第{first}行重复：同一决定书文号在文件中只能出现一次"
                    )
                )
        if len(values.get("full_text") or "") > FULL_TEXT_LIMIT:
            problems.append(Problem(row.number, "决定书全文", "决定书全文过长，请导入后在决定页面上传文件"))
        if not problems:
            self._party(row, values, problems)
        if problems:
            self.ctx.reject(row, problems)
            return
        text = values.pop("full_text", "") or ""
        values = {k: v for k, v in values.items() if k != "credit_code"}
        self._save(row, values, text)

    def _party(self, row: Row, values: dict[str, Any], problems: list[Problem]) -> None:
        code = values.get("credit_code") or ""
        district = values.get("district") or ""
        if district and district not in self.districts:
            problems.append(Problem(row.number, "所属区划代码", f"区划代码“{district}”不在本系统的区划表中"))
            return
        if values.get("party_kind") == PartyKind.ENTITY:
            if not code:
                problems.append(
                    Problem(row.number, "统一社会信用代码", "当事人是经营主体时必须填写统一社会信用代码")
                )
                return
            try:
                creditcode.validate(code)
            except creditcode.CreditCodeError as exc:
                problems.append(Problem(row.number, "统一社会信用代码", str(exc)))
                return
            entity = (
                Entity.objects.filter(pk=code)
                .only("credit_code", "name", "district_id", "entity_type")
                .first()
            )
            if entity is None:
                problems.append(
                    Problem(
                        row.number,
                        "统一社会信用代码",
                        f"“{code}”不在市场主体名录库中：请先导入该主体，或核对代码",
                    )
                )
                return
            values["entity"] = entity
            values["district"] = district or entity.district_id
        else:
            if code:
                problems.append(
                    Problem(row.number, "统一社会信用代码", "当事人是自然人时不填写统一社会信用代码")
                )
            if not district:
                problems.append(Problem(row.number, "所属区划代码", "当事人是自然人时必须填写所属区划代码"))
            if not values.get("party_name"):
                problems.append(Problem(row.number, "当事人名称（姓名）", "当事人是自然人时必须填写姓名"))
            values["entity"] = None
        values["district_id"] = values.pop("district", None)

    def _save(self, row: Row, values: dict[str, Any], text: str) -> None:
        existing = Decision.objects.filter(number=values["number"]).first()
        try:
            if existing is None:
                decision = services.decision_create(
                    actor=self.actor, values=values, text=text, note=self.note
                )
                self.counts.created += 1
                return
            if existing.state != State.DRAFT:
                self.ctx.reject(
                    row,
                    [
                        Problem(
                            row.number,
                            "决定书文号",
                            f"该决定已{existing.get_state_display()}，不能通过导入修改（已公示的请在决定页面更正）",
                        )
                    ],
                )
                return
            values.pop("number")
            before = existing.text_sha256
            names = services._attnames(values)
            old = services._snapshot(existing, names)
            decision = services.decision_update(
                actor=self.actor, decision=existing, values=values, note=self.note
            )
            changed = services._snapshot(decision, names) != old
            if text and services.sha256(text.replace("\r\n", "\n")) != before:
                services.decision_set_text(actor=self.actor, decision=decision, text=text, file_name="导入")
                changed = True
            if changed:
                self.counts.updated += 1
            else:
                self.counts.unchanged += 1
        except ValidationError as exc:
            self.ctx.reject(row, _problems(row, exc))


def _problems(row: Row, exc: ValidationError) -> list[Problem]:
    if hasattr(exc, "error_dict"):
        out = []
        for name, errors in exc.message_dict.items():
            header = HEADER_OF.get(name.removesuffix("_id"), "" if name == "__all__" else name)
            out += [Problem(row.number, header, message) for message in errors]
        return out
    return [Problem(row.number, "", message) for message in exc.messages]
