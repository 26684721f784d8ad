"""Withdrawal, credit repair and correction: their deadlines, their edge cases, what the public sees."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from gongkai.conftest import make_user
from gongkai.core import roles
from gongkai.penalties import selectors, services
from gongkai.penalties.choices import RepairState, State
from gongkai.penalties.tests import factories as f

pytestmark = pytest.mark.django_db


def at(*args):
    return time_machine.travel(dt.datetime(*args, tzinfo=f.SHANGHAI), tick=False)


# --- withdrawal -----------------------------------------------------------------------------------


def test_withdrawal_within_three_working_days_counts_a_tiaoxiu_saturday(client):
    d = f.published(at=dt.datetime(2025, 7, 1, 9, tzinfo=f.SHANGHAI))
    _, reviewer = f.reviewers()
    # Revoked on Tuesday 2025-09-30; 10-01..10-08 are holidays; 10-09, 10-10 and Saturday 10-11 work.
    with at(2025, 10, 11, 9):
        w = services.decision_withdraw(
            actor=reviewer,
            decision=d,
            ground="revoked",
            grounds_date=dt.date(2025, 9, 30),
            reason="行政复议决定撤销原处罚决定",
        )
        assert w.due_on == dt.date(2025, 10, 11) and w.on_time
        page = client.get(reverse("public-penalty", args=[d.public_id])).content.decode()
        assert "撤回公告" in page and "行政复议决定撤销原处罚决定" in page and d.legal_basis not in page
        assert d.number in client.get(reverse("public-penalties") + "?tab=withdrawals").content.decode()
        assert d.number not in client.get(reverse("public-penalties")).content.decode()
        with pytest.raises(ValidationError, match="不能撤回"):
            services.decision_withdraw(
                actor=reviewer, decision=d, ground="revoked", grounds_date=dt.date(2025, 9, 30), reason="再次"
            )
    # The notice is shown no longer than the decision itself would have been.
    with at(2028, 7, 2, 9):
        assert client.get(reverse("public-penalty", args=[d.public_id])).status_code == 404


def test_a_late_withdrawal_is_still_made_and_recorded_as_late():
    d = f.published(at=dt.datetime(2025, 7, 1, 9, tzinfo=f.SHANGHAI))
    _, reviewer = f.reviewers()
    with at(2025, 10, 13, 9):
        w = services.decision_withdraw(
            actor=reviewer,
            decision=d,
            ground="changed",
            grounds_date=dt.date(2025, 9, 30),
            reason="复议变更罚款金额",
        )
    assert not w.on_time


def test_withdrawal_dates_must_make_sense_and_an_unpublished_decision_gets_no_notice(client):
    clerk, reviewer = f.reviewers()
    with at(2025, 3, 20, 9):
        d = f.draft(actor=clerk)
        with pytest.raises(ValidationError, match="晚于今天"):
            services.decision_withdraw(
                actor=reviewer, decision=d, ground="revoked", grounds_date=dt.date(2025, 3, 21), reason="x"
            )
        with pytest.raises(ValidationError, match="早于作出"):
            services.decision_withdraw(
                actor=reviewer, decision=d, ground="revoked", grounds_date=dt.date(2025, 3, 1), reason="x"
            )
        w = services.decision_withdraw(
            actor=reviewer, decision=d, ground="void", grounds_date=dt.date(2025, 3, 19), reason="确认无效"
        )
        assert not w.was_published
        assert client.get(reverse("public-penalty", args=[d.public_id])).status_code == 404
        assert d.number not in client.get(reverse("public-penalties") + "?tab=withdrawals").content.decode()


# --- credit repair ------------------------------------------------------------------------------


def _apply(d, actor, received, **flags):
    values = {"obligations_fulfilled": True, "harm_removed": True, "commitment_signed": True, **flags}
    return services.repair_receive(
        actor=actor,
        decision=d,
        received_on=received,
        applicant="当事人",
        statement="已缴清罚款并整改",
        files=[services.EvidenceFile("缴款凭证.pdf", b"%PDF-1.4")],
        **values,
    )


def test_repair_ends_the_display_only_from_the_first_allowed_day(client):
    d = f.published()  # 2025-03-20, 3 years; repair after 6 months full → from 2025-09-21
    _, reviewer = f.reviewers()
    assert d.early_end_from == dt.date(2025, 9, 21)
    with at(2025, 9, 20, 9):
        a = _apply(d, reviewer, dt.date(2025, 9, 20))
        assert any("公示未满最短公示期" in p for p in services.repair_refusals(a))
        with pytest.raises(ValidationError, match="公示未满最短公示期"):
            services.repair_decide(actor=reviewer, application=a, approve=True, note="同意")
    with at(2025, 9, 21, 9):
        assert services.repair_refusals(a) == []
        services.repair_decide(actor=reviewer, application=a, approve=True, note="材料齐全，同意提前停止公示")
        assert client.get(reverse("public-penalty", args=[d.public_id])).status_code == 404
    d.refresh_from_db()
    a.refresh_from_db()
    assert d.state == State.ENDED_BY_REPAIR and a.state == RepairState.APPROVED
    assert a.evidence.get().sha256


def test_repair_never_ends_a_revocation_or_a_restriction_early():
    _, reviewer = f.reviewers()
    for extra in (
        {"licence_revoked": True},
        {"production_suspended": True},
        {"restriction": "practice", "restriction_months": 24},
    ):
        d = f.published(**extra)
        with at(2026, 6, 5, 9):
            a = _apply(d, reviewer, dt.date(2026, 6, 5))
            refusals = services.repair_refusals(a)
            assert any("不得通过信用修复提前停止公示" in r for r in refusals)
            with pytest.raises(ValidationError):
                services.repair_decide(actor=reviewer, application=a, approve=True, note="同意")
            services.repair_decide(actor=reviewer, application=a, approve=False, note="依规不得提前停止公示")
        d.refresh_from_db()
        assert d.state == State.PUBLISHED


def test_repair_needs_the_obligations_fulfilled_and_one_open_application_at_a_time():
    d = f.published()
    _, reviewer = f.reviewers()
    with at(2025, 10, 9, 9):
        a = _apply(d, reviewer, dt.date(2025, 10, 9), obligations_fulfilled=False)
        assert services.repair_refusals(a) == ["未确认当事人已履行行政处罚决定规定的义务"]
        with pytest.raises(ValidationError, match="正在办理"):
            _apply(d, reviewer, dt.date(2025, 10, 9))


def test_repair_is_due_in_seven_working_days_across_the_spring_festival():
    d = f.published(at=dt.datetime(2024, 6, 3, 9, tzinfo=f.SHANGHAI), decision_date=dt.date(2024, 5, 30))
    _, reviewer = f.reviewers()
    with at(2025, 1, 24, 9):
        a = _apply(d, reviewer, dt.date(2025, 1, 24))
    assert a.due_on == dt.date(2025, 2, 10)
    rows = selectors.repairs_open(day=dt.date(2025, 2, 11))
    assert rows[0][1].overdue


# --- correction ------------------------------------------------------------------------------------


def test_a_correction_is_public_and_recomputes_the_display_period(client):
    d = f.published(fine=80000)
    _, reviewer = f.reviewers()
    assert d.display_ends_on == dt.date(2028, 3, 20)
    with at(2025, 4, 1, 9):
        services.decision_correct(
            actor=reviewer,
            decision=d,
            values={"fine": 30000},
            reason="罚款金额录入错误",
            requested_by_party=True,
            evidence="当事人提交的决定书原件",
        )
        page = client.get(reverse("public-penalty", args=[d.public_id])).content.decode()
    d.refresh_from_db()
    assert d.display_ends_on == dt.date(2025, 6, 20)  # now a 较低数额 fine: 3 months from publication
    assert (
        "更正记录" in page and "罚款（元）：由“80000.00”更正为“30000.00”" in page and "依当事人申请" in page
    )
    assert "当事人提交的决定书原件" not in page
    with at(2025, 4, 1, 9), pytest.raises(ValidationError, match="没有需要更正"):
        services.decision_correct(actor=reviewer, decision=d, values={"fine": 30000}, reason="再次")


def test_only_a_reviewer_corrects():
    d = f.published()
    planner = make_user("planner2", roles.PLANNER)
    with pytest.raises(ValidationError, match="只有信息公开审核员"):
        services.decision_correct(actor=planner, decision=d, values={"fine": 1}, reason="x")
