"""``gongkai match-policy``: byte-identical output on the contract's vectors, clean failures on bad input."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .rules_helpers import VECTORS, policy_yaml

CASES = [
    ("rules-demo-startup", "2026-03-01"),
    ("rules-demo-startup", "2026-09-30"),
    ("rules-demo-hightech", "2026-03-01"),
    ("rules-demo-hightech", "2026-09-30"),
]
FACTS = VECTORS / "rules-demo.facts.jsonl"
GONGKAI = Path(sys.executable).with_name("gongkai")
ENV = {**os.environ, "SECRET_KEY": "test-only-secret-key-not-for-production-0123456789", "DEBUG": "0"}


def run_command(*args: str) -> str:
    out = io.StringIO()
    call_command("match_policy", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("engine", ["scalar", "vector"])
@pytest.mark.parametrize(("policy", "on"), CASES)
def test_vectors_via_call_command(policy, on, engine):
    expected = (VECTORS / f"{policy}.{on}.expected.jsonl").read_bytes()
    output = run_command(str(VECTORS / f"{policy}.yaml"), str(FACTS), "--on", on, "--engine", engine)
    assert output.encode("utf-8") == expected


@pytest.mark.parametrize(("policy", "on"), CASES)
def test_vectors_via_the_console_command(policy, on):
    expected = (VECTORS / f"{policy}.{on}.expected.jsonl").read_bytes()
    done = subprocess.run(
        [str(GONGKAI), "match-policy", str(VECTORS / f"{policy}.yaml"), str(FACTS), "--on", on],
        capture_output=True,
        env=ENV,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == expected
    assert done.stderr == b""


def test_facts_from_standard_input():
    done = subprocess.run(
        [str(GONGKAI), "match-policy", str(VECTORS / "rules-demo-startup.yaml"), "-", "--on", "2026-03-01"],
        input=FACTS.read_bytes(),
        capture_output=True,
        env=ENV,
        timeout=60,
    )
    assert done.stdout == (VECTORS / "rules-demo-startup.2026-03-01.expected.jsonl").read_bytes()


# --- bad input: a message naming the place, exit code 2, nothing on stdout, no traceback -------------


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD_FACTS = '{"id": "A", "facts": {"employees": 12}}\n'


def bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], list[str]]]:
    good_policy = write(tmp_path, "good.yaml", policy_yaml({"c1": "employees >= 10"}))
    good_facts = write(tmp_path, "facts.jsonl", GOOD_FACTS)
    return {
        "malformed YAML": (
            [
                write(tmp_path, "p1.yaml", "rules: gongkai-rules/1\ncriteria: [\n"),
                good_facts,
                "--on",
                "2026-03-01",
            ],
            ["p1.yaml", "第3行", "YAML 格式有误"],
        ),
        "unknown fact": (
            [
                write(tmp_path, "p2.yaml", policy_yaml({"c1": "employees >= 10", "c2": "staff > 1"})),
                good_facts,
                "--on",
                "2026-03-01",
            ],
            ["p2.yaml", "条件 c2", "第1列", "未知的数据项“staff”"],
        ),
        "type error": (
            [
                write(tmp_path, "p3.yaml", policy_yaml({"c1": 'employees >= "10"'})),
                good_facts,
                "--on",
                "2026-03-01",
            ],
            ["p3.yaml", "条件 c1", "第11列", "两边的类型应相同"],
        ),
        "unknown function": (
            [
                write(tmp_path, "p4.yaml", policy_yaml({"c1": "age(established_on) > 1"})),
                good_facts,
                "--on",
                "2026-03-01",
            ],
            ["条件 c1", "未知的函数“age”"],
        ),
        "rule of §1": (
            [
                write(tmp_path, "p5.yaml", policy_yaml({"c1": "employees > 0"}, amount=5, mode="评审类")),
                good_facts,
                "--on",
                "2026-03-01",
            ],
            ["amount", "评审类政策不能自动拨付"],
        ),
        "bad date": ([good_policy, good_facts, "--on", "2026-02-30"], ["--on", "2026-02-30"]),
        "not a date": ([good_policy, good_facts, "--on", "yesterday"], ["--on", "yesterday"]),
        "malformed JSON line": (
            [
                good_policy,
                write(tmp_path, "f6.jsonl", GOOD_FACTS + '{"id": "B", "facts": {\n'),
                "--on",
                "2026-03-01",
            ],
            ["f6.jsonl", "第2行", "不是有效的 JSON"],
        ),
        "line without id": (
            [good_policy, write(tmp_path, "f7.jsonl", GOOD_FACTS + '{"facts": {}}\n'), "--on", "2026-03-01"],
            ["f7.jsonl", "第2行", '"id"'],
        ),
        "facts not an object": (
            [good_policy, write(tmp_path, "f8.jsonl", '{"id": "A", "facts": [1]}\n'), "--on", "2026-03-01"],
            ["f8.jsonl", "第1行", '"facts" 应为 JSON 对象'],
        ),
        "fact of the wrong type": (
            [
                good_policy,
                write(tmp_path, "f9.jsonl", GOOD_FACTS + '\n{"id": "B", "facts": {"employees": "十二"}}\n'),
                "--on",
                "2026-03-01",
            ],
            ["f9.jsonl", "第3行", "id B", "条件 c1", "employees", "应为整数"],
        ),
        "division by zero": (
            [
                write(tmp_path, "p10.yaml", policy_yaml({"c1": "100 // employees > 1"})),
                write(tmp_path, "f11.jsonl", '{"id": "Z", "facts": {"employees": 0}}\n'),
                "--on",
                "2026-03-01",
            ],
            ["f11.jsonl", "第1行", "id Z", "p10.yaml", "条件 c1", "除数为 0"],
        ),
        "missing policy file": (
            [str(tmp_path / "nope.yaml"), good_facts, "--on", "2026-03-01"],
            ["nope.yaml", "无法读取"],
        ),
        "missing facts file": (
            [good_policy, str(tmp_path / "nope.jsonl"), "--on", "2026-03-01"],
            ["nope.jsonl", "找不到数据文件"],
        ),
        "not UTF-8": (
            [
                good_policy,
                write_bytes(tmp_path, "gbk.jsonl", '{"id": "甲", "facts": {}}\n'.encode("gbk")),
                "--on",
                "2026-03-01",
            ],
            ["gbk.jsonl", "第1行", "UTF-8"],
        ),
    }


def write_bytes(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


CASE_NAMES = [
    "malformed YAML",
    "unknown fact",
    "type error",
    "unknown function",
    "rule of §1",
    "bad date",
    "not a date",
    "malformed JSON line",
    "line without id",
    "facts not an object",
    "fact of the wrong type",
    "division by zero",
    "missing policy file",
    "missing facts file",
    "not UTF-8",
]


@pytest.mark.parametrize("case", CASE_NAMES)
def test_bad_input_via_call_command(tmp_path, case):
    args, fragments = bad_inputs(tmp_path)[case]
    out = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command("match_policy", *args, stdout=out)
    assert info.value.returncode == 2
    assert out.getvalue() == ""
    for fragment in fragments:
        assert fragment in str(info.value), str(info.value)


@pytest.mark.parametrize(
    "case", ["malformed YAML", "unknown fact", "bad date", "malformed JSON line", "division by zero"]
)
def test_bad_input_via_the_console_command(tmp_path, case):
    args, fragments = bad_inputs(tmp_path)[case]
    done = subprocess.run([str(GONGKAI), "match-policy", *args], capture_output=True, env=ENV, timeout=60)
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 2
    assert done.stdout == b""
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in stderr, stderr


def test_the_error_is_reported_before_any_line_is_printed(tmp_path):
    policy = write(tmp_path, "p.yaml", policy_yaml({"c1": "100 // employees > 1"}))
    facts = write(tmp_path, "f.jsonl", GOOD_FACTS * 3 + '{"id": "Z", "facts": {"employees": 0}}\n')
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("match_policy", policy, facts, "--on", "2026-03-01", stdout=out)
    assert out.getvalue() == ""


def test_blank_lines_are_skipped_and_order_is_kept(tmp_path):
    policy = write(tmp_path, "p.yaml", policy_yaml({"c1": "employees >= 10"}))
    facts = write(
        tmp_path, "f.jsonl", '\n{"id": "b", "facts": {"employees": 3}}\n\n{"id": "a", "facts": {}}\n'
    )
    assert run_command(policy, facts, "--on", "2026-03-01").splitlines() == [
        '{"criteria":{"c1":"fail"},"id":"b","status":"ineligible"}',
        '{"criteria":{"c1":"unknown"},"id":"a","status":"undetermined"}',
    ]


def test_amount_null_when_unknown(tmp_path):
    policy = write(
        tmp_path, "p.yaml", policy_yaml({"c1": "employees >= 10"}, amount="registered_capital // 100")
    )
    facts = write(tmp_path, "f.jsonl", GOOD_FACTS)
    assert run_command(policy, facts, "--on", "2026-03-01") == (
        '{"amount":null,"criteria":{"c1":"pass"},"id":"A","status":"eligible"}\n'
    )


def test_a_custom_catalogue(tmp_path):
    catalogue = write(tmp_path, "facts.yaml", "facts:\n  score: {type: integer, label: 评分}\n")
    policy = write(tmp_path, "p.yaml", policy_yaml({"c1": "score >= 60"}))
    facts = write(tmp_path, "f.jsonl", '{"id": "A", "facts": {"score": 61}}\n')
    assert run_command(policy, facts, "--on", "2026-03-01", "--catalogue", catalogue) == (
        '{"criteria":{"c1":"pass"},"id":"A","status":"eligible"}\n'
    )
    with pytest.raises(CommandError, match="未知的数据项“score”"):
        run_command(policy, facts, "--on", "2026-03-01")


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    facts = tmp_path / "many.jsonl"
    facts.write_text(
        FACTS.read_text(encoding="utf-8") * 500, encoding="utf-8"
    )  # 20,000 lines, > a pipe buffer
    proc = subprocess.Popen(
        [
            str(GONGKAI),
            "match-policy",
            str(VECTORS / "rules-demo-startup.yaml"),
            str(facts),
            "--on",
            "2026-03-01",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=ENV,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b'{"criteria"')
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) != 0
    assert "Traceback" not in stderr
