"""Demo content of 双随机、一公开 for the demo city (``gongkai load-inspection-demo``).

Runs after ``gongkai load-demo``. Everything goes through the real paths, so the audit log reads like
a real year: the item catalogue is imported from a ``.csv`` file (:func:`catalogue.import_items`) and
published, and the plan, the tasks, the draws, the results, the signatures and their publication go
through :mod:`gongkai.inspections.services`, with times in the past passed as ``now=`` (the services
refuse a time in the future, so no seed can be entered before its ``seed_not_before``).

What it builds, for the current year (dates are offsets from the demo's as-of date):

* the 随机抽查事项清单 of 聊城市市场监督管理局 (the codes the demo officers are qualified for, see
  :data:`gongkai.registry.demo.INSPECTION_ITEMS`, plus a joint item with 卫生健康);
* the annual plan;
* four tasks, one per public state: a finished task stratified by district (已完结, every result
  published, its bundle downloadable and verifiable), a task stratified by credit-risk class being
  inspected (检查中: some results recorded, some signed and due for publication), a joint task with
  卫生健康 announced and waiting for its seed (已公告), and a draft (草稿).

Deterministic: fixed seeds, and every choice is drawn from a generator seeded by the task and the
entity's credit code. Officers who record and sign get a staff account without a password (they
exist so the team's signatures are real); ``demo-inspector`` is linked to an officer of the task
being inspected, so “我的检查任务” shows work to do.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gongkai.inspections import catalogue, services
from gongkai.inspections.choices import FollowUp, TaskState
from gongkai.inspections.models import InspectionItem, Plan, ResultCategory, Target, Task

ACTOR = "gongkai load-inspection-demo"
DEPARTMENT = "SCJG"
JOINT_ITEM = "LH-CY-01"
JOINT_PARTNER = "WSJK"
INSPECTOR_ACCOUNT = "demo-inspector"
PLANNER_ACCOUNT = "demo-planner"

_FOOD_BASIS = "《中华人民共和国食品安全法》第一百一十条；《食品生产经营监督检查管理办法》（国家市场监督管理总局令第49号）"
# 事项编码, 抽查类别, 抽查事项, 检查对象, 事项类别, 检查方式, 检查主体, 检查依据, 发起部门, 配合部门, 抽查层级
CATALOGUE: list[tuple[str, ...]] = [
    (
        "SCJG-QY-01",
        "企业信息公示",
        "企业公示信息检查",
        "企业、农民专业合作社",
        "一般",
        "书面检查、实地核查、网络监测",
        "市场监管部门",
        "《企业信息公示暂行条例》第十四条；《市场主体登记管理条例》第三十八条",
        "",
        "",
        "市、县两级",
    ),
    (
        "SCJG-QY-02",
        "登记事项",
        "登记事项检查（住所、经营场所）",
        "各类市场主体",
        "一般",
        "实地核查",
        "市场监管部门",
        "《中华人民共和国市场主体登记管理条例》第三十八条；《中华人民共和国市场主体登记管理条例实施细则》第七十条",
        "",
        "",
        "市、县两级",
    ),
    (
        "SCJG-SP-01",
        "食品安全",
        "食品销售者检查",
        "食品销售者",
        "重点",
        "现场检查、抽样检验",
        "市场监管部门",
        _FOOD_BASIS,
        "",
        "",
        "县级",
    ),
    (
        "SCJG-SP-02",
        "食品安全",
        "餐饮服务提供者检查",
        "餐饮服务提供者",
        "重点",
        "现场检查",
        "市场监管部门",
        _FOOD_BASIS,
        "",
        "",
        "县级",
    ),
    (
        "SCJG-SP-03",
        "食品安全",
        "食品生产者检查",
        "食品生产者",
        "重点",
        "现场检查、抽样检验",
        "市场监管部门",
        _FOOD_BASIS,
        "",
        "",
        "市、县两级",
    ),
    (
        "SCJG-TS-01",
        "特种设备安全",
        "特种设备使用单位检查",
        "特种设备使用单位",
        "重点",
        "现场检查",
        "市场监管部门",
        "《中华人民共和国特种设备安全法》第五十七条、第六十一条",
        "",
        "",
        "市、县两级",
    ),
    (
        "SCJG-ZL-01",
        "产品质量",
        "生产领域产品质量检查",
        "产品生产企业",
        "一般",
        "现场检查、抽样检验",
        "市场监管部门",
        "《中华人民共和国产品质量法》第十五条、第十八条",
        "",
        "",
        "市级",
    ),
    (
        "SCJG-JL-01",
        "计量",
        "计量器具检查",
        "使用强制检定计量器具的经营者（集贸市场、加油站、眼镜店等）",
        "一般",
        "现场检查",
        "市场监管部门",
        "《中华人民共和国计量法》第九条、第十八条",
        "",
        "",
        "县级",
    ),
    (
        "SCJG-GG-01",
        "广告",
        "广告发布行为检查",
        "广告主、广告经营者、广告发布者",
        "一般",
        "网络监测、书面检查",
        "市场监管部门",
        "《中华人民共和国广告法》第四十九条",
        "",
        "",
        "市、县两级",
    ),
    (
        "SCJG-JG-01",
        "价格",
        "明码标价检查",
        "经营者",
        "一般",
        "现场检查",
        "市场监管部门",
        "《中华人民共和国价格法》第十三条、第三十四条；《明码标价和禁止价格欺诈规定》第二十一条",
        "",
        "",
        "县级",
    ),
    (
        "SCJG-YP-01",
        "药品",
        "药品零售企业检查",
        "药品零售企业",
        "重点",
        "现场检查",
        "市场监管部门",
        "《中华人民共和国药品管理法》第九十九条；《药品经营和使用质量监督管理办法》",
        "",
        "",
        "县级",
    ),
    (
        JOINT_ITEM,
        "部门联合抽查",
        "餐饮服务单位食品安全和公共场所卫生联合检查",
        "餐饮服务提供者",
        "重点",
        "现场检查",
        "市场监管部门、卫生健康部门",
        "《中华人民共和国食品安全法》第一百一十条；《公共场所卫生管理条例》第十条",
        "聊城市市场监督管理局",
        "聊城市卫生健康委员会",
        "市级",
    ),
]

# Seeds: fixed values standing for drand beacon rounds (demo data: not real rounds).
FINISHED_SEED = "9c1f0d8e2b7a45f1a3e6d0c4b8f27e19d5a0c3b6e8f1a2d4c7b9e0f3a6d8c1b5"
INSPECTING_SEED = "4e7b2a9d1c8f06e3b5a7d2c9f4e1b8a6d3c0f7e2a9b4d6c1e8f5a3b0d7c2e9f4"
# The finished task's results in turn (category codes, follow-up): mostly 未发现问题, and each other kind.
FINISHED_OUTCOMES: list[tuple[tuple[str, ...], str]] = [
    (("no_problem",), FollowUp.NONE),
    (("not_disclosed",), FollowUp.RECTIFY),
    (("no_problem",), FollowUp.NONE),
    (("corrected",), FollowUp.RECTIFY),
    (("no_activity",), FollowUp.NONE),
    (("no_problem",), FollowUp.NONE),
    (("unreachable",), FollowUp.OTHER),
    (("no_problem",), FollowUp.NONE),
    (("closed",), FollowUp.NONE),
    (("no_problem",), FollowUp.NONE),
]
FINDINGS = {
    "no_problem": "经书面审查和实地核查，企业年度报告公示信息与实际情况一致，住所可以联系。",
    "not_disclosed": "企业未按规定公示股东认缴出资额及出资时间等即时信息。",
    "corrected": "年度报告中从业人数、联系电话与实际不符，现场责令当场改正，企业已完成更正公示。",
    "no_activity": "实地核查时住所正常，企业尚未开展经营活动。",
    "unreachable": "经实地核查和电话联系，通过登记的住所无法联系该企业。",
    "closed": "企业已停止经营，正在组织清算。",
    "pending": "发现部分事项待进一步核实，已记录在案。",
}
FOLLOW_UP_NOTES: dict[str, str] = {
    FollowUp.RECTIFY: "责令于10日内改正并公示，已复查",
    FollowUp.OTHER: "移送登记机关按程序列入经营异常名录",
}


@dataclass
class InspectionDemoResult:
    items: int = 0
    plan: str = ""
    tasks: dict[str, str] = field(default_factory=dict)  # public id → state label
    drawn: int = 0
    published_results: int = 0
    recorded: int = 0
    awaiting_publication: int = 0
    officer_accounts: int = 0
    bundle_sha256: str = ""


def is_loaded() -> bool:
    return InspectionItem.objects.exists() or Plan.objects.exists() or Task.objects.exists()


def demo_as_of() -> dt.date:
    """The demo's as-of date (from the ``load-demo`` marker event), never after today."""
    from gongkai.core.models import AuditEvent
    from gongkai.registry import demo

    today = timezone.localdate()
    event = (
        AuditEvent.objects.filter(
            object_type=demo.MARKER_TYPE, object_id=demo.MARKER_ID, action=demo.MARKER_ACTION
        )
        .order_by("-pk")
        .first()
    )
    try:
        as_of = dt.date.fromisoformat((event.after or {})["as_of"]) if event else today
    except (KeyError, TypeError, ValueError):
        as_of = today
    return min(as_of, today)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def _workday(day: dt.date, cal: Any, *, forward: bool = True) -> dt.date:
    step = dt.timedelta(days=1 if forward else -1)
    while not cal.is_workday(day):
        day += step
    return day


def _rng(*parts: str) -> random.Random:
    return random.Random(hashlib.sha256(":".join(("inspection-demo", *parts)).encode()).digest())


def _catalogue(actor: Any, published: dt.datetime) -> int:
    """Import the item list as the bureau would (a .csv file), then publish every draft."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "聊城市市场监督管理局随机抽查事项清单.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([header for header, _ in catalogue.ITEM_COLUMNS])
            writer.writerows(CATALOGUE)
        outcome = catalogue.import_items(actor=actor, path=path)
    if outcome.problems:
        raise ValueError("；".join(f"第{p.row}行 {p.column}：{p.message}" for p in outcome.problems))
    count = 0
    for item in InspectionItem.objects.filter(status="draft").order_by("code"):
        services.item_publish(actor=actor, item=item, now=published)
        count += 1
    return count


def _qualify_for_joint_item(actor: Any) -> None:
    """Officers of the two departments who may check the joint item (through the register's service)."""
    from gongkai.inspectors.models import Officer
    from gongkai.inspectors.records import OfficerRecord
    from gongkai.inspectors.services import officers_upsert

    records = []
    for o in Officer.objects.filter(department_id__in=[DEPARTMENT, JOINT_PARTNER]).order_by("code"):
        items = list(o.qualified_items)
        if JOINT_ITEM in items or not (
            (o.department_id == DEPARTMENT and "SCJG-SP-02" in items)
            or (o.department_id == JOINT_PARTNER and items)
        ):
            continue
        records.append(
            OfficerRecord(
                code=o.code,
                name=o.name,
                department_code=o.department_id,
                unit=o.unit,
                district_code=o.district_id,
                is_law_enforcement=o.is_law_enforcement,
                certificate_no=o.certificate_no,
                certificate_expires=o.certificate_expires,
                qualified_items=sorted([*items, JOINT_ITEM]),
                status=o.status,
            )
        )
    officers_upsert(actor=actor, records=records, note="演示数据：可参加餐饮服务单位联合抽查")


def _officer_users(actor: Any, officer_codes: set[str], result: InspectionDemoResult) -> dict[str, Any]:
    """A staff account (without a password) for each officer who records or signs, linked to them."""
    from django.contrib.auth.models import Group

    from gongkai.core import audit, roles
    from gongkai.core.models import StaffProfile
    from gongkai.inspectors.models import Officer
    from gongkai.inspectors.services import officer_link_user

    model = get_user_model()
    users = {}
    group = Group.objects.filter(name=roles.INSPECTOR).first()
    for officer in Officer.objects.filter(code__in=officer_codes).select_related("user").order_by("code"):
        if officer.user is not None:
            users[officer.code] = officer.user
            continue
        username = f"demo-{officer.code.lower()}"
        user = model.objects.filter(username=username).first()
        if user is None:
            user = model(username=username, is_staff=True, is_active=True)
            user.set_unusable_password()
            user.full_clean(exclude=["password"])
            user.save()
            if group is not None:
                user.groups.set([group])
            StaffProfile.objects.create(user=user, display_name=officer.name, unit=officer.unit)
            audit.record(
                actor=actor,
                action="core.user.create",
                obj=user,
                after={"username": username, "groups": [roles.INSPECTOR], "is_staff": True, "districts": []},
                note="演示账号：执法检查人员（无密码，不能登录）",
            )
            result.officer_accounts += 1
        officer_link_user(actor=actor, officer=officer, user=user)
        users[officer.code] = user
    return users


def _team(target: Target) -> list[str]:
    return list(target.team)


def load(*, actor: Any = ACTOR, as_of: dt.date | None = None) -> InspectionDemoResult:
    """Load the demo catalogue, plan and tasks (the caller checks the module is empty)."""
    from gongkai.core.calendar import calendar_in_force

    if is_loaded():
        raise ValueError("已有抽查事项、计划或任务：演示数据只能载入空的双随机模块")
    cal = calendar_in_force()
    today = as_of or demo_as_of()
    real_today = timezone.localdate()
    year = today.year
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[PLANNER_ACCOUNT])}
    planner = users.get(PLANNER_ACCOUNT, actor)
    result = InspectionDemoResult()

    # Timeline of the finished task, counted back from the as-of date.
    announced_on = _workday(today - dt.timedelta(days=110), cal)
    draw_on = _workday(announced_on + dt.timedelta(days=3), cal)
    items_on = _workday(announced_on - dt.timedelta(days=40), cal, forward=False)
    plan_on = _workday(announced_on - dt.timedelta(days=30), cal, forward=False)

    with transaction.atomic():
        result.items = _catalogue(actor, _at(items_on, 9, 30))
        _qualify_for_joint_item(actor)
        items = {i.code: i for i in InspectionItem.objects.filter(status="published")}
        plan = services.plan_save(
            actor=planner,
            plan=Plan(
                department_id=DEPARTMENT,
                year=year,
                name=f"聊城市市场监督管理局{year}年度“双随机、一公开”抽查工作计划",
                content="企业公示信息、登记事项、食品销售和餐饮服务、特种设备使用、计量器具等"
                "（详见随机抽查事项清单）；与卫生健康部门开展餐饮服务单位联合抽查",
                period=f"{year}年3月至12月",
                ratio="一般检查事项不低于3%；重点检查事项结合风险状况适当提高抽查比例",
                frequency="一般检查事项每年不超过2次；重点检查事项每年至少1次",
                quantity="全年计划抽查各类市场主体约3000户次",
            ),
        )
        services.plan_publish(actor=planner, plan=plan, now=_at(plan_on, 10))
        result.plan = plan.name

        finished = _finished_task(actor, planner, plan, items, cal, announced_on, draw_on, result)
        inspecting = _inspecting_task(actor, planner, plan, items, cal, today, result)
        announced = _announced_task(planner, plan, items, cal, real_today)
        draft = services.task_save(
            actor=planner,
            task=Task(
                plan=plan,
                name=f"{year}年度计量器具（集贸市场、加油站）专项抽查",
                strata_mode="none",
                ratios={"*": "5"},
                industry_divisions=["52"],
                min_count=1,
                team_size=2,
                period_start=real_today + dt.timedelta(days=30),
                period_end=real_today + dt.timedelta(days=60),
                seed_source="深圳证券交易所公布的当日深证成指收盘点位",
            ),
            items=[items["SCJG-JL-01"]],
        )
        for task in (finished, inspecting, announced, draft):
            task.refresh_from_db()
            result.tasks[task.public_id] = str(TaskState(task.state).label)
    from gongkai.inspections.public import bundle_bytes

    finished.refresh_from_db()
    result.bundle_sha256 = hashlib.sha256(bundle_bytes(finished)).hexdigest()
    return result


def _finished_task(
    actor: Any,
    planner: Any,
    plan: Plan,
    items: dict[str, InspectionItem],
    cal: Any,
    announced_on: dt.date,
    draw_on: dt.date,
    result: InspectionDemoResult,
) -> Task:
    """已完结: stratified by district, drawn with a seed entered after seed_not_before, results published."""
    start = _workday(draw_on + dt.timedelta(days=1), cal)
    task = services.task_save(
        actor=planner,
        task=Task(
            plan=plan,
            name=f"{plan.year}年度企业公示信息抽查（东昌府区、茌平区、临清市）",
            districts=["371502", "371503", "371581"],
            entity_types=["enterprise"],
            strata_mode="district",
            ratios={"371502": "0.5", "371503": "0.5", "371581": "0.5"},
            min_count=2,
            team_size=2,
            period_start=start,
            period_end=start + dt.timedelta(days=45),
            seed_source="drand 公共随机信标（quicknet）在种子最早录入时间之后的第一轮随机数",
            seed_not_before=_at(draw_on, 10),
        ),
        items=[items["SCJG-QY-01"]],
    )
    services.task_announce(actor=planner, task=task, now=_at(announced_on, 15))
    services.task_draw(
        actor=planner,
        task=task,
        seed=FINISHED_SEED,
        evidence="drand quicknet 第13218450轮随机数及其BLS签名（演示数据，非真实轮次）；摇号过程全程录像",
        now=_at(draw_on, 10, 20),
    )
    services.task_start_inspection(actor=planner, task=task, now=_at(start, 9))
    targets = list(
        task.targets.filter(role="selected").select_related("entity").order_by("stratum_index", "rank")
    )
    result.drawn += len(targets)
    officers = {code for t in targets for code in _team(t)}
    officer_users = _officer_users(actor, officers, result)
    categories = {c.code: c for c in ResultCategory.objects.all()}
    item = items["SCJG-QY-01"]
    last = start
    for n, target in enumerate(targets):
        codes, follow_up = FINISHED_OUTCOMES[n % len(FINISHED_OUTCOMES)]
        inspected = _workday(start + dt.timedelta(days=2 + n * 2), cal)
        signed = _workday(inspected + dt.timedelta(days=1), cal)
        published = _workday(signed + dt.timedelta(days=5), cal)
        team = _team(target)
        services.record_save(
            actor=officer_users[team[0]],
            target=target,
            item=item,
            categories=[categories[c] for c in codes],
            findings=FINDINGS[codes[0]],
            follow_up=follow_up,
            follow_up_note=FOLLOW_UP_NOTES.get(follow_up, ""),
            follow_up_done_on=_workday(inspected + dt.timedelta(days=12), cal)
            if follow_up != FollowUp.NONE
            else None,
            inspected_on=inspected,
        )
        for i, code in enumerate(team):
            services.target_sign(actor=officer_users[code], target=target, now=_at(signed, 16, 10 * i))
        services.target_publish(actor=planner, target=target, now=_at(published, 10))
        result.published_results += 1
        last = max(last, published)
    closed = _workday(last + dt.timedelta(days=20), cal)
    return services.task_close(actor=planner, task=task, now=_at(closed, 11))


def _inspecting_task(
    actor: Any,
    planner: Any,
    plan: Plan,
    items: dict[str, InspectionItem],
    cal: Any,
    today: dt.date,
    result: InspectionDemoResult,
) -> Task:
    """检查中: stratified by credit-risk class (internal), some results recorded, some signed."""
    announced_on = _workday(today - dt.timedelta(days=16), cal)
    draw_on = _workday(announced_on + dt.timedelta(days=3), cal)
    start = _workday(draw_on + dt.timedelta(days=1), cal)
    task = services.task_save(
        actor=planner,
        task=Task(
            plan=plan,
            name=f"{plan.year}年度特种设备使用单位“双随机”监督检查",
            entity_types=["enterprise"],
            industry_sections=["C"],
            strata_mode="risk",
            ratios={"A": "0.5", "B": "1", "C": "3", "D": "10", "_": "1"},
            min_count=1,
            team_size=2,
            period_start=start,
            period_end=start + dt.timedelta(days=60),
            seed_source="drand 公共随机信标（quicknet）在种子最早录入时间之后的第一轮随机数",
            seed_not_before=_at(draw_on, 10),
        ),
        items=[items["SCJG-TS-01"]],
    )
    services.task_announce(actor=planner, task=task, now=_at(announced_on, 16))
    services.task_draw(
        actor=planner,
        task=task,
        seed=INSPECTING_SEED,
        evidence="drand quicknet 第13712960轮随机数及其BLS签名（演示数据，非真实轮次）",
        now=_at(draw_on, 10, 15),
    )
    services.task_start_inspection(actor=planner, task=task, now=_at(start, 9))
    targets = list(task.targets.filter(role="selected").order_by("entity_id"))
    result.drawn += len(targets)
    # About half (at most six) are inspected, the first ones by credit code; every other one is signed.
    inspected_targets = targets[: max(1, min(6, len(targets) // 2))]
    signed_targets = inspected_targets[::2]
    officer_users = _officer_users(actor, {c for t in inspected_targets for c in _team(t)}, result)
    categories = {c.code: c for c in ResultCategory.objects.all()}
    item = items["SCJG-TS-01"]
    latest = _workday(today - dt.timedelta(days=1), cal, forward=False)
    for n, target in enumerate(inspected_targets):
        rnd = _rng(task.public_id, target.entity_id)
        inspected = min(_workday(start + dt.timedelta(days=1 + n), cal), latest)
        problem = rnd.random() < 0.3
        team = _team(target)
        services.record_save(
            actor=officer_users[team[0]],
            target=target,
            item=item,
            categories=[categories["pending" if problem else "no_problem"]],
            findings="电梯维护保养记录不全，1台叉车未按期检验，已下达特种设备安全监察指令书。"
            if problem
            else "特种设备均已办理使用登记并在检验有效期内，安全管理人员和作业人员持证上岗。",
            follow_up=FollowUp.RECTIFY if problem else FollowUp.NONE,
            follow_up_note="责令15日内整改，届时复查" if problem else "",
            inspected_on=inspected,
        )
        result.recorded += 1
        if target in signed_targets:
            for i, code in enumerate(team):
                services.target_sign(actor=officer_users[code], target=target, now=_at(inspected, 17, 10 * i))
            result.awaiting_publication += 1
    _link_demo_inspector(actor, [t for t in targets if t not in inspected_targets] or targets)
    return task


def _link_demo_inspector(actor: Any, targets: list[Target]) -> None:
    """Give ``demo-inspector`` the login of an officer with targets to inspect (我的检查任务)."""
    from gongkai.inspectors.models import Officer
    from gongkai.inspectors.services import officer_link_user

    user = get_user_model().objects.filter(username=INSPECTOR_ACCOUNT).first()
    if user is None or Officer.objects.filter(user=user).exists():
        return
    for target in targets:
        for code in _team(target):
            officer = Officer.objects.get(pk=code)
            if officer.user_id is None:
                officer_link_user(actor=actor, officer=officer, user=user)
                return


def _announced_task(
    planner: Any, plan: Plan, items: dict[str, InspectionItem], cal: Any, real_today: dt.date
) -> Task:
    """已公告: a joint task with 卫生健康, waiting for its seed (the announcement is today)."""
    seed_day = _workday(real_today + dt.timedelta(days=3), cal)
    start = _workday(seed_day + dt.timedelta(days=1), cal)
    task = services.task_save(
        actor=planner,
        task=Task(
            plan=plan,
            name=f"{plan.year}年度餐饮服务单位食品安全和公共场所卫生联合抽查",
            is_joint=True,
            required_departments=[DEPARTMENT, JOINT_PARTNER],
            industry_divisions=["62"],
            strata_mode="none",
            ratios={"*": "3"},
            min_count=2,
            team_size=2,
            period_start=start,
            period_end=start + dt.timedelta(days=30),
            seed_source="drand 公共随机信标（quicknet）在种子最早录入时间之后的第一轮随机数",
            seed_not_before=_at(seed_day, 10),
        ),
        items=[items[JOINT_ITEM]],
    )
    return services.task_announce(actor=planner, task=task)
