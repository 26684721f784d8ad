"""``gongkai test-policies``: the officers' own tests in policy files."""

from __future__ import annotations

import io
import shutil

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.policies.rules.loader import load_policy
from gongkai.policies.rules.runner import run_policy_tests

from .rules_helpers import DATA, VECTORS, policy_yaml


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("test_policies", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("*.yaml")))
def test_the_example_policies_pass_their_own_tests(name):
    policy = load_policy(DATA / name)
    assert policy.tests
    outcomes = run_policy_tests(policy)
    assert [o.problems for o in outcomes if not o.passed] == []


def test_the_vector_policies_load_and_have_no_tests_to_fail():
    output = run(str(VECTORS / "rules-demo-startup.yaml"), str(VECTORS / "rules-demo-hightech.yaml"))
    assert "没有测试用例" in output
    assert output.splitlines()[-1] == "共 2 个政策文件、0 个测试：0 个通过，0 个失败"


def test_a_directory_of_passing_policies():
    output = run(str(DATA))
    assert "✔" in output
    assert output.splitlines()[-1].endswith("0 个失败")


def test_a_failing_test_exits_1_with_a_report(tmp_path):
    shutil.copy(DATA / "zjtx-little-giant-award.yaml", tmp_path)
    extra = """
    tests:
      - name: 期望错了
        on: 2026-03-01
        facts: {employees: 3}
        expect: {status: eligible, amount: 10}
    """
    (tmp_path / "wrong.yaml").write_text(
        policy_yaml({"c1": "employees >= 10"}, amount=10, extra=extra), encoding="utf-8"
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("test_policies", str(tmp_path), stdout=out)
    assert info.value.returncode == 1
    report = out.getvalue()
    assert "✔" in report and "zjtx-little-giant-award" in report
    assert "✘" in report and "1/1 个测试失败" in report
    assert "测试“期望错了”（2026-03-01）：期望 status eligible，实际 ineligible" in report
    assert "✘ 条件c1：您的从业人员为3人，要求不少于10人" in report  # the explanation of the failure
    assert report.splitlines()[-1] == "共 2 个政策文件、5 个测试：4 个通过，1 个失败"


def test_wrong_amounts_and_criteria_are_reported(tmp_path):
    extra = """
    tests:
      - name: 金额
        on: 2026-03-01
        facts: {employees: 30}
        expect: {status: eligible, amount: 1, criteria: {c1: fail}}
    """
    path = tmp_path / "p.yaml"
    path.write_text(
        policy_yaml({"c1": "employees >= 10"}, amount="employees * 100", extra=extra), encoding="utf-8"
    )
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("test_policies", str(path), stdout=out)
    assert "期望金额 1元，实际 3000元" in out.getvalue()
    assert "期望条件 c1 为 fail，实际 pass" in out.getvalue()


def test_an_invalid_file_counts_as_a_failure(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(policy_yaml({"c1": "employes >= 10"}), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("test_policies", str(path), stdout=out)
    assert info.value.returncode == 1
    assert "无法加载" in out.getvalue() and "未知的数据项“employes”" in out.getvalue()
    assert "1 个文件无法加载" in out.getvalue()


def test_evaluation_errors_fail_the_test(tmp_path):
    extra = """
    tests:
      - name: 除零
        on: 2026-03-01
        facts: {employees: 0}
        expect: {status: eligible}
    """
    path = tmp_path / "p.yaml"
    path.write_text(policy_yaml({"c1": "100 // employees > 0"}, extra=extra), encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("test_policies", str(path), stdout=out)
    assert "计算出错" in out.getvalue() and "除数为 0" in out.getvalue()


def test_bad_arguments_exit_2(tmp_path):
    with pytest.raises(CommandError) as info:
        run(str(tmp_path / "missing"))
    assert info.value.returncode == 2
    with pytest.raises(CommandError) as info:
        run(str(tmp_path))  # an empty directory
    assert info.value.returncode == 2
