"""Fixtures of the API tests: a client whose every response is checked against the OpenAPI
document, and one complete 双随机 chain (plan → task → draw → result → penalty) with private data
planted on purpose."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import jsonschema_rs
import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

_DOC: dict[str, Any] | None = None


def openapi_doc() -> dict[str, Any]:
    global _DOC
    if _DOC is None:
        from gongkai.api.api import api

        _DOC = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))
    return _DOC


def _operation(path: str) -> tuple[str, dict[str, Any]]:
    doc = openapi_doc()
    for template, item in doc["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            return template, item["get"]
    raise AssertionError(f"{path} is not in the OpenAPI document")


def check_against_openapi(path: str, status: int, body: Any) -> None:
    """The body must match the documented schema of this path and status."""
    template, op = _operation(path)
    responses = op["responses"]
    assert str(status) in responses, f"{template}: status {status} is not documented"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    validator = jsonschema_rs.Draft202012Validator({**schema, "components": openapi_doc()["components"]})
    errors = [str(e) for e in validator.iter_errors(body)]
    assert not errors, f"{template} {status}: {errors[:3]}"


class ApiClient:
    """GETs a path and checks the JSON answer against the OpenAPI document."""

    def __init__(self) -> None:
        self.client = Client()

    def get(self, url: str, **headers: str):
        response = self.client.get(url, headers=headers)
        if response.status_code != 304:
            assert response["Content-Type"].startswith("application/json"), response.content[:200]
            path = response.request["PATH_INFO"]
            body = json.loads(response.content)
            if not path.startswith("/api/v1/openapi"):
                check_against_openapi(path, response.status_code, body)
            response.data = body  # type: ignore[attr-defined]
        return response

    def json(self, url: str, status: int = 200) -> Any:
        response = self.get(url)
        assert response.status_code == status, (response.status_code, response.content[:500])
        return response.data


@pytest.fixture(autouse=True)
def _api_settings(settings):
    settings.GONGKAI_API_RATE_LIMIT = 0
    cache.clear()


@pytest.fixture
def api(db) -> ApiClient:
    return ApiClient()


def body_text(response_or_data: Any) -> str:
    data = getattr(response_or_data, "data", response_or_data)
    return json.dumps(data, ensure_ascii=False)


PRIVATE_FINDINGS = "登记住所无人，法定代表人手机13700001111无法接通"
RISKY_CONTACT = ("联络人周慧敏", "13912340000")


@pytest.fixture
def chain(db):
    """A published item and plan, an announced and drawn task, one published result (with findings
    that stay internal), one result recorded but not published, a draft plan and a draft task."""
    from django.contrib.auth import get_user_model

    from gongkai.inspections import services
    from gongkai.inspections.models import Plan, ResultCategory
    from gongkai.inspections.selectors import team_officers
    from gongkai.inspections.tests import factories as f
    from gongkai.registry.tests.factories import make_entity

    item = f.published_item()
    plan = f.published_plan()
    entities = [
        make_entity(
            name=f"链条测试主体{i}",
            credit_risk_class="D",
            credit_risk_date=dt.date(2025, 1, 1),
            contact_name=RISKY_CONTACT[0],
            contact_phone=RISKY_CONTACT[1],
        )
        for i in range(6)
    ]
    [f.officer() for _ in range(4)]
    task = services.task_announce(actor="test", task=f.draft_task(plan, [item], ratios={"*": "50"}))
    with time_machine.travel(task.seed_not_before + dt.timedelta(minutes=1)):
        task = services.task_draw(actor="test", task=task, seed="31415926535897932384", evidence="公开摇号")
    services.task_start_inspection(actor="test", task=task)
    users = get_user_model()
    targets = list(task.targets.filter(role="selected").order_by("rank")[:2])
    category = ResultCategory.objects.get(code="unreachable")
    for n, target in enumerate(targets):
        signers = []
        for officer in team_officers(target):
            user, _ = users.objects.get_or_create(username=f"officer-{officer.pk}")
            officer.user = user
            officer.save(update_fields=["user"])
            signers.append(user)
        services.record_save(
            actor=signers[0],
            target=target,
            item=item,
            categories=[category],
            findings=PRIVATE_FINDINGS,
            follow_up="rectify",
            inspected_on=timezone.localdate(),
        )
        for user in signers:
            services.target_sign(actor=user, target=target)
        if n == 0:
            reviewer, _ = users.objects.get_or_create(username="reviewer")
            services.target_publish(actor=reviewer, target=target)
    draft_plan = services.plan_save(
        actor="test",
        plan=Plan(
            department_id="SCJG", year=2027, name="草稿计划不公开", content="x", period="全年", ratio="1%",
            frequency="一次",
        ),
    )  # fmt: skip
    draft_task = f.draft_task(plan, [item], name="草稿任务不公开")
    for target in targets:
        target.refresh_from_db()
    return {
        "item": item,
        "plan": plan,
        "task": task,
        "entities": entities,
        "published": targets[0],
        "unpublished": targets[1],
        "draft_plan": draft_plan,
        "draft_task": draft_task,
    }
