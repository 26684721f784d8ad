"""The policy commands that use the database: match-policies, import-facts, test-policies --stored."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.policies import services
from gongkai.policies.models import Case, Determination, MatchRun
from gongkai.policies.tests import factories
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_match_policies_runs_every_policy_in_force(tmp_path):
    entity = make_entity()
    b = services.beneficiary_for_entity(entity)
    services.facts_apply(
        actor="t",
        rows=[(b, {"recognitions": ["国家级专精特新小巨人"], "tax_credit_rating": "B"})],
        as_of=dt.date(2026, 5, 1),
        source="工信",
        origin="import",
    )
    version = services.version_save(actor=factories.officer(), text=factories.little_giant())
    services.version_submit(actor="t", version=version)
    services.version_approve(
        actor=factories.reviewer(), version=version, on=dt.date(2025, 12, 1)
    )  # not in force yet
    assert not Determination.objects.exists()
    text = run("match_policies", "--on", "2026-06-30")
    assert "1项政策" in text and "新建兑现事项1项" in text
    assert Case.objects.count() == 1
    assert MatchRun.objects.filter(kind="full").count() == 1
    with pytest.raises(CommandError):
        run("match_policies", "--policy", "nope")


def test_import_facts_reports_and_exits_1_on_refused_rows(tmp_path):
    entity = make_entity()
    path = tmp_path / "e.csv"
    path.write_text(
        f"统一社会信用代码,从业人员\n{entity.credit_code},25\n{entity.credit_code[:-1]}0,3\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as info:
        run(
            "import_facts",
            str(path),
            "--as-of",
            "2026-05-31",
            "--source",
            "人社/社保",
            "--report-dir",
            str(tmp_path / "r"),
        )
    assert info.value.returncode == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("名称\nx\n", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        run("import_facts", str(bad), "--as-of", "2026-05-31", "--source", "人社/社保")
    assert info.value.returncode == 2


def test_test_policies_runs_the_stored_versions_too():
    services.version_save(actor=factories.officer(), text=factories.little_giant())
    text = run("test_policies", "--stored")
    assert "政策库 little-giant 第1版（草稿）" in text and "1 个测试全部通过" in text
    with pytest.raises(CommandError) as info:
        run("test_policies")
    assert info.value.returncode == 2
