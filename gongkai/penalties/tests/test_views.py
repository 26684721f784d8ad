"""The staff pages through Django's test client: the path from upload to publication, and permissions."""

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from gongkai.conftest import make_user
from gongkai.core import roles
from gongkai.penalties.choices import State
from gongkai.penalties.models import Decision
from gongkai.penalties.tests import factories as f
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2025, 3, 20, 12, 0, tzinfo=f.SHANGHAI)


def _form(entity, **extra):
    data = {
        "number": "东市监处罚〔2025〕88号",
        "party_kind": "entity",
        "entity_code": entity.credit_code,
        "party_name": "",
        "party_id_type": "",
        "party_id_number": "",
        "party_birth_date": "",
        "violation_type": "销售超过保质期的食品",
        "violation_category": "food",
        "legal_basis": "《中华人民共和国食品安全法》第一百二十四条",
        "fine": "50000",
        "confiscated_gains": "",
        "confiscated_property": "",
        "restriction": "",
        "restriction_months": "",
        "other_penalty": "",
        "severity": "",
        "procedure": "ordinary",
        "authority": "聊城市东昌府区市场监督管理局",
        "decision_date": "2025-03-12",
        "service_date": "2025-03-13",
        "district": "371502",
    }
    data.update(extra)
    return data


def test_a_reviewer_takes_an_uploaded_decision_to_publication(client):
    clerk, reviewer = f.reviewers()
    entity = make_entity(name="聊城市放心超市有限公司")
    with time_machine.travel(NOON, tick=False):
        client.force_login(clerk)
        upload = io.BytesIO(f.TEXT.format(n=88).encode("utf-8"))
        upload.name = "决定书.txt"
        r = client.post(reverse("staff-penalty-create"), {**_form(entity), "text_file": upload})
        assert r.status_code == 302, r.content.decode()[:3000]
        decision = Decision.objects.get(number="东市监处罚〔2025〕88号")
        assert decision.party_name == "聊城市放心超市有限公司"
        review_url = reverse("staff-penalty-review", args=[decision.pk])
        page = client.get(review_url).content.decode()
        assert "13011868112" in page and "[手机号码已隐去]" in page and "[身份证号已隐去]" in page
        r = client.post(review_url, {"action": "mark", "fragment": "钱红梅", "kind": "name"})
        assert r.status_code == 302
        page = client.get(review_url).content.decode()
        assert "钱某某" in page
        detail = reverse("staff-penalty-detail", args=[decision.pk])
        assert "还有" in client.get(detail).content.decode()
        client.post(detail, {"action": "submit"})
        client.force_login(reviewer)
        client.post(detail, {"action": "approve", "note": "已核对"})
        client.post(detail, {"action": "publish"})
        decision.refresh_from_db()
        assert decision.state == State.PUBLISHED
        client.logout()
        public = client.get(reverse("public-penalty", args=[decision.public_id])).content.decode()
    assert "钱某某" in public
    for value in f.PRIVATE_VALUES:
        assert value not in public


def test_the_staff_screen_says_why_a_warning_only_decision_is_not_published(client):
    clerk, _ = f.reviewers()
    decision = f.draft(actor=clerk, fine=None, warning=True)
    client.force_login(clerk)
    page = client.get(reverse("staff-penalty-detail", args=[decision.pk])).content.decode()
    assert "仅受到警告行政处罚的不予公示（总局令第45号第二条第二款）" in page
    simple = f.draft(actor=clerk, procedure="simple")
    page = client.get(reverse("staff-penalty-detail", args=[simple.pk])).content.decode()
    assert "适用简易程序作出的行政处罚决定不予公示" in page


def test_the_dashboard_shows_due_and_overdue_decisions(client):
    clerk, _ = f.reviewers()
    with time_machine.travel(NOON, tick=False):
        f.draft(actor=clerk, number="逾期〔2025〕1号", decision_date=dt.date(2025, 2, 10))
        f.draft(actor=clerk, number="将到期〔2025〕2号", decision_date=dt.date(2025, 2, 24))
        f.draft(actor=clerk, number="未到期〔2025〕3号", decision_date=dt.date(2025, 3, 19))
        f.draft(
            actor=clerk, number="不公示〔2025〕4号", procedure="simple", decision_date=dt.date(2025, 1, 2)
        )
        client.force_login(clerk)
        page = client.get(reverse("staff-penalties")).content.decode()
    due_section = page.split("全部决定")[0]
    assert "已逾期 1 件" in due_section and "5个工作日内到期 1 件" in due_section
    assert "逾期〔2025〕1号" in due_section and "不公示〔2025〕4号" not in due_section
    # 2025-02-10 + 20 working days = 2025-03-10; on 2025-03-20 that is 8 working days late.
    assert "已逾期8个工作日" in due_section


def test_approval_needs_a_disclosure_reviewer(client):
    clerk, _reviewer = f.reviewers()
    decision = f.draft(actor=clerk)
    with time_machine.travel(NOON, tick=False):
        from gongkai.penalties import services

        services.decision_submit(actor=clerk, decision=decision)
    planner = make_user("planner", roles.PLANNER)
    client.force_login(planner)
    detail = reverse("staff-penalty-detail", args=[decision.pk])
    assert client.get(detail).status_code == 403
    assert client.post(detail, {"action": "approve"}).status_code == 403
    superuser = make_user("root")
    superuser.is_superuser = True
    superuser.save()
    client.force_login(superuser)
    client.post(detail, {"action": "approve"})
    decision.refresh_from_db()
    assert decision.state == State.SUBMITTED  # a superuser is not a 信息公开审核员


@pytest.mark.parametrize(
    "name", ["staff-penalties", "staff-penalty-create", "staff-penalties-import", "staff-penalty-rules"]
)
def test_staff_pages_need_a_login(client, name):
    r = client.get(reverse(name))
    assert r.status_code == 302 and r["Location"].startswith("/staff/login/")


def test_every_staff_page_renders_for_a_reviewer(client):
    _clerk, reviewer = f.reviewers()
    decision = f.published()
    client.force_login(reviewer)
    for name in [
        "staff-penalty-detail",
        "staff-penalty-review",
        "staff-penalty-correct",
        "staff-penalty-withdraw",
        "staff-penalty-repair-create",
    ]:
        r = client.get(reverse(name, args=[decision.pk]))
        assert r.status_code == 200, name
    for name in ["staff-penalties", "staff-penalty-create", "staff-penalties-import", "staff-penalty-rules"]:
        assert client.get(reverse(name)).status_code == 200, name


def test_district_limited_staff_see_only_their_districts(client):
    from gongkai.core.models import District

    decision = f.draft()
    limited = make_user(
        "linqing", roles.DISCLOSURE_REVIEWER, districts=District.objects.filter(code="371581")
    )
    client.force_login(limited)
    assert client.get(reverse("staff-penalty-detail", args=[decision.pk])).status_code == 404
    assert decision.number not in client.get(reverse("staff-penalties")).content.decode()
