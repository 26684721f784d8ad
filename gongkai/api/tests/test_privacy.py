"""Nothing private reaches the API: per endpoint, private data is created and looked for.

The guard is the site's (public selectors): no credit-risk class, no contact data, no drafts, no
unpublished results, no unredacted penalty text, no expired penalties, no sender identities.
"""

from __future__ import annotations

import datetime as dt

import pytest

from gongkai.api.tests.conftest import PRIVATE_FINDINGS, RISKY_CONTACT, body_text

pytestmark = pytest.mark.django_db

RISK_WORDS = ["credit_risk", "信用风险", "risk_class"]


def _no_risk(text: str) -> None:
    for word in RISK_WORDS:
        assert word not in text


# --- entities ---------------------------------------------------------------------------------


def test_entity_list_and_detail_never_show_risk_class_or_contacts(api):
    from gongkai.registry.tests.factories import make_entity

    e = make_entity(
        name="隐私测试有限公司",
        credit_risk_class="D",
        credit_risk_date=dt.date(2025, 6, 1),
        contact_name="联络人吴彦祖",
        contact_phone="13811112222",
    )
    for url in ["/api/v1/entities", f"/api/v1/entities/{e.credit_code}"]:
        text = body_text(api.json(url))
        assert "隐私测试有限公司" in text
        assert "联络人吴彦祖" not in text and "13811112222" not in text
        assert '"D"' not in text and "2025-06-01" not in text
        _no_risk(text)


def test_individual_business_owner_is_masked_to_the_surname(api):
    from gongkai.registry.tests.factories import make_entity

    e = make_entity(entity_type="individual", legal_representative="欧阳小明", registered_capital=None)
    for url in ["/api/v1/entities", f"/api/v1/entities/{e.credit_code}"]:
        text = body_text(api.json(url))
        assert "欧阳小明" not in text and "欧***" in text


# --- inspections ------------------------------------------------------------------------------


def test_items_list_only_published_items(api):
    from gongkai.inspections import services
    from gongkai.inspections.tests import factories as f

    f.published_item(code="SCJG-QY-02", name="公开事项")
    services.item_save(actor="test", code="SCJG-QY-99", values={**f.ITEM_VALUES, "name": "草稿事项不公开"})
    text = body_text(api.json("/api/v1/items"))
    assert "公开事项" in text and "草稿事项不公开" not in text
    api.json("/api/v1/items/SCJG-QY-99", 404)


def test_plans_and_tasks_leave_drafts_out(api, chain):
    plans = body_text(api.json("/api/v1/plans"))
    assert chain["plan"].name in plans and "草稿计划不公开" not in plans
    api.json(f"/api/v1/plans/{chain['draft_plan'].pk}", 404)
    tasks = body_text(api.json("/api/v1/tasks"))
    assert chain["task"].public_id in tasks and "草稿任务不公开" not in tasks
    api.json(f"/api/v1/tasks/{chain['draft_task'].public_id}", 404)
    detail = body_text(api.json(f"/api/v1/tasks/{chain['task'].public_id}"))
    _no_risk(detail)
    assert RISKY_CONTACT[1] not in detail


def test_draw_of_a_risk_stratified_task_reveals_no_class(api, chain):
    from gongkai.inspections import services
    from gongkai.inspections.tests import factories as f
    from gongkai.registry.tests.factories import make_entity

    for cls in "ABCD":
        make_entity(name=f"分层{cls}", credit_risk_class=cls, credit_risk_date=dt.date(2025, 1, 1))
    task = f.draft_task(
        chain["plan"],
        [chain["item"]],
        strata_mode="risk",
        ratios={"A": "10", "B": "20", "C": "50", "D": "100", "_": "50"},
    )
    task = services.task_announce(actor="test", task=task)
    data = api.json(f"/api/v1/tasks/{task.public_id}/draw")
    assert data["full_bundle_public"] is False
    assert data["frozen_url"] is None and data["bundle_url"] is None
    assert [s["name"] for s in data["strata"]] == ["层1", "层2", "层3", "层4", "层5"]
    assert all(s["cutoff"] is None for s in data["strata"])
    text = body_text(data)
    _no_risk(text)
    assert '"A"' not in text and '"D"' not in text


def test_draw_of_a_drawn_task_lists_the_drawn_and_links_the_bundle(api, chain):
    task = chain["task"]
    data = api.json(f"/api/v1/tasks/{task.public_id}/draw")
    assert data["seed"] and data["commitment"] == task.commitment
    assert {d["credit_code"] for d in data["drawn"]} >= {chain["published"].entity_id}
    assert data["bundle_url"].endswith(f"/inspections/tasks/{task.public_id}/bundle.json")
    _no_risk(body_text(data))


def test_results_show_only_published_results_and_never_the_findings(api, chain):
    published, unpublished = chain["published"], chain["unpublished"]
    text = body_text(api.json("/api/v1/results"))
    assert published.entity_id in text
    assert unpublished.entity_id not in text
    assert PRIVATE_FINDINGS not in text and "13700001111" not in text
    _no_risk(text)
    detail = api.json(f"/api/v1/results/{published.task.public_id}/{published.entity_id}")
    assert detail["records"][0]["results"][0]["code"] == "unreachable"
    assert PRIVATE_FINDINGS not in body_text(detail)
    api.json(f"/api/v1/results/{unpublished.task.public_id}/{unpublished.entity_id}", 404)
    entity = body_text(api.json(f"/api/v1/entities/{unpublished.entity_id}"))
    assert chain["task"].public_id not in entity  # its unpublished result is not on its record


# --- penalties ----------------------------------------------------------------------------------


@pytest.fixture
def decisions(db):
    from gongkai.penalties.tests import factories as pf

    shown = pf.published()
    draft = pf.draft(number="东市监处罚〔2025〕草稿号")
    expired = pf.published(
        number="东市监处罚〔2021〕已届满号",
        decision_date=dt.date(2021, 10, 8),
        at=dt.datetime(2021, 10, 15, 10, 0, tzinfo=pf.SHANGHAI),
    )
    person = pf.published(party_kind="person", number="东市监处罚〔2025〕自然人号")
    return {"shown": shown, "draft": draft, "expired": expired, "person": person}


def test_penalties_list_has_no_private_text_drafts_or_expired_decisions(api, decisions):
    from gongkai.penalties.tests.factories import PRIVATE_VALUES

    text = body_text(api.json("/api/v1/penalties?limit=100"))
    assert decisions["shown"].number in text
    assert "草稿号" not in text and "已届满号" not in text
    for value in PRIVATE_VALUES:
        assert value not in text
    assert "320106199012012869" not in text  # the natural person's ID number


def test_penalty_detail_shows_the_redacted_text_only_and_expired_ones_vanish(api, decisions):
    from gongkai.penalties.tests.factories import PRIVATE_VALUES

    shown = decisions["shown"]
    for key in (shown.public_id, shown.number):
        data = api.json(f"/api/v1/penalties/{key}")
        assert data["id"] == shown.public_id and data["text"]
        for value in PRIVATE_VALUES:
            assert value not in body_text(data)
    for d in (decisions["draft"], decisions["expired"]):
        api.json(f"/api/v1/penalties/{d.public_id}", 404)
        api.json(f"/api/v1/penalties/{d.number}", 404)
    person = body_text(api.json(f"/api/v1/penalties/{decisions['person'].public_id}"))
    assert "320106199012012869" not in person


def test_withdrawal_notices_carry_no_private_data(api, decisions):
    from gongkai.penalties import services
    from gongkai.penalties.tests import factories as pf

    clerk, _ = pf.reviewers()
    services.decision_withdraw(
        actor=clerk,
        decision=decisions["person"],
        ground="revoked",
        grounds_date=dt.date(2025, 4, 1),
        reason="复议决定撤销原处罚决定",
    )
    text = body_text(api.json("/api/v1/penalty-withdrawals"))
    assert "复议决定撤销原处罚决定" in text
    assert "320106199012012869" not in text
    api.json(f"/api/v1/penalties/{decisions['person'].public_id}", 404)


def test_entity_record_lists_penalties_in_display_only(api, decisions):
    shown = decisions["shown"]
    data = api.json(f"/api/v1/entities/{shown.entity_id}")
    assert [p["id"] for p in data["penalties"]] == [shown.public_id]
    expired = api.json(f"/api/v1/entities/{decisions['expired'].entity_id}")
    assert expired["penalties"] == []


# --- 政务公开 ------------------------------------------------------------------------------------


@pytest.fixture
def documents(db):
    from gongkai.conftest import make_user
    from gongkai.core import roles
    from gongkai.disclosure import services

    author = make_user("api-author", roles.DISCLOSURE_REVIEWER)
    reviewer = make_user("api-reviewer", roles.DISCLOSURE_REVIEWER)
    data = {
        "title": "公开的政策文件",
        "doc_number": "聊市监发〔2026〕9号",
        "issuer": "聊城市市场监督管理局",
        "written_on": dt.date(2026, 4, 1),
        "topic": "food",
        "body_html": "<p>正文</p>",
    }
    doc = services.document_create(actor=author, data=data)
    services.item_submit(actor=author, item=doc)
    doc = services.item_publish(actor=reviewer, item=doc)
    draft = services.document_create(actor=author, data={**data, "title": "草稿文件不公开"})
    interp = services.interpretation_create(
        actor=author, document=doc, data={"kind": "text", "title": "公开的解读", "body_html": "<p>解读</p>"}
    )
    services.item_submit(actor=author, item=interp)
    interp = services.item_publish(actor=reviewer, item=interp)
    draft_interp = services.interpretation_create(
        actor=author, document=doc, data={"kind": "text", "title": "草稿解读不公开", "body_html": "<p>x</p>"}
    )
    guide_data = {
        "name": "公开的办事指南",
        "department": "聊城市市场监督管理局",
        "basis": "依据",
        "conditions": "条件",
        "materials": "营业执照\n申请书",
        "process": "流程",
        "time_limit": "5个工作日",
        "fees": "不收费",
        "place_hours": "政务服务中心",
        "phone": "0635-1234567",
    }
    guide = services.guide_create(actor=author, data=guide_data, documents=[doc])
    services.item_submit(actor=author, item=guide)
    guide = services.item_publish(actor=reviewer, item=guide)
    draft_guide = services.guide_create(actor=author, data={**guide_data, "name": "草稿指南不公开"})
    return {
        "doc": doc,
        "draft": draft,
        "interp": interp,
        "draft_interp": draft_interp,
        "guide": guide,
        "draft_guide": draft_guide,
    }


def test_documents_leave_drafts_out(api, documents):
    text = body_text(api.json("/api/v1/documents"))
    assert "公开的政策文件" in text and "草稿文件不公开" not in text
    detail = api.json(f"/api/v1/documents/{documents['doc'].pk}")
    assert detail["page_url"] == f"http://testserver/policies/{documents['doc'].pk}/"
    assert [i["title"] for i in detail["interpretations"]] == ["公开的解读"]
    assert "草稿解读不公开" not in body_text(detail)
    api.json(f"/api/v1/documents/{documents['draft'].pk}", 404)


def test_interpretations_leave_drafts_out(api, documents):
    text = body_text(api.json("/api/v1/interpretations"))
    assert "公开的解读" in text and "草稿解读不公开" not in text
    api.json(f"/api/v1/interpretations/{documents['interp'].pk}")
    api.json(f"/api/v1/interpretations/{documents['draft_interp'].pk}", 404)


def test_guides_leave_drafts_out(api, documents):
    text = body_text(api.json("/api/v1/guides"))
    assert "公开的办事指南" in text and "草稿指南不公开" not in text
    detail = api.json(f"/api/v1/guides/{documents['guide'].pk}")
    assert detail["materials"] == ["营业执照", "申请书"]
    api.json(f"/api/v1/guides/{documents['draft_guide'].pk}", 404)


# --- Q&A -----------------------------------------------------------------------------------------


def test_messages_show_only_published_texts_never_the_sender(api):
    from gongkai.inspectors.models import Department
    from gongkai.interaction import services
    from gongkai.interaction.tests import factories as mf

    dept = Department.objects.get(pk="SCJG")
    shown = mf.message(
        name="马晓燕", contact="13566667777", body="我是马晓燕，电话13566667777，请问办照材料？"
    )
    services.message_route(actor="t", message=shown, department=dept)
    services.message_reply(actor="t", message=shown, text="您好，需要身份证明和住所证明。")
    services.message_publish(
        actor="t",
        message=shown,
        public_subject="办照材料咨询",
        public_body="请问办照需要哪些材料？",
        public_reply="您好，需要身份证明和住所证明。",
    )
    hidden = mf.message(name="隐藏人", contact="13500009999", subject="未公开的留言")
    text = body_text(api.json("/api/v1/messages"))
    assert "办照材料咨询" in text
    for private in ("马晓燕", "13566667777", "隐藏人", "13500009999", "未公开的留言"):
        assert private not in text
    api.json(f"/api/v1/messages/{shown.pk}")
    api.json(f"/api/v1/messages/{hidden.pk}", 404)


# --- policies and statistics -----------------------------------------------------------------------


def test_policies_list_published_versions_only(api):
    from gongkai.policies import services
    from gongkai.policies.tests import factories as pf

    pf.published(pf.rd_subsidy())
    services.version_save(actor=pf.officer(), text=pf.talent())  # a draft
    data = api.json("/api/v1/policies")
    assert [p["code"] for p in data["items"]] == ["rd-subsidy"]
    api.json("/api/v1/policies/rd-subsidy")
    api.json("/api/v1/policies/talent-allowance", 404)


def test_statistics_are_aggregates_without_risk_classes(api):
    from gongkai.registry.tests.factories import make_entity

    make_entity(credit_risk_class="D", credit_risk_date=dt.date(2025, 1, 1))
    listing = api.json("/api/v1/stats")
    assert listing["items"]
    for ref in listing["items"]:
        text = body_text(api.json(f"/api/v1/stats/{ref['name']}"))
        _no_risk(text)
    api.json("/api/v1/stats/no-such-dataset", 404)
