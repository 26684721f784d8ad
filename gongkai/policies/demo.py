"""The demo city's support policies: department facts, talents, eight policies, one nightly match.

Runs after ``gongkai load-demo`` (it needs the demo city's entities). Deterministic: each entity's
facts come from a generator seeded with its credit code, so the same city gives the same facts in
any order. Department facts go in the way real ones do — as .csv files through
:func:`gongkai.policies.importing.import_facts` — and the policies through the services (written by
one demo officer, approved by another), so the demo exercises the real paths and its audit log reads
like a real one.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import random
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from gongkai.policies import importing, matching, services
from gongkai.policies.models import Person, Policy
from gongkai.registry.choices import EntityStatus, EntityType
from gongkai.registry.models import Entity

ACTOR = "gongkai load-policy-demo"
DATA = Path(__file__).with_name("data")
DISTRICT_CODES = ("371502", "371503", "371521", "371522", "371524", "371525", "371526", "371581")

# Policy code → delivery settings (what the rule file does not say).
SETTINGS: dict[str, dict[str, Any]] = {
    "zjtx-little-giant-award": {"stacking_group": "专精特新认定奖励", "department": "聊城市工业和信息化局"},
    "zjtx-provincial-award": {"stacking_group": "专精特新认定奖励", "department": "聊城市工业和信息化局"},
    "hightech-recognition-award": {"period_kind": "year", "department": "聊城市科学技术局"},
    "rd-expense-subsidy": {
        "period_kind": "year",
        "budget_per_period": 20_000_000,
        "department": "聊城市科学技术局",
    },
    "sme-employment-subsidy": {
        "period_kind": "year",
        "requires_publicity": True,
        "department": "聊城市人力资源和社会保障局",
    },
    "talent-arrival-allowance": {"period_kind": "year", "department": "中共聊城市委人才工作领导小组办公室"},
    "talent-gold-card": {"benefit_kind": "service", "service_items": "医疗保健、子女入学、住房保障"},
    "mayor-quality-award": {"department": "聊城市市场监督管理局"},
}

# username, role (gongkai.core.roles), display name
# The demo staff of the policy roles (their accounts are listed with the others in registry.demo).
DEMO_USERS = ["demo-policy", "demo-policy-review", "demo-talent-service"]


@dataclass
class PolicyDemoResult:
    imports: list[str] = field(default_factory=list)
    persons: int = 0
    policies: int = 0
    eligible: int = 0
    cases: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


def _rng(key: str, salt: str) -> random.Random:
    return random.Random(hashlib.sha256(f"{salt}:{key}".encode()).digest())


def entity_facts(code: str) -> dict[str, dict[str, Any]]:
    """One enterprise's department facts, by department (empty dict: that department has no row)."""
    r = _rng(code, "facts")
    out: dict[str, dict[str, Any]] = {}
    scale = r.choices(["微型", "小型", "中型", "大型"], [0.62, 0.28, 0.08, 0.02])[0]
    employees = {
        "微型": r.randint(1, 9),
        "小型": r.randint(10, 99),
        "中型": r.randint(100, 999),
        "大型": r.randint(1000, 5000),
    }[scale]
    if r.random() < 0.85:
        out["统计"] = {"企业规模": scale}
    if r.random() < 0.8:
        out["人社/社保"] = {"从业人员": employees, "本地社保缴纳（个月）": r.choice([3, 6, 9, 12, 24, 36])}
    if r.random() < 0.75:
        revenue = employees * r.randint(200_000, 1_500_000)
        ratio = r.choices([r.randint(0, 199), r.randint(200, 499), r.randint(500, 1200)], [0.6, 0.25, 0.15])[
            0
        ]
        tax = {
            "上年度营业收入（元）": revenue,
            "上年度纳税额（元）": revenue * r.randint(2, 8) // 100,
            "上年度研发费用（元）": revenue * ratio // 10000,
            "上年度研发费用占营业收入比例": f"{ratio / 100:.2f}%",
        }
        if r.random() < 0.9:  # some ratings not yet shared: those firms are asked (快申快享)
            tax["纳税信用等级"] = r.choices(["A", "B", "M", "C", "D"], [0.3, 0.45, 0.15, 0.07, 0.03])[0]
        out["税务"] = tax
    recognitions = []
    roll = r.random()
    if roll < 0.003:
        recognitions = ["国家级专精特新小巨人", "高新技术企业"]
    elif roll < 0.023:
        recognitions = ["省级专精特新中小企业"]
    if r.random() < 0.03:
        recognitions.append("高新技术企业")
    if r.random() < 0.06:
        recognitions.append("科技型中小企业")
    if recognitions:  # the lists name only the recognised; everyone else is "not listed"
        out["工信/科技认定名单"] = {"资质认定": "、".join(sorted(set(recognitions)))}
    if r.random() < 0.005:
        out["信用监管"] = {"列入严重违法失信名单": "是"}
    return out


def _write(
    path: Path, key_header: str, rows: list[tuple[str, dict[str, Any]]], headers: list[str] | None = None
) -> None:
    headers = list(headers or [])
    for _, values in rows:
        for h in values:
            if h not in headers:
                headers.append(h)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([key_header, *headers])
        for key, values in rows:
            writer.writerow([key, *(values.get(h, "") for h in headers)])


DEPARTMENT_FILES = [
    # (department in the file, source recorded, as-of date, a complete list)
    ("税务", "税务", dt.date(2026, 5, 31), False),
    ("人社/社保", "人社/社保", dt.date(2026, 10, 31), False),
    ("统计", "统计", dt.date(2026, 3, 31), False),
    ("工信/科技认定名单", "工信", dt.date(2026, 9, 30), True),
    ("信用监管", "信用监管", dt.date(2026, 11, 20), True),
]


def _demo_users() -> dict[str, Any]:
    """The policy roles' demo accounts: ``load-demo`` creates them with the others; a database
    loaded before they existed gets them here, with the same role, profile and demo password."""
    from django.contrib.auth.models import Group

    from gongkai.core import roles
    from gongkai.core.models import StaffProfile
    from gongkai.registry.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    roles.sync_roles()
    model = get_user_model()
    for username, role, display, unit, _district in DEMO_ACCOUNTS:
        if username not in DEMO_USERS:
            continue
        user, created = model.objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            StaffProfile.objects.get_or_create(user=user, defaults={"display_name": display, "unit": unit})
            user.groups.set([Group.objects.get(name=role)])
    return {u.username: u for u in model.objects.filter(username__in=DEMO_USERS)}


def _talents(enterprises: list[str], count: int) -> list[Person]:
    from gongkai.penalties.redaction import id_check_character
    from gongkai.registry import demo as city

    persons = []
    for n in range(count):
        r = random.Random(f"talent:{n}")
        born = dt.date(1972, 1, 1) + dt.timedelta(days=r.randint(0, 29 * 365))
        body = f"{r.choice(DISTRICT_CODES)}{born:%Y%m%d}{n % 1000:03d}"
        number = body + id_check_character(body)
        female = int(body[16]) % 2 == 0
        name = r.choice(city.SURNAMES) + "".join(
            r.choice(city.GIVEN_FEMALE if female else city.GIVEN_MALE) for _ in range(r.choice([1, 2]))
        )
        level = r.choices(["A类", "B类", "C类", "D类", ""], [0.02, 0.05, 0.15, 0.3, 0.48])[0]
        employer = Entity.objects.get(pk=enterprises[r.randrange(len(enterprises))]) if enterprises else None
        persons.append(
            services.person_save(
                actor=ACTOR,
                id_number=number,
                values={
                    "name": name,
                    "employer": employer,
                    "education": r.choices(["本科", "硕士研究生", "博士研究生"], [0.4, 0.4, 0.2])[0],
                    "talent_level": level,
                    "talent_programmes": ["泰山产业领军人才"] if level == "A类" else [],
                    "professional_title": r.choice(["", "工程师", "高级工程师", "正高级工程师"]),
                    "arrival_date": dt.date(2018, 1, 1) + dt.timedelta(days=r.randint(0, 8 * 365)),
                    "email": f"talent{n:04d}@example.com",
                },
            )
        )
    return persons


DEMO_ACCOUNTS = [("demo-firm@example.com", "entity"), ("demo-talent@example.com", "person")]


def _demo_accounts() -> list[tuple[str, str, str]]:
    """A firm and a talent with something to confirm, each with a login (the demo password)."""
    from gongkai.policies import accounts
    from gongkai.policies.models import Case
    from gongkai.registry.demo import DEMO_PASSWORD

    made = []
    for email, kind in DEMO_ACCOUNTS:
        case = (
            Case.objects.filter(state="notified", beneficiary__kind=kind, amount__isnull=False)
            .select_related("beneficiary")
            .order_by("-amount", "beneficiary__key")
            .first()
        )
        if case is None:
            continue
        _, token = accounts.invitation_create(
            actor=ACTOR, beneficiary=case.beneficiary, email=email, send=False
        )
        accounts.invitation_accept(token=token, password=DEMO_PASSWORD)
        made.append((email, DEMO_PASSWORD, str(case.beneficiary)))
    return made


def load(
    *, on: dt.date | None = None, talents: int = 300, progress: Callable[[str], None] | None = None
) -> PolicyDemoResult:
    """Load the demo's facts, talents and policies, then match once (the nightly run)."""
    say = progress or (lambda message: None)
    if Policy.objects.exists():
        raise ValueError("数据库中已有政策：演示政策只能载入一次")
    result = PolicyDemoResult()
    enterprises = list(
        Entity.objects.filter(entity_type=EntityType.ENTERPRISE, status=EntityStatus.ACTIVE)
        .order_by("credit_code")
        .values_list("credit_code", flat=True)
    )
    users = _demo_users()
    with tempfile.TemporaryDirectory() as tmp:
        per_department: dict[str, list[tuple[str, dict[str, Any]]]] = {d: [] for d, *_ in DEPARTMENT_FILES}
        for code in enterprises:
            for department, values in entity_facts(code).items():
                per_department[department].append((code, values))
        headers = {"工信/科技认定名单": ["资质认定"], "信用监管": ["列入严重违法失信名单"]}
        for department, source, as_of, complete in DEPARTMENT_FILES:
            path = Path(tmp) / f"{source.replace('/', '-')}-{as_of:%Y%m%d}.csv"
            _write(path, importing.ENTITY_KEY, per_department[department], headers.get(department))
            out = importing.import_facts(
                path,
                actor=ACTOR,
                as_of=as_of,
                source=source,
                rematch=False,
                report_dir=Path(tmp),
                complete=complete,
            )
            result.imports.append(f"{path.name}：{out.result.updated}个主体")
            say(f"导入 {path.name}：{out.result.updated} 个主体")
        with transaction.atomic():
            persons = _talents(enterprises, talents)
        result.persons = len(persons)
        rows = []
        for n, person in enumerate(persons):
            r = random.Random(f"talent-si:{n}")
            if r.random() < 0.9:
                rows.append((person.id_number, {"本地社保缴纳（个月）": r.choice([2, 6, 12, 24, 48])}))
        path = Path(tmp) / "人社-人才社保-20261031.csv"
        _write(path, importing.PERSON_KEY, rows)
        importing.import_facts(
            path,
            actor=ACTOR,
            as_of=dt.date(2026, 10, 31),
            source="人社/社保",
            rematch=False,
            report_dir=Path(tmp),
        )
        say(f"登记人才 {len(persons)} 人")
    author, reviewer = users["demo-policy"], users["demo-policy-review"]
    for path in sorted(DATA.glob("demo-*.yaml")):
        version = services.version_save(actor=author, text=path.read_text(encoding="utf-8"))
        values = dict(SETTINGS.get(version.policy.code, {}))
        if values.get("benefit_kind") == "service":
            values["service_officer"] = users["demo-talent-service"]
        services.policy_settings_save(actor=author, policy=version.policy, values=values)
        services.version_submit(actor=author, version=version)
        services.version_approve(actor=reviewer, version=version, on=on)
        result.policies += 1
        say(f"发布政策 {version.policy.code}")
    outcome = matching.match_run(actor=ACTOR, on=on, note="演示数据：夜间比对")
    from gongkai.policies.models import Case, Determination

    result.eligible = Determination.objects.filter(current=True, status="eligible").count()
    result.cases = Case.objects.count()
    result.accounts = _demo_accounts()
    say(f"比对：{outcome.run.beneficiaries} 个对象，符合 {result.eligible} 项，兑现事项 {result.cases} 项")
    return result
