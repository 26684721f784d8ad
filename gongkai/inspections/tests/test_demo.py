"""The 双随机、一公开 demo: every public state, a verifiable draw, nothing private, loads once."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from gongkai.core import audit
from gongkai.core.models import AuditEvent
from gongkai.inspections.choices import ItemStatus, PlanStatus, TaskState
from gongkai.inspections.models import AbnormalReferral, InspectionItem, InspectionRecord, Plan, Task
from gongkai.registry import demo as city
from gongkai.registry.choices import CreditRiskClass
from gongkai.registry.demo import INSPECTION_ITEMS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    city.demo_city_load(entities=300, seed=11)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("load_inspection_demo", *args, stdout=out)
    return out.getvalue()


def test_the_demo_has_every_public_state_and_the_published_draw_verifies(client, demo_city, tmp_path):
    output = _run()
    assert "已载入随机抽查事项" in output and "已完结" in output and "gongkai verify-draw" in output

    # The catalogue: published, with the demo officers' item codes (so they can be drawn).
    published = set(InspectionItem.objects.filter(status=ItemStatus.PUBLISHED).values_list("code", flat=True))
    assert 10 <= len(published) <= 15
    assert {code for code, _, dept in INSPECTION_ITEMS if dept == "SCJG"} <= published
    assert InspectionItem.objects.filter(is_joint=True, status=ItemStatus.PUBLISHED).exists()
    assert Plan.objects.get().status == PlanStatus.PUBLISHED

    tasks = {t.state: t for t in Task.objects.all()}
    assert set(tasks) == {TaskState.CLOSED, TaskState.INSPECTING, TaskState.ANNOUNCED, TaskState.DRAFT}

    finished = tasks[TaskState.CLOSED]
    assert finished.strata_mode == "district" and finished.full_bundle_public
    assert finished.announced_at < finished.seed_not_before <= finished.seed_entered_at
    assert finished.drawn_at <= finished.inspection_started_at <= finished.results_published_at
    assert finished.results_published_at <= finished.closed_at
    active = [t for t in finished.targets.all() if t.is_active]
    assert active and all(t.results_published_at and t.completed_on for t in active)
    categories = Counter(
        code
        for code in InspectionRecord.objects.filter(target__task=finished).values_list(
            "categories__code", flat=True
        )
    )
    assert categories["no_problem"] >= 1 and len(categories) >= 3
    if len(active) >= 7:
        assert AbnormalReferral.objects.filter(target__task=finished).exists()  # 无法联系 → 经营异常名录

    inspecting = tasks[TaskState.INSPECTING]
    assert inspecting.strata_mode == "risk" and not inspecting.full_bundle_public
    assert InspectionRecord.objects.filter(target__task=inspecting).exists()
    assert inspecting.targets.filter(completed_on__isnull=False, results_published_at__isnull=True).exists()
    announced = tasks[TaskState.ANNOUNCED]
    assert announced.is_joint and announced.required_departments == ["SCJG", "WSJK"]
    assert announced.commitment and not announced.seed

    # The downloadable bundle verifies with the command everybody can run.
    response = client.get(reverse("public-task-bundle", args=[finished.public_id]))
    assert response.status_code == 200
    bundle = tmp_path / "bundle.json"
    bundle.write_bytes(b"".join(response.streaming_content))
    out = io.StringIO()
    call_command("verify_draw", str(bundle), stdout=out)
    assert out.getvalue().strip() == "VALID"
    assert client.get(reverse("public-task-bundle", args=[inspecting.public_id])).status_code == 404

    # Every public tab shows demo content, and no page shows a credit-risk class.
    pages = {
        "items": client.get(reverse("public-inspections") + "?tab=items"),
        "plans": client.get(reverse("public-inspections") + "?tab=plans"),
        "tasks": client.get(reverse("public-inspections")),
        "results": client.get(reverse("public-inspections") + "?tab=results"),
    }
    for task in (finished, inspecting, announced):
        pages[task.public_id] = client.get(reverse("public-task", args=[task.public_id]))
    assert all(r.status_code == 200 for r in pages.values())
    bodies = {k: r.content.decode() for k, r in pages.items()}
    assert "企业公示信息检查" in bodies["items"]
    assert Plan.objects.get().name in bodies["plans"]
    assert finished.name in bodies["tasks"] and announced.name in bodies["tasks"]
    assert tasks[TaskState.DRAFT].name not in bodies["tasks"]
    assert active[0].entity.name in bodies["results"] and "未发现问题" in bodies["results"]
    # The risk task's page may say that its strata follow the classes (ADR 6), never a class itself.
    assert "层1" in bodies[inspecting.public_id]
    risk_words = [str(label) for _, label in CreditRiskClass.choices]
    risk_words += [f"信用风险{w}" for w in ("低", "一般", "较高", "高")] + ["A类", "B类", "C类", "D类"]
    for key, body in bodies.items():
        for word in risk_words:
            assert word not in body, (key, word)

    # Everything went through the services: the audit chain holds every step and verifies.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    for action in [
        "inspections.item.publish",
        "inspections.plan.publish",
        "inspections.task.announce",
        "inspections.task.draw",
        "inspections.record.save",
        "inspections.target.sign",
        "inspections.target.publish",
        "inspections.task.close",
        "inspectors.officer.link_user",
    ]:
        assert action in actions, action
    assert audit.verify_chain().ok


def test_if_empty_makes_the_command_idempotent(demo_city):
    _run("--if-empty")
    counts = (InspectionItem.objects.count(), Task.objects.count(), AuditEvent.objects.count())
    assert "已有" in _run("--if-empty")
    assert (InspectionItem.objects.count(), Task.objects.count(), AuditEvent.objects.count()) == counts
    with pytest.raises(CommandError, match="只能载入空的"):
        _run()


def test_the_command_refuses_a_database_without_the_demo_city(db):
    with pytest.raises(CommandError, match="load-demo"):
        _run()
