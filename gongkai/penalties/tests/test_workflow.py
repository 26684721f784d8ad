"""The publication state machine through the services: who may do what, when, and what is recorded."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from gongkai.conftest import make_user
from gongkai.core import roles
from gongkai.core.models import AuditEvent
from gongkai.penalties import services
from gongkai.penalties.choices import State
from gongkai.penalties.tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_decision_goes_from_draft_to_published_with_an_approval_in_the_audit_trail():
    decision = f.published()
    assert decision.state == State.PUBLISHED
    assert decision.published_on == dt.date(2025, 3, 20)
    assert decision.display_ends_on == dt.date(2028, 3, 20)
    assert "依据总局令第45号第十四条：其他行政处罚，公示期3年" in decision.display_reason
    actions = list(
        AuditEvent.objects.filter(object_id=str(decision.pk), object_type="penalties.decision").values_list(
            "action", "actor_name"
        )
    )
    assert [a for a, _ in actions] == [
        "penalties.decision.create",
        "penalties.redaction.mark",
        "penalties.decision.submit",
        "penalties.decision.approve",
        "penalties.decision.publish",
    ]
    approve = AuditEvent.objects.get(action="penalties.decision.approve", object_id=str(decision.pk))
    assert approve.actor_name.startswith("reviewer")
    for value in f.PRIVATE_VALUES:
        assert value in decision.full_text
        assert value not in decision.public_text
    assert "钱某某" in decision.public_text


def test_only_a_disclosure_reviewer_may_approve_and_not_the_submitter():
    clerk, reviewer = f.reviewers()
    admin = make_user("sysadmin", roles.SYSTEM_ADMIN)
    with time_machine.travel(dt.datetime(2025, 3, 20, 10, tzinfo=f.SHANGHAI)):
        decision = services.decision_submit(actor=clerk, decision=f.draft(actor=clerk))
        with pytest.raises(ValidationError, match="只有信息公开审核员"):
            services.decision_approve(actor=admin, decision=decision)
        with pytest.raises(ValidationError, match="提交人不能审核自己"):
            services.decision_approve(actor=clerk, decision=decision)
        services.decision_approve(actor=reviewer, decision=decision)


def test_a_decision_under_order_107_needs_its_severity_before_submission(client):
    clerk, reviewer = f.reviewers()
    with time_machine.travel(dt.datetime(2026, 1, 8, 10, tzinfo=f.SHANGHAI), tick=False):
        decision = f.draft(actor=clerk, decision_date=dt.date(2026, 1, 5), fine=80000)
        with pytest.raises(ValidationError, match="请先认定该决定的失信程度"):
            services.decision_submit(actor=clerk, decision=decision)
        client.force_login(clerk)
        page = client.get(f"/staff/penalties/{decision.pk}/").content.decode()
        assert "建议认定为“一般失信行为”" in page
        decision = services.decision_update(actor=clerk, decision=decision, values={"severity": "general"})
        services.decision_submit(actor=clerk, decision=decision)
        services.decision_approve(actor=reviewer, decision=decision)
        decision = services.decision_publish(actor=reviewer, decision=decision)
    assert decision.display_ends_on == dt.date(2027, 1, 8)
    assert decision.display_reason.startswith("依据总局令第107号（条款待核对）：一般失信行为，公示期1年")


def test_a_minor_party_is_never_submitted():
    clerk, _ = f.reviewers()
    with time_machine.travel(dt.datetime(2025, 3, 20, 10, tzinfo=f.SHANGHAI), tick=False):
        # Born 2008-05-01: 16 on the decision date.
        decision = f.draft(actor=clerk, party_kind="person", party_id_number="110105200805010011")
        assert decision.is_minor is True
        with pytest.raises(ValidationError, match="未成年人"):
            services.decision_submit(actor=clerk, decision=decision)


def test_the_audit_trail_never_holds_the_id_number_or_the_text():
    decision = f.published(party_kind="person")
    payloads = "".join(
        str(e.before) + str(e.after) + e.note for e in AuditEvent.objects.filter(object_id=str(decision.pk))
    )
    for value in f.PRIVATE_VALUES:
        assert value not in payloads
