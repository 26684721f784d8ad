"""The expression grammar of gongkai-rules/1 §3: precedence, every operator, keywords, errors."""

from __future__ import annotations

import pytest

from gongkai.policies.rules.errors import ExpressionSyntaxError
from gongkai.policies.rules.lexer import tokenize
from gongkai.policies.rules.nodes import Binary, Call
from gongkai.policies.rules.parser import parse

from .rules_helpers import sexpr


@pytest.mark.parametrize(
    ("source", "tree"),
    [
        # lowest precedence first: or < and < not < comparison < + - < * // < unary minus
        ("a or b and c", "(or a (and b c))"),
        ("a and b or c", "(or (and a b) c)"),
        ("not a and b", "(and (not a) b)"),
        ("not a == b", "(not (== a b))"),
        ("not not a", "(not (not a))"),
        ("a + b * c == d", "(== (+ a (* b c)) d)"),
        ("a * b + c", "(+ (* a b) c)"),
        ("a - b - c", "(- (- a b) c)"),
        ("a // b * c", "(* (// a b) c)"),
        ("-a * b", "(* (neg a) b)"),
        ("- -a", "(neg (neg a))"),
        ("-(a + b)", "(neg (+ a b))"),
        ("(a or b) and c", "(and (or a b) c)"),
        ("a or b or c", "(or (or a b) c)"),
        ("a and b and c", "(and (and a b) c)"),
        ("x + 1 in l", "(in (+ x 1) l)"),
        ("not x in l", "(not (in x l))"),
        ("x not in l", "(notin x l)"),
        ('l has "a" and b', "(and (has l 'a') b)"),
        ("a != b or a < b", "(or (!= a b) (< a b))"),
    ],
)
def test_precedence_and_associativity(source, tree):
    assert sexpr(parse(source)) == tree


@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
def test_every_comparison_operator(op):
    assert sexpr(parse(f"a {op} 1")) == f"({op} a 1)"


@pytest.mark.parametrize("op", ["+", "-", "*", "//"])
def test_every_arithmetic_operator(op):
    assert sexpr(parse(f"a {op} 2")) == f"({op} a 2)"


def test_atoms():
    assert sexpr(parse("[1, 2, 3]")) == "[1 2 3]"
    assert sexpr(parse("[]")) == "[]"
    assert sexpr(parse('["国家级", "a\\"b"]')) == "['国家级' 'a\"b']"
    assert sexpr(parse("true or false")) == "(or true false)"
    assert sexpr(parse("f()")) == "(f )"
    assert sexpr(parse("min(a, b + 1, 3)")) == "(min a (+ b 1) 3)"
    assert sexpr(parse("007")) == "7"
    assert sexpr(parse('"\\u4e2d\\n"')) == repr("中\n")


def test_has_and_in_mean_the_same():
    assert parse('l has "x"').key == parse('"x" in l').key
    assert parse("a not in l").key != parse("a in l").key


def test_keywords_are_not_names():
    for word in ["and", "or", "not", "in", "has", "true", "false"]:
        kinds = [t.kind for t in tokenize(word)]
        assert kinds == ["kw", "end"]
    assert [t.kind for t in tokenize("android notable inx")] == ["name", "name", "name", "end"]


def test_whitespace_and_newlines_are_ignored():
    assert sexpr(parse("a\n  and\tb")) == "(and a b)"


def test_positions_of_nodes():
    node = parse("years_between(established_on, today) < 2")
    assert (node.start, node.end) == (0, 40)
    assert isinstance(node, Binary) and isinstance(node.left, Call)
    assert node.left.args[1].start == 30


@pytest.mark.parametrize(
    ("source", "column", "fragment"),
    [
        ("a < b < c", 7, "比较不能连写"),
        ("a and", 6, "表达式不完整"),
        ("(a", 3, "应为 )"),
        ("a)", 2, "多余的右括号"),
        ("a b", 3, "应当结束"),
        ("a = 1", 3, "比较相等请用 =="),
        ("a && b", 3, "and"),
        ("a / 2", 3, "//"),
        ("a > 1.5", 6, "只支持整数"),
        ("district == “371502”", 13, "中文引号"),
        ("min（a）", 4, "全角括号"),
        ("a ≥ 1", 3, "请改用 >="),
        ('"abc', 1, "缺少结尾的双引号"),
        ('"a\\qb"', 3, "转义无效"),
        ("[1, 2,]", 6, "多了一个逗号"),
        ("[1 2]", 4, "应为 , 或 ]"),
        ("f(1,", 5, "表达式不完整"),
        ("x not y", 3, "not 后面应为 in"),
        ("and a", 1, "关键字“and”"),
        ("a == 企业", 6, "中文只能写在双引号"),
        ("99999999999999999999", 1, "整数太大"),
        ("", None, "表达式是空的"),
    ],
)
def test_syntax_errors_give_the_column(source, column, fragment):
    with pytest.raises(ExpressionSyntaxError) as info:
        parse(source)
    assert info.value.place.column == column
    assert fragment in str(info.value)


def test_error_message_shows_a_caret_under_the_column():
    with pytest.raises(ExpressionSyntaxError) as info:
        parse("employees >= 10 and = 3")
    lines = str(info.value).splitlines()
    assert lines[0].startswith("第21列：")
    assert lines[1] == "    employees >= 10 and = 3"
    assert lines[2] == "    " + " " * 20 + "^"


def test_very_deep_expressions_are_refused_cleanly():
    with pytest.raises(ExpressionSyntaxError, match="太深"):
        parse("(" * 500 + "1" + ")" * 500)
    with pytest.raises(ExpressionSyntaxError, match="太深"):
        parse(" + ".join(["employees"] * 150) + " > 1")
    assert sexpr(parse(" or ".join(["dishonest"] * 50))).count("dishonest") == 50
