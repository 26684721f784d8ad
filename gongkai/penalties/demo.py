"""Demo content of 行政处罚信息公示 for the demo city (``gongkai load-penalty-demo``).

Runs after ``gongkai load-demo``. About thirty decisions on the demo city's entities and two natural
persons, each with a full text holding personal data (ID numbers with valid check digits, phone
numbers, the home address of the 法定代表人 or 经营者) that the detector finds or the reviewer marks.
Every step goes through :mod:`gongkai.penalties.services`: entered and submitted by ``demo-case``
(案件承办人), reviewed, approved and published by ``demo-reviewer`` (信息公开审核员). Steps in the
past are dated with ``now=`` (the services refuse a time in the future).

The mix: most decisions in display; some never published (简易程序, warning only — the staff screen
says why); one withdrawn; one ended early by credit repair; one past its display period (the run ends
with the daily ``expire-penalties`` job, which records it 已届满); some awaiting review or publication,
so the staff dashboard shows due, due-soon and overdue items. Decision dates are offsets from the
demo's as-of date, so the display periods make sense on the day the demo is loaded. Deterministic:
the same city gives the same decisions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from gongkai.penalties import redaction, services
from gongkai.penalties.choices import PartyKind, Procedure, State, WithdrawalGround
from gongkai.penalties.models import Decision
from gongkai.registry.choices import EntityStatus, EntityType
from gongkai.registry.models import Entity

ACTOR = "gongkai load-penalty-demo"
CASE_ACCOUNT = "demo-case"
REVIEWER_ACCOUNT = "demo-reviewer"
AUTHORITY = "聊城市市场监督管理局"
BUREAU_PHONE = "0635-8271234"  # the bureau's own number: the reviewer keeps it visible
# 《中华人民共和国反不正当竞争法》 was revised with effect from 2025-10-15 (new article numbers).
AUCL_REVISED = dt.date(2025, 10, 15)


@dataclass(frozen=True)
class Template:
    category: str
    violation_type: str
    divisions: tuple[str, ...]  # industry divisions of the party; empty: a natural person
    facts: str
    violated: str
    basis: str  # the 处罚依据 field and the text
    decided: str  # the 决定 part after the fine (没收…), may be empty


TEMPLATES: dict[str, Template] = {
    "food_expired": Template(
        "food",
        "经营超过保质期的食品",
        ("52",),
        "本局执法人员对当事人经营场所进行检查，在货架上发现标称“某某牌”酸牛奶12盒、散装饼干2.5千克已超过保质期，"
        "货值金额共计183.60元，尚未售出。当事人未按规定定期检查库存食品。",
        "《中华人民共和国食品安全法》第三十四条第（十）项、第五十四条第一款",
        "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        "没收超过保质期的食品",
    ),
    "food_unlicensed": Template(
        "food",
        "未取得食品经营许可从事食品经营活动",
        ("62", "52"),
        "经查，当事人在未取得食品经营许可证的情况下，自开业起从事热食类食品制售，违法经营额8,650元，违法所得2,100元。",
        "《中华人民共和国食品安全法》第三十五条第一款",
        "《中华人民共和国食品安全法》第一百二十二条第一款",
        "没收违法所得",
    ),
    "food_health_cert": Template(
        "food",
        "安排未取得健康证明的人员从事接触直接入口食品的工作",
        ("62",),
        "本局执法人员检查发现，当事人安排2名未取得健康证明的人员在后厨从事接触直接入口食品的工作，经责令改正后逾期仍未改正。",
        "《中华人民共和国食品安全法》第四十五条第一款",
        "《中华人民共和国食品安全法》第一百二十六条第一款第（六）项",
        "",
    ),
    "food_producer_raw": Template(
        "food",
        "食品生产者未按规定对采购的食品原料进行检验",
        ("13", "14"),
        "经查，当事人采购小麦粉、食用植物油等食品原料时未查验供货者的许可证和产品合格证明，也未按照食品安全标准进行检验，"
        "经责令改正后拒不改正。",
        "《中华人民共和国食品安全法》第五十条第一款",
        "《中华人民共和国食品安全法》第一百二十六条第一款第（一）项",
        "",
    ),
    "product_quality_sale": Template(
        "product_quality",
        "销售不合格产品",
        ("52", "51"),
        "经监督抽查，当事人销售的电热水壶经检验“泄漏电流和电气强度”项目不合格。当事人共购进该产品48台，已售出36台，"
        "违法销售产品货值金额4,320元，违法所得720元。",
        "《中华人民共和国产品质量法》第三十九条",
        "《中华人民共和国产品质量法》第五十条",
        "没收违法销售的产品和违法所得",
    ),
    "product_quality_produce": Template(
        "product_quality",
        "生产不符合保障人身、财产安全的国家标准的产品",
        ("33", "34", "38", "29", "35"),
        "经监督抽查，当事人生产的产品经检验不符合强制性国家标准，涉案产品货值金额68,400元，违法所得9,600元。",
        "《中华人民共和国产品质量法》第十三条第一款",
        "《中华人民共和国产品质量法》第四十九条",
        "没收违法生产的产品和违法所得",
    ),
    "advertising_superlative": Template(
        "advertising",
        "在广告中使用“国家级”“最高级”“最佳”等用语",
        ("72", "52", "65"),
        "经查，当事人在其微信公众号发布的商品广告中使用“全市最佳”“顶级品质”等用语，广告费用无法计算。",
        "《中华人民共和国广告法》第九条第（三）项",
        "《中华人民共和国广告法》第五十七条第（一）项、《中华人民共和国行政处罚法》第三十二条第（一）项",
        "",
    ),
    "aucl_false_promo": Template(
        "competition",
        "对商品的性能、功能作虚假的商业宣传",
        ("51", "52", "65", "75"),
        "经查，当事人在其网店商品详情页宣称所售净水器“除菌率100%”“获国家专利”，无法提供证明材料，相关宣传内容与实际情况不符。",
        "《中华人民共和国反不正当竞争法》第八条第一款",
        "《中华人民共和国反不正当竞争法》第二十条第一款",
        "",
    ),
    "metrology_unverified": Template(
        "metrology",
        "使用未经检定的强制检定计量器具",
        ("52",),
        "本局执法人员检查发现，当事人用于贸易结算的2台电子计价秤未按规定申请周期检定。",
        "《中华人民共和国计量法》第九条第一款",
        "《中华人民共和国计量法实施细则》第四十三条",
        "责令停止使用未经检定的电子计价秤",
    ),
    "price_tag": Template(
        "price",
        "不按规定明码标价",
        ("52", "62", "80"),
        "本局执法人员检查发现，当事人经营场所内部分商品未标示价格，服务项目价目表未公示。",
        "《中华人民共和国价格法》第十三条第一款",
        "《中华人民共和国价格法》第四十二条、《明码标价和禁止价格欺诈规定》第二十一条",
        "",
    ),
    "special_equipment_inspection": Template(
        "special_equipment",
        "使用未经定期检验的特种设备",
        ("13", "17", "22", "29", "30", "33", "34", "35"),
        "本局执法人员检查发现，当事人使用的1台叉车、1台桥式起重机检验有效期届满后未申请定期检验，仍在使用。",
        "《中华人民共和国特种设备安全法》第四十条第三款",
        "《中华人民共和国特种设备安全法》第八十四条第（一）项",
        "责令停止使用未经定期检验的特种设备",
    ),
    "special_equipment_operator": Template(
        "special_equipment",
        "特种设备作业人员未取得相应资格",
        ("13", "17", "29", "33", "34", "35"),
        "本局执法人员检查发现，当事人安排未取得特种设备安全管理和作业人员证的人员操作叉车，经责令限期改正，逾期未改正。",
        "《中华人民共和国特种设备安全法》第十四条",
        "《中华人民共和国特种设备安全法》第八十六条第（一）项",
        "",
    ),
    "ecommerce_display": Template(
        "online",
        "电子商务经营者未在首页显著位置公示营业执照信息",
        ("52", "65"),
        "经网络交易监测发现，当事人在第三方平台开设的网店首页未公示营业执照信息，经责令限期改正，逾期未改正。",
        "《中华人民共和国电子商务法》第十五条第一款",
        "《中华人民共和国电子商务法》第七十六条第一款第（一）项",
        "",
    ),
    "trademark_person": Template(
        "trademark",
        "销售侵犯注册商标专用权的商品",
        (),
        "本局执法人员在当事人摊位发现标有“某某”注册商标的运动鞋86双、运动服42件，经商标注册人鉴定均为侵权商品，"
        "违法经营额11,280元。",
        "《中华人民共和国商标法》第五十七条第（三）项",
        "《中华人民共和国商标法》第六十条第二款",
        "没收、销毁侵权商品",
    ),
    "unlicensed_person": Template(
        "registration",
        "未经设立登记从事经营活动",
        (),
        "经查，当事人未经设立登记，在居住地从事服装批发经营，经本局责令改正后拒不改正，违法所得3,600元。",
        "《中华人民共和国市场主体登记管理条例》第三条第一款",
        "《中华人民共和国市场主体登记管理条例》第四十三条",
        "没收违法所得",
    ),
}
AUCL_AFTER_REVISION = "advertising_superlative"


@dataclass(frozen=True)
class Spec:
    template: str
    days_ago: int  # decision date: days before the as-of date (working days for the awaiting ones)
    fate: str  # display, expired, repair, withdrawn, simple, warning, submitted, approved, draft
    severity: str = "general"
    fine: int | None = None
    warning: bool = False
    gains: int | None = None
    procedure: str = Procedure.ORDINARY


SPECS: list[Spec] = [
    Spec("aucl_false_promo", 480, "display", "", 200000),
    Spec("food_unlicensed", 420, "display", "", 50000, gains=2100),
    Spec("food_expired", 330, "display", "general", 50000),
    Spec("ecommerce_display", 315, "display", "general", 3000),
    Spec("food_expired", 300, "expired", "minor", 3000),
    Spec("special_equipment_operator", 290, "display", "general", 10000),
    Spec("price_tag", 270, "display", "general", 2000),
    Spec("product_quality_produce", 250, "display", "serious", 120000, gains=9600),
    Spec("special_equipment_inspection", 240, "repair", "general", 30000),
    Spec("advertising_superlative", 230, "display", "general", 30000),
    Spec("food_producer_raw", 210, "display", "general", 5000),
    Spec("trademark_person", 190, "display", "general", 12000),
    Spec("metrology_unverified", 170, "display", "general", 800),
    Spec("food_unlicensed", 150, "display", "serious", 50000, gains=2100),
    Spec("food_expired", 130, "display", "general", 50000),
    Spec("special_equipment_inspection", 110, "display", "general", 30000),
    Spec("product_quality_sale", 100, "withdrawn", "general", 8640, gains=720),
    Spec("unlicensed_person", 90, "display", "general", 10000, gains=3600),
    Spec("price_tag", 70, "display", "minor", 500),
    Spec("food_health_cert", 60, "display", "minor", 5000),
    Spec("advertising_superlative", 50, "display", "general", 20000),
    Spec("product_quality_sale", 40, "display", "general", 6000, gains=720),
    Spec("ecommerce_display", 35, "display", "minor", 2000),
    Spec("price_tag", 28, "simple", "minor", 100, procedure=Procedure.SIMPLE),
    Spec("metrology_unverified", 22, "simple", "minor", None, warning=True, procedure=Procedure.SIMPLE),
    Spec("food_health_cert", 18, "warning", "minor", None, warning=True),
    # Awaiting: days_ago counts working days here (the dashboard counts in working days).
    Spec("food_expired", 28, "submitted", "general", 50000),
    Spec("special_equipment_operator", 17, "submitted", "general", 10000),
    Spec("ecommerce_display", 6, "submitted", "minor", 2000),
    Spec("product_quality_sale", 10, "approved", "general", 5000, gains=600),
    Spec("advertising_superlative", 2, "draft", "general", 20000),
]
AWAITING = {"submitted", "approved", "draft"}
PERSONS = [
    # name, district code, home address, sex digit parity (odd: male)
    ("王建军", "371502", "山东省聊城市东昌府区柳园街道光明社区8号楼2单元301室", 1),
    ("李秀英", "371581", "山东省临清市新华路街道运河社区3排12号", 0),
]
MOBILE_PREFIXES = ("135", "138", "139", "150", "152", "158", "177", "186", "187", "189")


@dataclass
class PenaltyDemoResult:
    decisions: int = 0
    states: dict[str, int] = field(default_factory=dict)
    fines: Decimal = Decimal(0)
    findings: int = 0
    marks: int = 0
    expired: list[str] = field(default_factory=list)


def is_loaded() -> bool:
    return Decision.objects.exists()


def demo_as_of() -> dt.date:
    """The demo's as-of date (from the ``load-demo`` marker event), never after today."""
    from gongkai.inspections.demo import demo_as_of as as_of

    return as_of()


def _rng(*parts: object) -> random.Random:
    return random.Random(hashlib.sha256(":".join(["penalty-demo", *map(str, parts)]).encode()).digest())


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def id_number(rnd: random.Random, district: str, decided: dt.date, *, male: bool | None = None) -> str:
    """A resident ID number of an adult born in ``district`` (valid check character, GB 11643)."""
    while True:
        born = dt.date(1962, 1, 1) + dt.timedelta(days=int(rnd.random() * 12_000))
        serial = int(rnd.random() * 500) * 2 + (1 if male is None or male else 0)
        if male is None:
            serial += int(rnd.random() * 2)
        first17 = f"{district}{born:%Y%m%d}{serial % 1000:03d}"
        number = first17 + redaction.id_check_character(first17)
        if redaction.is_valid_id(number, today=decided):
            return number


def _mobile(rnd: random.Random) -> str:
    digits = MOBILE_PREFIXES[int(rnd.random() * len(MOBILE_PREFIXES))] + f"{int(rnd.random() * 10**8):08d}"
    style = int(rnd.random() * 3)
    if style == 1:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if style == 2:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    return digits


def _home(rnd: random.Random, entity: Entity) -> str:
    district = entity.district.name if entity.district_id else "东昌府区"
    villages = ("王庄村", "东李楼村", "后孙屯村", "前刘集村", "小张营村", "西马堂村")
    return (
        f"山东省聊城市{district}{villages[int(rnd.random() * len(villages))]}{1 + int(rnd.random() * 98)}号"
    )


def _text(
    *,
    number: str,
    spec: Spec,
    template: Template,
    party: str,
    lines: list[str],
    decided: dt.date,
    inspected: dt.date,
) -> str:
    fine = f"罚款人民币{spec.fine}元" if spec.fine else ""
    parts = [p for p in ("警告" if spec.warning else "", template.decided, fine) if p]
    numbered = "\n".join(f"{'一二三四'[i]}、{p}；" for i, p in enumerate(parts))
    mitigation = (
        "鉴于当事人积极配合调查，主动消除违法行为危害后果，"
        if spec.fine and spec.severity != "serious"
        else ""
    )
    payment = (
        "当事人应当自收到本决定书之日起十五日内，通过“山东省非税收入统一缴款平台”缴纳罚没款。逾期不缴纳的，"
        "每日按罚款数额的百分之三加处罚款。\n"
        if spec.fine
        else ""
    )
    return (
        f"{AUTHORITY}\n行政处罚决定书\n\n{number}\n\n"
        + "\n".join(lines)
        + f"\n\n{_cn(inspected)}，{template.facts}\n\n"
        f"{party}的上述行为违反了{template.violated}的规定。{mitigation}依据{template.basis}的规定，本局决定：\n"
        f"{numbered}\n\n{payment}"
        "如不服本处罚决定，可以在收到本处罚决定书之日起六十日内向聊城市人民政府申请行政复议，"
        "也可以在六个月内依法向聊城市东昌府区人民法院提起行政诉讼。\n"
        f"本局联系电话：{BUREAU_PHONE}\n\n{AUTHORITY}\n{_cn(decided)}\n"
    ).replace(f"{party}的上述行为", "当事人的上述行为")


def _workdays_back(cal: Any, day: dt.date, n: int) -> dt.date:
    while n > 0:
        day -= dt.timedelta(days=1)
        if cal.is_workday(day):
            n -= 1
    return day


def _workday(cal: Any, day: dt.date) -> dt.date:
    while not cal.is_workday(day):
        day += dt.timedelta(days=1)
    return day


def _decided_on(cal: Any, spec: Spec, today: dt.date) -> dt.date:
    if spec.fate in AWAITING:
        return _workdays_back(cal, today, spec.days_ago)
    day = today - dt.timedelta(days=spec.days_ago)
    while not cal.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def _party(spec: Spec, template: Template, decided: dt.date, used: set[str], index: int) -> Entity:
    """A demo entity of the template's industries, in business and established well before the decision."""
    candidates = list(
        Entity.objects.filter(
            industry_division__in=template.divisions,
            status=EntityStatus.ACTIVE,
            established_on__lte=decided - dt.timedelta(days=180),
            entity_type__in=[EntityType.ENTERPRISE, EntityType.INDIVIDUAL],
        )
        .exclude(credit_code__in=used)
        .order_by("credit_code")
        .values_list("credit_code", flat=True)[:400]
    )
    if not candidates:  # a very small city: any entity in business
        candidates = list(
            Entity.objects.filter(status=EntityStatus.ACTIVE, established_on__lte=decided)
            .exclude(credit_code__in=used)
            .order_by("credit_code")
            .values_list("credit_code", flat=True)[:400]
        )
    if not candidates:
        raise ValueError("演示城市中没有可用作当事人的在营市场主体：请先运行 gongkai load-demo")
    code = candidates[int(_rng("party", index, spec.template).random() * len(candidates))]
    used.add(code)
    return Entity.objects.select_related("district").get(pk=code)


def load(*, actor: Any = ACTOR, as_of: dt.date | None = None) -> PenaltyDemoResult:
    """Load the demo decisions (the caller checks there are none yet)."""
    from gongkai.core.calendar import calendar_in_force

    if is_loaded():
        raise ValueError("已有行政处罚决定：演示数据只能载入空的行政处罚公示模块")
    accounts = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=[CASE_ACCOUNT, REVIEWER_ACCOUNT], is_active=True
        )
    }
    reviewer = accounts.get(REVIEWER_ACCOUNT)
    if reviewer is None or not services.is_reviewer(reviewer):
        raise ValueError(f"需要演示账号 {REVIEWER_ACCOUNT}（信息公开审核员）：请先运行 gongkai load-demo")
    clerk: Any = accounts.get(CASE_ACCOUNT, actor)
    cal = calendar_in_force()
    today = as_of or demo_as_of()
    result = PenaltyDemoResult()
    dated = sorted(
        ((_decided_on(cal, spec, today), i, spec) for i, spec in enumerate(SPECS)), key=lambda r: (r[0], r[1])
    )
    serials: dict[int, int] = {}
    used: set[str] = set()
    with transaction.atomic():
        for decided, index, spec in dated:
            serials[decided.year] = serials.get(decided.year, 0) + 1 + int(_rng("serial", index).random() * 6)
            number = f"聊市监处罚〔{decided.year}〕{serials[decided.year]}号"
            decision = _create(clerk, reviewer, spec, index, number, decided, used, result)
            _advance(clerk, reviewer, cal, spec, decision, decided, today, result)
        report = services.decisions_expire(actor=actor)
        result.expired = report.expired
    for state in Decision.objects.values_list("state", flat=True):
        label = str(State(state).label)
        result.states[label] = result.states.get(label, 0) + 1
    result.decisions = sum(result.states.values())
    return result


def _create(
    clerk: Any,
    reviewer: Any,
    spec: Spec,
    index: int,
    number: str,
    decided: dt.date,
    used: set[str],
    result: PenaltyDemoResult,
) -> Decision:
    template = TEMPLATES[spec.template]
    if spec.template == "aucl_false_promo" and decided >= AUCL_REVISED:
        template = TEMPLATES[AUCL_AFTER_REVISION]  # cite only article numbers of the text in force
    rnd = _rng("text", index)
    inspected = decided - dt.timedelta(days=30 + int(rnd.random() * 40))
    values: dict[str, Any] = {
        "number": number,
        "violation_type": template.violation_type,
        "violation_category": template.category,
        "legal_basis": template.basis,
        "warning": spec.warning,
        "fine": Decimal(spec.fine) if spec.fine else None,
        "confiscated_gains": Decimal(spec.gains) if spec.gains else None,
        "severity": spec.severity,
        "procedure": spec.procedure,
        "authority": AUTHORITY,
        "decision_date": decided,
        "service_date": decided + dt.timedelta(days=2),
    }
    marks: list[tuple[str, str]] = []
    if template.divisions:
        entity = _party(spec, template, decided, used, index)
        person = entity.legal_representative
        label = "经营者" if entity.entity_type == EntityType.INDIVIDUAL else "法定代表人"
        home = _home(rnd, entity)
        domicile = entity.addresses.filter(kind="domicile").values_list("full_text", flat=True).first()
        values.update(party_kind=PartyKind.ENTITY, entity=entity, district=entity.district)
        party = entity.name
        lines = [
            f"当事人：{entity.name}",
            f"统一社会信用代码：{entity.credit_code}",
            f"住所：{domicile}" if domicile else "",
            f"{label}：{person}　　身份证号码：{id_number(rnd, entity.district_id or '371502', decided)}",
            f"住址：{home}",
            f"联系电话：{_mobile(rnd)}",
        ]
        lines = [line for line in lines if line]
        marks = [(person, "name"), (home, "address")]
    else:
        n = sum(1 for s in SPECS[:index] if not TEMPLATES[s.template].divisions)
        name, district, home, male = PERSONS[n % len(PERSONS)]
        number_id = id_number(rnd, district, decided, male=bool(male))
        from gongkai.core.models import District

        values.update(
            party_kind=PartyKind.PERSON,
            party_name=name,
            party_id_type="resident_id",
            party_id_number=number_id,
            district=District.objects.get(pk=district),
        )
        party = name
        lines = [
            f"当事人：{name}",
            f"性别：{'男' if male else '女'}",
            f"身份证号码：{number_id}",
            f"住址：{home}",
            f"联系电话：{_mobile(rnd)}",
        ]
        marks = [(home, "address")]
    text = _text(
        number=number,
        spec=spec,
        template=template,
        party=party,
        lines=lines,
        decided=decided,
        inspected=inspected,
    )
    decision = services.decision_create(
        actor=clerk, values=values, text=text, text_file_name=f"{number}.txt", note="演示数据"
    )
    # The redaction review (信息公开审核员): names and home addresses are marked by hand; the bureau's
    # own telephone number is not personal data and stays visible.
    for fragment, kind in marks:
        decision = services.redaction_mark(actor=reviewer, decision=decision, fragment=fragment, kind=kind)
        result.marks += 1
    for finding in decision.review_findings:
        if BUREAU_PHONE in decision.full_text[finding["start"] : finding["end"]]:
            key = f"{finding['kind']}@{finding['start']}-{finding['end']}"
            decision = services.redaction_remove(
                actor=reviewer, decision=decision, key=key, reason="本局公开的办公电话，不是个人信息"
            )
    result.findings += len(decision.review_findings)
    return decision


def _advance(
    clerk: Any,
    reviewer: Any,
    cal: Any,
    spec: Spec,
    decision: Decision,
    decided: dt.date,
    today: dt.date,
    result: PenaltyDemoResult,
) -> None:
    if spec.fate in ("simple", "warning", "draft"):
        return  # never published (the staff screen says why), or still being entered
    rnd = _rng("schedule", decision.number)
    submitted = min(_workday(cal, decided + dt.timedelta(days=2 + int(rnd.random() * 3))), today)
    services.decision_submit(actor=clerk, decision=decision, now=_at(submitted, 16, 20))
    if spec.fate == "submitted":
        return
    published = min(_workday(cal, submitted + dt.timedelta(days=3 + int(rnd.random() * 8))), today)
    services.decision_approve(
        actor=reviewer, decision=decision, note="隐去审查完毕，同意公示", now=_at(published, 9, 30)
    )
    if spec.fate == "approved":
        return
    services.decision_publish(actor=reviewer, decision=decision, now=_at(published, 10))
    if spec.fate == "withdrawn":
        grounds = _workdays_back(cal, today, 1)
        services.decision_withdraw(
            actor=reviewer,
            decision=decision,
            ground=WithdrawalGround.REVOKED,
            grounds_date=grounds,
            reason=f"当事人申请行政复议，聊城市人民政府于{_cn(grounds)}作出行政复议决定，撤销本行政处罚决定。",
        )
    elif spec.fate == "repair":
        received = _workdays_back(cal, today, 3)
        application = services.repair_receive(
            actor=reviewer,
            decision=decision,
            received_on=received,
            applicant=decision.party_name,
            contact=_mobile(rnd),
            statement="已全额缴纳罚款，涉案特种设备均已检验合格，并作出信用承诺，申请提前停止公示。",
            obligations_fulfilled=True,
            harm_removed=True,
            commitment_signed=True,
        )
        services.repair_decide(
            actor=reviewer,
            application=application,
            approve=True,
            note="当事人已履行行政处罚决定规定的义务，已消除不良影响并作出信用承诺，公示已满最短公示期，准予信用修复。",
        )
    if decision.fine:
        result.fines += decision.fine
