"""Facts of many beneficiaries at once, as the matcher takes them, with each value's as-of date and source.

Two kinds of facts:

* **derived** — computed here, whenever a match runs, from Gongkai's own data, so they are always
  current: from the register (district of the 住所 and of *any* address, type, status, industry,
  capital, establishment date, cluster registration), from 行政处罚信息公示 (penalties in the year
  before the match date, through ``penalties.selectors.public_decisions``), from 双随机 results (the
  latest published result, through ``inspections.selectors.published_results``), and from the talent
  register (birth date from the ID number, level, programmes, title, education, arrival, employer);
* **stored** — :class:`~gongkai.policies.models.FactValue` rows imported from other departments or
  filled in by the beneficiary (快申快享), each with its own as-of date and source.

A stored value that no longer has its fact's type (the catalogue changed) is left out — unknown —
rather than stopping the whole match.

Rows are fetched client-side, not through ``.iterator()``: a server-side cursor makes PostgreSQL plan
for the first rows (nested loops), which made reading 50,000 values take over a second.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import batched
from typing import Any

from django.db.models import CharField, Count, TextField
from django.db.models.functions import Cast

from gongkai.policies.choices import BeneficiaryKind
from gongkai.policies.models import Beneficiary, Fact, FactValue
from gongkai.policies.rules.types import Catalogue, check_fact_value
from gongkai.registry.choices import EntityStatus, EntityType
from gongkai.registry.models import Address, Entity

CHUNK = 5000

# Values of the text facts derived from the register (what a rule file compares with).
ENTITY_TYPE_VALUES = {
    EntityType.ENTERPRISE: "企业",
    EntityType.BRANCH: "分支机构",
    EntityType.INDIVIDUAL: "个体工商户",
    EntityType.COOPERATIVE: "农民专业合作社",
    EntityType.COOPERATIVE_BRANCH: "农民专业合作社分支机构",
}
STATUS_VALUES = {
    EntityStatus.ACTIVE: "存续",
    EntityStatus.SUSPENDED: "歇业",
    EntityStatus.REVOKED: "吊销",
    EntityStatus.CANCELLED: "注销",
    EntityStatus.MOVED_OUT: "迁出",
    EntityStatus.WITHDRAWN: "撤销登记",
}
REGISTER_FACTS = (
    "district",
    "districts",
    "entity_type",
    "status",
    "industry_section",
    "industry_division",
    "registered_capital",
    "established_on",
    "cluster_hosted",
)
PERSON_FACTS = (
    "district",
    "birth_date",
    "talent_level",
    "talent_programmes",
    "arrival_date",
    "education",
    "professional_title",
    "employer_credit_code",
)


@dataclass
class FactSheet:
    """Facts of n beneficiaries of one kind, row by row, and where each value came from."""

    kind: str
    on: dt.date
    ids: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    # Per row, for stored facts: name -> (as_of ISO, source). Derived facts share ``derived_origin``.
    stored_origin: list[dict[str, tuple[str, str]]] = field(default_factory=list)
    derived_origin: dict[str, tuple[str, str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def provenance(self, row: int, names: Iterable[str]) -> dict[str, list[str] | None]:
        """[as_of, source] of each named fact of a row (None when unknown)."""
        record, stored = self.records[row], self.stored_origin[row]
        out: dict[str, list[str] | None] = {}
        for name in names:
            origin = stored.get(name) or (
                self.derived_origin.get(name) if record.get(name) is not None else None
            )
            out[name] = list(origin) if origin else None
        return out


def ensure_entity_beneficiaries(codes: Sequence[str] | None = None) -> int:
    """Create the missing :class:`Beneficiary` rows of entities (all, or those of ``codes``)."""
    created = 0
    if codes is None:
        missing = Entity.objects.filter(beneficiary__isnull=True).values_list("credit_code", flat=True)
        chunks: Iterable[Sequence[str]] = batched(missing.iterator(chunk_size=CHUNK), CHUNK)
    else:
        chunks = batched(codes, CHUNK)
    for chunk in chunks:
        have = set(Beneficiary.objects.filter(kind="entity", key__any=chunk).values_list("key", flat=True))
        new = [Beneficiary(kind="entity", key=c, entity_id=c) for c in chunk if c not in have]
        Beneficiary.objects.bulk_create(new, batch_size=CHUNK)
        created += len(new)
    return created


def one_year_before(on: dt.date) -> dt.date:
    try:
        return on.replace(year=on.year - 1)
    except ValueError:  # 29 February
        return on.replace(year=on.year - 1, day=28)


def gather(
    *,
    kind: str,
    on: dt.date,
    names: Iterable[str],
    catalogue: Catalogue,
    beneficiary_ids: Sequence[int] | None = None,
) -> FactSheet:
    """The named facts of every beneficiary of ``kind`` (or of those ids) on ``on``."""
    names = [n for n in dict.fromkeys(names) if n in catalogue]
    derived_kinds = {
        f.name: f.derivation for f in Fact.objects.filter(name__in=names).only("name", "derivation")
    }
    sheet = FactSheet(kind=kind, on=on)
    base = Beneficiary.objects.filter(kind=kind)
    if beneficiary_ids is None:
        pairs = list(base.order_by("id").values_list("id", "key"))
    else:
        pairs = []
        for chunk in batched(sorted(set(beneficiary_ids)), CHUNK):
            pairs.extend(base.filter(id__any=chunk).values_list("id", "key"))
        pairs.sort()
    sheet.ids = [p[0] for p in pairs]
    sheet.keys = [p[1] for p in pairs]
    sheet.records = [{} for _ in pairs]
    sheet.stored_origin = [{} for _ in pairs]
    row_of = {bid: row for row, bid in enumerate(sheet.ids)}
    derived = [n for n in names if derived_kinds.get(n)]
    stored = [n for n in names if not derived_kinds.get(n)]
    for name in derived:
        sheet.derived_origin[name] = (on.isoformat(), catalogue[name].source)
    if derived:
        if kind == BeneficiaryKind.ENTITY:
            _entity_facts(sheet, derived, on, row_of, whole=beneficiary_ids is None)
        else:
            _person_facts(sheet, derived, row_of)
    if stored:
        _stored_facts(sheet, stored, catalogue, row_of, whole=beneficiary_ids is None)
    return sheet


def _chunks_of_ids(sheet: FactSheet, whole: bool) -> Iterable[Sequence[int] | None]:
    if whole:
        yield None
    else:
        yield from batched(sheet.ids, CHUNK)


def _entity_facts(
    sheet: FactSheet, names: list[str], on: dt.date, row_of: dict[int, int], whole: bool
) -> None:
    wanted = set(names)
    records = sheet.records
    code_row = {key: row for row, key in enumerate(sheet.keys)}
    codes_chunks: Iterable[Sequence[str] | None] = [None] if whole else batched(sheet.keys, CHUNK)
    register = wanted & set(REGISTER_FACTS) - {"districts"}
    if register:
        columns = (
            "credit_code",
            "district_id",
            "entity_type",
            "status",
            "industry_section",
            "industry_division",
            "registered_capital",
            "established_on",
            "cluster_host_id",
        )
        for codes in codes_chunks:
            qs = Entity.objects.all() if codes is None else Entity.objects.filter(credit_code__any=codes)
            for (
                code,
                district,
                etype,
                status,
                section,
                division,
                capital,
                established,
                host,
            ) in qs.values_list(*columns):
                row = code_row.get(code)
                if row is None:
                    continue
                record = records[row]
                if "district" in wanted:
                    record["district"] = district
                if "entity_type" in wanted:
                    record["entity_type"] = ENTITY_TYPE_VALUES.get(etype, etype)
                if "status" in wanted:
                    record["status"] = STATUS_VALUES.get(status, status)
                if "industry_section" in wanted:
                    record["industry_section"] = section
                if "industry_division" in wanted:
                    record["industry_division"] = division
                if "registered_capital" in wanted:
                    # stored in 万元 with 4 decimals; the fact is whole yuan
                    record["registered_capital"] = None if capital is None else int(capital * 10000)
                if "established_on" in wanted:
                    record["established_on"] = established.isoformat()
                if "cluster_hosted" in wanted:
                    record["cluster_hosted"] = host is not None
    if "districts" in wanted:
        found: dict[int, set[str]] = defaultdict(set)
        chunks = [None] if whole else list(batched(sheet.keys, CHUNK))
        for codes in chunks:
            qs = Address.objects.all() if codes is None else Address.objects.filter(entity_id__any=codes)
            for code, district in qs.values_list("entity_id", "district_id"):
                row = code_row.get(code)
                if row is not None:
                    found[row].add(district)
        for row in range(len(records)):
            records[row]["districts"] = sorted(found.get(row, ()))
    if "penalties_last_year" in wanted:
        _penalties(sheet, on, code_row, whole)
    if "inspection_passed" in wanted:
        _inspections(sheet, code_row, whole)


def _penalties(sheet: FactSheet, on: dt.date, code_row: dict[str, int], whole: bool) -> None:
    """Decisions on the public record whose decision date lies in the year up to ``on``."""
    from gongkai.penalties.choices import PartyKind
    from gongkai.penalties.selectors import public_decisions

    counts = [0] * len(sheet.records)
    base = public_decisions(day=on).filter(
        party_kind=PartyKind.ENTITY, decision_date__gt=one_year_before(on), decision_date__lte=on
    )
    chunks = [None] if whole else list(batched(sheet.keys, CHUNK))
    for codes in chunks:
        qs = base if codes is None else base.filter(entity_id__any=codes)
        for code, n in (
            qs.order_by().values_list("entity_id").annotate(n=Count("id")).values_list("entity_id", "n")
        ):
            row = code_row.get(code)
            if row is not None:
                counts[row] = n
    for row, n in enumerate(counts):
        sheet.records[row]["penalties_last_year"] = n


def _inspections(sheet: FactSheet, code_row: dict[str, int], whole: bool) -> None:
    """Whether the latest published 双随机 result found no problem. Never inspected counts as normal."""
    from gongkai.inspections.selectors import published_results

    latest: dict[int, tuple[Any, int]] = {}
    problem: dict[int, bool] = defaultdict(bool)
    chunks = [None] if whole else list(batched(sheet.keys, CHUNK))
    for codes in chunks:
        qs = published_results() if codes is None else published_results().filter(entity_id__any=codes)
        for target, code, at, found in qs.values_list(
            "id", "entity_id", "results_published_at", "records__categories__problem_found"
        ):
            row = code_row.get(code)
            if row is None:
                continue
            if row not in latest or (at, target) > latest[row]:
                latest[row] = (at, target)
            problem[target] = problem[target] or bool(found)
    for row in range(len(sheet.records)):
        entry = latest.get(row)
        sheet.records[row]["inspection_passed"] = True if entry is None else not problem[entry[1]]


def _person_facts(sheet: FactSheet, names: list[str], row_of: dict[int, int]) -> None:
    from gongkai.penalties.redaction import id_birth_date

    wanted = set(names)
    columns = (
        "id",
        "person__id_number",
        "person__district_id",
        "person__employer_id",
        "person__employer__district_id",
        "person__talent_level",
        "person__talent_programmes",
        "person__arrival_date",
        "person__education",
        "person__professional_title",
    )
    for ids in batched(sheet.ids, CHUNK):
        rows = Beneficiary.objects.filter(id__any=ids).values_list(*columns)
        for (
            bid,
            id_number,
            district,
            employer,
            employer_district,
            level,
            programmes,
            arrival,
            edu,
            title,
        ) in rows:
            record = sheet.records[row_of[bid]]
            if "district" in wanted:
                record["district"] = district or employer_district
            if "birth_date" in wanted:
                born = id_birth_date(id_number or "")
                record["birth_date"] = born.isoformat() if born else None
            if "talent_level" in wanted:  # the 人才办 register is complete: no level is "无", not unknown
                record["talent_level"] = level or "无"
            if "talent_programmes" in wanted:
                record["talent_programmes"] = list(programmes or [])
            if "arrival_date" in wanted:
                record["arrival_date"] = arrival.isoformat() if arrival else None
            if "education" in wanted:
                record["education"] = edu or None
            if "professional_title" in wanted:
                record["professional_title"] = title or None
            if "employer_credit_code" in wanted:
                record["employer_credit_code"] = employer


def list_dates(kind: str) -> dict[str, dt.date]:
    """For each list fact, the as-of date of the latest complete list imported (for ``kind``)."""
    from gongkai.policies.models import FactImport

    dates: dict[str, dt.date] = {}
    for facts, as_of in FactImport.objects.filter(keyed_by=kind, complete=True).values_list("facts", "as_of"):
        for name in facts:
            if name not in dates or as_of > dates[name]:
                dates[name] = as_of
    return dates


_UNSEEN = object()


def _stored_facts(
    sheet: FactSheet, names: list[str], catalogue: Catalogue, row_of: dict[int, int], whole: bool
) -> None:
    base = FactValue.objects.filter(fact_id__in=names)
    records, origins = sheet.records, sheet.stored_origin
    # Complete lists: whoever is not on the latest list has the fact's absent value, as of that list.
    absent = {
        f.name: (f.absent_value, f.source)
        for f in Fact.objects.filter(name__in=names, absent_value__isnull=False)
    }
    if absent:
        dates = list_dates(sheet.kind)
        for name, (value, source) in absent.items():
            if name not in dates or check_fact_value(catalogue[name], value) is not None:
                continue
            origin = (dates[name].isoformat(), f"{source}（未列入名单）")
            for row, record in enumerate(records):
                record[name] = list(value) if isinstance(value, list) else value
                origins[row][name] = origin
    chunks: Iterable[Sequence[int] | None] = [None] if whole else batched(sheet.ids, CHUNK)
    loads = json.loads
    scalars: dict[str, Any] = {}
    specs = {name: catalogue[name] for name in names}
    for ids in chunks:
        qs = (
            base.filter(beneficiary__kind=sheet.kind) if ids is None else base.filter(beneficiary_id__any=ids)
        )
        # the value as JSON text and the date as ISO text: decoded here, not by a converter per row
        qs = qs.annotate(value_text=Cast("value", TextField()), as_of_text=Cast("as_of", CharField()))
        for bid, name, text, as_of, source in qs.values_list(
            "beneficiary_id", "fact_id", "value_text", "as_of_text", "source"
        ):
            row = row_of.get(bid)
            if row is None:
                continue
            # Most values repeat (a rating, a count): a scalar is decoded once per distinct text.
            # Lists and objects are decoded each time, so no two records share a mutable value.
            value = scalars.get(text, _UNSEEN)
            if value is _UNSEEN:
                value = loads(text)
                if not isinstance(value, (list, dict)):
                    scalars[text] = value
            if check_fact_value(specs[name], value) is not None:
                continue
            records[row][name] = value
            origins[row][name] = (as_of, source)


def facts_of(
    beneficiary: Beneficiary, *, on: dt.date, catalogue: Catalogue, names: Iterable[str] | None = None
) -> tuple[dict[str, Any], dict[str, list[str] | None]]:
    """One beneficiary's facts and their provenance (for its explanation page and re-matching)."""
    kind = beneficiary.kind
    if names is None:
        names = [n for n, spec in catalogue.facts.items() if kind in spec.applies_to]
    names = list(names)
    sheet = gather(kind=kind, on=on, names=names, catalogue=catalogue, beneficiary_ids=[beneficiary.pk])
    if not sheet.ids:
        return {}, {}
    return sheet.records[0], sheet.provenance(0, names)
