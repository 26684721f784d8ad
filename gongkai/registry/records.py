"""Validated, source-neutral descriptions of an entity: what forms, imports and the demo produce.

A record is checked by :class:`RecordChecker` (every rule that needs the database: districts,
the multi-address scope, cluster hosts) before :func:`gongkai.registry.services.entities_upsert`
writes it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gongkai.core.audit import canonical_text, jsonable
from gongkai.registry import addresses, creditcode, industries
from gongkai.registry.choices import AddressKind, CreditRiskClass, EntityStatus, EntityType

_QUANTUM = Decimal("0.0001")
_ENTITY_TYPES = frozenset(EntityType.values)
_STATUSES = frozenset(EntityStatus.values)
_RISK_CLASSES = frozenset(CreditRiskClass.values)
# What the canonical encoder writes for a string (core.audit: ensure_ascii=False).
_json_str = json.encoder.encode_basestring
# A well-formed code in normal form (upper case, half-width, no spaces): GB 32100-2015's layout.
_NORMAL_CODE = re.compile(f"[{creditcode.ALPHABET}]{{2}}[0-9]{{6}}[{creditcode.ALPHABET}]{{10}}")


@dataclass(frozen=True)
class AddressRecord:
    district_code: str
    full_text: str


@dataclass
class EntityRecord:
    credit_code: str
    name: str
    entity_type: str
    legal_representative: str
    established_on: dt.date
    industry_division: str
    registration_authority: str
    district_code: str
    domicile: str
    status: str = EntityStatus.ACTIVE
    status_since: dt.date | None = None
    industry_section: str = ""
    registered_capital: Decimal | None = None
    premises: list[AddressRecord] = field(default_factory=list)
    contact_name: str = ""
    contact_phone: str = ""
    credit_risk_class: str = ""
    credit_risk_date: dt.date | None = None
    is_cluster_host: bool = False
    cluster_host_code: str = ""

    def __post_init__(self) -> None:
        if not self.industry_section:
            self.industry_section = industries.section_of(self.industry_division) or ""
        if self.status_since is None:
            self.status_since = self.established_on
        if self.cluster_host_code:
            self.domicile = addresses.with_cluster_mark(addresses.clean(self.domicile))
        else:
            self.domicile = addresses.clean(self.domicile)

    def entity_values(self) -> dict[str, Any]:
        """Field values of the Entity row (by attname), as stored."""
        return {
            "credit_code": self.credit_code,
            "name": self.name,
            "entity_type": self.entity_type,
            "legal_representative": self.legal_representative,
            "registered_capital": self.registered_capital,
            "established_on": self.established_on,
            "status": self.status,
            "status_since": self.status_since,
            "industry_section": self.industry_section,
            "industry_division": self.industry_division,
            "registration_authority": self.registration_authority,
            "district_id": self.district_code,
            "contact_name": self.contact_name,
            "contact_phone": self.contact_phone,
            "credit_risk_class": self.credit_risk_class,
            "credit_risk_date": self.credit_risk_date,
            "is_cluster_host": self.is_cluster_host,
            "cluster_host_id": self.cluster_host_code or None,
        }

    def address_list(self) -> list[tuple[str, str, str]]:
        """(kind, district, text) in position order: the 住所 first."""
        return [(str(AddressKind.DOMICILE), self.district_code, self.domicile)] + [
            (str(AddressKind.PREMISES), a.district_code, addresses.clean(a.full_text)) for a in self.premises
        ]

    def snapshot(
        self, values: dict[str, Any] | None = None, addrs: list[tuple[str, str, str]] | None = None
    ) -> dict[str, Any]:
        """What the audit log stores (and what "unchanged" is judged on).

        ``values`` and ``addrs`` may be passed when the caller already has
        :meth:`entity_values` and :meth:`address_list`.
        """
        out: dict[str, Any] = {}
        for name, value in (values or self.entity_values()).items():
            cls = value.__class__
            if value is None or cls is str or cls is bool:
                out[name] = value
            elif cls is dt.date:
                out[name] = value.isoformat()
            elif cls is Decimal:
                out[name] = str(value.quantize(_QUANTUM))
            else:
                out[name] = jsonable(value)
        out["addresses"] = [list(a) for a in (self.address_list() if addrs is None else addrs)]
        return out

    def snapshot_json(self, addrs: list[tuple[str, str, str]] | None = None) -> str:
        """``canonical_text(self.snapshot(None, addrs))``, assembled field by field in sorted-key order.

        An import encodes a million of these: building the dict for the encoder costs about as much
        as encoding it. Values of other types than a form or an import gives fall back to the
        encoder (a test compares both on tricky records).
        """
        if addrs is None:
            addrs = self.address_list()
        capital, established, since = self.registered_capital, self.established_on, self.status_since
        risk_date, host = self.credit_risk_date, self.is_cluster_host
        date = dt.date
        if (
            established.__class__ is not date
            or (since is not None and since.__class__ is not date)
            or (risk_date is not None and risk_date.__class__ is not date)
            or (capital is not None and capital.__class__ is not Decimal)
            or host.__class__ is not bool
        ):
            return canonical_text(self.snapshot(None, addrs))
        s = _json_str
        try:
            return "".join(
                (
                    '{"addresses":[',
                    ",".join([f"[{s(kind)},{s(district)},{s(text)}]" for kind, district, text in addrs]),
                    '],"cluster_host_id":',
                    s(self.cluster_host_code) if self.cluster_host_code else "null",
                    ',"contact_name":',
                    s(self.contact_name),
                    ',"contact_phone":',
                    s(self.contact_phone),
                    ',"credit_code":',
                    s(self.credit_code),
                    ',"credit_risk_class":',
                    s(self.credit_risk_class),
                    ',"credit_risk_date":',
                    "null" if risk_date is None else f'"{risk_date.isoformat()}"',
                    ',"district_id":',
                    s(self.district_code),
                    ',"entity_type":',
                    s(self.entity_type),
                    ',"established_on":"',
                    established.isoformat(),
                    '","industry_division":',
                    s(self.industry_division),
                    ',"industry_section":',
                    s(self.industry_section),
                    ',"is_cluster_host":',
                    "true" if host else "false",
                    ',"legal_representative":',
                    s(self.legal_representative),
                    ',"name":',
                    s(self.name),
                    ',"registered_capital":',
                    "null" if capital is None else f'"{capital.quantize(_QUANTUM)!s}"',
                    ',"registration_authority":',
                    s(self.registration_authority),
                    ',"status":',
                    s(self.status),
                    ',"status_since":',
                    "null" if since is None else f'"{since.isoformat()}"',
                    "}",
                )
            )
        except TypeError:  # a field that is not text where text is expected: the encoder decides
            return canonical_text(self.snapshot(None, addrs))


@dataclass(frozen=True)
class Problem:
    """One reason a record is refused: the field (by its Chinese column name) and why."""

    field: str
    message: str


class RecordChecker:
    """Checks records against the rules that need context; built once per import or form."""

    def __init__(
        self,
        *,
        district_names: dict[str, str],
        city_code: str,
        multi_address_scope: str,
        host_codes: set[str],
    ):
        self.district_names = district_names
        self.city_prefix = city_code[:4]
        self.multi_address_scope = multi_address_scope
        self.host_codes = host_codes
        self.today = dt.date.today()

    def check(self, rec: EntityRecord) -> list[Problem]:
        problems: list[Problem] = []
        code = rec.credit_code
        # A code already in normal form and valid (the common case) is what validate() returns;
        # it is checked here without validate()'s slow full-width translation.
        if not (_NORMAL_CODE.fullmatch(code) and creditcode.check_character(code[:17]) == code[17]):
            try:
                rec.credit_code = creditcode.validate(code)
            except creditcode.CreditCodeError as exc:
                problems.append(Problem("统一社会信用代码", str(exc)))
        if not rec.name.strip():
            problems.append(Problem("名称", "名称不能为空"))
        elif len(rec.name) > 200:
            problems.append(Problem("名称", f"名称过长（{len(rec.name)}字，最多200字）"))
        if rec.entity_type not in _ENTITY_TYPES:
            problems.append(Problem("主体类型", f"未知的主体类型“{rec.entity_type}”"))
        if not rec.legal_representative.strip():
            problems.append(Problem("法定代表人", "法定代表人（负责人、经营者）不能为空"))
        if rec.status not in _STATUSES:
            problems.append(Problem("登记状态", f"未知的登记状态“{rec.status}”"))
        if rec.industry_division not in industries.DIVISIONS:
            problems.append(
                Problem("行业大类", f"“{rec.industry_division}”不是GB/T 4754-2017的行业大类代码（01–97）")
            )
        elif rec.industry_section != industries.section_of(rec.industry_division):
            problems.append(
                Problem(
                    "行业门类",
                    f"行业大类{rec.industry_division}属于门类{industries.section_of(rec.industry_division)}，"
                    f"不属于门类“{rec.industry_section}”",
                )
            )
        if rec.registered_capital is not None and rec.registered_capital < 0:
            problems.append(Problem("注册资本", "注册资本不能为负数"))
        if rec.established_on > self.today:
            problems.append(Problem("成立日期", f"成立日期{rec.established_on}晚于今天"))
        if rec.status_since and rec.status_since < rec.established_on:
            problems.append(Problem("状态变更日期", "状态变更日期不能早于成立日期"))
        if not rec.registration_authority.strip():
            problems.append(Problem("登记机关", "登记机关不能为空"))
        if rec.district_code not in self.district_names:
            problems.append(Problem("住所区划代码", f"“{rec.district_code}”不是本市的区划代码"))
        if not rec.domicile.strip():
            problems.append(Problem("住所", "住所不能为空"))
        for i, premises in enumerate(rec.premises, start=1):
            if premises.district_code not in self.district_names:
                problems.append(
                    Problem(
                        "其他经营场所",
                        f"第{i}个经营场所的区划代码“{premises.district_code}”不是本市的区划代码",
                    )
                )
            elif self.multi_address_scope == "district" and premises.district_code != rec.district_code:
                problems.append(
                    Problem(
                        "其他经营场所",
                        f"第{i}个经营场所在{self.district_names[premises.district_code]}，"
                        f"按本市规定经营场所须与住所在同一县区（{self.district_names.get(rec.district_code, rec.district_code)}）",
                    )
                )
            if not premises.full_text.strip():
                problems.append(Problem("其他经营场所", f"第{i}个经营场所的地址为空"))
        if rec.premises:  # a lone 住所 cannot repeat
            texts = [a[2] for a in rec.address_list()]
            if len(set(texts)) != len(texts):
                problems.append(Problem("其他经营场所", "同一地址重复登记"))
        if rec.credit_risk_class and rec.credit_risk_class not in _RISK_CLASSES:
            problems.append(
                Problem("信用风险分类", f"信用风险分类应为A、B、C或D，实际为“{rec.credit_risk_class}”")
            )
        if rec.credit_risk_class and rec.credit_risk_date is None:
            problems.append(Problem("分类日期", "填写了信用风险分类时必须填写分类日期"))
        if rec.cluster_host_code:
            if rec.is_cluster_host:
                problems.append(Problem("托管机构", "托管机构本身不能再登记在其他托管机构名下"))
            elif rec.cluster_host_code == rec.credit_code:
                problems.append(Problem("托管机构", "托管机构不能是本主体自己"))
            elif rec.cluster_host_code not in self.host_codes:
                problems.append(Problem("托管机构", f"“{rec.cluster_host_code}”不是已登记的集群注册托管机构"))
        return problems
