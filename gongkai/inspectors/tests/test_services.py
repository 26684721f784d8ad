"""Writes to the inspector register: officers_upsert, conflict_declare, conflict_withdraw."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongkai.core import audit
from gongkai.core.models import AuditEvent
from gongkai.inspectors.models import Conflict, Officer
from gongkai.inspectors.records import OfficerRecord
from gongkai.inspectors.services import (
    conflict_declare,
    conflict_withdraw,
    officer_checker,
    officer_save,
    officers_upsert,
)
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db


def officer(code="LC001", **overrides) -> OfficerRecord:
    values = dict(
        code=code,
        name="王执法",
        department_code="SCJG",
        unit="东昌府区市场监督管理局古楼所",
        district_code="371502",
        certificate_no=f"C-{code}",
        certificate_expires=dt.date(2030, 12, 31),
        qualified_items=["SCJG-001"],
    )
    values.update(overrides)
    return OfficerRecord(**values)


def test_upsert_creates_updates_and_leaves_unchanged_records_alone():
    first = officers_upsert(actor="t", records=[officer("A1"), officer("A2")])
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    events = AuditEvent.objects.count()
    again = officers_upsert(actor="t", records=[officer("A1"), officer("A2", status="off_duty")])
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert AuditEvent.objects.count() == events + 1
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.object_type, event.object_id) == (
        "inspectors.officer.update",
        "inspectors.officer",
        "A2",
    )
    assert (event.before, event.after) == ({"status": "on_duty"}, {"status": "off_duty"})
    assert Officer.objects.get(pk="A2").status == "off_duty"


def test_upsert_is_all_or_nothing():
    with pytest.raises(ValidationError):
        officers_upsert(actor="t", records=[officer("B1"), officer("B2", certificate_no="")], batch_size=1)
    assert not Officer.objects.exists()
    assert audit.verify_chain().ok


def test_auxiliary_staff_are_recorded_without_certificate_and_never_drawable():
    officers_upsert(
        actor="t",
        records=[officer("AUX1", is_law_enforcement=False, certificate_no="", certificate_expires=None)],
    )
    assert not Officer.objects.get(pk="AUX1").can_be_drawn(dt.date(2025, 1, 1))


def test_officer_save_refuses_with_every_problem():
    with pytest.raises(ValidationError) as exc:
        officer_save(actor="t", record=officer("C1", department_code="NOPE", district_code="110101"))
    messages = " ".join(exc.value.messages)
    assert "未知的部门“NOPE”" in messages and "“110101”不是本市" in messages


def test_checker_knows_certificates_held_by_others():
    officers_upsert(actor="t", records=[officer("D1", certificate_no="X-1")])
    problems = officer_checker().check(officer("D2", certificate_no="X-1"))
    assert [p.message for p in problems] == ["执法证号X-1已登记在人员编号D1名下"]
    assert officer_checker().check(officer("D1", certificate_no="X-1")) == []


def test_departments_are_found_by_code_or_name():
    checker = officer_checker()
    assert checker.department_code("市场监督管理局") == "SCJG"
    assert checker.department_code(" scjg ") == "SCJG"
    assert checker.department_code("不存在的局") is None


def test_conflict_declare_and_withdraw_are_audited():
    officers_upsert(actor="t", records=[officer("E1")])
    person, entity = Officer.objects.get(pk="E1"), make_entity()
    conflict = conflict_declare(
        actor="t",
        officer=person,
        entity=entity,
        reason="配偶任该企业股东",
        declared_on=dt.date(2025, 3, 1),
        declared_by="本人",
    )
    assert audit.history(conflict).get().action == "inspectors.conflict.declare"
    with pytest.raises(ValidationError, match="已于2025-03-01登记"):
        conflict_declare(
            actor="t",
            officer=person,
            entity=entity,
            reason="重复",
            declared_on=dt.date(2025, 3, 2),
            declared_by="本人",
        )
    with pytest.raises(ValidationError):
        conflict_withdraw(actor="t", conflict=conflict, reason=" ")
    conflict_withdraw(actor="t", conflict=conflict, reason="配偶已退出股东")
    assert not Conflict.objects.exists()
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "inspectors.conflict.withdraw" and event.note == "配偶已退出股东"
    assert event.before["reason"] == "配偶任该企业股东"
    assert audit.verify_chain().ok


def test_conflict_declare_refuses_future_dates_and_empty_reasons():
    officers_upsert(actor="t", records=[officer("F1")])
    with pytest.raises(ValidationError) as exc:
        conflict_declare(
            actor="t",
            officer=Officer.objects.get(pk="F1"),
            entity=make_entity(),
            reason="",
            declared_on=dt.date.today() + dt.timedelta(days=1),
            declared_by="本人",
        )
    assert set(exc.value.message_dict) == {"reason", "declared_on"}
