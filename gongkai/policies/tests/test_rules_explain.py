"""Chinese per-criterion explanations: icon, the fact's value, the requirement; missing facts named."""

from __future__ import annotations

import datetime as dt

import pytest

from gongkai.policies.rules.explain import explain, format_value
from gongkai.policies.rules.loader import load_policy
from gongkai.policies.rules.types import default_catalogue

from .rules_helpers import DATA, ON, VECTORS, make_policy


def texts(policy, facts, on=ON):
    return [c.text for c in explain(policy, facts, on).criteria]


@pytest.mark.parametrize(
    ("fact", "value", "shown"),
    [
        ("registered_capital", 1000000, "100万元"),
        ("registered_capital", 1234567, "1234567元"),
        ("rd_expense_ratio", 320, "3.2%"),
        ("rd_expense_ratio", 500, "5%"),
        ("employees", 27, "27人"),
        ("dishonest", False, "否"),
        ("recognitions", [], "无"),
        ("recognitions", ["高新技术企业", "专精特新中小企业"], "高新技术企业、专精特新中小企业"),
        ("district", None, "暂无数据"),
        ("established_on", "2024-04-01", "2024-04-01"),
    ],
)
def test_values_are_shown_with_their_units(fact, value, shown):
    assert format_value(default_catalogue()[fact], value) == shown


def test_a_simple_comparison_shows_value_and_threshold():
    policy = make_policy({"c1": "rd_expense_ratio >= 500"})
    (text,) = texts(policy, {"rd_expense_ratio": 320})
    assert text == "✘ 条件c1：您的上年度研发费用占营业收入比例为3.2%，要求不低于5%（来源：税务）"
    (text,) = texts(policy, {"rd_expense_ratio": 650})
    assert text.startswith("✔ 条件c1：您的上年度研发费用占营业收入比例为6.5%，要求不低于5%")


@pytest.mark.parametrize(
    ("when", "facts", "fragment"),
    [
        ("employees >= 10", {"employees": 27}, "您的从业人员为27人，要求不少于10人"),
        ("10 <= employees", {"employees": 27}, "要求不少于10人"),
        ("employees < 300", {"employees": 27}, "要求少于300人"),
        (
            "registered_capital > 1000000",
            {"registered_capital": 500000},
            "您的注册资本为50万元，要求高于100万元",
        ),
        ("penalties_last_year == 0", {"penalties_last_year": 0}, "您的近一年行政处罚为0次，要求为0次"),
        ('district == "371502"', {"district": "371503"}, "您的所在区县为371503，要求为“371502”"),
        ('established_on >= "2020-01-01"', {"established_on": "2021-05-01"}, "要求不早于2020-01-01"),
        (
            "years_between(established_on, today) < 2",
            {"established_on": "2024-04-01"},
            "您的成立日期为2024-04-01（至2026-06-30满2年），要求不满2年",
        ),
        ('recognitions has "高新技术企业"', {"recognitions": []}, "您的资质认定为无，要求包含“高新技术企业”"),
        ('"高新技术企业" not in recognitions', {"recognitions": []}, "要求不包含“高新技术企业”"),
        ('entity_type not in ["个体工商户"]', {"entity_type": "个体工商户"}, "要求不为“个体工商户”"),
        ('tax_credit_rating in ["A", "B"]', {"tax_credit_rating": "A"}, "要求为“A”、“B”之一"),
        ('tax_credit_rating not in ["C", "D"]', {"tax_credit_rating": "A"}, "要求不为“C”、“D”中的任何一个"),
        ("not dishonest", {"dishonest": False}, "您的列入严重违法失信名单为否，要求为否"),
        ("has_bank_account", {"has_bank_account": True}, "要求为是"),
        ("dishonest == false", {"dishonest": True}, "要求为否"),
        ("len(recognitions) >= 2", {"recognitions": ["a"]}, "您的资质认定为a，要求不少于2项"),
        (
            'registered_capital >= 1000000 or district == "371502"',
            {"registered_capital": 25320000, "district": "371503"},
            "您的注册资本为2532万元，所在区县为371503，要求注册资本不低于100万元或所在区县为“371502”",
        ),
        (
            "employees >= 10 and employees <= 100",
            {"employees": 50},
            "您的从业人员为50人，要求从业人员不少于10人且从业人员不多于100人",
        ),
    ],
)
def test_requirements_in_plain_chinese(when, facts, fragment):
    (text,) = texts(make_policy({"c1": when}), facts)
    assert fragment in text, text


def test_a_complex_criterion_lists_the_values_it_read():
    (text,) = texts(
        make_policy({"c1": "employees * 2 > registered_capital // 10000"}),
        {"employees": 3, "registered_capital": 50000},
    )
    assert text == "✔ 条件c1（从业人员：3人；注册资本：5万元）（来源：人社/社保；登记注册）"


def test_unknown_names_the_missing_facts_only():
    policy = make_policy({"c1": 'registered_capital >= 1000000 or district == "371502"'})
    explanation = explain(policy, {"district": "371503"}, ON)
    (criterion,) = explanation.criteria
    assert criterion.status == "unknown" and criterion.icon == "？"
    assert criterion.text == "？ 条件c1：缺少“注册资本”数据，请补充（来源：登记注册）"
    assert criterion.missing == ["registered_capital"]
    assert explanation.missing == ["registered_capital"]
    assert explanation.summary == "测试政策：尚缺数据，暂无法判断，请补充：注册资本"


def test_summaries():
    policy = load_policy(DATA / "zjtx-little-giant-award.yaml")
    eligible = explain(policy, {"recognitions": ["国家级专精特新小巨人"], "penalties_last_year": 0}, ON)
    assert eligible.summary == '国家级专精特新"小巨人"企业一次性奖励：符合条件，金额200万元'
    assert eligible.amount == 2000000
    ineligible = explain(policy, {"recognitions": [], "penalties_last_year": 2}, ON)
    assert ineligible.summary.endswith("不符合条件（2项条件未满足）")
    not_yet = explain(policy, {}, dt.date(2025, 1, 1))
    assert not_yet.summary.endswith("政策不在有效期内（2026-01-01至2027-12-31）")
    assert not_yet.criteria == []


def test_as_of_dates_are_shown_with_the_source():
    policy = make_policy({"c1": "employees >= 10"})
    explanation = explain(policy, {"employees": 12}, ON, as_of={"employees": dt.date(2026, 5, 31)})
    assert explanation.criteria[0].text.endswith("（来源：人社/社保，截至2026-05-31）")


def test_the_demo_vectors_explained():
    from gongkai.policies.rules.matcher import read_facts

    policy = load_policy(VECTORS / "rules-demo-startup.yaml")
    beneficiaries = read_facts((VECTORS / "rules-demo.facts.jsonl").read_text(encoding="utf-8").splitlines())
    demo001 = next(b for b in beneficiaries if b.id == "DEMO001")
    lines = explain(policy, demo001.facts, dt.date(2026, 3, 1)).lines
    assert lines == [
        "入驻孵化载体初创企业房租减免：符合条件，金额27000元",
        "✔ 成立不满2年：您的成立日期为2024-04-01（至2026-03-01满1年），要求不满2年（来源：登记注册）",
        "✔ 从业人员10人以上：您的从业人员为27人，要求不少于10人（来源：人社/社保）",
        "✔ 近一年未受行政处罚：您的近一年行政处罚为0次，要求为0次（来源：行政处罚信息公示）",
        "✔ 非个体工商户：您的主体类型为农民专业合作社，要求不为“个体工商户”（来源：登记注册）",
    ]


def test_explain_all_checks_facts_once_and_explains_each_policy():
    from gongkai.policies.rules.errors import EvaluationError
    from gongkai.policies.rules.explain import explain_all

    policies = [
        load_policy(DATA / name) for name in ("zjtx-little-giant-award.yaml", "rd-expense-subsidy.yaml")
    ]
    explanations = explain_all(
        policies, {"recognitions": ["国家级专精特新小巨人"], "penalties_last_year": 0}, ON
    )
    assert [e.status for e in explanations] == ["eligible", "undetermined"]
    with pytest.raises(EvaluationError, match="penalties_last_year"):
        explain_all(policies, {"penalties_last_year": "0"}, ON)


def test_only_facts_of_unknown_criteria_are_asked_for():
    policy = load_policy(DATA / "rd-expense-subsidy.yaml")
    facts = {
        "rd_expense_ratio": 700,
        "recognitions": ["科技型中小企业"],
        "dishonest": False,
        "established_on": "2024-05-01",
    }
    explanation = explain(policy, facts, dt.date(2026, 5, 1))
    # revenue is unknown too, but the size criterion already passes through the recognition
    assert explanation.missing == ["tax_credit_rating"]
    assert explanation.summary == "企业研发投入后补助：尚缺数据，暂无法判断，请补充：纳税信用等级"
    size = next(c for c in explanation.criteria if c.id == "size")
    assert size.status == "pass" and "您的上年度营业收入暂无数据，资质认定为科技型中小企业" in size.text
