"""The whole 双随机、一公开 path through the services, and its refusals."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongkai.core import audit
from gongkai.inspections import gongkai_draw, services
from gongkai.inspections.models import ResultCategory, Target, Task
from gongkai.inspections.public import bundle_bytes
from gongkai.inspections.selectors import team_officers
from gongkai.inspections.tests import factories as f
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    item = f.published_item()
    plan = f.published_plan()
    entities = [make_entity(name=f"抽查对象{i}") for i in range(10)]
    officers = [f.officer() for _ in range(4)]
    return item, plan, entities, officers


def _drawn(task, seed="31415926535897932384"):
    with time_machine.travel(task.seed_not_before + dt.timedelta(minutes=1)):
        return services.task_draw(
            actor="test", task=task, seed=seed, evidence="公开摇骰仪式，见证人：张三、李四"
        )


def test_announce_then_draw_produces_a_verifiable_bundle(setup):
    item, plan, entities, officers = setup
    task = f.draft_task(plan, [item])
    task = services.task_announce(actor="test", task=task)
    assert task.state == "announced" and len(task.commitment) == 64
    frozen = json.loads(task.frozen_text)
    assert frozen["strata"][0]["quota"] == 5 and len(frozen["strata"][0]["members"]) == 10
    task = _drawn(task)
    assert task.state == "drawn"
    ok, reason = gongkai_draw.verify_bundle(json.loads(bundle_bytes(task)))
    assert ok, reason
    selected = Target.objects.filter(task=task, role="selected")
    assert selected.count() == 5
    # The reserve is in the stored result; a reserve gets a row only when a replacement brings it in.
    assert [len(s["reserve"]) for s in json.loads(task.result_text)["strata"]] == [5]
    assert not Target.objects.filter(task=task, role="reserve").exists()
    assert all(len(t.team) == 2 for t in selected)
    assert audit.verify_chain().ok


def test_announce_stores_canonical_text_and_draw_stores_every_team_in_order(setup):
    item, plan, entities, officers = setup
    task = f.draft_task(plan, [item])
    task.cross_unit = True  # members carry units: the MemberColumns path with unit codes
    task.save()
    task = services.task_announce(actor="test", task=task)
    frozen = json.loads(task.frozen_text)
    # Byte for byte the canonical JSON of the document, members as plain objects, and its commitment.
    assert gongkai_draw.canonical_json(frozen).decode("utf-8") == task.frozen_text
    assert gongkai_draw.commitment(frozen) == task.commitment
    assert all("unit" in m for s in frozen["strata"] for m in s["members"])
    task = _drawn(task)
    result = json.loads(task.result_text)
    stored = {t.entity_id: t.team for t in Target.objects.filter(task=task)}
    assert {a["entity"]: a["inspectors"] for a in result["assignments"]} == {
        entity: team for entity, team in stored.items() if team
    }
    ranks = {
        (t.role, t.rank): (t.entity_id, t.ticket) for t in Target.objects.filter(task=task, stratum_index=0)
    }
    for rank, member in enumerate(result["strata"][0]["selected"], start=1):
        assert ranks["selected", rank] == (member["id"], member["ticket"])
    assert not any(role == "reserve" for role, _ in ranks)  # written when brought in, not before


def test_seed_before_seed_not_before_is_refused(setup):
    item, plan, *_ = setup
    task = services.task_announce(actor="test", task=f.draft_task(plan, [item]))
    with pytest.raises(ValidationError, match="未到公告的种子最早录入时间"):
        services.task_draw(actor="test", task=task, seed="31415926535897932384", evidence="x")
    assert Task.objects.get(pk=task.pk).state == "announced"
    assert not Target.objects.filter(task=task).exists()


def test_there_is_no_redraw(setup):
    item, plan, *_ = setup
    task = _drawn(services.task_announce(actor="test", task=f.draft_task(plan, [item])))
    with (
        time_machine.travel(task.seed_not_before + dt.timedelta(days=1)),
        pytest.raises(ValidationError, match="不能重新摇号"),
    ):
        services.task_draw(actor="test", task=task, seed="99999999999999999999", evidence="again")
    assert Task.objects.get(pk=task.pk).seed == "31415926535897932384"


def test_a_seed_with_control_characters_is_refused_and_nothing_is_stored(setup):
    item, plan, *_ = setup
    task = services.task_announce(actor="test", task=f.draft_task(plan, [item]))
    with (
        time_machine.travel(task.seed_not_before + dt.timedelta(minutes=1)),
        pytest.raises(ValidationError, match="随机种子不可用"),
    ):
        services.task_draw(actor="test", task=task, seed="1234\x07567890123456789012", evidence="x")
    assert Task.objects.get(pk=task.pk).state == "announced"


def test_announcing_an_empty_population_is_refused(setup):
    item, plan, *_ = setup
    task = f.draft_task(plan, [item], districts=["371573"])
    with pytest.raises(ValidationError) as exc:
        services.task_announce(actor="test", task=task)
    assert any("没有符合条件" in m for m in exc.value.messages)
    assert Task.objects.get(pk=task.pk).state == "draft"


def test_team_larger_than_eligible_officers_is_refused(setup):
    item, plan, *_ = setup
    task = f.draft_task(plan, [item], team_size=5)
    with pytest.raises(ValidationError) as exc:
        services.task_announce(actor="test", task=task)
    assert any("每组需要5名" in m for m in exc.value.messages)


def test_quota_larger_than_stratum_is_refused(setup):
    item, plan, *_ = setup
    task = f.draft_task(plan, [item], min_count=20)
    with pytest.raises(ValidationError) as exc:
        services.task_announce(actor="test", task=task)
    assert any("大于该层主体数" in m for m in exc.value.messages)


def test_officer_whose_certificate_expires_before_the_task_ends_is_left_out_with_reason(setup):
    item, plan, *_ = setup
    late = f.officer(expires=dt.date(2026, 12, 15))
    auxiliary = f.officer(enforcement=False)
    from gongkai.inspections.population import compute_population

    population = compute_population(f.draft_task(plan, [item]))
    reasons = {o.code: o.reason for o in population.officers_excluded}
    assert "早于任务结束日期" in reasons[late.code]
    assert "辅助人员" in reasons[auxiliary.code]
    assert late not in population.officers


def test_task_may_only_use_published_items(setup):
    _, plan, *_ = setup
    draft = services.item_save(actor="test", code="SCJG-QY-99", values=f.ITEM_VALUES)
    with pytest.raises(ValidationError, match="未发布"):
        f.draft_task(plan, [draft])


def test_retired_item_stays_on_old_tasks(setup):
    item, plan, *_ = setup
    task = f.draft_task(plan, [item])
    new = services.item_save(
        actor="test", code=item.code, values={"name": "企业年度报告公示情况检查（修订）"}
    )
    services.item_publish(actor="test", item=new)
    item.refresh_from_db()
    assert item.status == "retired"
    assert list(task.items.all()) == [item]


def test_risk_strata_use_opaque_names_and_hide_the_bundle(setup):
    item, plan, *_ = setup
    for cls in "ABCD":
        make_entity(name=f"分类{cls}", credit_risk_class=cls, credit_risk_date=dt.date(2025, 1, 1))
    task = f.draft_task(
        plan, [item], strata_mode="risk", ratios={"A": "10", "B": "20", "C": "50", "D": "100", "_": "50"}
    )
    task = services.task_announce(actor="test", task=task)
    names = [s["name"] for s in json.loads(task.frozen_text)["strata"]]
    assert names == ["层1", "层2", "层3", "层4", "层5"]
    assert not task.full_bundle_public


def test_same_item_this_year_excludes_with_reason(setup):
    item, plan, entities, _ = setup
    first = _drawn(services.task_announce(actor="test", task=f.draft_task(plan, [item], ratios={"*": "100"})))
    assert first.targets.filter(role="selected").count() == 10
    from gongkai.inspections.population import compute_population

    second = f.draft_task(plan, [item])
    with time_machine.travel(first.drawn_at + dt.timedelta(days=1)):
        population = compute_population(second, year=first.drawn_at.year)
    assert population.size == 0
    assert all("同一事项" in e.reason for e in population.excluded)


def test_replacement_takes_the_next_reserve_and_is_recorded(setup):
    item, plan, *_ = setup
    task = _drawn(services.task_announce(actor="test", task=f.draft_task(plan, [item])))
    out = task.targets.get(role="selected", rank=1)
    with pytest.raises(ValidationError, match="原因"):
        services.target_replace(actor=_user(), task=task, credit_code=out.entity_id, reason=" ")
    replacement = services.target_replace(
        actor=_user(), task=task, credit_code=out.entity_id, reason="已注销"
    )
    reserve = json.loads(task.result_text)["strata"][0]["reserve"]
    incoming = task.targets.get(role="reserve", rank=1)
    assert replacement.in_target == incoming and incoming.activated and incoming.is_active
    assert (incoming.entity_id, incoming.ticket, incoming.stratum_name) == (
        reserve[0]["id"],
        reserve[0]["ticket"],
        out.stratum_name,
    )
    assert len(replacement.in_target.team) == 2
    second = services.target_replace(
        actor=_user(),
        task=task,
        credit_code=task.targets.get(role="selected", rank=2).entity_id,
        reason="已迁出",
    )
    assert second.in_target.rank == 2 and second.in_target.entity_id == reserve[1]["id"]


def test_replacement_refused_when_the_stratum_reserve_is_used_up(setup):
    item, plan, *_ = setup
    task = _drawn(services.task_announce(actor="test", task=f.draft_task(plan, [item])))
    reserve = json.loads(task.result_text)["strata"][0]["reserve"]
    for rank in range(1, len(reserve) + 1):
        out = task.targets.get(role="selected", rank=rank)
        services.target_replace(actor=_user(), task=task, credit_code=out.entity_id, reason="已注销")
    rows = task.targets.count()
    out = task.targets.filter(role="reserve").order_by("rank").last()  # a reserve brought in earlier
    with pytest.raises(ValidationError, match="备选主体已用完"):
        services.target_replace(actor=_user(), task=task, credit_code=out.entity_id, reason="已迁出")
    assert task.targets.count() == rows and task.replacements.count() == len(reserve)


def _user(name="planner"):
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username=name)
    return user


def test_results_recorded_signed_and_published_with_deadline(setup):
    item, plan, *_ = setup
    task = _drawn(services.task_announce(actor="test", task=f.draft_task(plan, [item])))
    services.task_start_inspection(actor="test", task=task)
    target = task.targets.filter(role="selected").first()
    members = team_officers(target)
    users = []
    for i, officer in enumerate(members):
        u = _user(f"officer{i}")
        officer.user = u
        officer.save(update_fields=["user"])
        users.append(u)
    unreachable = ResultCategory.objects.get(code="unreachable")
    with pytest.raises(ValidationError, match="只有被分配"):
        services.record_save(
            actor=_user("outsider"),
            target=target,
            item=item,
            categories=[unreachable],
            findings="",
            follow_up="none",
            inspected_on=timezone.localdate(),
        )
    services.record_save(
        actor=users[0],
        target=target,
        item=item,
        categories=[unreachable],
        findings="登记住所无人，电话无法接通",
        follow_up="rectify",
        inspected_on=timezone.localdate(),
    )
    services.target_sign(actor=users[0], target=target)
    with pytest.raises(ValidationError, match="不能再修改"):
        services.record_save(
            actor=users[1],
            target=target,
            item=item,
            categories=[unreachable],
            findings="",
            follow_up="none",
            inspected_on=timezone.localdate(),
        )
    services.target_sign(actor=users[1], target=target)
    target.refresh_from_db()
    assert target.completed_on == timezone.localdate()
    assert services.publication_due(target) > target.completed_on
    assert target.abnormal_referral.reason.startswith("通过登记的住所")
    services.target_publish(actor=_user("reviewer"), target=target)
    target.refresh_from_db()
    assert target.results_published_at is not None
