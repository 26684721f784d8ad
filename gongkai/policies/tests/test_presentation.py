"""The explanations worded in the page's language (gongkai.policies.presentation): in Chinese exactly
the engine's sentences (so every message id is the Chinese the engine writes), in English the same
data in English words with the Chinese content marked lang="zh-Hans"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from django.utils.html import escape

from gongkai.policies import presentation
from gongkai.policies.rules.explain import explain
from gongkai.policies.rules.loader import load_policy
from gongkai.policies.rules.types import default_catalogue

from .rules_helpers import DATA, ON, make_policy

ZH = '<span lang="zh-Hans">{}</span>'.format

CASES = [
    ("rd_expense_ratio >= 500", {"rd_expense_ratio": 320}),
    ("employees >= 10", {"employees": 27}),
    ("10 <= employees", {"employees": 1}),
    ("employees < 300", {"employees": 27}),
    ("employees != 3", {"employees": 3}),
    ("registered_capital > 1000000", {"registered_capital": 500000}),
    ("registered_capital <= 1234567", {"registered_capital": 1234567}),
    ("penalties_last_year == 0", {"penalties_last_year": 0}),
    ('district == "371502"', {"district": "371503"}),
    ('entity_type == "企业"', {"entity_type": "个体工商户"}),
    ('established_on >= "2020-01-01"', {"established_on": "2021-05-01"}),
    ('established_on < "2020-01-01"', {"established_on": "2021-05-01"}),
    ("established_on <= today", {"established_on": "2021-05-01"}),
    ("years_between(established_on, today) < 2", {"established_on": "2024-04-01"}),
    ("years_between(established_on, today) >= 1", {"established_on": "2026-04-01"}),
    ('years_between(established_on, "2026-01-01") > 3', {"established_on": "2010-01-01"}),
    ('recognitions has "高新技术企业"', {"recognitions": []}),
    ('"高新技术企业" not in recognitions', {"recognitions": ["高新技术企业", "专精特新中小企业"]}),
    ('entity_type not in ["个体工商户"]', {"entity_type": "个体工商户"}),
    ('tax_credit_rating in ["A", "B"]', {"tax_credit_rating": "A"}),
    ('tax_credit_rating not in ["C", "D"]', {"tax_credit_rating": "A"}),
    ("not dishonest", {"dishonest": False}),
    ("has_bank_account", {"has_bank_account": True}),
    ("dishonest == false", {"dishonest": True}),
    ("len(recognitions) >= 2", {"recognitions": ["a"]}),
    ("len(recognitions) == 1", {"recognitions": ["a"]}),
    (
        'registered_capital >= 1000000 or district == "371502"',
        {"registered_capital": 25320000, "district": "371503"},
    ),
    ("employees >= 10 and employees <= 100", {"employees": 50}),
    ("employees >= 10 and not dishonest", {"employees": 50, "dishonest": None}),
    ("employees * 2 > registered_capital // 10000", {"employees": 3, "registered_capital": 50000}),
    ("employees * 2 > registered_capital // 10000", {"employees": 3}),
    ('registered_capital >= 1000000 or district == "371502"', {"district": "371503"}),
    ("social_insurance_months >= 6", {"social_insurance_months": 12}),
    ('districts has "371502"', {"districts": ["371502", "371503"]}),
]


def _worded(explanation):
    summary = presentation.summary_html(explanation)
    return summary, [presentation.criterion_html(explanation, c) for c in explanation.criteria]


@pytest.mark.parametrize(("when", "facts"), CASES)
@pytest.mark.parametrize(
    "as_of", [None, {"employees": dt.date(2026, 5, 31), "district": dt.date(2026, 6, 1)}]
)
def test_in_chinese_the_worded_sentences_are_the_engines(when, facts, as_of):
    sources = {"district": "申请人填报"} if as_of else None
    explanation = explain(make_policy({"c1": when}), facts, ON, as_of=as_of, sources=sources)
    with translation.override("zh-hans"):
        summary, criteria = _worded(explanation)
        assert presentation.worded(explanation).criteria == [c.text for c in explanation.criteria]
    assert summary == escape(explanation.summary)
    assert criteria == [escape(c.text) for c in explanation.criteria]


@pytest.mark.parametrize(
    ("name", "facts", "on"),
    [
        (
            "zjtx-little-giant-award.yaml",
            {"recognitions": ["国家级专精特新小巨人"], "penalties_last_year": 0},
            ON,
        ),
        ("zjtx-little-giant-award.yaml", {"recognitions": [], "penalties_last_year": 2}, ON),
        ("zjtx-little-giant-award.yaml", {"recognitions": [], "penalties_last_year": 0}, ON),
        ("zjtx-little-giant-award.yaml", {}, dt.date(2025, 1, 1)),
        ("rd-expense-subsidy.yaml", {"recognitions": ["科技型中小企业"]}, ON),
        ("rd-expense-subsidy.yaml", {"rd_expense_ratio": 700, "recognitions": ["科技型中小企业"]}, ON),
        ("talent-arrival-allowance.yaml", {"birth_date": "1995-03-15", "education": "博士研究生"}, ON),
    ],
)
def test_in_chinese_the_worded_summaries_are_the_engines(name, facts, on):
    explanation = explain(load_policy(DATA / name), facts, on)
    with translation.override("zh-hans"):
        summary, criteria = _worded(explanation)
    assert summary == escape(explanation.summary)
    assert criteria == [escape(c.text) for c in explanation.criteria]


def test_in_english_a_comparison_reads_as_a_sentence():
    explanation = explain(make_policy({"c1": "rd_expense_ratio >= 500"}), {"rd_expense_ratio": 320}, ON)
    with translation.override("en"):
        (text,) = presentation.worded(explanation).criteria
    assert text == (
        f"✘ {ZH('条件c1')}: your {ZH('上年度研发费用占营业收入比例')} is 3.2%; required: at least 5%"
        f" (source: {ZH('税务')})"
    )


@pytest.mark.parametrize(
    ("when", "facts", "fragment"),
    [
        ("employees >= 10", {"employees": 1}, "is 1 person; required: at least 10 people"),
        ("employees < 300", {"employees": 27}, "required: fewer than 300 people"),
        (
            "registered_capital > 1000000",
            {"registered_capital": 500000},
            "is 500,000 yuan; required: more than 1,000,000 yuan",
        ),
        (
            'established_on >= "2020-01-01"',
            {"established_on": "2021-05-01"},
            "required: on or after 2020-01-01",
        ),
        ("established_on <= today", {"established_on": "2021-05-01"}, "required: on or before today"),
        (
            "years_between(established_on, today) >= 1",
            {"established_on": "2026-04-01"},
            "(0 full years by 2026-06-30); required: at least 1 year",
        ),
        (
            '"高新技术企业" not in recognitions',
            {"recognitions": []},
            f"is none; required: does not include “{ZH('高新技术企业')}”",
        ),
        ('entity_type not in ["个体工商户"]', {"entity_type": "企业"}, f"required: not “{ZH('个体工商户')}”"),
        ('tax_credit_rating not in ["C", "D"]', {"tax_credit_rating": "A"}, "required: none of “C”, “D”"),
        ("not dishonest", {"dishonest": False}, "is no; required: no"),
        ("len(recognitions) >= 2", {"recognitions": ["a"]}, "is a; required: at least 2 items"),
        (
            "employees >= 10 and not dishonest",
            {"employees": 50, "dishonest": False},
            f"required: {ZH('从业人员')} at least 10 people and {ZH('列入严重违法失信名单')} no",
        ),
        (
            "employees * 2 > registered_capital // 10000",
            {"employees": 3, "registered_capital": 50000},
            f"✔ {ZH('条件c1')} ({ZH('从业人员')}: 3 people; {ZH('注册资本')}: 50,000 yuan) (source: ",
        ),
    ],
)
def test_in_english_each_kind_of_requirement(when, facts, fragment):
    explanation = explain(make_policy({"c1": when}), facts, ON)
    with translation.override("en"):
        (text,) = presentation.worded(explanation).criteria
    assert fragment in text, text


def test_in_english_the_summaries():
    policy = load_policy(DATA / "zjtx-little-giant-award.yaml")
    title = ZH("国家级专精特新&quot;小巨人&quot;企业一次性奖励")
    with translation.override("en"):
        ineligible = explain(policy, {"recognitions": [], "penalties_last_year": 2}, ON)
        assert (
            presentation.worded(ineligible).summary == f"{title}: you do not qualify (2 conditions not met)"
        )
        one = explain(policy, {"recognitions": [], "penalties_last_year": 0}, ON)
        assert presentation.worded(one).summary == f"{title}: you do not qualify (1 condition not met)"
        not_yet = explain(policy, {}, dt.date(2025, 1, 1))
        assert (
            presentation.worded(not_yet).summary
            == f"{title}: this scheme is not in force (2026-01-01 to 2027-12-31)"
        )


def test_values_in_english():
    catalogue = default_catalogue()
    with translation.override("en"):
        shown = {
            fact: str(presentation.value_text(catalogue[fact], value))
            for fact, value in [
                ("registered_capital", 1000000),
                ("rd_expense_ratio", 320),
                ("employees", 1),
                ("social_insurance_months", 2),
                ("dishonest", True),
                ("recognitions", []),
                ("district", None),
            ]
        }
        assert presentation.yuan(36000) == "36,000 yuan"
        assert presentation.content("A级") == ZH("A级") and presentation.content("A") == "A"
    assert shown == {
        "registered_capital": "1,000,000 yuan",
        "rd_expense_ratio": "3.2%",
        "employees": "1 person",
        "social_insurance_months": "2 months",
        "dishonest": "yes",
        "recognitions": "none",
        "district": "no data",
    }
    with translation.override("zh-hans"):
        assert presentation.yuan(2000000) == "200万元" and presentation.content("A级") == "A级"
