"""The planner's path in the browser (Django's test client), and what the public may see."""

import datetime as dt
import json
import subprocess
import sys

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongkai.conftest import make_user
from gongkai.core import roles
from gongkai.core.models import AuditEvent
from gongkai.inspections import gongkai_draw, selectors, services
from gongkai.inspections.models import BundleAccess, Task
from gongkai.inspections.tests import factories as f
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db


def _form_task(plan_pk, **extra):
    data = {
        "name": "2026年企业年报抽查",
        "strata_mode": "none",
        "ratio_all": "50",
        "min_count": "0",
        "team_size": "2",
        "max_load": "0",
        "period_start": "2026-12-01",
        "period_end": "2026-12-31",
        "seed_source": "公开摇骰仪式",
        "seed_not_before": (timezone.localtime() + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "exclude_same_item_this_year": "on",
        "apply_yearly_cap": "on",
    }
    data.update(extra)
    return data


def test_planner_goes_from_item_to_verified_public_task(client, tmp_path):
    for i in range(6):
        make_entity(name=f"浏览器主体{i}")
    for _ in range(3):
        f.officer()
    planner = make_user("planner", roles.PLANNER)
    client.force_login(planner)
    # item
    r = client.post("/staff/inspections/items/new/", {"code": "SCJG-QY-01", **f.ITEM_VALUES})
    assert r.status_code == 302
    client.post("/staff/inspections/items/SCJG-QY-01/", {"action": "publish"})
    # plan
    r = client.post(
        "/staff/inspections/plans/new/",
        {
            "department": "SCJG",
            "year": "2026",
            "name": "年度计划",
            "content": "年报",
            "period": "全年",
            "ratio": "3%",
            "frequency": "一次",
            "quantity": "",
        },
    )
    plan_url = r["Location"]
    client.post(plan_url)  # publish
    plan_pk = int(plan_url.rstrip("/").rsplit("/", 1)[1])
    item_pk = services.InspectionItem.objects.get(code="SCJG-QY-01").pk
    r = client.post(f"/staff/inspections/plans/{plan_pk}/tasks/new/", _form_task(plan_pk, items=[item_pk]))
    assert r.status_code == 302, r.content.decode()[:2000]
    task = Task.objects.get()
    page = client.get(f"/staff/inspections/tasks/{task.public_id}/").content.decode()
    assert "在营主体 6 户" in page and "合计抽取 3 户" in page
    client.post(f"/staff/inspections/tasks/{task.public_id}/", {"action": "announce"})
    task.refresh_from_db()
    assert task.state == "announced"
    public = client.get(f"/inspections/tasks/{task.public_id}/").content.decode()
    assert task.commitment in public
    with time_machine.travel(task.seed_not_before + dt.timedelta(minutes=5)):
        client.force_login(planner)
        client.post(
            f"/staff/inspections/tasks/{task.public_id}/",
            {"action": "draw", "seed": "27182818284590452353", "evidence": "摇骰视频链接"},
        )
    task.refresh_from_db()
    assert task.state == "drawn"
    client.logout()
    public = client.get(f"/inspections/tasks/{task.public_id}/").content.decode()
    assert "27182818284590452353" in public and "浏览器主体" in public
    bundle = client.get(f"/inspections/tasks/{task.public_id}/bundle.json")
    verifier = client.get("/inspections/verifier/gongkai_draw.py")
    (tmp_path / "bundle.json").write_bytes(b"".join(bundle.streaming_content))
    (tmp_path / "gongkai_draw.py").write_bytes(b"".join(verifier.streaming_content))
    # A stranger with only the bundle and the verifier, standard library only:
    run = subprocess.run(
        [sys.executable, "-I", "gongkai_draw.py", "verify", "bundle.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.stdout.strip() == "VALID", run.stdout + run.stderr


def _risk_task():
    item = f.published_item()
    plan = f.published_plan()
    for cls, label in zip("ABCD", "甲乙丙丁", strict=True):
        make_entity(name=f"风险{label}主体", credit_risk_class=cls, credit_risk_date=dt.date(2025, 1, 1))
    f.officer()
    f.officer()
    task = f.draft_task(plan, [item], strata_mode="risk", ratios={"*": "100"})
    task = services.task_announce(actor="test", task=task)
    with time_machine.travel(task.seed_not_before + dt.timedelta(minutes=1)):
        return services.task_draw(actor="test", task=task, seed="11111111112222222222", evidence="x")


def test_risk_stratified_task_keeps_classes_private(client):
    task = _risk_task()
    page = client.get(f"/inspections/tasks/{task.public_id}/").content.decode()
    assert "层1" in page and "风险甲主体" in page
    for leak in ("A类", "B类", "信用风险低", "信用风险高", '"层1"'):
        assert leak not in page
    cutoffs = [s["selected"][-1]["ticket"] for s in json.loads(task.result_text)["strata"] if s["selected"]]
    assert "分界签号（本层最后一个抽中者）" not in page
    drawn_tickets = {m["ticket"] for s in json.loads(task.result_text)["strata"] for m in s["selected"]}
    assert drawn_tickets  # the drawn list is public, with tickets
    assert all(t in page for t in drawn_tickets) and set(cutoffs) <= drawn_tickets
    assert client.get(f"/inspections/tasks/{task.public_id}/bundle.json").status_code == 404
    assert client.get(f"/inspections/tasks/{task.public_id}/frozen.json").status_code == 404


def test_full_bundle_only_for_named_auditors_and_audited(client):
    task = _risk_task()
    planner = make_user("planner2", roles.PLANNER)
    client.force_login(planner)
    assert client.get(f"/staff/inspections/tasks/{task.public_id}/bundle.json").status_code == 403
    from django.contrib.auth.models import Permission

    auditor = make_user("auditor", roles.PLANNER)
    auditor.user_permissions.add(Permission.objects.get(codename="view_full_bundle"))
    BundleAccess.objects.create(task=task, user=auditor, organisation="聊城市纪委监委派驻纪检监察组")
    client.force_login(auditor)
    response = client.get(f"/staff/inspections/tasks/{task.public_id}/bundle.json")
    assert response.status_code == 200
    assert json.loads(b"".join(response.streaming_content))["result"]["commitment"] == task.commitment
    assert AuditEvent.objects.filter(action="inspections.task.bundle_access", actor=auditor).count() == 1


def test_draft_tasks_are_not_public(client):
    item = f.published_item()
    task = f.draft_task(f.published_plan(), [item])
    assert client.get(f"/inspections/tasks/{task.public_id}/").status_code == 404
    assert task.public_id not in client.get("/inspections/").content.decode()


def test_public_roster_shows_nothing_private(client):
    officer = f.officer()
    aux = f.officer(enforcement=False)
    page = client.get("/inspections/officers/").content.decode()
    assert officer.name in page and officer.certificate_no in page
    assert aux.name not in page and officer.code not in page


def test_four_tabs_render(client):
    f.published_item()
    f.published_plan()
    for tab in ("items", "plans", "tasks", "results"):
        response = client.get(f"/inspections/?tab={tab}")
        assert response.status_code == 200
    assert "企业年度报告公示情况检查" in client.get("/inspections/?tab=items").content.decode()


def test_seed_form_errors_are_shown_and_nothing_drawn(client):
    item = f.published_item()
    for _ in range(3):
        make_entity()
        f.officer()
    task = services.task_announce(actor="test", task=f.draft_task(f.published_plan(), [item]))
    client.force_login(make_user("planner3", roles.PLANNER))
    page = client.post(
        f"/staff/inspections/tasks/{task.public_id}/", {"action": "draw", "seed": "123", "evidence": "x"}
    ).content.decode()
    assert "未到公告的种子最早录入时间" in page
    task.refresh_from_db()
    assert task.state == "announced"


def test_a_task_s_documents_are_read_only_where_used(client):
    """The frozen document and the result run to tens of megabytes for a city and hundreds for a
    province: lists and task pages leave them out (the downloads read them); a task reads each when
    it is used."""
    for i in range(6):
        make_entity(name=f"文书测试商贸{i}有限公司")
    officers = [f.officer(), f.officer()]
    task = f.drawn_task_with_a_published_result(ratios={"*": "40"})
    stored = Task.objects.get(pk=task.pk)
    assert stored.get_deferred_fields() == {"frozen_text", "result_text"}
    assert (
        stored.result_text == task.result_text and stored.frozen_text == task.frozen_text
    )  # loaded when read
    staff = make_user("lists", roles.PLANNER, roles.INSPECTOR)
    officers[0].user = staff
    officers[0].save()
    client.force_login(staff)
    pages = {
        "/inspections/?tab=tasks": task.public_id,
        "/inspections/?tab=results": task.public_id,
        "/staff/inspections/": task.public_id,
        "/staff/inspections/due/": None,
        "/staff/inspections/mine/": None,
        f"/staff/inspections/tasks/{task.public_id}/": task.commitment,
        f"/inspections/tasks/{task.public_id}/": task.commitment,
        f"/api/v1/tasks/{task.public_id}/draw": task.commitment,
    }
    with CaptureQueriesContext(connection) as queries:
        for page, shows in pages.items():
            response = client.get(page)
            assert response.status_code == 200, page
            assert shows is None or shows in response.content.decode(), page
    assert [q["sql"] for q in queries if "frozen_text" in q["sql"] or "result_text" in q["sql"]] == []


def _drawn_over_risk_classes(prefix: str, count: int, strata_mode: str, *, ratio: str) -> Task:
    """A task drawn over ``count`` new entities whose credit-risk classes go A, B, C, D in turn, with
    two officers; read back with its documents deferred, as pages read it."""
    for i in range(count):
        make_entity(
            name=f"{prefix}{i}有限公司", credit_risk_class="ABCD"[i % 4], credit_risk_date=dt.date(2025, 1, 1)
        )
    f.officer(), f.officer()
    draft = f.draft_task(
        f.published_plan(), [f.published_item()], strata_mode=strata_mode, ratios={"*": ratio}
    )
    return Task.objects.get(pk=f.draw(services.task_announce(actor="test", task=draft)).pk)


@pytest.mark.parametrize("strata_mode", ["none", "risk"])
def test_public_strata_are_the_documents_strata(strata_mode):
    """Sizes, quotas, counts and cut-off tickets come from the task's rows, not its documents; they
    are exactly what the frozen document and the result say (cut-offs only for a public bundle)."""
    from gongkai.inspections.public import public_strata

    task = _drawn_over_risk_classes("分层测试", 9, strata_mode, ratio="50")
    frozen, result = json.loads(task.frozen_text), json.loads(task.result_text)
    expected = [
        {
            "name": stratum["name"],
            "size": len(stratum["members"]),
            "quota": stratum["quota"],
            "selected": len(drawn["selected"]),
            "cutoff": drawn["selected"][-1]["ticket"]
            if drawn["selected"] and task.full_bundle_public
            else None,
        }
        for stratum, drawn in zip(frozen["strata"], result["strata"], strict=True)
    ]
    assert len(expected) > 1 if strata_mode == "risk" else len(expected) == 1
    assert task.full_bundle_public == (strata_mode == "none")
    assert public_strata(task) == expected


def test_the_staff_task_page_lists_its_targets_a_page_at_a_time(client, monkeypatch):
    from gongkai.inspections import views

    monkeypatch.setattr(views, "TARGETS_PER_PAGE", 2)
    for i in range(6):
        make_entity(name=f"分页测试{i}有限公司")
    f.officer(), f.officer()
    draft = f.draft_task(f.published_plan(), [f.published_item()], ratios={"*": "100"})
    task = f.draw(services.task_announce(actor="test", task=draft))
    names = list(selectors.active_targets(task).values_list("entity__name", flat=True))
    assert len(names) >= 5
    client.force_login(make_user("pager", roles.PLANNER))
    url = f"/staff/inspections/tasks/{task.public_id}/"
    shown = []
    for number in range(1, 4):
        page = client.get(url, {"page": number}).content.decode()
        shown.append([name for name in names if name in page])
    assert [len(names_on_page) for names_on_page in shown] == [2, 2, 2]
    assert [name for names_on_page in shown for name in names_on_page] == names[:6]  # in order, each once
    found = client.get(url, {"q": names[3]}).content.decode()
    assert names[3] in found and "找到 1 户" in found
    assert [name for name in names if name in found] == [names[3]]
    assert "没有符合条件的抽查对象" in client.get(url, {"q": "无此名称"}).content.decode()


@pytest.mark.parametrize("strata_mode", ["none", "risk"])
def test_the_public_drawn_list_is_the_result_s_a_page_at_a_time(client, monkeypatch, strata_mode):
    """From the target rows, in the result's order, or by ticket where strata are private."""
    from gongkai.inspections import public

    monkeypatch.setattr(public, "DRAWN_PER_PAGE", 2)
    task = _drawn_over_risk_classes("名单测试", 8, strata_mode, ratio="60")
    drawn = [m for s in json.loads(task.result_text)["strata"] for m in s["selected"]]
    if strata_mode == "risk":
        drawn.sort(key=lambda m: m["ticket"])
    assert len(drawn) > 2
    shown = []
    for number in range(1, (len(drawn) + 1) // 2 + 1):
        page = client.get(f"/inspections/tasks/{task.public_id}/", {"page": number}).content.decode()
        page = page[page.index("抽中名单") :]  # the strata table above shows the cut-off tickets
        shown += sorted((page.index(m["ticket"]), m["ticket"]) for m in drawn if m["ticket"] in page)
    assert [ticket for _, ticket in shown] == [m["ticket"] for m in drawn]


@pytest.mark.parametrize("seed", ["31415926535897932384", ' 0x"AB"\\cd 中文 '])
def test_the_bundle_is_the_canonical_json_of_its_three_parts(seed):
    """Joined from the stored texts without parsing them: byte for byte what encoding the parsed
    documents gives, whatever the seed as entered holds."""
    from gongkai.inspections.public import bundle_bytes

    task = f.draw(f.announced_task(entities=6)[0])
    Task.objects.filter(pk=task.pk).update(seed_as_entered=seed)  # a seed entered with oddities
    task = Task.objects.get(pk=task.pk)
    parts = {
        "frozen": json.loads(task.frozen_text),
        "seed": task.seed_as_entered,
        "result": json.loads(task.result_text),
    }
    assert bundle_bytes(task) == gongkai_draw.canonical_json(parts) + b"\n"


def _downloaded(response) -> bytes:
    assert response.status_code == 200
    assert response.streaming  # sent as read, never held whole (a province's is hundreds of MB)
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    return body


def test_downloads_stream_the_stored_documents(client, monkeypatch):
    """The frozen document and the bundle (public, and a named auditor's) are sent in slices read
    from the database, slices so small here (7 bytes) that they cut characters in two; what
    arrives is byte for byte the stored text, with the length announced beforehand."""
    monkeypatch.setattr(selectors, "TEXT_SLICE", 7)
    task = f.draw(f.announced_task(entities=6)[0])
    task = Task.objects.get(pk=task.pk)
    assert task.full_bundle_public
    frozen = _downloaded(client.get(f"/inspections/tasks/{task.public_id}/frozen.json"))
    assert frozen == task.frozen_text.encode("utf-8") + b"\n"
    assert any(ord(c) > 0x7FF for c in task.frozen_text)  # three-byte characters cut by the slices
    expected = (
        gongkai_draw.canonical_json(
            {
                "frozen": json.loads(task.frozen_text),
                "seed": task.seed_as_entered,
                "result": json.loads(task.result_text),
            }
        )
        + b"\n"
    )
    assert _downloaded(client.get(f"/inspections/tasks/{task.public_id}/bundle.json")) == expected
    client.force_login(make_user("planner3", roles.PLANNER))
    assert _downloaded(client.get(f"/staff/inspections/tasks/{task.public_id}/bundle.json")) == expected


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite reads a text whole (small installations)"
)
def test_on_postgresql_no_download_fetches_a_whole_document(client):
    """Only lengths (read from the stored values' headers) go through Django's cursor; the texts
    come in slices through ``selectors.text_slices``' own streamed query."""
    task = f.draw(f.announced_task(entities=6)[0])
    with CaptureQueriesContext(connection) as queries:
        for path in ("frozen.json", "bundle.json"):
            _downloaded(client.get(f"/inspections/tasks/{task.public_id}/{path}"))
    reads = [q["sql"] for q in queries if "frozen_text" in q["sql"] or "result_text" in q["sql"]]
    assert reads and all(sql.count("_text") == sql.count("OCTET_LENGTH(") for sql in reads), reads


def test_text_slices_refuses_anything_but_a_task_document():
    task, _ = f.announced_task()
    with pytest.raises(ValueError, match="not a task document"):
        list(selectors.text_slices(task, "seed_evidence"))


def test_text_slices_of_an_empty_document_is_nothing():
    task, _ = f.announced_task()
    assert list(selectors.text_slices(task, "result_text", 7)) == []
    assert selectors.text_sizes(task) == {
        "frozen_text": len(task.frozen_text.encode("utf-8")),
        "result_text": 0,
    }
