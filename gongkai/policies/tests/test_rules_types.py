"""Static checking against the fact catalogue: unknown facts and functions, type errors, positions."""

from __future__ import annotations

import pytest

from gongkai.policies.rules.errors import RulesTypeError
from gongkai.policies.rules.parser import parse
from gongkai.policies.rules.types import (
    BOOL,
    INT,
    Catalogue,
    TypeChecker,
    check_expression,
    check_fact_value,
    default_catalogue,
)


def type_of(source: str, beneficiary: str = "entity") -> str:
    return str(TypeChecker(default_catalogue(), beneficiary, source).visit(parse(source)))


def check(source: str, expected=BOOL, beneficiary: str = "entity"):
    return check_expression(
        parse(source),
        catalogue=default_catalogue(),
        beneficiary=beneficiary,
        source=source,
        expected=expected,
        role="条件",
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("employees", "整数"),
        ("employees * 2 + 1", "整数"),
        ("-employees", "整数"),
        ("district", "字符串"),
        ("established_on", "日期"),
        ("today", "日期"),
        ('"2020-01-01"', "日期"),
        ('"2020-02-30"', "字符串"),  # not a real date
        ('"abc"', "字符串"),
        ("dishonest", "布尔值（true/false）"),
        ("recognitions", "字符串列表"),
        ("[1, 2]", "整数列表"),
        ("[]", "列表"),
        ('[established_on, "x"]', "字符串列表"),
        ("years_between(established_on, today)", "整数"),
        ("len(recognitions)", "整数"),
        ("min(employees, 3)", "整数"),
        ('max(established_on, "2000-01-01")', "日期"),
        ("min(established_on, district)", "字符串"),
        ("employees > 1", "布尔值（true/false）"),
        ('established_on < "2020-01-01"', "布尔值（true/false）"),
        ("district == established_on", "布尔值（true/false）"),  # both strings
        ("dishonest == false", "布尔值（true/false）"),
        ("dishonest < true", "布尔值（true/false）"),
        ('"x" in recognitions', "布尔值（true/false）"),
        ("employees in []", "布尔值（true/false）"),
        ("not dishonest or cluster_hosted", "布尔值（true/false）"),
    ],
)
def test_types_of_well_typed_expressions(source, expected):
    assert type_of(source) == expected


@pytest.mark.parametrize(
    ("source", "column", "fragment"),
    [
        ("employes > 1", 1, "未知的数据项“employes”"),
        ("employes > 1", 1, "是否想写 employees"),
        ("birth_date < today", 1, "不适用于市场主体"),
        ("foo(1)", 1, "未知的函数“foo”"),
        ("today() > 1", 1, "today 是日期值，不加括号"),
        ('employees == "10"', 11, "两边的类型应相同：左边是整数，右边是字符串"),
        ("dishonest == 1", 11, "左边是布尔值"),
        ("recognitions == []", 1, "列表不能用“==”比较"),
        ("district + 1 > 2", 1, "“+”左边的值应为整数，这里是字符串"),
        ("employees and true", 1, "and 左边的条件应为布尔值"),
        ("true or 1", 9, "or 右边的条件应为布尔值"),
        ("not employees", 5, "not 后面的条件应为布尔值"),
        ("-dishonest", 2, "负号后面的值应为整数"),
        ('district in "371502"', 13, "in 右边应为列表，这里是字符串（判断相等请用 ==）"),
        ("employees in recognitions", 11, "要查找的值是整数，但列表里是字符串"),
        ("recognitions has 1", 14, "要查找的值是整数"),
        ('[1, "a"] == 1', 5, "列表里的值类型应一致"),
        ("[[1]] == 1", 2, "不能再套列表"),
        ("recognitions in [recognitions]", 18, "不能再套列表"),
        ("years_between(district, today) > 1", 15, "years_between 的起始日期应为日期，这里是字符串"),
        ('years_between(established_on, "2026-13-01") > 1', 31, "截止日期应为日期"),
        ("years_between(established_on) > 1", 1, "需要 2 个参数"),
        ("len(district) > 1", 5, "len 的参数应为列表"),
        ("len() > 1", 1, "len 需要 1 个参数"),
        ("min() > 1", 1, "min 至少需要 1 个参数"),
        ("max(employees, district) > 1", 16, "max 的参数类型应一致"),
        ("min(dishonest, true)", 5, "min 的参数应为整数或字符串"),
        ("employees // 0 > 1", 14, "除数为 0"),
        ("employees", 1, "条件应为布尔值（true/false），这里得到的是整数"),
    ],
)
def test_type_errors_name_the_place(source, column, fragment):
    with pytest.raises(RulesTypeError) as info:
        check(source)
    assert info.value.place.column == column, str(info.value)
    assert fragment in str(info.value)


def test_amount_must_be_an_integer():
    assert check("min(employees * 1000, 30000)", expected=INT) == INT
    with pytest.raises(RulesTypeError, match="条件应为整数"):
        check("employees > 1", expected=INT)


def test_person_facts_for_person_policies():
    assert check("years_between(birth_date, today) < 35", beneficiary="person") == BOOL
    with pytest.raises(RulesTypeError, match="不适用于个人"):
        check("employees > 1", beneficiary="person")


def test_a_custom_catalogue_replaces_the_default():
    catalogue = Catalogue.from_data({"facts": {"score": {"type": "integer", "label": "评分"}}})
    node = parse("score >= 60")
    check_expression(
        node, catalogue=catalogue, beneficiary="entity", source="score >= 60", expected=BOOL, role="条件"
    )
    with pytest.raises(RulesTypeError, match="未知的数据项“employees”"):
        check_expression(
            parse("employees > 1"),
            catalogue=catalogue,
            beneficiary="entity",
            source="employees > 1",
            expected=BOOL,
            role="条件",
        )


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({}, "应为"),
        ({"facts": {"x": {"type": "float", "label": "x"}}}, "type 应为"),
        ({"facts": {"x": {"type": "integer"}}}, "缺少 label"),
        ({"facts": {"today": {"type": "date", "label": "今天"}}}, "不能是 today"),
        ({"facts": {"x-y": {"type": "integer", "label": "x"}}}, "名称只能"),
        ({"facts": {"x": {"type": "integer", "label": "x", "colour": 1}}}, "未知字段 colour"),
        ({"facts": {"x": {"type": "integer", "label": "x", "scale": 0}}}, "scale 应为正整数"),
        ({"facts": {"x": {"type": "integer", "label": "x", "applies_to": ["firm"]}}}, "applies_to"),
    ],
)
def test_bad_catalogues_are_refused(data, fragment):
    with pytest.raises(ValueError, match=fragment):
        Catalogue.from_data(data)


@pytest.mark.parametrize(
    ("fact", "value", "ok"),
    [
        ("employees", 5, True),
        ("employees", None, True),
        ("employees", True, False),  # a boolean is not an integer
        ("employees", 5.0, False),  # money and counts are never floats
        ("employees", "5", False),
        ("employees", 2**63, False),
        ("district", "371502", True),
        ("district", 371502, False),
        ("established_on", "2020-02-29", True),
        ("established_on", "2021-02-29", False),
        ("established_on", "20200101", False),
        ("dishonest", False, True),
        ("dishonest", 0, False),
        ("recognitions", [], True),
        ("recognitions", ["a", 1], False),
        ("recognitions", "a", False),
    ],
)
def test_fact_values_are_checked_against_the_catalogue(fact, value, ok):
    assert (check_fact_value(default_catalogue()[fact], value) is None) == ok


def test_the_shipped_catalogue_has_the_facts_of_the_demo_vectors():
    catalogue = default_catalogue()
    for name in [
        "district",
        "entity_type",
        "registered_capital",
        "established_on",
        "employees",
        "recognitions",
        "penalties_last_year",
    ]:
        assert name in catalogue
