"""The fact catalogue in the database, derived facts, talent records and fact imports."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gongkai.core.models import AuditEvent
from gongkai.core.tabular import TableError
from gongkai.policies import facts as factlib
from gongkai.policies import importing, selectors, services
from gongkai.policies.choices import BeneficiaryKind
from gongkai.policies.models import Beneficiary, Fact, FactImport, FactValue
from gongkai.policies.rules.types import default_catalogue
from gongkai.policies.tests import factories
from gongkai.registry.tests.factories import AddressRecord, make_entity

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 30)


def test_catalogue_is_seeded_from_the_shipped_file():
    shipped = default_catalogue()
    stored = selectors.catalogue()
    assert set(stored.facts) == set(shipped.facts)
    for name, spec in shipped.facts.items():
        got = stored[name]
        assert (got.type, got.label, got.unit, got.scale, got.source, got.applies_to) == (
            spec.type,
            spec.label,
            spec.unit,
            spec.scale,
            spec.source,
            spec.applies_to,
        )
    assert Fact.objects.get(name="district").derivation == "register"
    assert Fact.objects.get(name="penalties_last_year").derivation == "penalties"
    assert Fact.objects.get(name="revenue_last_year").max_age_days == 400


def test_derived_facts_come_from_the_register_by_any_address():
    host = make_entity(is_cluster_host=True)
    entity = make_entity(
        district_code="371502",
        premises=[AddressRecord("371581", "山东省聊城市临清市新华路街道永青路12号")],
        registered_capital=Decimal("123.4567"),
        established_on=dt.date(2019, 3, 1),
        cluster_host_code=host.credit_code,
    )
    b = services.beneficiary_for_entity(entity)
    values, provenance = factlib.facts_of(b, on=ON, catalogue=selectors.catalogue())
    assert values["district"] == "371502"
    assert values["districts"] == ["371502", "371581"]
    assert values["entity_type"] == "企业"
    assert values["status"] == "存续"
    assert values["registered_capital"] == 1234567
    assert values["established_on"] == "2019-03-01"
    assert values["cluster_hosted"] is True
    assert values["penalties_last_year"] == 0
    assert values["inspection_passed"] is True
    assert values.get("revenue_last_year") is None
    assert provenance["district"] == ["2026-06-30", "登记注册"]
    assert provenance["revenue_last_year"] is None


def test_a_talent_is_registered_without_the_id_number_reaching_the_audit_log():
    employer = make_entity()
    number = factories.id_number("19950315")
    person = services.person_save(
        actor="test",
        id_number=number,
        values={
            "name": "李明",
            "employer": employer,
            "education": "博士研究生",
            "talent_programmes": ["泰山产业领军人才"],
            "arrival_date": dt.date(2025, 1, 1),
        },
    )
    assert person.public_id.startswith("RC")
    assert person.beneficiary.kind == BeneficiaryKind.PERSON
    events = AuditEvent.objects.filter(object_type="policies.person")
    assert events.count() == 1
    assert number not in json.dumps([e.after for e in events], ensure_ascii=False)
    values, _ = factlib.facts_of(person.beneficiary, on=ON, catalogue=selectors.catalogue())
    assert values["birth_date"] == "1995-03-15"
    assert values["district"] == "371502"  # from the employer
    assert values["employer_credit_code"] == employer.credit_code
    assert values["talent_programmes"] == ["泰山产业领军人才"]


def test_an_invalid_or_duplicate_id_number_is_refused():
    with pytest.raises(ValidationError):
        services.person_save(actor="test", id_number="371502199503150000", values={"name": "王五"})
    number = factories.id_number()
    services.person_save(actor="test", id_number=number, values={"name": "王五"})
    with pytest.raises(ValidationError):
        services.person_save(actor="test", id_number=number.lower(), values={"name": "王五"})


def _csv(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_tax_file_applies_good_rows_refuses_bad_rows_and_stamps_the_as_of_date(tmp_path):
    a, b = make_entity(), make_entity()
    path = _csv(
        tmp_path,
        "tax.csv",
        "统一社会信用代码,上年度营业收入（元）,纳税信用等级,上年度研发费用占营业收入比例,资质认定,多余的列\n"
        f'{a.credit_code},"30,000,000",A,6.2%,高新技术企业、科技型中小企业,x\n'
        f"{b.credit_code},12.5,B,3,,x\n"
        "91371500MA3C00000X,100,A,1,,x\n"
        f"{a.credit_code},100,A,1,,x\n",
    )
    out = importing.import_facts(
        path,
        actor="test",
        as_of=dt.date(2026, 5, 31),
        source="税务",
        report_dir=tmp_path / "r",
        rematch=False,
    )
    assert (out.result.updated, out.result.rejected) == (1, 3)
    ba = Beneficiary.objects.get(key=a.credit_code)
    stored = {fv.fact_id: fv for fv in FactValue.objects.filter(beneficiary=ba)}
    assert stored["revenue_last_year"].value == 30000000
    assert stored["rd_expense_ratio"].value == 620
    assert stored["recognitions"].value == ["科技型中小企业", "高新技术企业"]
    assert stored["tax_credit_rating"].as_of == dt.date(2026, 5, 31)
    assert stored["tax_credit_rating"].source == "税务"
    assert not FactValue.objects.filter(beneficiary__key=b.credit_code).exists()  # a bad row is refused whole
    report = out.result.report_path.read_text(encoding="utf-8-sig")
    assert "应为整数" in report and "与第2行重复" in report and "多余的列" in report
    assert out.result.rejected_path is not None
    imp = FactImport.objects.get()
    assert (imp.rows, imp.changed, imp.rejected, imp.source) == (4, 1, 3, "税务")
    assert AuditEvent.objects.filter(action="policies.facts.set").count() == 1


def test_importing_the_same_values_again_changes_nothing_but_a_newer_date_refreshes(tmp_path):
    a = make_entity()
    text = f"统一社会信用代码,从业人员\n{a.credit_code},25\n"
    first = importing.import_facts(
        _csv(tmp_path, "e1.csv", text),
        actor="t",
        as_of=dt.date(2026, 1, 31),
        source="人社",
        report_dir=tmp_path,
        rematch=False,
    )
    again = importing.import_facts(
        _csv(tmp_path, "e2.csv", text),
        actor="t",
        as_of=dt.date(2026, 1, 31),
        source="人社",
        report_dir=tmp_path,
        rematch=False,
    )
    newer = importing.import_facts(
        _csv(tmp_path, "e3.csv", text),
        actor="t",
        as_of=dt.date(2026, 4, 30),
        source="人社",
        report_dir=tmp_path,
        rematch=False,
    )
    assert (first.result.updated, again.result.updated, again.result.unchanged) == (1, 0, 1)
    assert newer.result.updated == 0
    assert FactValue.objects.get(fact_id="employees").as_of == dt.date(2026, 4, 30)


def test_a_derived_fact_column_refuses_the_whole_file(tmp_path):
    a = make_entity()
    path = _csv(tmp_path, "bad.csv", f"统一社会信用代码,从业人员,注册资本\n{a.credit_code},25,100\n")
    with pytest.raises(TableError, match="注册资本"):
        importing.import_facts(
            path, actor="t", as_of=dt.date(2026, 1, 31), source="人社", report_dir=tmp_path
        )
    assert not FactValue.objects.exists()
    assert not FactImport.objects.exists()


def test_a_file_without_a_key_column_is_refused(tmp_path):
    path = _csv(tmp_path, "nokey.csv", "名称,从业人员\nx,25\n")
    with pytest.raises(TableError, match="统一社会信用代码"):
        importing.import_facts(
            path, actor="t", as_of=dt.date(2026, 1, 31), source="人社", report_dir=tmp_path
        )


def test_talent_facts_are_keyed_by_id_number(tmp_path):
    number = factories.id_number()
    person = services.person_save(actor="t", id_number=number, values={"name": "赵六"})
    path = _csv(tmp_path, "si.csv", f"身份证号码,本地社保缴纳（个月）,从业人员\n{number},14,\n")
    with pytest.raises(TableError, match="不适用于个人"):
        importing.import_facts(
            path, actor="t", as_of=dt.date(2026, 1, 31), source="人社/社保", report_dir=tmp_path
        )
    path = _csv(
        tmp_path,
        "si2.csv",
        f"身份证号码,本地社保缴纳（个月）\n{number.lower()},14\n{factories.id_number()},3\n",
    )
    out = importing.import_facts(
        path, actor="t", as_of=dt.date(2026, 1, 31), source="人社/社保", report_dir=tmp_path, rematch=False
    )
    assert (out.result.updated, out.result.rejected) == (1, 1)
    assert FactValue.objects.get(beneficiary=person.beneficiary).value == 14
    report = out.result.report_path.read_text(encoding="utf-8-sig")
    assert "人才名录中没有" in report
    assert number not in report  # the report names rows, not ID numbers


def test_stale_values_are_flagged():
    a = make_entity()
    b = services.beneficiary_for_entity(a)
    services.facts_apply(
        actor="t",
        rows=[(b, {"employees": 10, "revenue_last_year": 5})],
        as_of=dt.date(2025, 1, 1),
        source="x",
        origin="import",
    )
    counts = selectors.stale_counts(on=dt.date(2026, 6, 30))
    assert counts == {"employees": 1, "revenue_last_year": 1}
    fact = Fact.objects.get(name="revenue_last_year")
    assert selectors.is_stale(fact, dt.date(2025, 1, 1), dt.date(2026, 6, 30))
    assert not selectors.is_stale(fact, dt.date(2026, 1, 1), dt.date(2026, 6, 30))


def test_a_fact_in_use_keeps_its_type():
    factories.published(factories.little_giant(), on=ON)
    with pytest.raises(ValidationError, match="不能改变其类型"):
        services.fact_save(actor="t", name="tax_credit_rating", values={"type": "integer"})
    services.fact_save(actor="t", name="tax_credit_rating", values={"refresh": "每季度"})
    fact = services.fact_save(
        actor="t",
        name="green_factory",
        values={"label": "绿色工厂", "type": "boolean", "source": "工信", "for_entities": True},
    )
    assert "green_factory" in selectors.catalogue()
    assert fact.max_age_days is None


def test_a_complete_list_makes_everyone_else_not_listed(tmp_path):
    from gongkai.policies.models import Determination

    listed, other, dropped = make_entity(), make_entity(), make_entity()
    services.facts_apply(
        actor="t",
        rows=[(services.beneficiary_for_entity(dropped), {"recognitions": ["高新技术企业"]})],
        as_of=dt.date(2025, 9, 30),
        source="工信",
        origin="import",
    )
    factories.published(factories.little_giant(), on=ON)
    b_other = services.beneficiary_for_entity(other)
    values, _ = factlib.facts_of(b_other, on=ON, catalogue=selectors.catalogue())
    assert values.get("recognitions") is None  # no list imported yet: unknown
    assert Determination.objects.filter(beneficiary=b_other, status="undetermined").exists()
    path = _csv(
        tmp_path, "list.csv", f"统一社会信用代码,资质认定\n{listed.credit_code},国家级专精特新小巨人\n"
    )
    with pytest.raises(TableError, match="全量名单只适用于名单类数据项"):
        bad = _csv(tmp_path, "bad.csv", f"统一社会信用代码,从业人员\n{listed.credit_code},3\n")
        importing.import_facts(
            bad, actor="t", as_of=dt.date(2026, 6, 1), source="人社", report_dir=tmp_path, complete=True
        )
    out = importing.import_facts(
        path, actor="t", as_of=dt.date(2026, 6, 1), source="工信", report_dir=tmp_path, complete=True, on=ON
    )
    values, provenance = factlib.facts_of(b_other, on=ON, catalogue=selectors.catalogue())
    assert values["recognitions"] == [] and provenance["recognitions"] == [
        "2026-06-01",
        "工信/科技认定名单（未列入名单）",
    ]
    assert not FactValue.objects.filter(beneficiary__key=dropped.credit_code).exists()  # dropped off the list
    assert out.run.beneficiaries == 3  # the first complete list re-matches everyone
    assert (
        not Determination.objects.filter(beneficiary=b_other, current=True)
        .exclude(status="ineligible")
        .exists()
    )
