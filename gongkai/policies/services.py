"""Writes of 政策找人、免申即享: the catalogue, talents, fact values, and policy versions.

Every function is ``noun_verb(*, actor, …)``, runs in one transaction and appends audit events. The
兑现 workflow is in :mod:`gongkai.policies.workflow`, matching in :mod:`gongkai.policies.matching`,
fact files in :mod:`gongkai.policies.importing`, accounts in :mod:`gongkai.policies.accounts`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from gongkai.core import audit
from gongkai.policies import rules, selectors
from gongkai.policies.choices import BeneficiaryKind, RunKind, ValueOrigin, VersionState
from gongkai.policies.models import Beneficiary, Fact, FactValue, Person, Policy, PolicyVersion
from gongkai.policies.rules.errors import PolicyFileError
from gongkai.policies.rules.runner import run_policy_tests
from gongkai.policies.rules.types import check_fact_value
from gongkai.registry.models import Entity

# --- the catalogue ----------------------------------------------------------------------------------

FACT_FIELDS = [
    "label",
    "type",
    "unit",
    "scale",
    "source",
    "refresh",
    "max_age_days",
    "for_entities",
    "for_persons",
    "sort_order",
]
# Changing these under a policy that reads the fact would change what the policy means.
FACT_MEANING = ("type", "scale", "for_entities", "for_persons")


def _versions_reading(name: str) -> list[PolicyVersion]:
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    return [
        v
        for v in PolicyVersion.objects.exclude(state=VersionState.DRAFT).select_related("policy")
        if pattern.search(v.text)
    ]


@transaction.atomic
def fact_save(*, actor: Any, name: str, values: Mapping[str, Any]) -> Fact:
    """Add a fact to the catalogue or edit one. A fact read by a submitted or published version keeps
    its type, scale and beneficiaries; a derived fact's way of computation is not editable."""
    fact = Fact.objects.select_for_update().filter(name=name).first()
    before = audit.snapshot(fact) if fact else None
    if fact is None:
        fact = Fact(name=name)
    elif any(k in values and values[k] != getattr(fact, k) for k in FACT_MEANING):
        users = _versions_reading(name)
        if users:
            raise ValidationError(
                f"数据项“{fact.label}”已被{'、'.join(str(v) for v in users[:5])}使用，不能改变其类型、换算系数或适用对象；"
                "请新增一个数据项"
            )
    for key in FACT_FIELDS:
        if key in values:
            setattr(fact, key, values[key])
    fact.full_clean()
    fact.save()
    after = audit.snapshot(fact)
    b, a = audit.diff(before, after) if before else (None, after)
    if before is None or a:
        audit.record(actor=actor, action="policies.fact.save", obj=fact, before=b, after=a)
    return fact


# --- talents ------------------------------------------------------------------------------------------

PERSON_FIELDS = [
    "name",
    "employer",
    "district",
    "professional_title",
    "talent_level",
    "talent_programmes",
    "education",
    "arrival_date",
    "email",
    "phone",
]


def id_digest(id_number: str) -> str:
    """What the audit log keeps of an ID number: a keyed digest, never the number."""
    return hmac.new(settings.SECRET_KEY.encode(), id_number.encode(), hashlib.sha256).hexdigest()[:16]


def _person_snapshot(person: Person) -> dict[str, Any]:
    snap = audit.snapshot(
        person, ["public_id", *[f if f not in ("employer", "district") else f + "_id" for f in PERSON_FIELDS]]
    )
    snap["id_number_digest"] = id_digest(person.id_number)
    return snap


def normalise_id_number(text: str) -> str:
    return re.sub(r"\s", "", text).upper()


def _next_public_id() -> str:
    year = timezone.localdate().year
    prefix = f"RC{year}"
    last = Person.objects.filter(public_id__startswith=prefix).aggregate(m=Max("public_id"))["m"]
    n = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{n:06d}"


@transaction.atomic
def person_save(
    *, actor: Any, values: Mapping[str, Any], id_number: str = "", person: Person | None = None
) -> Person:
    """Register a talent (with their ID number) or update one (the ID number never changes)."""
    from gongkai.penalties.redaction import is_valid_id

    if person is None:
        id_number = normalise_id_number(id_number)
        if not is_valid_id(id_number, today=timezone.localdate()):
            raise ValidationError({"id_number": "公民身份号码无效（应为18位，校验码正确）"})
        if Person.objects.filter(id_number=id_number).exists():
            raise ValidationError({"id_number": "该公民身份号码已登记"})
        person = Person(public_id=_next_public_id(), id_number=id_number)
        before = None
    else:
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = _person_snapshot(person)
    for key in PERSON_FIELDS:
        if key in values:
            setattr(person, key, values[key])
    programmes = person.talent_programmes
    if not isinstance(programmes, list) or any(not isinstance(p, str) for p in programmes):
        raise ValidationError({"talent_programmes": "入选人才工程应为文字列表"})
    person.full_clean()
    person.save()
    if before is None:
        Beneficiary.objects.create(kind=BeneficiaryKind.PERSON, key=person.public_id, person=person)
    after = _person_snapshot(person)
    b, a = audit.diff(before, after) if before else (None, after)
    if before is None or a:
        audit.record(
            actor=actor,
            action="policies.person.create" if before is None else "policies.person.update",
            obj=person,
            object_repr=person.public_id,
            before=b,
            after=a,
        )
    return person


def beneficiary_for_entity(entity: Entity | str) -> Beneficiary:
    code = entity if isinstance(entity, str) else entity.credit_code
    found = Beneficiary.objects.filter(kind=BeneficiaryKind.ENTITY, key=code).first()
    if found is not None:
        return found
    from gongkai.policies.facts import ensure_entity_beneficiaries

    ensure_entity_beneficiaries([code])
    return Beneficiary.objects.get(kind=BeneficiaryKind.ENTITY, key=code)


# --- fact values ------------------------------------------------------------------------------------


def check_value(fact: Fact, value: Any) -> str | None:
    """Why ``value`` cannot be stored for ``fact`` (None when it can)."""
    if fact.derivation:
        return f"“{fact.label}”由系统根据{fact.get_derivation_display()}自动取得，不能导入或填报"
    spec = selectors.catalogue()[fact.name]
    if value is None:
        return "取值不能为空"
    problem = check_fact_value(spec, value)
    return f"“{fact.label}”{problem}" if problem else None


@dataclass
class FactsApplied:
    """What a fact write changed: per beneficiary id, the names whose values changed."""

    changed: dict[int, list[str]] = field(default_factory=dict)
    unchanged: int = 0

    @property
    def facts(self) -> set[str]:
        return {name for names in self.changed.values() for name in names}


def facts_apply(
    *,
    actor: Any,
    rows: Iterable[tuple[Beneficiary | int, Mapping[str, Any]]],
    as_of: dt.date,
    source: str,
    origin: str,
    fact_import: Any = None,
    note: str = "",
) -> FactsApplied:
    """Store fact values (already checked) for many beneficiaries; one audit event per changed one.

    A value equal to the stored one with the same or an older as-of date changes nothing; a newer
    as-of date on an equal value refreshes the date only (so it stops being stale).
    """
    facts = {f.name: f for f in Fact.objects.all()}
    applied = FactsApplied()
    rows = [(b if isinstance(b, int) else b.pk, dict(v)) for b, v in rows]
    by_id = dict(rows)
    existing: dict[tuple[int, str], FactValue] = {}
    ids = list(by_id)
    for start in range(0, len(ids), 5000):
        for fv in FactValue.objects.filter(beneficiary_id__in=ids[start : start + 5000]):
            existing[(fv.beneficiary_id, fv.fact_id)] = fv
    keys = dict(Beneficiary.objects.filter(id__in=ids).values_list("id", "key")) if len(ids) < 20000 else {}
    create: list[FactValue] = []
    update: list[FactValue] = []
    events: list[audit.EventData] = []
    for bid, values in rows:
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for name, value in values.items():
            if name not in facts or facts[name].derivation:
                raise ValueError(f"{name} cannot be stored")
            old = existing.get((bid, name))
            if old is None:
                create.append(
                    FactValue(
                        beneficiary_id=bid,
                        fact_id=name,
                        value=value,
                        as_of=as_of,
                        source=source,
                        origin=origin,
                        fact_import=fact_import,
                    )
                )
                after[name] = value
                continue
            if old.value == value and old.as_of >= as_of:
                continue
            if old.value != value:
                before[name], after[name] = old.value, value
            old.value, old.as_of, old.source, old.origin, old.fact_import = (
                value,
                as_of,
                source,
                origin,
                fact_import,
            )
            update.append(old)
        if after:
            applied.changed[bid] = sorted(after)
            events.append(
                audit.EventData(
                    "policies.facts.set",
                    "policies.beneficiary",
                    str(bid),
                    keys.get(bid, str(bid)),
                    before or None,
                    {"values": after, "as_of": as_of.isoformat(), "source": source, "origin": origin},
                    note,
                )
            )
        else:
            applied.unchanged += 1
    FactValue.objects.bulk_create(create, batch_size=5000)
    _update_values(update)
    audit.record_many(actor=actor, events=events)
    return applied


def _update_values(rows: list[FactValue]) -> None:
    """UPDATE … WHERE id = … for each row, in one executemany: Django's bulk_update builds one
    CASE per column over the whole batch, which takes ~2 s per 1,000 rows on SQLite."""
    if not rows:
        return
    from django.db import connection

    qn = connection.ops.quote_name
    fields = [
        FactValue._meta.get_field(n)
        for n in ("value", "as_of", "source", "origin", "fact_import", "recorded_at")
    ]
    sql = (
        f"UPDATE {qn(FactValue._meta.db_table)} SET "
        + ", ".join(f"{qn(f.column)} = %s" for f in fields)
        + f" WHERE {qn('id')} = %s"
    )
    now = timezone.now()
    params = []
    for fv in rows:
        fv.recorded_at = now
        params.append([f.get_db_prep_save(getattr(fv, f.attname), connection) for f in fields] + [fv.pk])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _parsed_values(beneficiary: Beneficiary, values: Mapping[str, Any]) -> dict[str, Any]:
    facts = {f.name: f for f in Fact.objects.filter(name__in=list(values))}
    errors = {}
    for name, value in values.items():
        fact = facts.get(name)
        if fact is None:
            errors[name] = f"未知的数据项 {name}"
            continue
        if beneficiary.kind == BeneficiaryKind.ENTITY and not fact.for_entities:
            errors[name] = f"“{fact.label}”不适用于市场主体"
        elif beneficiary.kind == BeneficiaryKind.PERSON and not fact.for_persons:
            errors[name] = f"“{fact.label}”不适用于个人"
        else:
            problem = check_value(fact, value)
            if problem:
                errors[name] = problem
    if errors:
        raise ValidationError(errors)
    return dict(values)


def facts_declare(
    *, actor: Any, beneficiary: Beneficiary, values: Mapping[str, Any], on: dt.date | None = None
) -> Any:
    """快申快享: the beneficiary supplies missing facts; they are stored as 申请人填报 and it is
    matched again at once (so a now-eligible beneficiary is notified and can confirm)."""
    from gongkai.policies.matching import match_run

    on = on or selectors.today()
    values = _parsed_values(beneficiary, values)
    with transaction.atomic():
        applied = facts_apply(
            actor=actor,
            rows=[(beneficiary, values)],
            as_of=on,
            source="申请人填报",
            origin=ValueOrigin.DECLARED,
            note="快申快享补充数据",
        )
        return match_run(
            actor=actor,
            kind=RunKind.BENEFICIARY,
            on=on,
            beneficiary_ids=[beneficiary.pk],
            note=f"{beneficiary.key} 补充数据：{'、'.join(sorted(applied.facts)) or '无变化'}",
        )


def facts_correct(
    *, actor: Any, beneficiary: Beneficiary, values: Mapping[str, Any], note: str, on: dt.date | None = None
) -> Any:
    """Staff correct stored facts (e.g. after a dispute); the beneficiary is matched again."""
    from gongkai.policies.matching import match_run

    if not note.strip():
        raise ValidationError("请说明更正的依据")
    on = on or selectors.today()
    values = _parsed_values(beneficiary, values)
    with transaction.atomic():
        facts_apply(
            actor=actor,
            rows=[(beneficiary, values)],
            as_of=on,
            source="工作人员更正",
            origin=ValueOrigin.CORRECTION,
            note=note,
        )
        return match_run(
            actor=actor,
            kind=RunKind.BENEFICIARY,
            on=on,
            beneficiary_ids=[beneficiary.pk],
            note=f"更正数据：{note}",
        )


# --- policy versions -------------------------------------------------------------------------------


@dataclass
class Checked:
    """A rule file that loaded against the catalogue and whose officers' tests all passed."""

    policy: rules.Policy
    test_lines: list[str]


def policy_text_check(text: str, *, name: str = "规则文件") -> Checked:
    """Load the file with the database catalogue and run its tests; ValidationError lists every problem."""
    try:
        policy = rules.load_policy_text(text, file=name, catalogue=selectors.catalogue())
    except PolicyFileError as exc:
        raise ValidationError(exc.render()) from None
    outcomes = run_policy_tests(policy)
    failed = [o for o in outcomes if not o.passed]
    if failed:
        lines = [f"{len(failed)}/{len(outcomes)} 个测试未通过，未保存："]
        for o in failed:
            lines.append(f"测试“{o.test.name}”（{o.test.on.isoformat()}）：{'；'.join(o.problems)}")
            lines.extend("    " + line for line in o.explanation)
        raise ValidationError(lines)
    summary = [f"{len(outcomes)} 个测试全部通过" if outcomes else "文件中没有测试用例（建议补充）"]
    return Checked(policy, summary)


def _version_values(policy: rules.Policy, text: str) -> dict[str, Any]:
    return {
        "text": text,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "title": policy.title[:200],
        "mode": policy.mode,
        "beneficiary_kind": policy.beneficiary,
        "valid_from": policy.valid_from,
        "valid_to": policy.valid_to,
        "has_amount": policy.amount is not None,
        "tests_count": len(policy.tests),
    }


# Words the staff pages use in their addresses (staff/policies/<code>/ must not shadow them).
RESERVED_CODES = frozenset(
    {"new", "facts", "runs", "disputes", "persons", "beneficiaries", "entities", "cases", "services"}
)


@transaction.atomic
def version_save(*, actor: Any, text: str, expect_policy: Policy | None = None) -> PolicyVersion:
    """Store a rule file as a draft: a new policy's first version, the next version of a policy, or an
    edit of a draft (or returned) version with the same number. A published version is never edited.

    Refused (nothing stored) when the file does not load against the catalogue — unknown facts, type
    errors, a 评审类 policy with an amount … — or when one of its tests fails.
    """
    checked = policy_text_check(text)
    rp = checked.policy
    if rp.id in RESERVED_CODES:
        raise ValidationError(f"政策标识“{rp.id}”是系统保留字，请换一个")
    if expect_policy is not None and rp.id != expect_policy.code:
        raise ValidationError(f"文件中的政策标识是“{rp.id}”，这里是政策“{expect_policy.code}”")
    policy = Policy.objects.select_for_update().filter(code=rp.id).first()
    created_policy = policy is None
    if policy is None:
        policy = Policy(code=rp.id, title=rp.title[:200], department=(rp.source.get("authority") or "")[:100])
        policy.full_clean()
        policy.save()
        audit.record(actor=actor, action="policies.policy.create", obj=policy, after=audit.snapshot(policy))
    values = _version_values(rp, text)
    version = policy.versions.filter(number=rp.version).first()
    latest = policy.versions.aggregate(m=Max("number"))["m"] or 0
    if version is not None:
        if version.state not in (VersionState.DRAFT, VersionState.RETURNED):
            raise ValidationError(
                f"第{rp.version}版{version.get_state_display()}，不能修改；请把 version 改为 {latest + 1} 写新版本"
            )
        before = audit.snapshot(version, ["sha256", "valid_from", "valid_to", "mode", "state"])
        for key, value in values.items():
            setattr(version, key, value)
        version.state = VersionState.DRAFT
        version.return_reason = ""
        action = "policies.version.edit"
    else:
        if rp.version <= latest:
            raise ValidationError(f"版本号应大于已有的最高版本 {latest}（文件中是 {rp.version}）")
        creator = None if isinstance(actor, str) or actor is None else actor
        version = PolicyVersion(policy=policy, number=rp.version, created_by=creator, **values)
        before = None
        action = "policies.version.create"
    version.full_clean()
    version.save()
    if (
        not created_policy
        and policy.title != rp.title[:200]
        and not policy.versions.filter(state=VersionState.PUBLISHED).exists()
    ):
        policy.title = rp.title[:200]
        policy.save(update_fields=["title"])
    audit.record(
        actor=actor,
        action=action,
        obj=version,
        before=before,
        after=audit.snapshot(version, ["sha256", "valid_from", "valid_to", "mode", "state"]),
        note="；".join(checked.test_lines),
    )
    return version


POLICY_SETTINGS = [
    "title",
    "department",
    "benefit_kind",
    "service_items",
    "service_officer",
    "period_kind",
    "stacking_group",
    "budget_per_period",
    "requires_publicity",
    "publicity_days",
    "confirm_days",
    "pay_days",
    "document",
    "summary",
]


@transaction.atomic
def policy_settings_save(*, actor: Any, policy: Policy, values: Mapping[str, Any]) -> Policy:
    """How a policy is delivered: money or service, period, 不叠加组, budget, 公示, deadlines."""
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    names = [n if n not in ("service_officer", "document") else n + "_id" for n in POLICY_SETTINGS]
    before = audit.snapshot(policy, names)
    for key in POLICY_SETTINGS:
        if key in values:
            setattr(policy, key, values[key])
    policy.full_clean()
    policy.save()
    b, a = audit.diff(before, audit.snapshot(policy, names))
    if a:
        audit.record(actor=actor, action="policies.policy.settings", obj=policy, before=b, after=a)
    return policy


@transaction.atomic
def version_submit(*, actor: Any, version: PolicyVersion) -> PolicyVersion:
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if version.state not in (VersionState.DRAFT, VersionState.RETURNED):
        raise ValidationError(f"第{version.number}版处于“{version.get_state_display()}”，不能提交审核")
    policy_text_check(version.text)
    version.state, version.submitted_at = VersionState.SUBMITTED, timezone.now()
    version.save(update_fields=["state", "submitted_at"])
    audit.record(actor=actor, action="policies.version.submit", obj=version, after={"state": version.state})
    return version


@transaction.atomic
def version_return(*, actor: Any, version: PolicyVersion, reason: str) -> PolicyVersion:
    version = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    if version.state != VersionState.SUBMITTED:
        raise ValidationError("只有待审核的版本可以退回")
    if not reason.strip():
        raise ValidationError("请填写退回意见")
    version.state, version.return_reason = VersionState.RETURNED, reason.strip()
    version.reviewed_by = None if isinstance(actor, str) else actor
    version.save(update_fields=["state", "return_reason", "reviewed_by"])
    audit.record(
        actor=actor,
        action="policies.version.return",
        obj=version,
        after={"state": version.state},
        note=reason,
    )
    return version


def version_approve(*, actor: Any, version: PolicyVersion, on: dt.date | None = None) -> PolicyVersion:
    """The reviewer approves: the version is published (never to be edited again) and, if it is in
    force, matched against everyone at once. The author cannot approve their own version."""
    from gongkai.policies.matching import match_run

    with transaction.atomic():
        version = PolicyVersion.objects.select_for_update().select_related("policy").get(pk=version.pk)
        if version.state != VersionState.SUBMITTED:
            raise ValidationError("只有待审核的版本可以审核发布")
        if isinstance(actor, str) or actor is None:
            raise ValidationError("审核发布须由审核人登录操作")
        if version.created_by_id == actor.pk:
            raise ValidationError("编写人不能审核自己编写的版本")
        policy = version.policy
        if version.mode != "评审类" and policy.benefit_kind == "money" and not version.has_amount:
            raise ValidationError(
                "资金类政策的规则文件须写明金额（amount）；服务类政策请先在兑现设置中改为“服务”"
            )
        policy_text_check(version.text)
        version.state, version.reviewed_by, version.published_at = (
            VersionState.PUBLISHED,
            actor,
            timezone.now(),
        )
        try:
            version.save(update_fields=["state", "reviewed_by", "published_at"])
        except IntegrityError as exc:  # pragma: no cover - guarded above
            raise ValidationError(str(exc)) from None
        audit.record(
            actor=actor,
            action="policies.version.publish",
            obj=version,
            after={"state": version.state, "sha256": version.sha256, "valid_from": version.valid_from},
        )
        match_run(
            actor=actor,
            kind=RunKind.VERSION,
            on=on or selectors.today(),
            versions=[version],
            note=f"{version} 发布",
        )
    return version
