"""The 兑现 workflow as an explicit state machine: 数据比对 → 意愿确认 → 拨付到账.

::

    (eligible) ─► 待公示 ─► 已通知 ─► 已确认 ─► 已审核 ─► 已拨付 ─► 归档
                    │          │  ▲      │                    │       │
                    │          ▼  │      ▼                    ▼       ▼
                    │         异议 ─┘   放弃                  追回 ◄───┘
                    └──► 已撤销 (no longer eligible before confirming, or 就高不重复)

Every transition is a service here: it locks the case, checks the state it leaves, writes the new
state and its date, appends an audit event, and names its side effects (a notification, a payment
record, a service request). Deadlines count working days and are computed when shown
(:func:`gongkai.policies.selectors.case_deadline`), so a new year's holidays move them all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongkai.core import audit
from gongkai.policies import notify, selectors
from gongkai.policies.choices import (
    PRE_CONFIRMATION_STATES,
    BenefitKind,
    CaseState,
    DeterminationStatus,
    DisputeState,
    PeriodKind,
    RunKind,
    ServiceState,
)
from gongkai.policies.fastbulk import fast_insert
from gongkai.policies.models import (
    Beneficiary,
    Case,
    Determination,
    Dispute,
    Fact,
    Notification,
    Payment,
    Policy,
    ServiceRequest,
)
from gongkai.policies.rules.explain import format_yuan

# Which states each transition leaves from (the machine, in one table).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "end_publicity": (CaseState.PUBLICITY,),
    "confirm": (CaseState.NOTIFIED,),
    "decline": (CaseState.PUBLICITY, CaseState.NOTIFIED, CaseState.CONFIRMED),
    "dispute": (CaseState.NOTIFIED, CaseState.CONFIRMED),
    "approve": (CaseState.CONFIRMED,),
    "pay": (CaseState.APPROVED,),
    "archive": (CaseState.PAID,),
    "clawback": (CaseState.PAID, CaseState.ARCHIVED),
    "cancel": (CaseState.PUBLICITY, CaseState.NOTIFIED, CaseState.DISPUTED),
}


def period_of(policy: Policy, on: dt.date) -> str:
    """The payment period a date falls in: 一次性, 2026, 2026Q2 or 2026-05."""
    kind = policy.period_kind
    if kind == PeriodKind.YEAR:
        return str(on.year)
    if kind == PeriodKind.QUARTER:
        return f"{on.year}Q{(on.month - 1) // 3 + 1}"
    if kind == PeriodKind.MONTH:
        return f"{on.year}-{on.month:02d}"
    return "一次性"


def _lock(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("policy", "beneficiary").get(pk=case.pk)


def _leave(case: Case, transition: str) -> None:
    allowed = TRANSITIONS[transition]
    if case.state not in allowed:
        names = pgettext("列举", "、").join(str(CaseState(s).label) for s in allowed)
        raise ValidationError(
            _("兑现事项处于“%(state)s”，只有“%(allowed)s”时才能执行此操作")
            % {"state": case.get_state_display(), "allowed": names}
        )


def _record(actor: Any, case: Case, action: str, before: str, note: str = "", **after: Any) -> None:
    audit.record(
        actor=actor,
        action=f"policies.case.{action}",
        obj=case,
        before={"state": before},
        after={"state": case.state, **after},
        note=note,
    )


# --- opening cases from determinations ---------------------------------------------------------------


def cases_open(*, actor: Any, determinations: Iterable[Determination], on: dt.date) -> list[Case]:
    """Open a case for each new eligible determination (never for 评审类, never for the ineligible);
    withdraw pre-confirmation cases whose beneficiary no longer qualifies; update amounts.

    就高不重复: in a policy's 不叠加组, one beneficiary gets one case per period — the highest amount;
    a lower case not yet confirmed is withdrawn when a higher one appears.

    Works in bulk (an import may make thousands eligible at once): the cases concerned are read and
    locked in one query, new cases and their notifications are inserted in batches.
    """
    dets = list(determinations)
    if not dets:
        return []
    policies = {p.pk: p for p in Policy.objects.filter(pk__in={d.policy_id for d in dets})}
    groups = {p.stacking_group for p in policies.values() if p.stacking_group}
    if groups:
        policies.update({p.pk: p for p in Policy.objects.filter(stacking_group__in=groups)})
    bids = sorted({d.beneficiary_id for d in dets})
    keys = (
        dict(Beneficiary.objects.filter(id__any=bids).values_list("id", "key")) if len(bids) < 30000 else {}
    )
    existing: dict[tuple[int, int, str], Case] = {}
    rivals: dict[tuple[str, int, str], list[Case]] = defaultdict(list)
    for start in range(0, len(bids), 5000):
        for c in Case.objects.select_for_update().filter(
            policy_id__in=list(policies), beneficiary_id__any=bids[start : start + 5000]
        ):
            c.policy = policies[c.policy_id]
            existing[(c.policy_id, c.beneficiary_id, c.period)] = c
            if c.policy.stacking_group and c.state not in (CaseState.CANCELLED, CaseState.DECLINED):
                rivals[(c.policy.stacking_group, c.beneficiary_id, c.period)].append(c)
    events: list[audit.EventData] = []

    def label(policy: Policy, bid: int, period: str) -> str:
        return f"{policy.code} / {keys.get(bid, bid)} / {period}"

    for det in dets:
        if det.status == DeterminationStatus.ELIGIBLE:
            continue
        policy = policies[det.policy_id]
        case = existing.get((det.policy_id, det.beneficiary_id, period_of(policy, on)))
        if case is not None and case.state in PRE_CONFIRMATION_STATES:
            _cancel(actor, case, "复核后不再符合条件", events, on)
    # highest amounts first, so that within a 不叠加组 the best policy is opened first
    eligible = [d for d in dets if d.status == DeterminationStatus.ELIGIBLE and d.version.mode != "评审类"]
    eligible.sort(key=lambda d: (-(d.amount or 0), d.policy_id))
    new: list[Case] = []
    redetermined: list[Case] = []
    for det in eligible:
        policy = policies[det.policy_id]
        period = period_of(policy, on)
        case = existing.get((det.policy_id, det.beneficiary_id, period))
        if case is not None:
            if case.state in PRE_CONFIRMATION_STATES and (
                case.amount != det.amount or case.determination_id != det.pk
            ):
                old = case.amount
                case.amount, case.determination, case.version = det.amount, det, det.version
                redetermined.append(case)
                events.append(
                    audit.EventData(
                        "policies.case.redetermine",
                        "policies.case",
                        str(case.pk),
                        label(policy, case.beneficiary_id, case.period),
                        {"amount": old},
                        {"amount": case.amount, "version": det.version_id},
                    )
                )
            continue
        if policy.stacking_group:
            others = rivals[(policy.stacking_group, det.beneficiary_id, period)]
            amount = det.amount or 0
            if any(r.state not in PRE_CONFIRMATION_STATES or (r.amount or 0) >= amount for r in others):
                continue
            for rival in others:
                _cancel(actor, rival, f"就高不重复：由《{policy.title}》替代", events, on)
            others.clear()
        state = CaseState.PUBLICITY if policy.requires_publicity else CaseState.NOTIFIED
        case = Case(
            policy=policy,
            version=det.version,
            determination=det,
            beneficiary_id=det.beneficiary_id,
            period=period,
            amount=det.amount,
            state=state,
            publicity_started_on=on if state == CaseState.PUBLICITY else None,
            notified_on=on if state == CaseState.NOTIFIED else None,
        )
        existing[(det.policy_id, det.beneficiary_id, period)] = case
        if policy.stacking_group:
            rivals[(policy.stacking_group, det.beneficiary_id, period)].append(case)
        new.append(case)
    _update_cases(redetermined)
    _insert_cases(new)
    notifications = []
    for case in new:
        events.append(
            audit.EventData(
                "policies.case.open",
                "policies.case",
                str(case.pk),
                label(case.policy, case.beneficiary_id, case.period),
                None,
                {"state": case.state, "amount": case.amount, "period": case.period},
            )
        )
        if case.state == CaseState.NOTIFIED:
            subject, body = _eligible_message(case)
            notifications.append(
                Notification(
                    beneficiary_id=case.beneficiary_id, case=case, kind="eligible", subject=subject, body=body
                )
            )
    fast_insert(Notification, notifications)
    audit.record_bulk(actor=actor, events=events)
    return new


def _update_cases(cases: list[Case]) -> None:
    """New amounts and determinations of cases not yet confirmed: one ``UPDATE … FROM unnest(…)`` of
    arrays on PostgreSQL (an ``executemany`` of thousands of rows took 0.2 s), one ``executemany``
    elsewhere."""
    if not cases:
        return
    from django.db import connection

    from gongkai.core.lookups import array_literal

    qn = connection.ops.quote_name
    table = qn(Case._meta.db_table)
    columns = ("amount", "determination_id", "version_id")
    values = [[c.amount for c in cases], [c.determination_id for c in cases], [c.version_id for c in cases]]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [Case._meta.get_field(name).cast_db_type(connection) for name in ("id", *columns)]
            arrays = ", ".join(f"%s::{kind}[]" for kind in types)
            assignments = ", ".join(f"{qn(c)} = v.{qn(c)}" for c in columns)
            names = ", ".join(qn(c) for c in ("id", *columns))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({names}) WHERE {table}.{qn('id')} = v.{qn('id')}",
                [array_literal(column) for column in ([c.pk for c in cases], *values)],
            )
            return
        sets = ", ".join(f"{qn(c)} = %s" for c in columns)
        cursor.executemany(
            f"UPDATE {table} SET {sets} WHERE {qn('id')} = %s",
            [(*row, c.pk) for *row, c in zip(*values, cases, strict=True)],
        )


def _insert_cases(new: list[Case]) -> None:
    """Insert new cases in bulk and give each its id (one case per determination here)."""
    fast_insert(Case, new)
    by_det = {c.determination_id: c for c in new}
    dets = list(by_det)
    for start in range(0, len(dets), 5000):
        for pk, det in Case.objects.filter(determination_id__any=dets[start : start + 5000]).values_list(
            "id", "determination_id"
        ):
            case = by_det.get(det)
            if case is not None and case.pk is None:
                case.pk = pk
                case._state.adding = False


def _event(case: Case, action: str, before: Any, after: Any, note: str = "") -> audit.EventData:
    return audit.EventData(action, "policies.case", str(case.pk), str(case)[:200], before, after, note)


def _cancel(actor: Any, case: Case, reason: str, events: list, on: dt.date) -> None:
    before = case.state
    was_notified = case.state != CaseState.PUBLICITY
    case.state, case.closed_on, case.note = CaseState.CANCELLED, on, reason
    case.save(update_fields=["state", "closed_on", "note"])
    events.append(_event(case, "policies.case.cancel", {"state": before}, {"state": case.state}, reason))
    if was_notified:
        notify.send(
            case,
            "cancelled",
            f"《{case.policy.title}》兑现事项已撤销",
            f"经重新比对，{reason}，原通知的兑现事项已撤销。如有异议，请登录账户查看各项条件并提出。",
        )


def _eligible_message(case: Case) -> tuple[str, str]:
    policy = case.policy
    if policy.benefit_kind == BenefitKind.SERVICE:
        what = f"可享受{policy.service_items or '相关服务'}"
    elif case.amount is not None:
        what = f"可获{format_yuan(case.amount)}"
    else:
        what = "符合条件，金额待核定"
    return (
        f"您符合《{policy.title}》条件",
        f"经数据比对，您符合《{policy.title}》（{case.version.mode}）的全部条件，{what}。"
        f"请登录账户查看逐条说明，核对收款账户并签署承诺后确认，即可办理，无需另行申请。",
    )


def _notify_eligible(case: Case) -> None:
    subject, body = _eligible_message(case)
    notify.send(case, "eligible", subject, body)


# --- transitions ------------------------------------------------------------------------------------


@transaction.atomic
def case_end_publicity(*, actor: Any, case: Case, on: dt.date | None = None, note: str = "") -> Case:
    """公示期满无异议: the beneficiary is notified."""
    case = _lock(case)
    _leave(case, "end_publicity")
    on = on or selectors.today()
    before = case.state
    case.state, case.notified_on = CaseState.NOTIFIED, on
    case.save(update_fields=["state", "notified_on"])
    _record(actor, case, "end_publicity", before, note)
    _notify_eligible(case)
    return case


def publicity_due(*, actor: Any, on: dt.date | None = None) -> list[Case]:
    """End every publicity period that has run its working days (the nightly job)."""
    on = on or selectors.today()
    done = []
    for case in selectors.cases(state=CaseState.PUBLICITY):
        deadline = selectors.case_deadline(case, on=on)
        if deadline is not None and deadline.due is not None and on >= deadline.due:
            done.append(case_end_publicity(actor=actor, case=case, on=on, note="公示期满"))
    return done


@transaction.atomic
def case_confirm(
    *,
    actor: Any,
    case: Case,
    pledge: bool,
    bank_account_name: str = "",
    bank_account: str = "",
    bank_name: str = "",
    on: dt.date | None = None,
) -> Case:
    """意愿确认: once, with the bank account (money) and the signed 承诺."""
    case = _lock(case)
    _leave(case, "confirm")
    errors: dict[str, str] = {}
    if not pledge:
        errors["pledge"] = _("请阅读并签署承诺")
    if case.policy.benefit_kind == BenefitKind.MONEY:
        if not bank_account_name.strip():
            errors["bank_account_name"] = _("请填写收款账户名")
        if not bank_account.strip().replace(" ", "").isdigit():
            errors["bank_account"] = _("收款账号应为数字")
        if not bank_name.strip():
            errors["bank_name"] = _("请填写开户银行")
    if errors:
        raise ValidationError(errors)
    det = Determination.objects.filter(
        beneficiary=case.beneficiary, version=case.version, current=True
    ).first()
    if det is None or det.status != DeterminationStatus.ELIGIBLE:
        raise ValidationError(_("当前比对结果已不符合条件，暂不能确认"))
    before = case.state
    case.state, case.confirmed_on, case.pledge_signed = CaseState.CONFIRMED, on or selectors.today(), True
    case.bank_account_name = bank_account_name.strip()
    case.bank_account = bank_account.strip().replace(" ", "")
    case.bank_name = bank_name.strip()
    case.save()
    _record(actor, case, "confirm", before, bank=bool(case.bank_account))
    return case


@transaction.atomic
def case_decline(*, actor: Any, case: Case, reason: str = "", on: dt.date | None = None) -> Case:
    """放弃: the beneficiary does not want the benefit."""
    case = _lock(case)
    _leave(case, "decline")
    before = case.state
    case.state, case.closed_on, case.note = CaseState.DECLINED, on or selectors.today(), reason.strip()
    case.save(update_fields=["state", "closed_on", "note"])
    _record(actor, case, "decline", before, reason)
    return case


@transaction.atomic
def case_approve(*, actor: Any, case: Case, on: dt.date | None = None, note: str = "") -> Case:
    """审核: within the period's budget; a service benefit becomes a request for the 人才服务专员."""
    case = _lock(case)
    _leave(case, "approve")
    policy = Policy.objects.select_for_update().get(pk=case.policy_id)
    if policy.benefit_kind == BenefitKind.MONEY:
        if case.amount is None:
            raise ValidationError("金额尚未核定（规则所需数据不全），不能审核")
        if policy.budget_per_period is not None:
            used = selectors.budget_used(policy, case.period)
            if used + case.amount > policy.budget_per_period:
                raise ValidationError(
                    f"超出预算：{case.period}周期预算{format_yuan(policy.budget_per_period)}，"
                    f"已审核{format_yuan(used)}，本项{format_yuan(case.amount)}"
                )
    before = case.state
    case.state, case.approved_on = CaseState.APPROVED, on or selectors.today()
    case.save(update_fields=["state", "approved_on"])
    _record(actor, case, "approve", before, note)
    if policy.benefit_kind == BenefitKind.SERVICE:
        request = ServiceRequest.objects.create(
            case=case, officer=policy.service_officer, items=policy.service_items or policy.title
        )
        audit.record(
            actor=actor,
            action="policies.service.open",
            obj=request,
            after={"officer": policy.service_officer_id, "items": request.items},
        )
    return case


@transaction.atomic
def case_pay(
    *, actor: Any, case: Case, paid_on: dt.date, reference: str, amount: int | None = None
) -> Payment:
    """拨付: the payment record — one per policy, beneficiary and period, whatever the version."""
    case = _lock(case)
    _leave(case, "pay")
    if case.policy.benefit_kind != BenefitKind.MONEY:
        raise ValidationError("服务类政策由人才服务专员办结，不登记拨付")
    amount = case.amount if amount is None else amount
    if amount is None or amount != case.amount:
        raise ValidationError("拨付金额应与审核金额一致")
    if not reference.strip():
        raise ValidationError({"reference": "请填写支付凭证号"})
    creator = None if isinstance(actor, str) else actor
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                case=case,
                policy=case.policy,
                beneficiary=case.beneficiary,
                period=case.period,
                amount=amount,
                paid_on=paid_on,
                reference=reference.strip(),
                recorded_by=creator,
            )
    except IntegrityError:
        raise ValidationError(f"该对象在{case.period}周期已拨付过本政策资金，不能重复拨付") from None
    before = case.state
    case.state, case.paid_on = CaseState.PAID, paid_on
    case.save(update_fields=["state", "paid_on"])
    _record(actor, case, "pay", before, amount=amount, reference=payment.reference, paid_on=paid_on)
    notify.send(
        case,
        "paid",
        f"《{case.policy.title}》资金已拨付",
        f"《{case.policy.title}》资金{format_yuan(amount)}已于{paid_on.isoformat()}拨付至您确认的账户，请注意查收。",
    )
    return payment


@transaction.atomic
def service_complete(
    *, actor: Any, request: ServiceRequest, note: str, on: dt.date | None = None
) -> ServiceRequest:
    """The 人才服务专员 records the service delivered; the case counts as 已拨付 (兑现)."""
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != ServiceState.OPEN:
        raise ValidationError("该服务请求已办结")
    if not note.strip():
        raise ValidationError({"note": "请填写服务记录"})
    on = on or selectors.today()
    request.state, request.done_on, request.note = ServiceState.DONE, on, note.strip()
    request.save(update_fields=["state", "done_on", "note"])
    case = _lock(request.case)
    _leave(case, "pay")
    before = case.state
    case.state, case.paid_on = CaseState.PAID, on
    case.save(update_fields=["state", "paid_on"])
    _record(actor, case, "serve", before, note)
    return request


@transaction.atomic
def case_archive(*, actor: Any, case: Case, on: dt.date | None = None) -> Case:
    case = _lock(case)
    _leave(case, "archive")
    before = case.state
    case.state, case.closed_on = CaseState.ARCHIVED, on or selectors.today()
    case.save(update_fields=["state", "closed_on"])
    _record(actor, case, "archive", before)
    return case


@transaction.atomic
def case_clawback(*, actor: Any, case: Case, reason: str, on: dt.date | None = None) -> Case:
    """追回: the money is reclaimed; the payment stays on record, so the period is never paid twice."""
    case = _lock(case)
    _leave(case, "clawback")
    if not reason.strip():
        raise ValidationError({"reason": "请填写追回原因"})
    on = on or selectors.today()
    payment = Payment.objects.select_for_update().filter(case=case).first()
    if payment is not None:
        payment.clawed_back_on, payment.clawback_reason = on, reason.strip()[:300]
        payment.save(update_fields=["clawed_back_on", "clawback_reason"])
    before = case.state
    case.state, case.closed_on, case.note = CaseState.CLAWED_BACK, on, reason.strip()
    case.save(update_fields=["state", "closed_on", "note"])
    _record(actor, case, "clawback", before, reason)
    notify.send(
        case,
        "clawback",
        f"《{case.policy.title}》资金追回通知",
        f"因{reason.strip()}，已拨付的资金将予以追回。",
    )
    return case


# --- disputes ---------------------------------------------------------------------------------------


@transaction.atomic
def dispute_open(
    *, actor: Any, beneficiary: Beneficiary, fact: Fact, claimed: str, reason: str, case: Case | None = None
) -> Dispute:
    """异议: the beneficiary says a fact is wrong. An open case waits (异议) until staff decide."""
    if not claimed.strip() or not reason.strip():
        raise ValidationError(_("请填写您认为的正确值和理由"))
    if case is not None and case.beneficiary_id != beneficiary.pk:
        raise ValidationError(_("只能对自己的兑现事项提出异议"))
    dispute = Dispute.objects.create(
        beneficiary=beneficiary, case=case, fact=fact, claimed=claimed.strip()[:200], reason=reason.strip()
    )
    audit.record(
        actor=actor,
        action="policies.dispute.open",
        obj=dispute,
        after={"fact": fact.name, "claimed": dispute.claimed},
    )
    if case is not None:
        case = _lock(case)
        if case.state in TRANSITIONS["dispute"]:
            before = case.state
            case.state_before_dispute, case.state = case.state, CaseState.DISPUTED
            case.save(update_fields=["state", "state_before_dispute"])
            _record(actor, case, "dispute", before, f"{fact.label}：{dispute.claimed}")
    return dispute


def dispute_resolve(
    *, actor: Any, dispute: Dispute, corrected: bool, value: Any = None, note: str, on: dt.date | None = None
) -> Dispute:
    """Staff decide: correct the fact (a stored fact gets ``value``; a derived one is corrected in the
    register first) and the beneficiary is matched again; or keep the data. A disputed case returns
    to where it was — with the new determination's amount — or is withdrawn if it no longer qualifies."""
    from gongkai.policies import services
    from gongkai.policies.matching import match_run

    if not note.strip():
        raise ValidationError({"note": "请填写处理意见"})
    on = on or selectors.today()
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().select_related("fact", "beneficiary").get(pk=dispute.pk)
        if dispute.state != DisputeState.OPEN:
            raise ValidationError("该异议已处理")
        if corrected and not dispute.fact.derivation:
            services.facts_correct(
                actor=actor,
                beneficiary=dispute.beneficiary,
                values={dispute.fact.name: value},
                note=f"异议#{dispute.pk}：{note}",
                on=on,
            )
        elif corrected:
            match_run(
                actor=actor,
                kind=RunKind.BENEFICIARY,
                on=on,
                beneficiary_ids=[dispute.beneficiary_id],
                note=f"异议#{dispute.pk}",
            )
        dispute.state = DisputeState.CORRECTED if corrected else DisputeState.REJECTED
        dispute.resolution, dispute.resolved_by = note.strip(), None if isinstance(actor, str) else actor
        from django.utils import timezone

        dispute.resolved_at = timezone.now()
        dispute.save(update_fields=["state", "resolution", "resolved_by", "resolved_at"])
        audit.record(
            actor=actor,
            action="policies.dispute.resolve",
            obj=dispute,
            after={"state": dispute.state},
            note=note,
        )
        if dispute.case_id is not None:
            _after_dispute(actor, dispute.case, on)
    return dispute


def _after_dispute(actor: Any, case: Case, on: dt.date) -> None:
    case = _lock(case)
    if case.state != CaseState.DISPUTED:
        return
    if Dispute.objects.filter(case=case, state=DisputeState.OPEN).exists():
        return
    det = (
        Determination.objects.filter(beneficiary=case.beneficiary, policy=case.policy, current=True)
        .order_by("-id")
        .first()
    )
    before = case.state
    if det is None or det.status != DeterminationStatus.ELIGIBLE:
        case.state, case.closed_on, case.note = CaseState.CANCELLED, on, "异议处理后复核不符合条件"
        case.save(update_fields=["state", "closed_on", "note"])
        _record(actor, case, "cancel", before, case.note)
        return
    case.state = case.state_before_dispute or CaseState.NOTIFIED
    if case.state == CaseState.CONFIRMED and det.amount != case.amount:
        case.state = CaseState.NOTIFIED  # a changed amount must be confirmed again
        case.pledge_signed = False
    case.amount, case.determination, case.version, case.state_before_dispute = (
        det.amount,
        det,
        det.version,
        "",
    )
    case.save()
    _record(actor, case, "resume", before, amount=case.amount)
