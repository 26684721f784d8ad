"""Policy versions: stored files, checked on save, reviewed, published, never edited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from gongkai.policies import selectors, services
from gongkai.policies.choices import VersionState
from gongkai.policies.models import PolicyVersion
from gongkai.policies.tests import factories

pytestmark = pytest.mark.django_db


def test_a_file_with_an_unknown_fact_is_refused_on_save_with_its_place():
    text = factories.little_giant().replace("penalties_last_year == 0", "penaltys_last_year == 0")
    with pytest.raises(ValidationError) as info:
        services.version_save(actor=factories.officer(), text=text)
    message = " ".join(info.value.messages)
    assert "未知的数据项“penaltys_last_year”" in message and "条件 c2" in message
    assert not PolicyVersion.objects.exists()


def test_a_type_error_is_refused_on_save():
    text = factories.little_giant().replace("penalties_last_year == 0", 'penalties_last_year == "0"')
    with pytest.raises(ValidationError, match="类型应相同"):
        services.version_save(actor=factories.officer(), text=text)


def test_a_review_policy_that_would_pay_automatically_is_refused():
    text = factories.little_giant().replace("mode: 免申即享", "mode: 评审类")
    with pytest.raises(ValidationError, match="评审类"):
        services.version_save(actor=factories.officer(), text=text)


def test_the_officers_tests_run_on_save():
    text = factories.little_giant().replace("expect: {status: eligible}", "expect: {status: ineligible}")
    with pytest.raises(ValidationError) as info:
        services.version_save(actor=factories.officer(), text=text)
    assert any("小巨人且无处罚" in m for m in info.value.messages)


def test_a_draft_is_edited_in_place_and_a_published_version_never():
    author = factories.officer()
    v1 = services.version_save(actor=author, text=factories.little_giant(amount=1000000))
    v1b = services.version_save(actor=author, text=factories.little_giant(amount=2000000))
    assert v1b.pk == v1.pk and "2000000" in v1b.text
    services.version_submit(actor=author, version=v1b)
    services.version_approve(actor=factories.reviewer(), version=v1b, on=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="不能修改"):
        services.version_save(actor=author, text=factories.little_giant(amount=3000000))
    v3 = services.version_save(
        actor=author, text=factories.little_giant(version=3, amount=3000000, valid_from="2026-07-01")
    )
    assert v3.number == 3
    with pytest.raises(ValidationError, match="版本号应大于"):
        services.version_save(actor=author, text=factories.little_giant(version=2))


def test_the_database_refuses_to_edit_a_published_version():
    version = factories.published(factories.little_giant(), on=dt.date(2026, 3, 1))
    with pytest.raises(DatabaseError), transaction.atomic():
        PolicyVersion.objects.filter(pk=version.pk).update(text=version.text + "\n# changed")


def test_the_author_cannot_approve_their_own_version():
    author = factories.officer()
    version = services.version_save(actor=author, text=factories.little_giant())
    services.version_submit(actor=author, version=version)
    with pytest.raises(ValidationError, match="编写人不能审核"):
        services.version_approve(actor=author, version=version)
    services.version_return(actor=factories.reviewer(), version=version, reason="金额与文件不一致")
    assert PolicyVersion.objects.get(pk=version.pk).state == VersionState.RETURNED


def test_a_new_version_supersedes_from_its_valid_from():
    factories.published(factories.little_giant(amount=1000000), on=dt.date(2026, 3, 1))
    policy = factories.policy("little-giant")
    factories.published(
        factories.little_giant(version=2, amount=2000000, valid_from="2026-07-01"), on=dt.date(2026, 3, 1)
    )
    assert selectors.version_in_force(policy, dt.date(2026, 6, 30)).number == 1
    assert selectors.version_in_force(policy, dt.date(2026, 7, 1)).number == 2
    assert selectors.version_in_force(policy, dt.date(2025, 12, 31)) is None
    assert [v.number for v in selectors.versions_in_force(dt.date(2026, 7, 1))] == [2]


def test_the_review_table_reads_clause_condition_source():
    version = services.version_save(actor=factories.officer(), text=factories.rd_subsidy())
    rows = selectors.review_table(selectors.loaded_policy(version))
    assert rows[0].label == "上年度研发费用占营业收入比例不低于5%"
    assert rows[0].condition == "上年度研发费用占营业收入比例不低于5%"
    assert rows[0].sources == [("上年度研发费用占营业收入比例", "rd_expense_ratio", "税务")]
    assert rows[1].condition == "上年度营业收入不低于2000万元或资质认定包含“科技型中小企业”"
    assert rows[3].condition == "成立日期满1年"
