"""Policy files (YAML, or JSON of the same structure) → validated :class:`Policy`.

Every rule of ``gongkai-rules/1`` §1 is checked, every expression parsed and type-checked against the
fact catalogue, and every problem reported at once with the place it is at (file, line, field,
criterion, column). Two YAML traps are closed: ``on``/``yes``/``no`` are *not* booleans here (the
``on:`` key of a test would otherwise become ``True``), and a key written twice is an error instead of
silently keeping the last one.

A 评审类 (review) policy is never paid automatically. In the file that means it may not carry an
``amount``: a matched amount is what the workflow pays, so a review policy only lists candidates and the
award is decided by the review.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from .errors import ExpressionSyntaxError, Place, PolicyFileError, RulesError
from .evaluate import compile_expr
from .nodes import facts_used
from .parser import parse
from .policy import MODES, RULES_FORMAT, STATUSES, Criterion, Expression, Policy, PolicyTest
from .types import (
    BENEFICIARY_KINDS,
    BOOL,
    INT,
    Catalogue,
    check_expression,
    check_fact_value,
    default_catalogue,
    describe_json,
    parse_iso_date,
)

POLICY_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
CRITERION_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")

TOP_KEYS = (
    "rules", "policy", "version", "title", "source", "mode", "beneficiary",
    "valid_from", "valid_to", "criteria", "amount", "tests",
)  # fmt: skip
REQUIRED = ("rules", "policy", "version", "title", "source", "mode", "beneficiary", "valid_from", "criteria")
SOURCE_KEYS = ("document", "article", "authority", "url")


# ---------------------------------------------------------------------------------------------------
# YAML with line numbers
# ---------------------------------------------------------------------------------------------------


class LocatedDict(dict):
    """A mapping that remembers the line of each value (``lines[key]``) and of itself (``line``)."""

    line: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict[Any, int] = {}


class LocatedList(list):
    line: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: list[int | None] = []


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int, first: int | None):
        self.key, self.line, self.first = key, line, first


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and decimal-only integers, duplicate keys refused."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    return int(loader.construct_scalar(node))


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "键必须是简单的值", key_node.start_mark
            ) from None
        line = key_node.start_mark.line + 1
        if key in result:
            raise _DuplicateKey(key, line, result.lines.get(key))
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    result = LocatedList()
    result.line = node.start_mark.line + 1
    for item in node.value:
        result.append(loader.construct_object(item, deep=True))
        result.lines.append(item.start_mark.line + 1)
    return result


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    # "2026-02-30" looks like a date but is none: keep the text, so validation names the field.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def parse_yaml(text: str, file: str | None = None) -> Any:
    """Parse YAML text into LocatedDict/LocatedList; raise :class:`PolicyFileError` naming the line."""
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader subclass
    except _DuplicateKey as dup:
        first = f"（第{dup.first}行已经写过）" if dup.first else ""
        raise PolicyFileError(
            [RulesError(f"键“{dup.key}”重复{first}", Place(file=file, line=dup.line))]
        ) from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        detail = f"{context}; {problem}" if context else problem
        message = f"YAML 格式有误（{detail}）"
        source_line = (
            text.splitlines()[mark.line] if mark is not None and mark.line < len(text.splitlines()) else ""
        )
        if re.match(r"\s*-?\s*(when|amount)\s*:", source_line) or "\t" in source_line:
            message += "。提示：表达式以双引号或 [ 开头、或含有“: ”“ #”时，请用单引号把整个表达式括起来；缩进不能用 Tab"
        raise PolicyFileError([RulesError(message, Place(file=file, line=line))]) from None


def _json_pairs(pairs: list[tuple[str, Any]]) -> LocatedDict:
    result = LocatedDict()
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key, 0, None)
        result[key] = value
    return result


def parse_json(text: str, file: str | None = None) -> Any:
    def reject(constant: str) -> Any:
        raise ValueError(f"不支持 {constant}")

    try:
        return json.loads(text, object_pairs_hook=_json_pairs, parse_constant=reject)
    except _DuplicateKey as dup:
        raise PolicyFileError([RulesError(f"键“{dup.key}”重复", Place(file=file))]) from None
    except json.JSONDecodeError as exc:
        raise PolicyFileError(
            [RulesError(f"JSON 格式有误（{exc.msg}，第{exc.colno}列）", Place(file=file, line=exc.lineno))]
        ) from None
    except ValueError as exc:
        raise PolicyFileError([RulesError(f"JSON 格式有误（{exc}）", Place(file=file))]) from None


# ---------------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------------


def load_policy(path: str | Path, catalogue: Catalogue | None = None) -> Policy:
    """Read and validate a policy file; raise :class:`PolicyFileError` listing every problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyFileError(
            [RulesError(f"无法读取政策文件（{exc.strerror}）", Place(file=str(path)))]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PolicyFileError(
            [RulesError(f"文件不是 UTF-8 编码（第{exc.start}字节）", Place(file=str(path)))]
        ) from None
    return load_policy_text(text, file=str(path), catalogue=catalogue)


def load_policy_text(text: str, *, file: str | None = None, catalogue: Catalogue | None = None) -> Policy:
    is_json = (file or "").lower().endswith(".json") or text.lstrip().startswith("{")
    data = parse_json(text, file) if is_json else parse_yaml(text, file)
    return policy_from_data(data, file=file, catalogue=catalogue)


class _Validator:
    def __init__(self, file: str | None, catalogue: Catalogue):
        self.file = file
        self.catalogue = catalogue
        self.errors: list[RulesError] = []

    def error(
        self, message: str, *, line: int | None = None, path: str | None = None, criterion: str | None = None
    ):
        self.errors.append(
            RulesError(message, Place(file=self.file, line=line, path=path, criterion=criterion))
        )

    def expression(
        self,
        value: Any,
        *,
        path: str,
        line: int | None,
        criterion: str | None,
        beneficiary: str | None,
        is_amount: bool,
    ) -> Expression | None:
        if isinstance(value, bool):
            value = "true" if value else "false"
        if is_amount and type(value) is int:
            if value < 0:
                self.error(f"金额不能为负数：{value}", line=line, path=path)
                return None
            value = str(value)
        if not isinstance(value, str):
            want = "整数或表达式" if is_amount else "表达式（字符串）"
            self.error(
                f"应为{want}，实际为{describe_json(_plain(value))}", line=line, path=path, criterion=criterion
            )
            return None
        try:
            node = parse(value)
            if beneficiary is None:
                return None  # beneficiary is invalid: its own error is reported; syntax was still checked
            check_expression(
                node,
                catalogue=self.catalogue,
                beneficiary=beneficiary,
                source=value,
                expected=INT if is_amount else BOOL,
                role="金额" if is_amount else "条件",
            )
        except RulesError as exc:
            self.errors.append(exc.at(file=self.file, line=line, path=path, criterion=criterion))
            return None
        return Expression(value, node, compile_expr(node), tuple(facts_used(node)), line, path)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _line(container: Any, key: Any) -> int | None:
    lines = getattr(container, "lines", None)
    if isinstance(lines, dict):
        return lines.get(key)
    if isinstance(lines, list) and isinstance(key, int) and key < len(lines):
        return lines[key]
    return None


def _date(value: Any) -> dt.date | None:
    if type(value) is dt.date:
        return value
    if isinstance(value, str):
        return parse_iso_date(value)
    return None


def policy_from_data(data: Any, *, file: str | None = None, catalogue: Catalogue | None = None) -> Policy:
    """Validate parsed file data (dicts from YAML or JSON) into a :class:`Policy`."""
    catalogue = catalogue or default_catalogue()
    v = _Validator(file, catalogue)
    if not isinstance(data, Mapping):
        v.error("政策文件的顶层应为映射（键: 值），例如以 rules: gongkai-rules/1 开头")
        raise PolicyFileError(v.errors)

    for key in data:
        if key not in TOP_KEYS:
            v.error(
                f"未知字段“{key}”：可用字段为 {', '.join(TOP_KEYS)}", line=_line(data, key), path=str(key)
            )
    for key in REQUIRED:
        if key not in data:
            v.error(f"缺少必填字段 {key}", line=getattr(data, "line", None), path=key)

    def field_line(key: str) -> int | None:
        return _line(data, key)

    rules = data.get("rules")
    if "rules" in data and rules != RULES_FORMAT:
        v.error(
            f"应为 {RULES_FORMAT}，实际为 {describe_json(_plain(rules))}",
            line=field_line("rules"),
            path="rules",
        )

    policy_id = data.get("policy")
    if "policy" in data and not (isinstance(policy_id, str) and POLICY_ID.fullmatch(policy_id)):
        v.error(
            f"政策标识应由小写英文字母、数字和连字符组成（如 zjtx-little-giant-award），实际为 {describe_json(_plain(policy_id))}",
            line=field_line("policy"),
            path="policy",
        )

    version = data.get("version")
    if "version" in data and not (type(version) is int and version >= 1):
        v.error(
            f"应为 ≥ 1 的整数，实际为 {describe_json(_plain(version))}",
            line=field_line("version"),
            path="version",
        )

    title = data.get("title")
    if "title" in data and not (isinstance(title, str) and title.strip()):
        v.error("标题应为非空字符串", line=field_line("title"), path="title")

    source = _validate_source(v, data)

    mode = data.get("mode")
    if "mode" in data and mode not in MODES:
        v.error(
            f"应为 {' | '.join(MODES)} 之一，实际为 {describe_json(_plain(mode))}",
            line=field_line("mode"),
            path="mode",
        )

    beneficiary = data.get("beneficiary")
    if "beneficiary" in data and beneficiary not in BENEFICIARY_KINDS:
        v.error(
            f"应为 entity（市场主体）或 person（个人），实际为 {describe_json(_plain(beneficiary))}",
            line=field_line("beneficiary"),
            path="beneficiary",
        )
        beneficiary = None
    checked_beneficiary = None if beneficiary is None else str(beneficiary)

    valid_from = valid_to = None
    for key in ("valid_from", "valid_to"):
        if key not in data or (key == "valid_to" and data[key] is None):
            continue
        day = _date(data[key])
        if day is None:
            v.error(
                f"应为日期 YYYY-MM-DD（如 2026-01-01），实际为 {describe_json(_plain(data[key]))}",
                line=field_line(key),
                path=key,
            )
        elif key == "valid_from":
            valid_from = day
        else:
            valid_to = day
    if valid_from and valid_to and valid_to < valid_from:
        v.error(
            f"有效期结束日 {valid_to} 早于开始日 {valid_from}", line=field_line("valid_to"), path="valid_to"
        )

    criteria = _validate_criteria(v, data, checked_beneficiary)

    amount = None
    if data.get("amount") is not None:
        if mode == "评审类":
            v.error(
                "评审类政策不能自动拨付，因此不能写 amount（金额由评审决定）；"
                "如需自动计算金额，请把 mode 改为 免申即享 或 快申快享",
                line=field_line("amount"),
                path="amount",
            )
        else:
            amount = v.expression(
                data["amount"],
                path="amount",
                line=field_line("amount"),
                criterion=None,
                beneficiary=checked_beneficiary,
                is_amount=True,
            )

    tests = _validate_tests(v, data, criteria, has_amount="amount" in data and data["amount"] is not None)

    if v.errors:
        raise PolicyFileError(v.errors)
    assert isinstance(policy_id, str) and type(version) is int and valid_from is not None
    used: dict[str, None] = {}
    for criterion in criteria:
        for name in criterion.when.facts:
            used.setdefault(name, None)
    if amount is not None:
        for name in amount.facts:
            used.setdefault(name, None)
    return Policy(
        id=policy_id,
        version=version,
        title=str(title),
        source=source,
        mode=str(mode),
        beneficiary=str(beneficiary),
        valid_from=valid_from,
        valid_to=valid_to,
        criteria=tuple(criteria),
        amount=amount,
        tests=tuple(tests),
        catalogue=catalogue,
        file=file,
        facts_used=tuple(used),
    )


def _validate_source(v: _Validator, data: Mapping) -> dict[str, str]:
    if "source" not in data:
        return {}
    source = data["source"]
    line = _line(data, "source")
    if not isinstance(source, Mapping):
        v.error(
            "应为映射：{document: 文号, article: 条款, authority: 发文机关, url: 链接}",
            line=line,
            path="source",
        )
        return {}
    result = {}
    for key, value in source.items():
        kline = _line(source, key) or line
        if key not in SOURCE_KEYS:
            v.error(f"未知字段“{key}”：可用字段为 {', '.join(SOURCE_KEYS)}", line=kline, path=f"source.{key}")
        elif not isinstance(value, str) or not value.strip():
            v.error("应为非空字符串", line=kline, path=f"source.{key}")
        else:
            result[key] = value
    if "document" not in source:
        v.error("缺少 document（政策文件的文号）", line=line, path="source.document")
    return result


def _validate_criteria(v: _Validator, data: Mapping, beneficiary: str | None) -> list[Criterion]:
    if "criteria" not in data:
        return []
    items = data["criteria"]
    line = _line(data, "criteria")
    if not isinstance(items, list) or not items:
        v.error("应为至少一个条件的列表（每项含 id、label、when）", line=line, path="criteria")
        return []
    criteria: list[Criterion] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(items):
        path = f"criteria[{index}]"
        iline = _line(items, index) or line
        if not isinstance(item, Mapping):
            v.error("每个条件应为映射（id、label、when）", line=iline, path=path)
            continue
        cid = item.get("id")
        named = cid if isinstance(cid, str) else None
        for key in item:
            if key not in ("id", "label", "when"):
                v.error(
                    f"未知字段“{key}”：条件只有 id、label、when",
                    line=_line(item, key),
                    path=f"{path}.{key}",
                    criterion=named,
                )
        for key in ("id", "label", "when"):
            if key not in item:
                v.error(f"缺少 {key}", line=iline, path=f"{path}.{key}", criterion=named)
        if "id" in item:
            if not (isinstance(cid, str) and CRITERION_ID.fullmatch(cid)):
                v.error(
                    f"条件 id 应为由英文字母、数字、_ . - 组成的字符串（如 c1），实际为 {describe_json(_plain(cid))}",
                    line=_line(item, "id"),
                    path=f"{path}.id",
                )
                named = None
            elif cid in seen:
                v.error(
                    f"条件 id 重复（{seen[cid]} 已使用）",
                    line=_line(item, "id"),
                    path=f"{path}.id",
                    criterion=cid,
                )
            else:
                seen[cid] = path
        label = item.get("label")
        if "label" in item and not (isinstance(label, str) and label.strip()):
            v.error(
                "label 应为非空的中文说明", line=_line(item, "label"), path=f"{path}.label", criterion=named
            )
        if "when" in item:
            expression = v.expression(
                item["when"],
                path=f"{path}.when",
                line=_line(item, "when"),
                criterion=named,
                beneficiary=beneficiary,
                is_amount=False,
            )
            if expression is not None and named is not None and isinstance(label, str):
                criteria.append(Criterion(named, label, expression))
    return criteria


def _validate_tests(
    v: _Validator, data: Mapping, criteria: list[Criterion], has_amount: bool
) -> list[PolicyTest]:
    if data.get("tests") is None:
        return []
    items = data["tests"]
    line = _line(data, "tests")
    if not isinstance(items, list):
        v.error("应为测试用例的列表（每项含 name、on、facts、expect）", line=line, path="tests")
        return []
    ids = {c.id for c in criteria}
    tests = []
    for index, item in enumerate(items):
        path = f"tests[{index}]"
        iline = _line(items, index) or line
        if not isinstance(item, Mapping):
            v.error("每个测试应为映射（name、on、facts、expect）", line=iline, path=path)
            continue
        before = len(v.errors)
        for key in item:
            if key not in ("name", "on", "facts", "expect"):
                v.error(
                    f"未知字段“{key}”：测试只有 name、on、facts、expect",
                    line=_line(item, key),
                    path=f"{path}.{key}",
                )
        for key in ("name", "on", "facts", "expect"):
            if key not in item:
                v.error(f"缺少 {key}", line=iline, path=f"{path}.{key}")
        name = item.get("name")
        if "name" in item and not (isinstance(name, str) and name.strip()):
            v.error("name 应为非空字符串", line=_line(item, "name"), path=f"{path}.name")
        on = _date(item.get("on")) if "on" in item else None
        if "on" in item and on is None:
            v.error(
                f"on 应为日期 YYYY-MM-DD，实际为 {describe_json(_plain(item['on']))}",
                line=_line(item, "on"),
                path=f"{path}.on",
            )
        facts = _validate_test_facts(v, item, path)
        status, amount, has_expect_amount, expect_criteria = _validate_expect(v, item, path, ids, has_amount)
        if len(v.errors) == before:
            assert isinstance(name, str) and on is not None and facts is not None and status is not None
            tests.append(
                PolicyTest(
                    name=name,
                    on=on,
                    facts=facts,
                    expect_status=status,
                    expect_amount=amount,
                    has_expect_amount=has_expect_amount,
                    expect_criteria=expect_criteria,
                    line=iline,
                    path=path,
                )
            )
    return tests


def _validate_test_facts(v: _Validator, item: Mapping, path: str) -> dict[str, Any] | None:
    if "facts" not in item:
        return None
    raw = item["facts"]
    fline = _line(item, "facts")
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        v.error("facts 应为映射：{数据项: 值}", line=fline, path=f"{path}.facts")
        return None
    facts: dict[str, Any] = {}
    for name, value in raw.items():
        vline = _line(raw, name) or fline
        spec = v.catalogue.get(name) if isinstance(name, str) else None
        if spec is None:
            v.error(f"未知的数据项“{name}”（数据目录中没有）", line=vline, path=f"{path}.facts.{name}")
            continue
        if type(value) is dt.date:
            value = value.isoformat()  # YAML writes dates unquoted; facts hold them as ISO strings
        if isinstance(value, list):
            value = [x.isoformat() if type(x) is dt.date else x for x in value]
        problem = check_fact_value(spec, value)
        if problem:
            v.error(f"数据项 {name}（{spec.label}）{problem}", line=vline, path=f"{path}.facts.{name}")
            continue
        facts[name] = list(value) if isinstance(value, list) else value
    return facts


def _validate_expect(v: _Validator, item: Mapping, path: str, ids: set[str], has_amount: bool):
    status = amount = expect_criteria = None
    has_expect_amount = False
    if "expect" not in item:
        return status, amount, has_expect_amount, expect_criteria
    expect = item["expect"]
    eline = _line(item, "expect")
    epath = f"{path}.expect"
    if not isinstance(expect, Mapping):
        v.error("expect 应为映射：{status: …, amount: …}", line=eline, path=epath)
        return status, amount, has_expect_amount, expect_criteria
    for key in expect:
        if key not in ("status", "amount", "criteria"):
            v.error(
                f"未知字段“{key}”：expect 只有 status、amount、criteria",
                line=_line(expect, key) or eline,
                path=f"{epath}.{key}",
            )
    if "status" not in expect:
        v.error("缺少 status", line=eline, path=f"{epath}.status")
    elif expect["status"] not in STATUSES:
        v.error(
            f"status 应为 {' | '.join(STATUSES)} 之一，实际为 {describe_json(_plain(expect['status']))}",
            line=_line(expect, "status") or eline,
            path=f"{epath}.status",
        )
    else:
        status = expect["status"]
    if "amount" in expect:
        has_expect_amount = True
        amount = expect["amount"]
        aline = _line(expect, "amount") or eline
        if amount is not None and type(amount) is not int:
            v.error(
                f"amount 应为整数（元）或 null，实际为 {describe_json(_plain(amount))}",
                line=aline,
                path=f"{epath}.amount",
            )
        elif not has_amount:
            v.error("政策没有 amount，测试不能期望金额", line=aline, path=f"{epath}.amount")
        elif status is not None and status != "eligible":
            v.error(
                "只有 eligible（符合）才有金额；其他结果请去掉 amount", line=aline, path=f"{epath}.amount"
            )
    if "criteria" in expect:
        raw = expect["criteria"]
        cline = _line(expect, "criteria") or eline
        if not isinstance(raw, Mapping):
            v.error(
                "criteria 应为映射：{条件id: pass | fail | unknown}", line=cline, path=f"{epath}.criteria"
            )
        else:
            expect_criteria = {}
            for cid, cstatus in raw.items():
                if cid not in ids:
                    v.error(
                        f"没有 id 为“{cid}”的条件",
                        line=_line(raw, cid) or cline,
                        path=f"{epath}.criteria.{cid}",
                    )
                elif cstatus not in ("pass", "fail", "unknown"):
                    v.error(
                        f"应为 pass | fail | unknown，实际为 {describe_json(_plain(cstatus))}",
                        line=_line(raw, cid) or cline,
                        path=f"{epath}.criteria.{cid}",
                    )
                else:
                    expect_criteria[str(cid)] = cstatus
    return status, amount, has_expect_amount, expect_criteria


__all__ = ["ExpressionSyntaxError", "load_policy", "load_policy_text", "parse_yaml", "policy_from_data"]
