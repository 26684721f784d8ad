"""The 兑现 workflow: states, deadlines on working days, stacking, budgets, services, disputes, payment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from gongkai.core.models import AuditEvent
from gongkai.policies import notify, selectors, services, workflow
from gongkai.policies.choices import CaseState, DisputeState, RunKind
from gongkai.policies.models import Account, Case, Fact, Notification, Payment, ServiceRequest
from gongkai.policies.tests import factories
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 30)  # a Tuesday


def _firm(**values):
    entity = make_entity()
    b = services.beneficiary_for_entity(entity)
    base = {"recognitions": ["国家级专精特新小巨人"], "tax_credit_rating": "A"}
    base.update(values)
    services.facts_apply(
        actor="t", rows=[(b, base)], as_of=dt.date(2026, 5, 31), source="工信", origin="import"
    )
    return b


def _confirm(case, actor="firm"):
    return workflow.case_confirm(
        actor=actor,
        case=case,
        pledge=True,
        bank_account_name="测试公司",
        bank_account="6222 0000 1111",
        bank_name="聊城农商银行",
        on=ON,
    )


def test_a_firm_goes_from_notified_to_paid_and_archived_with_every_step_audited():
    b = _firm()
    factories.published(factories.little_giant(), on=ON)
    case = Case.objects.get(beneficiary=b)
    assert case.state == CaseState.NOTIFIED
    with pytest.raises(ValidationError) as info:
        workflow.case_confirm(actor="firm", case=case, pledge=False, bank_account="abc", on=ON)
    assert set(info.value.message_dict) == {"pledge", "bank_account_name", "bank_account", "bank_name"}
    case = _confirm(case)
    assert (case.state, case.bank_account, case.pledge_signed) == (CaseState.CONFIRMED, "622200001111", True)
    with pytest.raises(ValidationError, match="只有“已审核”时"):
        workflow.case_pay(actor="t", case=case, paid_on=ON, reference="X1")
    case = workflow.case_approve(actor="reviewer", case=case, on=ON)
    payment = workflow.case_pay(
        actor="cashier", case=case, paid_on=dt.date(2026, 7, 2), reference="GK2026-0001"
    )
    assert payment.amount == 2000000
    case = workflow.case_archive(actor="t", case=Case.objects.get(pk=case.pk))
    assert case.state == CaseState.ARCHIVED
    actions = list(
        AuditEvent.objects.filter(object_type="policies.case", object_id=str(case.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "policies.case.open",
        "policies.case.confirm",
        "policies.case.approve",
        "policies.case.pay",
        "policies.case.archive",
    ]
    assert [n.kind for n in Notification.objects.filter(case=case).order_by("id")] == ["eligible", "paid"]


def test_one_payment_per_policy_beneficiary_and_period_is_a_database_constraint():
    b = _firm()
    factories.published(factories.little_giant(), on=ON)
    case = workflow.case_approve(actor="r", case=_confirm(Case.objects.get(beneficiary=b)), on=ON)
    workflow.case_pay(actor="c", case=case, paid_on=ON, reference="A")
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            case=Case.objects.create(
                policy=case.policy,
                version=case.version,
                determination=case.determination,
                beneficiary=b,
                period="其他",
                state="approved",
                pledge_signed=True,
            ),
            policy=case.policy,
            beneficiary=b,
            period=case.period,
            amount=1,
            paid_on=ON,
            reference="B",
        )
    clawed = workflow.case_clawback(actor="c", case=Case.objects.get(pk=case.pk), reason="虚假申报", on=ON)
    assert clawed.state == CaseState.CLAWED_BACK
    assert Payment.objects.get(case=case).clawed_back_on == ON


def test_publicity_comes_first_and_ends_after_its_working_days():
    b = _firm()
    factories.published(factories.little_giant(), on=ON, requires_publicity=True, publicity_days=5)
    case = Case.objects.get(beneficiary=b)
    assert case.state == CaseState.PUBLICITY and not Notification.objects.exists()
    deadline = selectors.case_deadline(case, on=ON)
    assert deadline.due == dt.date(2026, 7, 7)  # five working days after Tuesday 30 June
    assert workflow.publicity_due(actor="nightly", on=dt.date(2026, 7, 6)) == []
    assert [c.pk for c in workflow.publicity_due(actor="nightly", on=dt.date(2026, 7, 7))] == [case.pk]
    case.refresh_from_db()
    assert (
        case.state == CaseState.NOTIFIED
        and Notification.objects.filter(case=case, kind="eligible").count() == 1
    )


def test_stacking_pays_only_the_highest_of_a_group():
    b = _firm()
    factories.published(
        factories.little_giant("small-award", amount=100000, title="小额奖励"),
        on=ON,
        stacking_group="认定奖励",
    )
    small = Case.objects.get(beneficiary=b)
    assert small.state == CaseState.NOTIFIED
    factories.published(
        factories.little_giant("big-award", amount=500000, title="大额奖励"), on=ON, stacking_group="认定奖励"
    )
    cases = {c.policy.code: c for c in Case.objects.filter(beneficiary=b)}
    assert cases["small-award"].state == CaseState.CANCELLED and "就高不重复" in cases["small-award"].note
    assert cases["big-award"].state == CaseState.NOTIFIED
    factories.published(
        factories.little_giant("tiny-award", amount=50000, title="更小的奖励"),
        on=ON,
        stacking_group="认定奖励",
    )
    assert not Case.objects.filter(policy__code="tiny-award").exists()


def test_the_budget_of_a_period_caps_approvals():
    b1, b2 = _firm(), _firm()
    factories.published(
        factories.little_giant(amount=2000000), on=ON, budget_per_period=3000000, period_kind="year"
    )
    c1, c2 = (Case.objects.get(beneficiary=b) for b in (b1, b2))
    assert c1.period == "2026"
    workflow.case_approve(actor="r", case=_confirm(c1), on=ON)
    with pytest.raises(ValidationError, match="超出预算"):
        workflow.case_approve(actor="r", case=_confirm(c2), on=ON)


def test_a_service_benefit_becomes_a_request_for_the_named_talent_officer():
    officer = factories.user("service-officer")
    b = _firm()
    version = services.version_save(
        actor=factories.officer(), text=factories.little_giant().replace("amount: 2000000\n", "")
    )
    services.policy_settings_save(
        actor="t",
        policy=version.policy,
        values={"benefit_kind": "service", "service_officer": officer, "service_items": "医疗保健、子女入学"},
    )
    services.version_submit(actor="t", version=version)
    services.version_approve(actor=factories.reviewer(), version=version, on=ON)
    case = Case.objects.get(beneficiary=b)
    assert "可享受医疗保健、子女入学" in Notification.objects.get(case=case).body
    case = workflow.case_confirm(actor="firm", case=case, pledge=True, on=ON)
    workflow.case_approve(actor="r", case=case, on=ON)
    request = ServiceRequest.objects.get(case=case)
    assert request.officer == officer and list(selectors.service_requests_for(officer)) == [request]
    with pytest.raises(ValidationError):
        workflow.case_pay(actor="c", case=Case.objects.get(pk=case.pk), paid_on=ON, reference="x")
    workflow.service_complete(actor=officer, request=request, note="已协调入学", on=ON)
    assert Case.objects.get(pk=case.pk).state == CaseState.PAID


def test_declining_closes_the_case():
    b = _firm()
    factories.published(factories.little_giant(), on=ON)
    case = workflow.case_decline(actor="firm", case=Case.objects.get(beneficiary=b), reason="不需要", on=ON)
    assert case.state == CaseState.DECLINED


def test_a_disputed_fact_is_corrected_and_the_match_rerun():
    b = _firm()
    factories.published(factories.little_giant(), on=ON)
    case = Case.objects.get(beneficiary=b)
    fact = Fact.objects.get(name="tax_credit_rating")
    dispute = workflow.dispute_open(
        actor="firm", beneficiary=b, fact=fact, claimed="B", reason="评级已调整", case=case
    )
    assert Case.objects.get(pk=case.pk).state == CaseState.DISPUTED
    workflow.dispute_resolve(
        actor=factories.officer(), dispute=dispute, corrected=True, value="C", note="税务复核为C级", on=ON
    )
    case.refresh_from_db()
    assert case.state == CaseState.CANCELLED
    assert dispute.__class__.objects.get(pk=dispute.pk).state == DisputeState.CORRECTED


def test_a_rejected_dispute_returns_the_case_to_where_it_was():
    b = _firm()
    factories.published(factories.little_giant(), on=ON)
    case = _confirm(Case.objects.get(beneficiary=b))
    dispute = workflow.dispute_open(
        actor="firm",
        beneficiary=b,
        fact=Fact.objects.get(name="recognitions"),
        claimed="另有高新技术企业",
        reason="x",
        case=case,
    )
    workflow.dispute_resolve(actor="staff", dispute=dispute, corrected=False, note="数据无误", on=ON)
    assert Case.objects.get(pk=case.pk).state == CaseState.CONFIRMED


def test_notifications_are_emailed_once_to_the_accounts(django_user_model):
    b = _firm()
    user = django_user_model.objects.create_user("firm@example.com", password="x")
    Account.objects.create(user=user, beneficiary=b, email="firm@example.com")
    _firm(tax_credit_rating="D")  # ineligible: never told
    factories.published(factories.little_giant(), on=ON)
    assert notify.deliver_pending() == 1
    assert notify.deliver_pending() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["firm@example.com"]
    assert "小巨人" in mail.outbox[0].subject
    assert Notification.objects.count() == 1


def test_a_changed_amount_updates_the_open_case_and_is_audited():
    from gongkai.policies import matching

    b = _firm(rd_expense_ratio=600, revenue_last_year=30_000_000, rd_expense_last_year=1_000_000)
    other = _firm(rd_expense_ratio=600, revenue_last_year=30_000_000, rd_expense_last_year=2_000_000)
    factories.published(factories.rd_subsidy(), on=ON)
    case = Case.objects.get(beneficiary=b)
    untouched = Case.objects.get(beneficiary=other)
    assert case.state == CaseState.NOTIFIED and case.amount == 100_000
    services.facts_apply(
        actor="t",
        rows=[(b, {"rd_expense_last_year": 3_000_000})],
        as_of=dt.date(2026, 6, 1),
        source="税务",
        origin="import",
    )
    matching.match_run(
        actor="t", kind=RunKind.FACTS, on=ON, beneficiary_ids=[b.pk], facts_changed=["rd_expense_last_year"]
    )
    old_determination = case.determination_id
    case.refresh_from_db()
    assert case.amount == 300_000 and case.state == CaseState.NOTIFIED
    assert case.determination_id != old_determination and case.determination.amount == 300_000
    assert case.version_id == case.determination.version_id
    event = AuditEvent.objects.get(action="policies.case.redetermine", object_id=str(case.pk))
    assert event.before == {"amount": 100_000} and event.after["amount"] == 300_000
    # Only the beneficiary whose facts changed was touched.
    assert Case.objects.get(pk=untouched.pk).amount == untouched.amount == 200_000
