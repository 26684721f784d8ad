"""The public 双随机、一公开 pages in English (ADR 0060): everything but the content is English when the
visitor chose English, the content is marked Chinese, and the Chinese pages are unchanged."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from gongkai.inspections import services
from gongkai.inspections.public import stratum_label
from gongkai.inspections.tests import factories as f
from gongkai.portal.tests.i18n import choose, untranslated
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db

ZH = ' lang="zh-Hans"'


@pytest.fixture
def tasks():
    """A drawn task with a replacement and a published result, an announced one not yet drawn, and
    one stratified by credit risk class (its full data is not public)."""
    for i in range(8):
        make_entity(name=f"聊城市第{i}商贸有限公司")
    for cls, label in zip("ABCD", "甲乙丙丁", strict=True):
        make_entity(name=f"风险{label}主体", credit_risk_class=cls, credit_risk_date=dt.date(2025, 1, 1))
    for _ in range(3):
        f.officer()
    drawn = f.drawn_task_with_a_published_result()
    announced = services.task_announce(
        actor="test", task=f.draft_task(drawn.plan, drawn.items.all(), name="食品经营者抽查")
    )
    risk = services.task_announce(
        actor="test",
        task=f.draft_task(drawn.plan, drawn.items.all(), name="信用风险分类抽查", strata_mode="risk"),
    )
    with time_machine.travel(risk.seed_not_before + dt.timedelta(minutes=1), tick=False):
        risk = services.task_draw(actor="test", task=risk, seed="11111111112222222222", evidence="x")
    return drawn, announced, risk


def public_pages(drawn, announced, risk) -> dict[str, tuple[str, list[str]]]:
    """Every public page: its URL and the content its <title> may show (a title cannot mark a part)."""
    result = drawn.targets.get(results_published_at__isnull=False)
    pages = {
        "items": ("/inspections/?tab=items", []),
        "plans": ("/inspections/?tab=plans", []),
        "tasks": ("/inspections/", []),
        "results": ("/inspections/?tab=results", []),
        "results found": (f"/inspections/?tab=results&q={result.entity_id}", []),
        "results not found": ("/inspections/?tab=results&q=XYZ", []),
        "roster": (reverse("public-roster"), []),
    }
    for name, task in (("drawn", drawn), ("announced", announced), ("risk", risk)):
        pages[f"task {name}"] = (reverse("public-task", args=[task.public_id]), [task.name])
    return pages


def test_every_public_page_is_english_but_its_content(client, tasks):
    choose(client, "en")
    for name, (url, content) in public_pages(*tasks).items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert '<html lang="en"' in html and '<main id="main" class="wrap" tabindex="-1">' in html, name
        assert untranslated(html, content) == [], name


def test_the_english_task_page_reads_as_english(client, tasks):
    drawn, announced, risk = tasks
    choose(client, "en")
    html = client.get(reverse("public-task", args=[drawn.public_id])).content.decode()
    assert f"<title>{drawn.name} ({drawn.public_id}) - " in html and f"<h1{ZH}>{drawn.name}</h1>" in html
    for text in (
        "<dt>Task number</dt>",
        "<dt>Inspection items</dt>",
        "2026-12-01 to 2026-12-31",
        "<dd>Inspections under way</dd>",
        "<dt>Commitment (SHA-256)</dt>",
        f"<dt>Source of the random seed</dt><dd{ZH}>drand 第5000000轮</dd>",
        "<h2>Strata and quotas</h2>",
        "<td>All</td>",  # the stratum 全部, a name the system gives
        "<h2>Selected businesses</h2>",
        "<h2>Replacements</h2>",
        f" replaced by <span{ZH}>",
        f". Reason: <span{ZH}>已注销</span>",
        "<h2>How to verify the draw</h2>",
        f'>verifier, gongkai_draw.py</a>, and the <a href="/inspections/tasks/{drawn.public_id}/bundle.json">',
        f"<code>python3 gongkai_draw.py verify {drawn.public_id}.bundle.json</code>. If it prints",
    ):
        assert text in html, text
    html = client.get(reverse("public-task", args=[announced.public_id])).content.decode()
    assert (
        "<dd>Announced</dd>" in html
        and f'and the <a href="/inspections/tasks/{announced.public_id}/frozen.json">frozen file</a>.' in html
    )
    html = client.get(reverse("public-task", args=[risk.public_id])).content.decode()
    assert "<td>Stratum 1</td>" in html and "This task is stratified by credit risk class." in html
    assert "Cut-off ticket" not in html and "Class A" not in html


def test_the_english_lists_label_the_site_and_mark_the_content(client, tasks):
    drawn, _announced, _risk = tasks
    choose(client, "en")
    html = client.get("/inspections/?tab=items").content.decode()
    assert (
        'Random inspections: double random, one disclosure (<span lang="zh-Hans">双随机、一公开</span>)'
        in html
    )
    assert '<a href="?tab=items" aria-current="page">Inspection items</a>' in html
    assert f"<td{ZH}>企业年度报告公示情况检查</td>" in html and "<td>General inspection item</td>" in html
    html = client.get("/inspections/").content.decode()
    assert "<caption>Inspection tasks</caption>" in html and "<td>Drawn</td>" in html
    assert f'<td{ZH}><a href="/inspections/tasks/{drawn.public_id}/">{drawn.name}</a></td>' in html
    html = client.get(reverse("public-roster")).content.decode()
    assert "<h1>Law enforcement inspectors</h1>" in html and f"<td{ZH}>检查员" in html


def test_the_results_search_form_is_english_and_says_when_nothing_matches(client, tasks):
    drawn, _announced, _risk = tasks
    result = drawn.targets.get(results_published_at__isnull=False)
    choose(client, "en")
    html = client.get("/inspections/?tab=results&q=没有这家").content.decode()
    assert '<label for="q">Search by name or unified social credit code</label>' in html
    assert '<button type="submit">Search</button>' in html
    assert "No published results match your search." in html
    html = client.get("/inspections/", {"tab": "results", "q": result.entity.name[1:]}).content.decode()
    assert f"<td{ZH}>{result.entity.name}</td>" in html and "No published results" not in html
    assert f"<td{ZH}>企业年度报告公示情况检查：未发现问题<br></td>" in html


def test_the_chinese_pages_are_unchanged(client, tasks):
    drawn, announced, risk = tasks
    for name, (url, _content) in public_pages(*tasks).items():
        html = client.get(url).content.decode()
        assert '<html lang="zh-Hans"' in html and ZH not in html.partition("<main")[2], name
    html = client.get(reverse("public-task", args=[drawn.public_id])).content.decode()
    for text in (
        f"<title>{drawn.name}（{drawn.public_id}）",
        "<dt>检查期间</dt><dd>2026-12-01 至 2026-12-31</dd>",
        "<td>全部</td>",
        "，原因：已注销</li>",
        "和<a href=",
        ">完整摇号数据</a>；</li>",
        "结果为 <code>VALID</code> 即摇号未被改动。",
    ):
        assert text in html, text
    assert "<td>层1</td>" in client.get(reverse("public-task", args=[risk.public_id])).content.decode()
    html = client.get("/inspections/?tab=results&q=没有这家").content.decode()
    assert (
        '<label for="q">按名称或统一社会信用代码查询</label>' in html and '<td colspan="5">暂无</td>' in html
    )


def test_stratum_names_the_system_gives_are_translated_and_district_names_are_content():
    with translation.override("en"):
        assert stratum_label("全部") == ("All", False)
        assert stratum_label("层3") == ("Stratum 3", False)
        assert stratum_label("集中登记地址") == ("Shared registered addresses", False)
        assert stratum_label("C 制造业") == ("C Manufacturing", False)
        assert stratum_label("东昌府区") == ("东昌府区", True)
        assert stratum_label("C 不是门类") == ("C 不是门类", True)
    assert stratum_label("层3") == ("层3", False) and stratum_label("C 制造业") == ("C 制造业", False)


def test_the_frozen_document_keeps_chinese_stratum_names_whatever_the_language(tasks):
    """Announcing freezes the strata's names; an English request around it must not change them."""
    drawn, *_ = tasks
    task = f.draft_task(drawn.plan, drawn.items.all(), strata_mode="industry", industry_sections=["F"])
    with translation.override("en"):
        task = services.task_announce(actor="test", task=task)
    assert '"name":"F 批发和零售业"' in task.frozen_text
