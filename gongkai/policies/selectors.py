"""Reads of 政策找人、免申即享, shared by the staff pages, the account pages, the public pages and the
command line. Nothing here writes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext

from gongkai.core import calendar
from gongkai.core.workdays import CalendarNotCovered
from gongkai.policies import rules
from gongkai.policies.choices import (
    BeneficiaryKind,
    CaseState,
    DeterminationStatus,
    DisputeState,
    VersionState,
)
from gongkai.policies.models import (
    Beneficiary,
    Case,
    Determination,
    Dispute,
    Fact,
    FactImport,
    FactValue,
    Notification,
    Person,
    Policy,
    PolicyVersion,
    ServiceRequest,
)
from gongkai.policies.rules.types import Catalogue, FactSpec


def today() -> dt.date:
    """Today in Asia/Shanghai: the date every match and deadline is judged on."""
    return timezone.localdate()


# --- the catalogue --------------------------------------------------------------------------------


def facts() -> QuerySet[Fact]:
    return Fact.objects.order_by("sort_order", "name")


def catalogue() -> Catalogue:
    """The rules engine's catalogue, read from the database (the one a stored policy is checked with)."""
    specs = {}
    for f in facts():
        applies = [kind for kind, yes in (("entity", f.for_entities), ("person", f.for_persons)) if yes]
        specs[f.name] = FactSpec(
            name=f.name,
            type=f.type,
            label=f.label,
            unit=f.unit,
            scale=f.scale,
            source=f.source,
            refresh=f.refresh,
            applies_to=frozenset(applies),
        )
    return Catalogue(specs)


def catalogue_fingerprint(cat: Catalogue) -> str:
    data = [
        (s.name, s.type, s.label, s.unit, s.scale, s.source, sorted(s.applies_to))
        for s in sorted(cat.facts.values(), key=lambda s: s.name)
    ]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


_LOADED: dict[tuple[int, str, str], rules.Policy] = {}
_LOADED_LOCK = threading.Lock()


def loaded_policy(version: PolicyVersion, cat: Catalogue | None = None) -> rules.Policy:
    """The version's file loaded by the engine against the database catalogue (cached per process).

    A stored version always loaded when it was saved; it can only fail now if the catalogue changed
    under it, which :func:`gongkai.policies.services.fact_save` refuses for facts in use.
    """
    cat = cat or catalogue()
    key = (version.pk, version.sha256, catalogue_fingerprint(cat))
    with _LOADED_LOCK:
        found = _LOADED.get(key)
    if found is not None:
        return found
    policy = rules.load_policy_text(
        version.text, file=f"{version.policy.code} v{version.number}", catalogue=cat
    )
    with _LOADED_LOCK:
        if len(_LOADED) > 4096:
            _LOADED.clear()
        _LOADED[key] = policy
    return policy


def stale_counts(*, on: dt.date | None = None) -> dict[str, int]:
    """How many stored values of each fact are older than the fact allows (过期)."""
    on = on or today()
    counts: dict[str, int] = {}
    for f in Fact.objects.filter(max_age_days__isnull=False, derivation=""):
        limit = on - dt.timedelta(days=f.max_age_days)  # type: ignore[operator]
        n = FactValue.objects.filter(fact=f, as_of__lt=limit).count()
        if n:
            counts[f.name] = n
    return counts


def is_stale(fact: Fact | None, as_of: dt.date | None, on: dt.date) -> bool:
    if fact is None or as_of is None or fact.max_age_days is None or fact.derivation:
        return False
    return as_of < on - dt.timedelta(days=fact.max_age_days)


def fact_imports() -> QuerySet[FactImport]:
    return FactImport.objects.select_related("imported_by").order_by("-imported_at")


# --- policies -------------------------------------------------------------------------------------


def policy_list() -> QuerySet[Policy]:
    return (
        Policy.objects.prefetch_related(
            Prefetch("versions", queryset=PolicyVersion.objects.order_by("-number"))
        )
        .annotate(n_published=Count("versions", filter=Q(versions__state=VersionState.PUBLISHED)))
        .order_by("code")
    )


def policy_detail(code: str) -> Policy:
    return Policy.objects.select_related("service_officer", "document").get(code=code)


def versions_of(policy: Policy) -> QuerySet[PolicyVersion]:
    return policy.versions.select_related("created_by", "reviewed_by").order_by("-number")


def version_in_force(policy: Policy, on: dt.date) -> PolicyVersion | None:
    """The published version that applies on ``on``: the newest whose ``valid_from`` has come,
    provided ``on`` is not past its ``valid_to`` (a newer version supersedes from its valid_from)."""
    version = (
        policy.versions.filter(state=VersionState.PUBLISHED, valid_from__lte=on).order_by("-number").first()
    )
    if version is None or (version.valid_to is not None and on > version.valid_to):
        return None
    return version


def versions_in_force(on: dt.date, *, policies: Iterable[Policy] | None = None) -> list[PolicyVersion]:
    """One version per policy: those in force on ``on`` (see :func:`version_in_force`)."""
    qs = PolicyVersion.objects.filter(state=VersionState.PUBLISHED, valid_from__lte=on).select_related(
        "policy"
    )
    if policies is not None:
        qs = qs.filter(policy__in=list(policies))
    newest: dict[int, PolicyVersion] = {}
    for version in qs.order_by("policy_id", "-number"):
        newest.setdefault(version.policy_id, version)
    return [v for v in newest.values() if v.valid_to is None or on <= v.valid_to]


def versions_awaiting_review() -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.filter(state=VersionState.SUBMITTED).select_related("policy", "created_by")


@dataclass(frozen=True)
class ReviewRow:
    """One line of the reviewer's table: 条款 → 条件 → 数据来源."""

    id: str
    label: str
    condition: str
    expression: str
    sources: list[tuple[str, str, str]]  # (fact label, fact name, source)


def review_table(policy: rules.Policy) -> list[ReviewRow]:
    """The rule file as the reviewer reads it beside the policy document."""
    from gongkai.policies.rules.explain import _prepared

    cat = policy.catalogue
    rows = []
    for criterion in policy.criteria:
        prepared = _prepared(criterion, cat)
        if prepared.shape is not None and len(prepared.shape.parts) == 1:
            part = prepared.shape.parts[0]
            condition = f"{cat[part.fact].label}{prepared.requirement}"
        elif prepared.shape is not None:
            condition = prepared.requirement
        else:
            condition = "（见判断式）"
        sources = [(cat[name].label, name, cat[name].source) for name in criterion.when.facts]
        rows.append(ReviewRow(criterion.id, criterion.label, condition, criterion.when.source, sources))
    return rows


# --- beneficiaries ----------------------------------------------------------------------------------


def beneficiary_for_entity(code: str) -> Beneficiary | None:
    return Beneficiary.objects.select_related("entity", "person").filter(kind="entity", key=code).first()


def beneficiary_detail(pk: int) -> Beneficiary:
    return Beneficiary.objects.select_related("entity__district", "person__employer", "person__district").get(
        pk=pk
    )


def persons(*, query: str = "") -> QuerySet[Person]:
    """Talents for staff lists. The ID number is never searched by a partial string nor shown."""
    qs = Person.objects.select_related("employer", "district", "beneficiary").order_by("public_id")
    if query:
        qs = qs.filter(Q(name__contains=query) | Q(public_id=query.upper()))
    return qs


def stored_facts(beneficiary: Beneficiary) -> QuerySet[FactValue]:
    return beneficiary.fact_values.select_related("fact", "fact_import").order_by("fact__sort_order")


# --- determinations -------------------------------------------------------------------------------


def current_determinations(beneficiary: Beneficiary) -> QuerySet[Determination]:
    return (
        Determination.objects.filter(beneficiary=beneficiary, current=True)
        .select_related("version__policy")
        .order_by("version__policy__code")
    )


def current_determination(beneficiary: Beneficiary, version: PolicyVersion) -> Determination | None:
    return Determination.objects.filter(beneficiary=beneficiary, version=version, current=True).first()


def determinations_of(version: PolicyVersion, *, status: str = "") -> QuerySet[Determination]:
    qs = Determination.objects.filter(version=version, current=True).select_related(
        "beneficiary__entity", "beneficiary__person"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("beneficiary__key")


def determination_counts(version: PolicyVersion) -> dict[str, int]:
    """Current eligible and undetermined beneficiaries of a version."""
    rows = (
        Determination.objects.filter(
            version=version,
            current=True,
            status__in=[DeterminationStatus.ELIGIBLE, DeterminationStatus.UNDETERMINED],
        )
        .values("status")
        .annotate(n=Count("id"))
    )
    out = {"eligible": 0, "undetermined": 0}
    for row in rows:
        out[row["status"]] = row["n"]
    return out


# --- cases ----------------------------------------------------------------------------------------


def cases(
    *, policy: Policy | None = None, state: str = "", beneficiary: Beneficiary | None = None
) -> QuerySet[Case]:
    qs = Case.objects.select_related("policy", "version", "beneficiary__entity", "beneficiary__person")
    if policy is not None:
        qs = qs.filter(policy=policy)
    if state:
        qs = qs.filter(state=state)
    if beneficiary is not None:
        qs = qs.filter(beneficiary=beneficiary)
    return qs.order_by("-created_at", "-id")


def case_detail(pk: int) -> Case:
    return (
        Case.objects.select_related(
            "policy__service_officer",
            "version",
            "determination",
            "beneficiary__entity",
            "beneficiary__person",
        )
        .prefetch_related("notifications", "disputes__fact")
        .get(pk=pk)
    )


def budget_used(policy: Policy, period: str) -> int:
    """Yuan committed in a period: approved, paid and archived cases (a clawback gives it back)."""
    total = Case.objects.filter(
        policy=policy, period=period, state__in=[CaseState.APPROVED, CaseState.PAID, CaseState.ARCHIVED]
    ).aggregate(total=Sum("amount"))["total"]
    return int(total or 0)


@dataclass(frozen=True)
class Deadline:
    label: str
    due: dt.date | None
    overdue: bool
    note: str = ""


def case_deadline(case: Case, *, on: dt.date | None = None) -> Deadline | None:
    """The working-day deadline of the case's current step, computed now from the calendar in force."""
    on = on or today()
    policy = case.policy
    steps = {
        CaseState.PUBLICITY: (gettext("公示期满"), case.publicity_started_on, policy.publicity_days),
        CaseState.NOTIFIED: (gettext("确认期限"), case.notified_on, policy.confirm_days),
        CaseState.CONFIRMED: (gettext("拨付期限"), case.confirmed_on, policy.pay_days),
        CaseState.APPROVED: (gettext("拨付期限"), case.confirmed_on, policy.pay_days),
    }
    step = steps.get(case.state)  # type: ignore[call-overload]
    if step is None or step[1] is None:
        return None
    label, start, days = step
    try:
        due = calendar.add_working_days(start, days)
    except CalendarNotCovered as exc:
        return Deadline(label, None, False, str(exc))  # the message says what is missing
    return Deadline(label, due, on > due)


def open_disputes() -> QuerySet[Dispute]:
    return Dispute.objects.filter(state=DisputeState.OPEN).select_related(
        "fact", "beneficiary__entity", "beneficiary__person", "case__policy"
    )


def service_requests_for(user) -> QuerySet[ServiceRequest]:
    return ServiceRequest.objects.filter(officer=user).select_related(
        "case__policy", "case__beneficiary__person", "case__beneficiary__entity"
    )


def inbox(beneficiary: Beneficiary) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(beneficiary=beneficiary)
        .select_related("case__policy")
        .order_by("-created_at")
    )


# --- public figures ------------------------------------------------------------------------------


def public_policies() -> list[tuple[Policy, PolicyVersion]]:
    """Policies with a published version, each with its newest published version."""
    out = []
    newest: dict[int, PolicyVersion] = {}
    for v in (
        PolicyVersion.objects.filter(state=VersionState.PUBLISHED)
        .select_related("policy")
        .order_by("policy__code", "-number")
    ):
        if v.policy_id not in newest:
            newest[v.policy_id] = v
            out.append((v.policy, v))
    return out


@dataclass(frozen=True)
class PublicFigures:
    eligible: int
    notified: int
    paid_count: int
    paid_amount: int


def public_figures(policy: Policy) -> PublicFigures:
    """Counts and amounts for the public page: never names, never amounts per beneficiary."""
    eligible = Determination.objects.filter(
        policy=policy,
        current=True,
        status=DeterminationStatus.ELIGIBLE,
        version__state=VersionState.PUBLISHED,
    ).count()
    reached = (
        Case.objects.filter(policy=policy)
        .exclude(state__in=[CaseState.PUBLICITY, CaseState.CANCELLED])
        .count()
    )
    paid = Case.objects.filter(policy=policy, state__in=[CaseState.PAID, CaseState.ARCHIVED]).aggregate(
        n=Count("id"), total=Sum("amount")
    )
    return PublicFigures(eligible, reached, paid["n"] or 0, int(paid["total"] or 0))


def publicity_list(policy: Policy) -> QuerySet[Case]:
    """公示 names (only for a policy that requires publicity): entities' names, talents' names."""
    return (
        Case.objects.filter(policy=policy)
        .exclude(state__in=[CaseState.CANCELLED, CaseState.DECLINED])
        .select_related("beneficiary__entity", "beneficiary__person")
        .order_by("beneficiary__key")
    )


def beneficiary_kind_label(kind: str) -> str:
    return BeneficiaryKind(kind).label
