"""Demo data for 互动交流: a year of messages and 依申请公开 requests, and last year's annual report.

Everything goes through the services (so the audit log and the letters are real), on dates in the
past computed from ``today``, with a seeded generator: the same seed gives the same cases.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from gongkai.core.calendar import calendar_in_force
from gongkai.inspectors.models import Department
from gongkai.interaction import annual, selectors, services
from gongkai.interaction.models import InfoRequest, Message

QUESTIONS = [
    (
        "consult",
        "个体工商户办理营业执照需要哪些材料",
        "请问在东昌府区开一家小餐馆，办理个体工商户营业执照需要准备哪些材料？可以网上办理吗？",
    ),
    (
        "consult",
        "企业年报逾期未报怎么补报",
        "我公司去年的年度报告忘记报送了，现在被列入经营异常名录，怎样补报并申请移出？",
    ),
    (
        "consult",
        "一照多址如何办理",
        "我们公司想在临清市再开一个经营场所，能否不办分支机构，在营业执照上加注地址？",
    ),
    ("complaint", "超市销售过期食品", "在某超市购买的酸奶已经过期三天，要求商家退款被拒绝，请核查处理。"),
    ("complaint", "电梯长期无人维保", "小区3号楼电梯经常停运，物业说维保单位不来，存在安全隐患，请监管。"),
    ("complaint", "加油站计量不准", "在某加油站加油，加油机显示的升数与实际明显不符，怀疑计量作弊。"),
    (
        "suggestion",
        "建议延长窗口办事时间",
        "建议政务服务大厅市场监管窗口周六上午也能办理登记业务，方便上班族。",
    ),
    ("suggestion", "建议公开食品抽检结果", "建议把每月的食品安全抽检结果按区县汇总公开，方便群众查看。"),
]
REPLY = "您好！您反映的问题已收悉。经核实，{detail}感谢您对市场监管工作的关心和支持。"
DETAILS = [
    "所需材料包括经营者身份证明、经营场所使用证明，可通过山东省市场主体登记全程电子化平台办理。",
    "请登录国家企业信用信息公示系统补报年度报告，补报后可申请移出经营异常名录。",
    "已安排执法人员现场检查，对违法行为依法立案调查，处理结果将及时告知您。",
    "您的建议已转相关科室研究，我们将结合工作实际改进。",
]
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴刚", ""]
REQUESTS = [
    ("person", "2023年度聊城市食品安全抽检计划"),
    ("business", "我公司被列入经营异常名录的决定书及依据"),
    ("legal", "某超市行政处罚案件的处罚决定书"),
    ("person", "东昌府区农贸市场电子秤检定记录"),
    ("research", "近三年全市新登记企业数量统计"),
    ("nonprofit", "消费者投诉举报处理情况年度汇总"),
    ("other", "特种设备安全监察年度工作总结"),
]
OUTCOMES = ["disclosed", "disclosed", "already_public", "partial", "not_exist", "not_this_agency",
            "refused_process", "special_law", "repeat"]  # fmt: skip


@dataclass
class DemoResult:
    messages: int = 0
    requests: int = 0
    reports: list[int] | None = None


def _workday(cal, day: dt.date) -> dt.date:
    while not cal.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 17))


def demo_interaction_load(
    *,
    actor: Any = "demo",
    today: dt.date | None = None,
    seed: int = 20261125,
    messages: int = 160,
    requests: int = 60,
) -> DemoResult:
    """Load the demo cases (the caller checks the tables are empty)."""
    rnd = random.Random(seed)
    today = today or timezone.localdate()
    cal = calendar_in_force()
    staff = get_user_model().objects.filter(username="demo-messages").first() or actor
    departments = list(Department.objects.all())
    scjg = Department.objects.get(pk="SCJG")
    result = DemoResult()
    start = today - dt.timedelta(days=400)
    for i in range(messages):
        received = _workday(cal, start + dt.timedelta(days=int(rnd.random() * 395)))
        if received > today:
            continue
        category, subject, body = QUESTIONS[i % len(QUESTIONS)]
        message = services.message_submit(
            address=f"192.0.2.{i % 250}",
            category=category,
            subject=subject,
            body=body + f"（{i + 1}）",
            contact=f"1390635{i:04d}",
            name=NAMES[i % len(NAMES)],
            consent_publish=rnd.random() < 0.7,
            now=_at(received, 9 + i % 8),
        )
        result.messages += 1
        age = cal.working_days_between(received, today)
        if age < 2 and rnd.random() < 0.8:
            continue  # still 待分办
        services.message_route(
            actor=staff,
            message=message,
            department=scjg if rnd.random() < 0.85 else departments[i % len(departments)],
        )
        if age < 4 and rnd.random() < 0.5:
            continue
        if rnd.random() < 0.04:
            continue  # a forgotten one: overdue on the dashboard
        used = min(age, 1 + int(rnd.random() ** 2 * 9))
        replied_on = cal.add_working_days(received, used)
        message = services.message_reply(
            actor=staff,
            message=message,
            text=REPLY.format(detail=DETAILS[i % len(DETAILS)]),
            now=_at(replied_on, 15),
        )
        if rnd.random() < 0.6:
            services.message_rate(
                message=message, rating=3 if rnd.random() < 0.8 else 2 if rnd.random() < 0.7 else 1
            )
        if message.consent_publish and rnd.random() < 0.8:
            services.message_publish(actor=staff, message=message, **services.suggested_public_texts(message))
        if rnd.random() < 0.7:
            services.message_close(actor=staff, message=message)
    head = get_user_model().objects.filter(username="demo-messages").first()
    for i in range(requests):
        received = _workday(cal, start + dt.timedelta(days=int(rnd.random() * 395)))
        if received > today:
            continue
        kind, description = REQUESTS[i % len(REQUESTS)]
        data = {
            "applicant_type": kind,
            "applicant_name": f"申请人{i + 1:02d}" if kind == "person" else f"聊城某某单位{i + 1:02d}",
            "phone": f"1356350{i:04d}",
            "description": description,
            "desired_form": "电子邮件",
            "email": f"applicant{i}@example.com",
        }
        if kind == "person":
            data["id_document"] = f"居民身份证 3715021990010{i:05d}"
        else:
            data["org_code"] = f"91371500MA3{i:07d}"
        channel = "online" if rnd.random() < 0.6 else "in_person"
        request = services.request_receive(actor=actor, data=data, channel=channel, submitted_on=received)
        result.requests += 1
        try:
            _run_request(rnd, cal, request, today, head or actor)
        except ValidationError:
            continue
    last_year = today.year - 1
    report = annual.report_save(
        actor=actor,
        year=last_year,
        values={
            "overview": f"{last_year}年，本局认真贯彻《中华人民共和国政府信息公开条例》，依法做好主动公开和依申请公开工作，"
            "政府信息公开平台运行平稳，留言和申请均在法定期限内办理。",
            "problems": "个别答复书说理不够充分。改进措施：规范答复书模板，加强对承办人员的培训。",
            "review_litigation": {"review": {"upheld": 1}},
        },
    )
    result.reports = []
    try:
        annual.report_publish(actor=actor, report=report)
        result.reports.append(last_year)
    except ValidationError:
        pass
    return result


def _run_request(rnd: random.Random, cal, request: InfoRequest, today: dt.date, head) -> None:
    received = request.received_on
    horizon = cal.working_days_between(received, today)
    if horizon < 3:
        return
    day = received
    if rnd.random() < 0.15:
        day = cal.add_working_days(received, 3)
        services.request_correction(
            actor=head, request=request, on=day, items="请写明所需信息的文号或形成时间。"
        )
        back = cal.add_working_days(day, 5)
        if back > today:
            return
        if rnd.random() < 0.2:
            lapse = cal.add_working_days(day, 16)
            if lapse <= today:
                services.request_correction_lapse(actor=head, request=request, on=lapse)
            return
        services.request_correction_received(actor=head, request=request, on=back)
        day = back
    if rnd.random() < 0.1:
        day = cal.add_working_days(day, 2)
        if day > today:
            return
        services.request_consult(actor=head, request=request, on=day, third_party="聊城某某食品有限公司")
        end = cal.add_working_days(day, 10)
        if end > today:
            return
        services.request_consult_end(actor=head, request=request, on=end, note="第三方同意公开")
        day = end
    clock = services.request_clock(request)
    can_approve = not isinstance(head, str) and head.has_perm("interaction.approve_extension")
    if can_approve and rnd.random() < 0.08 and clock.reply_due and clock.reply_due > day:
        on = min(today, clock.reply_due - dt.timedelta(days=3))
        if on >= day:
            services.request_extend(
                actor=head, request=request, on=on, reason="需要调取多年档案", approver=head
            )
            day = on
    answer = cal.add_working_days(day, 1 + int(rnd.random() * 12))
    if answer > today:
        return
    outcome = OUTCOMES[request.pk % len(OUTCOMES)]
    services.request_answer(
        actor=head,
        request=request,
        on=answer,
        outcome=outcome,
        summary="经检索，现将相关信息以电子邮件方式提供给您。"
        if outcome in ("disclosed", "partial")
        else "详见答复依据。",
        other_agency="聊城市统计局" if outcome == "not_this_agency" else "",
    )


def is_loaded() -> bool:
    return Message.objects.exists() or InfoRequest.objects.exists()


def summary() -> str:
    open_rows = selectors.open_messages_with_deadlines()
    return f"{Message.objects.count()} 条留言（{len(open_rows)} 条未办结），{InfoRequest.objects.count()} 件依申请公开"
