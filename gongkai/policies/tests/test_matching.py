"""Matching stored policies over stored beneficiaries: determinations, replay, increments, 快申快享."""

from __future__ import annotations

import datetime as dt

import pytest

from gongkai.policies import importing, matching, selectors, services
from gongkai.policies.choices import CaseState, RunKind
from gongkai.policies.models import Case, Determination, MatchRun, Notification
from gongkai.policies.tests import factories
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 6, 30)


def _facts(entity, **values):
    b = services.beneficiary_for_entity(entity)
    services.facts_apply(
        actor="t", rows=[(b, values)], as_of=dt.date(2026, 5, 31), source="工信", origin="import"
    )
    return b


@pytest.fixture
def city():
    """Four firms: eligible, ineligible by two criteria, near miss (one criterion), undetermined."""
    firms = {
        "giant": make_entity(),
        "plain": make_entity(),
        "near": make_entity(),
        "unknown": make_entity(),
    }
    _facts(firms["giant"], recognitions=["国家级专精特新小巨人"], tax_credit_rating="A")
    _facts(firms["plain"], recognitions=[], tax_credit_rating="C")
    _facts(firms["near"], recognitions=["国家级专精特新小巨人"], tax_credit_rating="C")
    _facts(firms["unknown"], recognitions=["国家级专精特新小巨人"])
    return firms


def _det(entity, version=None):
    qs = Determination.objects.filter(beneficiary__key=entity.credit_code, current=True)
    if version is not None:
        qs = qs.filter(version=version)
    return qs.first()


def test_publishing_matches_everyone_and_stores_replayable_determinations(city):
    version = factories.published(factories.little_giant(), on=ON)
    giant = _det(city["giant"])
    assert (giant.status, giant.amount, giant.version_id) == ("eligible", 2000000, version.pk)
    assert giant.criteria == {"c1": "pass", "c2": "pass", "c3": "pass"}
    assert giant.facts == {
        "recognitions": ["国家级专精特新小巨人"],
        "penalties_last_year": 0,
        "tax_credit_rating": "A",
    }
    assert giant.provenance["tax_credit_rating"] == ["2026-05-31", "工信"]
    assert giant.provenance["penalties_last_year"] == ["2026-06-30", "行政处罚信息公示"]
    assert giant.engine_version == "gongkai-rules/1 engine 1"
    assert _det(city["plain"]) is None  # ineligible, not a near miss: nothing stored
    assert _det(city["near"]) is None  # a near miss is computed when asked for, not stored
    assert _det(city["unknown"]).status == "undetermined"
    assert all(matching.replay(d) for d in Determination.objects.all())
    near = matching.near_misses(version, on=ON)
    assert [(n.key, n.criterion) for n in near] == [(city["near"].credit_code, "c3")]


def test_replay_detects_a_tampered_determination(city):
    factories.published(factories.little_giant(), on=ON)
    det = _det(city["giant"])
    det.facts["tax_credit_rating"] = "C"
    assert not matching.replay(det)


def test_the_eligible_are_notified_once_and_the_ineligible_never(city):
    factories.published(factories.little_giant(), on=ON)
    cases = list(Case.objects.all())
    assert [c.beneficiary.key for c in cases] == [city["giant"].credit_code]
    assert cases[0].state == CaseState.NOTIFIED and cases[0].period == "一次性"
    assert Notification.objects.count() == 1
    matching.match_run(actor="nightly", on=ON)
    matching.match_run(actor="nightly", on=ON + dt.timedelta(days=1))
    assert Notification.objects.count() == 1 and Case.objects.count() == 1


def test_a_second_full_run_changes_nothing(city):
    factories.published(factories.little_giant(), on=ON)
    before = Determination.objects.count()
    outcome = matching.match_run(actor="nightly", on=ON)
    assert outcome.run.changed == 0 and Determination.objects.count() == before
    assert MatchRun.objects.filter(kind=RunKind.FULL).count() == 1


def test_an_import_rematches_only_changed_beneficiaries_and_policies_reading_changed_facts(city, tmp_path):
    factories.published(factories.little_giant(), on=ON)
    factories.published(factories.talent(), on=ON)
    path = tmp_path / "tax.csv"
    path.write_text(
        "统一社会信用代码,纳税信用等级,从业人员\n"
        f"{city['near'].credit_code},B,30\n"
        f"{city['unknown'].credit_code},A,12\n"
        f"{city['giant'].credit_code},A,40\n",
        encoding="utf-8",
    )
    out = importing.import_facts(
        path, actor="t", as_of=dt.date(2026, 6, 1), source="税务", report_dir=tmp_path, on=ON
    )
    run = out.run
    assert run.kind == RunKind.FACTS
    assert (run.beneficiaries, run.policies) == (3, 1)  # the talent policy reads no changed fact
    assert run.changed == 2  # near → eligible, unknown → eligible; giant unchanged
    assert _det(city["near"]).status == "eligible" and _det(city["unknown"]).status == "eligible"
    assert Case.objects.filter(state=CaseState.NOTIFIED).count() == 3
    history = Determination.objects.filter(beneficiary__key=city["unknown"].credit_code).order_by("id")
    assert [(d.status, d.current) for d in history] == [("undetermined", False), ("eligible", True)]


def test_a_firm_missing_one_fact_is_asked_for_exactly_that_fact_and_then_notified(city):
    version = factories.published(factories.little_giant(), on=ON)
    det = _det(city["unknown"])
    explanation = matching.explanation_of(det)
    assert explanation.status == "undetermined"
    assert explanation.missing == ["tax_credit_rating"]
    b = selectors.beneficiary_for_entity(city["unknown"].credit_code)
    services.facts_declare(actor="firm", beneficiary=b, values={"tax_credit_rating": "B"}, on=ON)
    det = _det(city["unknown"], version)
    assert det.status == "eligible"
    assert det.provenance["tax_credit_rating"] == ["2026-06-30", "申请人填报"]
    assert Case.objects.get(beneficiary=b).state == CaseState.NOTIFIED
    text = "\n".join(matching.explanation_of(det).lines)
    assert "申请人填报，截至2026-06-30" in text


def test_explanations_say_why_in_chinese_with_source_and_date(city):
    version = factories.published(factories.little_giant(), on=ON)
    near = selectors.beneficiary_for_entity(city["near"].credit_code)
    lines = matching.explanation_now(near, version, on=ON).lines
    assert lines[0].endswith("不符合条件（1项条件未满足）")
    assert any(
        line.startswith("✘ 纳税信用等级为A级或B级：您的纳税信用等级为C") and "工信，截至2026-05-31" in line
        for line in lines
    )
    b = selectors.beneficiary_for_entity(city["plain"].credit_code)
    live = matching.explanation_now(b, version, on=ON)
    assert live.status == "ineligible"


def test_talents_are_matched_as_persons():
    employer = make_entity()
    young = services.person_save(
        actor="t",
        id_number=factories.id_number("19990101"),
        values={"name": "甲", "education": "硕士研究生", "employer": employer},
    )
    old = services.person_save(
        actor="t", id_number=factories.id_number("19800101"), values={"name": "乙", "education": "博士研究生"}
    )
    for p in (young, old):
        services.facts_apply(
            actor="t",
            rows=[(p.beneficiary, {"social_insurance_months": 12})],
            as_of=dt.date(2026, 5, 31),
            source="人社/社保",
            origin="import",
        )
    factories.published(factories.talent(), on=ON)
    assert Determination.objects.get(beneficiary=young.beneficiary).status == "eligible"
    assert not Determination.objects.filter(beneficiary=old.beneficiary).exists()
    version = Determination.objects.get(beneficiary=young.beneficiary).version
    assert [(n.key, n.criterion) for n in matching.near_misses(version, on=ON)] == [(old.public_id, "age")]
    det = Determination.objects.get(beneficiary=young.beneficiary)
    assert "id_number" not in det.facts and det.facts["birth_date"] == "1999-01-01"


def test_a_new_version_takes_over_from_its_valid_from(city):
    v1 = factories.published(factories.little_giant(amount=1000000), on=ON)
    v2 = factories.published(
        factories.little_giant(version=2, amount=3000000, valid_from="2026-07-01"), on=ON
    )
    assert _det(city["giant"]).version_id == v1.pk  # v2 not in force yet: nothing matched
    matching.match_run(actor="nightly", on=dt.date(2026, 7, 1))
    current = Determination.objects.filter(beneficiary__key=city["giant"].credit_code, current=True)
    assert [(d.version_id, d.amount) for d in current] == [(v2.pk, 3000000)]
    # one case per policy, beneficiary and period across versions: the v1 case is updated, not doubled
    case = Case.objects.get(beneficiary__key=city["giant"].credit_code)
    assert (case.amount, case.version_id) == (3000000, v2.pk)
