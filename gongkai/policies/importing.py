"""Imports of other departments' facts (税务, 人社/社保, 工信 recognition lists, 人才办 …) from .xlsx/.csv.

The file's first row names the columns: the key — ``统一社会信用代码`` for market entities, or
``公民身份号码`` for talents — then one column per catalogued fact, headed by its Chinese label (with
or without its unit, e.g. ``上年度营业收入（元）``) or its name (``revenue_last_year``); optionally
``数据截至日期`` to give a row its own as-of date (otherwise the file's as-of date applies).

Like the register imports (:mod:`gongkai.registry.importing`, whose streaming reader and report
writer this reuses): every row is checked on its own, a row with any problem is refused as a whole
and listed in the report (行号, 列, 问题) and in a file of refused rows to correct and import again;
the accepted rows are applied in one transaction, so a file that turns out to be unreadable half way
changes nothing. An empty cell leaves that fact as it was. Facts computed by Gongkai itself
(登记注册, 行政处罚, 抽查) cannot be imported.

After the transaction, the beneficiaries whose values changed are matched again against the policies
that read a changed fact (:func:`gongkai.policies.matching.match_run`), and nothing else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import batched
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongkai.core import tabular
from gongkai.core.tabular import CellError, ColumnMap, ImportResult, Problem, Rejections, Row, TableError
from gongkai.policies import selectors
from gongkai.policies.choices import BeneficiaryKind, FactType, RunKind, ValueOrigin
from gongkai.policies.facts import ensure_entity_beneficiaries
from gongkai.policies.models import Beneficiary, Fact, FactImport, Person
from gongkai.registry import creditcode

ENTITY_KEY = "统一社会信用代码"
PERSON_KEY = "公民身份号码"
PERSON_KEY_ALIASES = ("身份证号码", "身份证号")
AS_OF_COLUMN = "数据截至日期"
LIST_SPLIT = re.compile(r"[、；;，,\n]+")
CHUNK = 2000


@dataclass
class FactImportResult:
    """What a fact import did: the report, the FactImport row, and the incremental match."""

    result: ImportResult
    fact_import: FactImport | None = None
    changed_ids: list[int] = field(default_factory=list)
    changed_facts: set[str] = field(default_factory=set)
    run: Any = None

    def summary_lines(self) -> list[str]:
        lines = self.result.summary_lines()
        if self.run is not None:
            lines.append(
                f"增量比对：{self.run.beneficiaries}个对象 × {self.run.policies}项政策，"
                f"{self.run.changed}项结果有变化，新建兑现事项{self.run.cases_created}项。"
            )
        return lines


def _headers(fact: Fact) -> list[str]:
    names = [fact.label, fact.name]
    if fact.unit:
        names += [f"{fact.label}（{fact.unit}）", f"{fact.label}({fact.unit})"]
    return names


def parse_cell(fact: Fact, text: str) -> Any:
    """A cell as the fact's JSON value; raises CellError with the Chinese reason."""
    kind = fact.type
    if kind == FactType.INTEGER:
        value = tabular.norm(text).replace(",", "")
        if fact.unit and value.endswith(fact.unit):
            value = value[: -len(fact.unit)]
        if not re.fullmatch(r"[+-]?\d+(\.\d+)?", value):
            raise CellError(f"“{text}”不是数字")
        number = Decimal(value) * fact.scale
        if number != number.to_integral_value():
            if fact.scale == 1:
                raise CellError(f"“{text}”应为整数")
            raise CellError(f"“{text}”最多保留{len(str(fact.scale)) - 1}位小数")
        result = int(number)
        if not -(2**63) <= result < 2**63:
            raise CellError(f"“{text}”超出范围")
        return result
    if kind == FactType.BOOLEAN:
        return tabular.parse_yes_no(text)
    if kind == FactType.DATE:
        return tabular.parse_date(text).isoformat()
    if kind == FactType.LIST:
        if tabular.norm(text) in ("无", "-", "—"):
            return []
        return sorted(dict.fromkeys(tabular.clean(p) for p in LIST_SPLIT.split(text) if tabular.clean(p)))
    value = tabular.half_width(text)
    if len(value) > 200:
        raise CellError(f"文字过长（{len(value)}字，最多200字）")
    return value


def import_facts(
    path: str | os.PathLike[str],
    *,
    actor: Any,
    as_of: dt.date,
    source: str,
    name: str | None = None,
    report_dir: Path | None = None,
    rematch: bool = True,
    on: dt.date | None = None,
    complete: bool = False,
) -> FactImportResult:
    """Import one file; see the module docstring. Raises TableError when the file as a whole is refused.

    ``complete``: the file is the whole of a list (a recognition list, the 失信 list): a beneficiary
    not in it is no longer on the list — its stored value is removed, so it takes the fact's
    absent value (e.g. ``[]``) as of this file's date.
    """
    from gongkai.policies.matching import match_run
    from gongkai.policies.services import facts_apply

    name = name or Path(path).name
    if as_of > timezone.localdate():
        raise TableError(f"数据截至日期{as_of}晚于今天")
    if not source.strip():
        raise TableError("请填写数据来源部门")
    sha = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    facts = list(Fact.objects.all())
    first_list = False
    with tabular.open_table(path, name=name) as table:
        keys = {tabular.header_key(h) for h in table.header}
        if tabular.header_key(ENTITY_KEY) in keys:
            kind, key_column = BeneficiaryKind.ENTITY, ENTITY_KEY
        elif any(tabular.header_key(k) in keys for k in (PERSON_KEY, *PERSON_KEY_ALIASES)):
            kind, key_column = BeneficiaryKind.PERSON, PERSON_KEY
        else:
            raise TableError(
                f"缺少对象标识列：市场主体数据应有“{ENTITY_KEY}”列，人才数据应有“{PERSON_KEY}”列"
            )
        applicable = [
            f for f in facts if (f.for_entities if kind == BeneficiaryKind.ENTITY else f.for_persons)
        ]
        header_fact: dict[str, Fact] = {}
        columns = [key_column, AS_OF_COLUMN]
        for fact in facts:
            for header in _headers(fact):
                header_fact[header] = fact
                columns.append(header)
        if kind == BeneficiaryKind.PERSON:
            columns += list(PERSON_KEY_ALIASES)
        cmap = ColumnMap(table.header, columns=columns, required=[], register="数据")
        key_at = next((cmap.index[c] for c in (key_column, *PERSON_KEY_ALIASES) if c in cmap.index), None)
        present: dict[str, tuple[int, str]] = {}
        for header, index in cmap.index.items():
            fact = header_fact.get(header)
            if fact is None:
                continue
            if fact.name in present:
                raise TableError(f"数据项“{fact.label}”出现了两列（“{present[fact.name][1]}”和“{header}”）")
            if fact.derivation:
                raise TableError(
                    f"“{fact.label}”由系统根据{fact.get_derivation_display()}，不能导入；请删除该列"
                )
            if fact not in applicable:
                who = "市场主体" if kind == BeneficiaryKind.ENTITY else "个人"
                raise TableError(f"数据项“{fact.label}”不适用于{who}")
            present[fact.name] = (index, header)
        if not present:
            raise TableError("文件中没有可导入的数据项列（列标题应为数据目录中的中文名称或英文名）")
        if complete:
            not_lists = [f.label for f in facts if f.name in present and f.absent_value is None]
            if not_lists:
                raise TableError(f"全量名单只适用于名单类数据项，{'、'.join(not_lists)}不是")
            from gongkai.policies.facts import list_dates

            # the first complete list turns "unknown" into "not listed" for everyone: match everyone
            first_list = bool(set(present) - set(list_dates(kind)))
        by_name = {f.name: f for f in facts}
        as_of_at = cmap.index.get(AS_OF_COLUMN)
        rejections = Rejections()
        accepted: list[tuple[int, dt.date, dict[str, Any]]] = []  # (beneficiary id, as_of, values)
        rows_total = 0
        try:
            with transaction.atomic():
                fact_import = FactImport.objects.create(
                    file_name=name[:200],
                    sha256=sha.hexdigest(),
                    source=source.strip()[:60],
                    as_of=as_of,
                    keyed_by=kind,
                    facts=sorted(present),
                    complete=complete,
                    imported_by=None if isinstance(actor, str) else actor,
                )
                seen: dict[str, int] = {}
                in_file: set[int] = set()
                for chunk in batched(table.rows(), CHUNK):
                    rows_total += len(chunk)
                    ids = _resolve(kind, [_key(kind, r, key_at) for r in chunk])
                    for row in chunk:
                        problems: list[Problem] = []
                        key = _key(kind, row, key_at)
                        bid = None
                        if not key:
                            problems.append(Problem(row.number, key_column, f"{key_column}不能为空"))
                        elif key in seen:
                            problems.append(Problem(row.number, key_column, f"与第{seen[key]}行重复"))
                        else:
                            bid = ids.get(key)
                            if bid is not None:
                                in_file.add(bid)
                            if bid is None:
                                problems.append(Problem(row.number, key_column, _unknown(kind, key)))
                        if key and key not in seen:
                            seen[key] = row.number
                        row_as_of = as_of
                        if as_of_at is not None:
                            text = tabular.clean(row.cells[as_of_at]) if as_of_at < len(row.cells) else ""
                            if text:
                                try:
                                    row_as_of = tabular.parse_date(text)
                                    if row_as_of > timezone.localdate():
                                        raise CellError(f"{row_as_of}晚于今天")
                                except CellError as exc:
                                    problems.append(Problem(row.number, AS_OF_COLUMN, str(exc)))
                        values: dict[str, Any] = {}
                        for fname, (index, header) in present.items():
                            text = tabular.clean(row.cells[index]) if index < len(row.cells) else ""
                            if not text:
                                continue
                            try:
                                values[fname] = parse_cell(by_name[fname], text)
                            except CellError as exc:
                                problems.append(Problem(row.number, header, str(exc)))
                        if problems:
                            rejections.add(row, cmap.in_column_order(problems))
                        elif values and bid is not None:
                            accepted.append((bid, row_as_of, values))
                applied_ids: dict[int, list[str]] = {}
                unchanged = 0
                groups: dict[dt.date, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
                for bid, row_as_of, values in accepted:
                    groups[row_as_of].append((bid, values))
                for group_as_of, items in sorted(groups.items()):
                    applied = facts_apply(
                        actor=actor,
                        rows=items,
                        as_of=group_as_of,
                        source=fact_import.source,
                        origin=ValueOrigin.IMPORT,
                        fact_import=fact_import,
                        note=f"导入文件“{name}”",
                    )
                    applied_ids.update(applied.changed)
                    unchanged += applied.unchanged
                if complete:
                    removed = _unlist(actor, kind, sorted(present), in_file, name)
                    for bid, names in removed.items():
                        applied_ids[bid] = sorted(set(applied_ids.get(bid, [])) | set(names))
                fact_import.rows = rows_total
                fact_import.changed = len(applied_ids)
                fact_import.unchanged = unchanged
                fact_import.rejected = rejections.count
                from gongkai.registry.importing import new_run_directory

                directory = report_dir or new_run_directory("facts")
                report_path, rejected_path = rejections.write(
                    directory=directory,
                    stem=Path(name).stem or "facts",
                    kind=table.kind,
                    header=table.header,
                    warnings=cmap.warnings(),
                )
                fact_import.report_path = str(report_path)
                fact_import.rejected_path = str(rejected_path or "")
                fact_import.save()
                from gongkai.core import audit

                audit.record(
                    actor=actor,
                    action="policies.facts.import",
                    obj=fact_import,
                    after={
                        "file": name,
                        "sha256": fact_import.sha256,
                        "source": fact_import.source,
                        "as_of": as_of,
                        "facts": fact_import.facts,
                        "rows": rows_total,
                        "changed": fact_import.changed,
                        "rejected": fact_import.rejected,
                    },
                )
        finally:
            rejections.close()
        result = ImportResult(
            file_name=name,
            register="数据",
            description=table.description,
            updated=fact_import.changed,
            unchanged=fact_import.unchanged,
            rejected=fact_import.rejected,
            report_path=report_path,
            rejected_path=rejected_path,
        )
        result.warnings = [f"列“{w.column}”不是数据目录中的数据项，已忽略" for w in cmap.warnings()]
    out = FactImportResult(
        result, fact_import, sorted(applied_ids), {n for v in applied_ids.values() for n in v}
    )
    if rematch and (out.changed_ids or first_list):
        outcome = match_run(
            actor=actor,
            kind=RunKind.FACTS,
            on=on or selectors.today(),
            beneficiary_ids=None if first_list else out.changed_ids,
            facts_changed=set(fact_import.facts) if first_list else out.changed_facts,
            note=f"导入“{name}”后增量比对",
        )
        out.run = outcome.run
        FactImport.objects.filter(pk=fact_import.pk).update(run=outcome.run)
    return out


def _unlist(
    actor: Any, kind: str, names: list[str], in_file: set[int], file_name: str
) -> dict[int, list[str]]:
    """Remove the stored list values of beneficiaries no longer on a complete list (audited)."""
    from gongkai.core import audit
    from gongkai.policies.models import FactValue

    gone: dict[int, dict[str, Any]] = defaultdict(dict)
    pks = []
    rows = FactValue.objects.filter(fact_id__in=names, beneficiary__kind=kind).values_list(
        "pk", "beneficiary_id", "fact_id", "value", "beneficiary__key"
    )
    keys = {}
    for pk, bid, fact, value, key in rows.iterator(chunk_size=CHUNK):
        if bid not in in_file:
            pks.append(pk)
            gone[bid][fact] = value
            keys[bid] = key
    for chunk in batched(pks, CHUNK):
        FactValue.objects.filter(pk__in=chunk).delete()
    audit.record_many(
        actor=actor,
        events=[
            audit.EventData(
                "policies.facts.unlist",
                "policies.beneficiary",
                str(bid),
                keys[bid],
                values,
                None,
                f"全量名单“{file_name}”未列入",
            )
            for bid, values in gone.items()
        ],
    )
    return {bid: sorted(values) for bid, values in gone.items()}


def _key(kind: str, row: Row, at: int | None) -> str:
    if at is None or at >= len(row.cells):
        return ""
    text = row.cells[at]
    if kind == BeneficiaryKind.ENTITY:
        return creditcode.normalise(text)
    return re.sub(r"\s", "", tabular.norm(text)).upper()


def _unknown(kind: str, key: str) -> str:
    if kind == BeneficiaryKind.ENTITY:
        try:
            creditcode.validate(key)
        except creditcode.CreditCodeError as exc:
            return f"统一社会信用代码有误：{exc}"
        return "市场主体名录库中没有该统一社会信用代码"
    return "人才名录中没有该公民身份号码"


def _resolve(kind: str, keys: list[str]) -> dict[str, int]:
    """Beneficiary ids of the keys in a chunk (entities get their beneficiary row on first use)."""
    keys = [k for k in dict.fromkeys(keys) if k]
    if kind == BeneficiaryKind.ENTITY:
        from gongkai.registry.models import Entity

        known = list(Entity.objects.filter(credit_code__in=keys).values_list("credit_code", flat=True))
        ensure_entity_beneficiaries(known)
        return dict(Beneficiary.objects.filter(kind=kind, key__in=known).values_list("key", "id"))
    pairs = Person.objects.filter(id_number__in=keys).values_list("id_number", "beneficiary__id")
    return {number: bid for number, bid in pairs if bid is not None}
