"""Running the officers' ``tests`` of a policy: the logic behind ``gongkai test-policies``.

Kept apart from the command so that saving a policy (later, in the database layer) can run the same
checks and show the same report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import EvaluationError, PolicyFileError
from .evaluate import evaluate_policy
from .explain import explain, format_yuan
from .loader import load_policy
from .policy import Policy, PolicyTest
from .types import Catalogue


@dataclass
class TestOutcome:
    test: PolicyTest
    passed: bool
    problems: list[str] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)


@dataclass
class FileReport:
    path: str
    policy: Policy | None = None
    load_error: str | None = None
    outcomes: list[TestOutcome] = field(default_factory=list)

    @property
    def loaded(self) -> bool:
        return self.policy is not None

    @property
    def ok(self) -> bool:
        return self.loaded and all(o.passed for o in self.outcomes)

    def lines(self) -> list[str]:
        if self.policy is None:
            return [
                f"✘ {self.path}：无法加载",
                *("    " + line for line in (self.load_error or "").splitlines()),
            ]
        head = f"{self.path}（{self.policy.name}）"
        if not self.outcomes:
            return [f"· {head}：没有测试用例"]
        failed = [o for o in self.outcomes if not o.passed]
        if not failed:
            return [f"✔ {head}：{len(self.outcomes)} 个测试全部通过"]
        out = [f"✘ {head}：{len(failed)}/{len(self.outcomes)} 个测试失败"]
        for outcome in failed:
            where = f"第{outcome.test.line}行 " if outcome.test.line else ""
            out.append(
                f"  {where}测试“{outcome.test.name}”（{outcome.test.on.isoformat()}）：{'；'.join(outcome.problems)}"
            )
            out.extend("      " + line for line in outcome.explanation)
        return out


def _show_amount(amount: int | None) -> str:
    return "null（数据不足）" if amount is None else format_yuan(amount)


def run_test(policy: Policy, test: PolicyTest) -> TestOutcome:
    try:
        result = evaluate_policy(policy, test.facts, test.on)
    except EvaluationError as exc:
        return TestOutcome(test, False, [f"计算出错：{exc.render()}"])
    problems = []
    if result.status != test.expect_status:
        problems.append(f"期望 status {test.expect_status}，实际 {result.status}")
    amount_checked = test.has_expect_amount and result.status == test.expect_status == "eligible"
    if amount_checked and result.amount != test.expect_amount:
        problems.append(f"期望金额 {_show_amount(test.expect_amount)}，实际 {_show_amount(result.amount)}")
    if test.expect_criteria:
        actual = result.criteria_statuses()
        for cid, expected in test.expect_criteria.items():
            got = actual.get(cid, "—（政策不在有效期内）")
            if got != expected:
                problems.append(f"期望条件 {cid} 为 {expected}，实际 {got}")
    if not problems:
        return TestOutcome(test, True)
    return TestOutcome(test, False, problems, explain(policy, test.facts, test.on, result=result).lines)


def run_policy_tests(policy: Policy) -> list[TestOutcome]:
    return [run_test(policy, test) for test in policy.tests]


def run_file(path: str | Path, catalogue: Catalogue | None = None) -> FileReport:
    try:
        policy = load_policy(path, catalogue)
    except PolicyFileError as exc:
        return FileReport(str(path), load_error=exc.render())
    return FileReport(str(path), policy, outcomes=run_policy_tests(policy))
