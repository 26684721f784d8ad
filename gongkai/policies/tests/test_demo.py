"""The demo city's policies load through the real paths and find eligible firms and talents."""

from __future__ import annotations

import datetime as dt

import pytest

from gongkai.policies import demo
from gongkai.policies.models import Case, Determination, FactImport, Policy, PolicyVersion
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db


def test_entity_facts_are_deterministic_per_credit_code():
    assert demo.entity_facts("91371502MA3C000016") == demo.entity_facts("91371502MA3C000016")
    assert demo.entity_facts("91371502MA3C000016") != demo.entity_facts("91371502MA3C000024")


def test_the_demo_loads_and_matches(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for _ in range(30):
        make_entity()
    result = demo.load(on=dt.date(2026, 11, 25), talents=20)
    assert result.policies == 8 and Policy.objects.count() == 8
    assert not PolicyVersion.objects.exclude(state="published").exists()
    assert FactImport.objects.filter(complete=True).count() == 2
    assert Determination.objects.filter(current=True, status="eligible").exists()
    assert Case.objects.exists()
    assert not Case.objects.filter(policy__code="mayor-quality-award").exists()  # 评审类: candidates only
    with pytest.raises(ValueError):
        demo.load(talents=0)
