"""Loading policy files: what is accepted, and every rejection naming the field, line and criterion."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from gongkai.policies.rules.errors import PolicyFileError
from gongkai.policies.rules.loader import load_policy, load_policy_text

from .rules_helpers import DATA, VECTORS, policy_yaml


def rejection(text: str, file: str = "p.yaml") -> PolicyFileError:
    with pytest.raises(PolicyFileError) as info:
        load_policy_text(text, file=file)
    return info.value


def test_the_demo_vectors_load():
    startup = load_policy(VECTORS / "rules-demo-startup.yaml")
    assert (startup.id, startup.version, startup.mode, startup.beneficiary) == (
        "startup-rent-relief",
        1,
        "免申即享",
        "entity",
    )
    assert (startup.valid_from, startup.valid_to) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert [c.id for c in startup.criteria] == ["c1", "c2", "c3", "c4"]
    assert startup.amount is not None and startup.amount.source == "min(employees * 1000, 30000)"
    assert startup.source["document"] == "示例〔2026〕1号"
    hightech = load_policy(VECTORS / "rules-demo-hightech.yaml")
    assert hightech.valid_to is None
    assert hightech.facts_used == ("recognitions", "registered_capital", "district")


def test_json_is_the_same_structure(tmp_path):
    data = yaml.safe_load((VECTORS / "rules-demo-startup.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "startup.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    policy = load_policy(path)
    assert policy.id == "startup-rent-relief"
    assert [c.when.source for c in policy.criteria] == [c["when"] for c in data["criteria"]]


def test_tests_with_the_on_key_and_unquoted_dates_load():
    policy = load_policy(DATA / "zjtx-little-giant-award.yaml")
    first = policy.tests[0]
    # YAML 1.1 would have read "on:" as the boolean true; here it stays the key "on"
    assert first.on == dt.date(2026, 6, 30)
    assert first.facts == {"recognitions": ["国家级专精特新小巨人"], "penalties_last_year": 0}
    assert (first.expect_status, first.expect_amount, first.has_expect_amount) == ("eligible", 2000000, True)
    rd = load_policy(DATA / "rd-expense-subsidy.yaml")
    assert rd.tests[0].facts["established_on"] == "2019-03-01"  # a YAML date becomes an ISO string


def test_yes_no_on_off_are_strings():
    policy = load_policy_text(policy_yaml({"c1": 'tax_credit_rating in ["A", "B"]'}, title="no"))
    assert policy.title == "no"


@pytest.mark.parametrize(
    ("fields", "path", "fragment"),
    [
        ({"rules": "gongkai-rules/2"}, "rules", "应为 gongkai-rules/1"),
        ({"rules": "DROP"}, "rules", "缺少必填字段 rules"),
        ({"policy": "Little_Giant"}, "policy", "小写英文字母、数字和连字符"),
        ({"policy": "DROP"}, "policy", "缺少必填字段 policy"),
        ({"version": "0"}, "version", "≥ 1 的整数"),
        ({"version": "'3'"}, "version", "≥ 1 的整数"),
        ({"version": "1.5"}, "version", "≥ 1 的整数"),
        ({"title": "''"}, "title", "非空"),
        ({"source": "示例〔2026〕1号"}, "source", "应为映射"),
        ({"source": "{article: 第一条}"}, "source.document", "缺少 document"),
        ({"source": "{document: x, page: 3}"}, "source.page", "未知字段“page”"),
        ({"mode": "自动"}, "mode", "免申即享 | 快申快享 | 评审类"),
        ({"beneficiary": "company"}, "beneficiary", "entity（市场主体）或 person"),
        ({"valid_from": "2026-02-30"}, "valid_from", "应为日期"),
        ({"valid_from": "'2026/01/01'"}, "valid_from", "应为日期"),
        ({"valid_from": "2026-01-01 08:00:00"}, "valid_from", "应为日期"),
        ({"valid_to": "2025-12-31"}, "valid_to", "早于开始日"),
        ({"colour": "red"}, "colour", "未知字段“colour”"),
    ],
)
def test_top_level_rejections_name_the_field(fields, path, fragment):
    error = rejection(policy_yaml({"c1": "employees > 0"}, **fields))
    assert any(e.place.path == path and fragment in e.message for e in error.errors), str(error)


def test_rejections_carry_the_line_number():
    text = policy_yaml({"c1": "employees > 0"}, version="0")
    error = rejection(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("version:"))
    assert error.errors[0].place.line == line
    assert str(error).startswith(f"p.yaml，第{line}行，version：")


def test_every_problem_is_reported_at_once():
    error = rejection(policy_yaml({"c1": "employes > 0", "c2": "district == 1"}, version="0", mode="x"))
    assert len(error.errors) == 4
    assert {e.place.criterion for e in error.errors} >= {"c1", "c2"}


@pytest.mark.parametrize(
    ("criteria", "fragment", "criterion"),
    [
        ("criteria: []", "至少一个条件", None),
        ("criteria: employees > 0", "至少一个条件", None),
        ("criteria:\n  - employees > 0", "每个条件应为映射", None),
        ("criteria:\n  - {id: c1, label: x}", "缺少 when", "c1"),
        ("criteria:\n  - {id: c1, when: employees > 0}", "缺少 label", "c1"),
        ("criteria:\n  - {label: x, when: employees > 0}", "缺少 id", None),
        ("criteria:\n  - {id: c 1, label: x, when: employees > 0}", "条件 id 应为", None),
        ("criteria:\n  - {id: 1, label: x, when: employees > 0}", "条件 id 应为", None),
        ("criteria:\n  - {id: c1, label: '', when: employees > 0}", "label 应为非空", "c1"),
        ("criteria:\n  - {id: c1, label: x, when: employees > 0, note: y}", "未知字段“note”", "c1"),
        (
            "criteria:\n  - {id: c1, label: x, when: employees > 0}\n  - {id: c1, label: y, when: employees > 1}",
            "条件 id 重复",
            "c1",
        ),
        ("criteria:\n  - {id: c1, label: x, when: employes > 0}", "未知的数据项“employes”", "c1"),
        ("criteria:\n  - {id: c1, label: x, when: employees}", "条件应为布尔值", "c1"),
        ("criteria:\n  - {id: c1, label: x, when: 'employees = 3'}", "比较相等请用 ==", "c1"),
        ("criteria:\n  - {id: c1, label: x, when: 'frob(employees)'}", "未知的函数“frob”", "c1"),
        ("criteria:\n  - {id: c1, label: x, when: [1, 2]}", "应为表达式（字符串）", "c1"),
    ],
)
def test_criteria_rejections_name_the_criterion(criteria, fragment, criterion):
    error = rejection(policy_yaml(criteria))
    matching = [e for e in error.errors if fragment in e.message]
    assert matching, str(error)
    assert matching[0].place.criterion == criterion
    assert matching[0].place.line is not None


def test_an_expression_error_shows_the_criterion_line_and_column():
    text = policy_yaml({"c1": "employees > 0", "c2": "years_between(established_on, tody) < 2"})
    error = rejection(text)
    (only,) = error.errors
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "tody" in t)
    assert (only.place.line, only.place.criterion, only.place.path, only.place.column) == (
        line,
        "c2",
        "criteria[1].when",
        31,
    )
    assert f"p.yaml，第{line}行，条件 c2，criteria[1].when，第31列：未知的数据项“tody”" in str(error)
    assert "^^^^" not in str(error) and "^" in str(error)


def test_a_review_policy_may_not_pay_automatically():
    error = rejection(policy_yaml({"c1": "employees > 0"}, amount=50000, mode="评审类"))
    (only,) = error.errors
    assert only.place.path == "amount"
    assert "评审类政策不能自动拨付" in only.message
    # without an amount a review policy is fine: matching only lists candidates for the review
    assert load_policy_text(policy_yaml({"c1": "employees > 0"}, mode="评审类")).mode == "评审类"


@pytest.mark.parametrize(
    ("amount", "fragment"),
    [
        (-5, "金额不能为负数"),
        ("employees > 3", "金额应为整数"),
        ("employees * 1.5", "只支持整数"),
        ("20万", "中文只能写在双引号"),
        ("unknown_fact * 2", "未知的数据项"),
    ],
)
def test_amount_rejections(amount, fragment):
    error = rejection(policy_yaml({"c1": "employees > 0"}, amount=amount))
    assert error.errors[0].place.path == "amount"
    assert fragment in str(error)


def test_amount_true_is_not_an_integer():
    error = rejection(policy_yaml({"c1": "employees > 0"}, amount="true").replace("'true'", "true"))
    assert "金额应为整数" in str(error)


@pytest.mark.parametrize(
    ("tests", "path", "fragment"),
    [
        ("tests: x", "tests", "应为测试用例的列表"),
        ("tests:\n  - x", "tests[0]", "每个测试应为映射"),
        ("tests:\n  - {name: t, on: 2026-02-01, facts: {}}", "tests[0].expect", "缺少 expect"),
        (
            "tests:\n  - {name: t, on: 2026-02-30, facts: {}, expect: {status: eligible}}",
            "tests[0].on",
            "on 应为日期",
        ),
        (
            "tests:\n  - {name: t, on: 2026-02-01, facts: {}, expect: {status: ok}}",
            "tests[0].expect.status",
            "status 应为",
        ),
        (
            "tests:\n  - {name: t, on: 2026-02-01, facts: {}, expect: {}}",
            "tests[0].expect.status",
            "缺少 status",
        ),
        (
            "tests:\n  - {name: t, on: 2026-02-01, facts: {employes: 1}, expect: {status: eligible}}",
            "tests[0].facts.employes",
            "未知的数据项",
        ),
        (
            "tests:\n  - {name: t, on: 2026-02-01, facts: {employees: '3'}, expect: {status: eligible}}",
            "tests[0].facts.employees",
            "应为整数",
        ),
        (
            "tests:\n  - {name: t, on: 2026-02-01, facts: {}, expect: {status: eligible, amount: 5}}",
            "tests[0].expect.amount",
            "政策没有 amount",
        ),
        (
            "tests:\n  - {name: t, on: 2026-02-01, facts: {}, expect: {status: eligible, criteria: {c9: pass}}}",
            "tests[0].expect.criteria.c9",
            "没有 id 为“c9”的条件",
        ),
        (
            "tests:\n  - {name: t, on: 2026-02-01, facts: {}, expect: {status: eligible, criteria: {c1: yes}}}",
            "tests[0].expect.criteria.c1",
            "pass | fail | unknown",
        ),
        (
            "tests:\n  - {name: t, on: 2026-02-01, facts: {}, expect: {status: eligible}, when: x}",
            "tests[0].when",
            "未知字段",
        ),
    ],
)
def test_test_case_rejections(tests, path, fragment):
    error = rejection(policy_yaml({"c1": "employees > 0"}, extra=tests))
    assert any(e.place.path == path and fragment in e.message for e in error.errors), str(error)


def test_expected_amount_only_for_eligible():
    extra = "tests:\n  - {name: t, on: 2026-02-01, facts: {}, expect: {status: undetermined, amount: 5}}"
    error = rejection(policy_yaml({"c1": "employees > 0"}, amount=5, extra=extra))
    assert "只有 eligible" in str(error)


def test_malformed_yaml_names_the_line():
    error = rejection("rules: gongkai-rules/1\npolicy: [unclosed\nversion: 1\n")
    assert error.errors[0].place.line is not None
    assert "YAML 格式有误" in str(error)


def test_an_expression_starting_with_a_quote_gets_a_hint():
    text = policy_yaml('criteria:\n  - id: c1\n    label: x\n    when: "A" in recognitions')
    error = rejection(text)
    assert "请用单引号把整个表达式括起来" in str(error)


def test_duplicate_keys_are_refused():
    error = rejection(policy_yaml({"c1": "employees > 0"}) + "version: 2\n")
    assert "键“version”重复" in str(error)
    assert "第3行已经写过" in str(error)


def test_duplicate_keys_in_json_are_refused():
    error = rejection('{"rules": "gongkai-rules/1", "rules": "x"}', file="p.json")
    assert "键“rules”重复" in str(error)


def test_malformed_json():
    error = rejection('{"rules": "gongkai-rules/1",}', file="p.json")
    assert "JSON 格式有误" in str(error) and error.errors[0].place.line == 1


def test_top_level_must_be_a_mapping():
    assert "顶层应为映射" in str(rejection("- a\n- b\n"))


def test_unreadable_files(tmp_path):
    with pytest.raises(PolicyFileError, match="无法读取"):
        load_policy(tmp_path / "missing.yaml")
    bad = tmp_path / "gbk.yaml"
    bad.write_bytes("标题".encode("gbk"))
    with pytest.raises(PolicyFileError, match="不是 UTF-8"):
        load_policy(bad)


def test_the_worked_example_in_the_docs_is_the_tested_file():
    import re
    from pathlib import Path

    docs = Path(__file__).resolve().parents[3] / "docs" / "policy-rules.md"
    blocks = re.findall(r"```yaml\n(.*?)```", docs.read_text(encoding="utf-8"), flags=re.S)
    example = next(b for b in blocks if b.startswith("rules: gongkai-rules/1"))
    assert example == (DATA / "rd-expense-subsidy.yaml").read_text(encoding="utf-8")


def test_the_engine_imports_no_django():
    import subprocess
    import sys

    code = (
        "import sys, gongkai.policies.rules, gongkai.policies.rules.vector;"
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
