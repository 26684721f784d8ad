"""Test data for open data: public and private values side by side, built through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone


@pytest.fixture(autouse=True)
def _export_dir_in_tmp(settings, tmp_path):
    """Files go to a temporary directory, never to var/; links use a fixed site address."""
    settings.GONGKAI_OPENDATA_DIR = tmp_path / "opendata"
    settings.GONGKAI_OPENDATA_KEEP_DAYS = 30
    settings.GONGKAI_SITE_URL = "https://gongkai.example.cn"
    settings.MEDIA_ROOT = tmp_path / "private"
    cache.clear()


@dataclass
class World:
    public: dict[str, list[str]] = field(default_factory=dict)  # dataset → values that must appear
    private: dict[str, list[str]] = field(default_factory=dict)  # dataset → values that must not
    objects: dict[str, object] = field(default_factory=dict)

    def all_private(self) -> list[str]:
        return sorted({v for values in self.private.values() for v in values})


RISK_CLASS_DATE = dt.date(2026, 3, 1)
CONTACT_NAME, CONTACT_PHONE = "赵联络", "13311112222"
SENDER_NAME, SENDER_PHONE = "司马青衫", "13755556666"
OWNER = "欧阳明月"  # an 个体工商户's 经营者: only the surname is public
DRAFT_TITLE = "关于草稿状态文件的通知（未发布）"
FINDINGS = "登记住所无人，电话无法接通（内部记录）"
UNPUBLISHED_ENTITY = "未公示结果的抽查对象"


def _user(name: str):
    user, _ = get_user_model().objects.get_or_create(username=name)
    return user


def _entities(world: World) -> None:
    from gongkai.registry.tests.factories import make_entity

    company = make_entity(
        name="聊城市开放数据测试有限公司",
        credit_risk_class="D",
        credit_risk_date=RISK_CLASS_DATE,
        contact_name=CONTACT_NAME,
        contact_phone=CONTACT_PHONE,
    )
    shop = make_entity(
        name="东昌府区明月小吃店",
        entity_type="individual",
        legal_representative=OWNER,
        registered_capital=None,
    )
    world.objects.update(company=company, shop=shop)
    world.public["entities"] = [company.name, company.credit_code, shop.name, "欧***", "兴华路88号"]
    world.private["entities"] = [CONTACT_NAME, CONTACT_PHONE, "D类", OWNER, "2026-03-01"]


def _disclosure(world: World) -> None:
    from gongkai.conftest import make_user
    from gongkai.core import roles
    from gongkai.disclosure import services

    author = make_user("od-author", roles.DISCLOSURE_REVIEWER)
    reviewer = make_user("od-reviewer", roles.DISCLOSURE_REVIEWER)
    base = {
        "doc_number": "聊市监发〔2026〕21号",
        "issuer": "聊城市市场监督管理局",
        "written_on": dt.date(2026, 4, 1),
        "topic": "food",
        "body_html": "<p>农村集体聚餐应当报告。</p>",
    }
    doc = services.document_create(
        actor=author, data={**base, "title": "关于加强农村集体聚餐食品安全指导的通知"}
    )
    services.item_submit(actor=author, item=doc)
    doc = services.item_publish(actor=reviewer, item=doc)
    services.document_create(
        actor=author, data={**base, "title": DRAFT_TITLE, "doc_number": "聊市监发〔2026〕99号"}
    )
    interp = services.interpretation_create(
        actor=author,
        document=doc,
        data={"kind": "text", "title": "一图读懂农村集体聚餐", "body_html": "<p>解读</p>"},
    )
    services.item_submit(actor=author, item=interp)
    services.item_publish(actor=reviewer, item=interp)
    services.interpretation_create(
        actor=author,
        document=doc,
        data={"kind": "text", "title": "未发布的解读草稿", "body_html": "<p>草稿</p>"},
    )
    guide_data = {
        "department": "聊城市市场监督管理局",
        "basis": "《市场主体登记管理条例》",
        "conditions": "依法设立",
        "materials": "申请书",
        "process": "申请—受理—决定",
        "time_limit": "即时办结",
        "fees": "不收费",
        "place_hours": "市民中心",
        "phone": "0635-1234567",
    }
    guide = services.guide_create(actor=author, data={**guide_data, "name": "营业执照变更登记"})
    services.item_submit(actor=author, item=guide)
    services.item_publish(actor=reviewer, item=guide)
    services.guide_create(actor=author, data={**guide_data, "name": "未发布的办事指南"})
    world.objects["document"] = doc
    world.public["policy-documents"] = ["关于加强农村集体聚餐食品安全指导的通知"]
    world.private["policy-documents"] = [DRAFT_TITLE]
    world.public["interpretations"] = ["一图读懂农村集体聚餐"]
    world.private["interpretations"] = ["未发布的解读草稿"]
    world.public["guides"] = ["营业执照变更登记"]
    world.private["guides"] = ["未发布的办事指南"]


def _penalties(world: World) -> None:
    from gongkai.penalties.tests import factories as pf

    now = timezone.localtime()
    shown = pf.published(at=now - dt.timedelta(days=2))
    person = pf.published(at=now - dt.timedelta(days=2), party_kind="person")
    unpublished = pf.draft(violation_type="未公开的草稿处罚")
    world.objects.update(penalty=shown, person_penalty=person, draft_penalty=unpublished)
    world.public["penalties"] = [shown.number, "销售超过保质期的食品"]
    world.private["penalties"] = [
        *pf.PRIVATE_VALUES,
        "320106199012012869",
        unpublished.number,
        "未公开的草稿处罚",
    ]


def _messages(world: World) -> None:
    from gongkai.inspectors.models import Department
    from gongkai.interaction import services

    m = services.message_submit(
        address="10.8.8.8",
        category="complaint",
        subject="商场消防通道被占用",
        body="商场消防通道被占用，请处理。",
        contact=SENDER_PHONE,
        name=SENDER_NAME,
        consent_publish=True,
    )
    services.message_route(actor="t", message=m, department=Department.objects.get(pk="SCJG"))
    m = services.message_reply(
        actor="t", message=m, text=f"{SENDER_NAME}您好，已责令整改。联系电话{SENDER_PHONE}。"
    )
    texts = services.suggested_public_texts(m)
    services.message_publish(actor="t", message=m, **texts)
    services.message_submit(
        address="10.8.8.9",
        category="consult",
        subject="未公开的咨询留言",
        body="请问如何办理？",
        contact="13900001111",
        name="上官未公开",
        consent_publish=False,
    )
    world.public["messages"] = ["消防通道"]
    world.private["messages"] = [SENDER_NAME, SENDER_PHONE, "未公开的咨询留言", "上官未公开", "13900001111"]


def _inspections(world: World) -> None:
    from gongkai.inspections import services
    from gongkai.inspections.models import ResultCategory
    from gongkai.inspections.selectors import team_officers
    from gongkai.inspections.tests import factories as f
    from gongkai.registry.tests.factories import make_entity

    item = f.published_item()
    draft_item = services.item_save(
        actor="test", code="SCJG-QY-99", values={**f.ITEM_VALUES, "name": "未发布的抽查事项"}
    )
    plan = f.published_plan()
    for i in range(4):
        make_entity(name=f"抽查对象{i}")
    make_entity(name=UNPUBLISHED_ENTITY)
    for _ in range(4):
        f.officer()
    task = services.task_announce(actor="test", task=f.draft_task(plan, [item], ratios={"*": "100"}))
    f.draft_task(plan, [item], name="未公告的草稿任务")
    with time_machine.travel(task.seed_not_before + dt.timedelta(minutes=1)):
        task = services.task_draw(actor="test", task=task, seed="31415926535897932384", evidence="公开摇号")
    services.task_start_inspection(actor="test", task=task)
    category = ResultCategory.objects.get(code="unreachable")
    targets = list(task.targets.filter(role="selected").select_related("entity"))
    published_target = next(t for t in targets if t.entity.name != UNPUBLISHED_ENTITY)
    hidden_target = next(t for t in targets if t.entity.name == UNPUBLISHED_ENTITY)
    for target in (published_target, hidden_target):
        users = []
        for i, officer in enumerate(team_officers(target)):
            u = _user(f"od-officer-{target.pk}-{i}")
            officer.user = u
            officer.save(update_fields=["user"])
            users.append(u)
        services.record_save(
            actor=users[0],
            target=target,
            item=item,
            categories=[category],
            findings=FINDINGS,
            follow_up="rectify",
            inspected_on=timezone.localdate(),
        )
        for u in users:
            services.target_sign(actor=u, target=target)
    services.target_publish(actor=_user("od-reviewer-insp"), target=published_target)
    published_target.refresh_from_db()
    world.objects.update(task=task, published_target=published_target, hidden_target=hidden_target)
    world.public["inspection-items"] = [item.name]
    world.private["inspection-items"] = [draft_item.name]
    world.public["inspection-plans"] = [plan.name]
    world.public["inspection-tasks"] = [task.public_id]
    world.private["inspection-tasks"] = ["未公告的草稿任务"]
    world.public["inspection-results"] = [published_target.entity.name, "通过登记的住所"]
    world.private["inspection-results"] = [UNPUBLISHED_ENTITY, FINDINGS, hidden_target.entity_id]


@pytest.fixture
def world(db) -> World:
    """Public and private data of every module the datasets read."""
    w = World()
    _entities(w)
    _disclosure(w)
    _penalties(w)
    _messages(w)
    _inspections(w)
    return w
