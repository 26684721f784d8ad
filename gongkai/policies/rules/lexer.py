"""Tokens of the expression language (``gongkai-rules/1`` §3).

Positions are 0-based character offsets into the expression text. Characters that officers often type
by mistake on a Chinese keyboard (full-width brackets, quotes, comparison signs) get a specific hint.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .errors import ExpressionSyntaxError, Place

KEYWORDS = frozenset({"and", "or", "not", "in", "has", "true", "false"})

# Longest first, so that "<=" wins over "<" and "//" is one token.
_OPERATORS = ("==", "!=", "<=", ">=", "//", "<", ">", "+", "-", "*", "(", ")", "[", "]", ",")

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INTEGER = re.compile(r"[0-9]+")
_SPACE = re.compile(r"[ \t\r\n]+")

_HINTS = {
    "（": "全角括号“（”，请改用半角 (",
    "）": "全角括号“）”，请改用半角 )",
    "［": "全角方括号，请改用半角 [",
    "］": "全角方括号，请改用半角 ]",
    "【": "中文方括号“【”，请改用半角 [",
    "】": "中文方括号“】”，请改用半角 ]",
    "“": '中文引号“，字符串请用半角双引号 "',
    "”": '中文引号”，字符串请用半角双引号 "',
    "‘": '中文引号‘，字符串请用半角双引号 "',
    "’": '中文引号’，字符串请用半角双引号 "',
    "'": '单引号，字符串请用双引号 "',
    "，": "全角逗号“，”，请改用半角 ,",
    "＝": "全角等号，比较相等请用 ==",
    "＞": "全角大于号，请改用 >",
    "＜": "全角小于号，请改用 <",
    "≥": "“≥”，请改用 >=",
    "≤": "“≤”，请改用 <=",
    "≠": "“≠”，请改用 !=",
    "=": "单个等号，比较相等请用 ==",
    "!": "感叹号，“不等于”请用 !=，“非”请用 not",
    "&": "“&”，“并且”请用 and",
    "|": "“|”，“或者”请用 or",
    "/": "单斜杠，整数除法（向下取整）请用 //",
    ".": "小数点：只支持整数（金额以元或分为单位，比例可用万分之一等整数单位）",
    "%": "百分号：只支持整数，比例请用目录中规定的整数单位",
}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "int", "str", "name", "kw", "op", "end"
    value: object
    start: int
    end: int


def tokenize(source: str) -> list[Token]:
    """Split ``source`` into tokens, ending with an ``end`` token; raise on the first bad character."""
    tokens: list[Token] = []
    pos = 0
    n = len(source)
    while pos < n:
        m = _SPACE.match(source, pos)
        if m:
            pos = m.end()
            continue
        ch = source[pos]
        if ch == '"':
            end = _string_end(source, pos)
            try:
                value = json.loads(source[pos:end])
            except json.JSONDecodeError as exc:
                raise ExpressionSyntaxError(
                    f"字符串写法有误（{_json_reason(exc)}）", Place(column=pos + exc.pos + 1, source=source)
                ) from None
            tokens.append(Token("str", value, pos, end))
            pos = end
            continue
        m = _INTEGER.match(source, pos)
        if m:
            tokens.append(Token("int", int(m.group()), pos, m.end()))
            pos = m.end()
            continue
        m = _NAME.match(source, pos)
        if m:
            word = m.group()
            tokens.append(Token("kw" if word in KEYWORDS else "name", word, pos, m.end()))
            pos = m.end()
            continue
        for op in _OPERATORS:
            if source.startswith(op, pos):
                tokens.append(Token("op", op, pos, pos + len(op)))
                pos += len(op)
                break
        else:
            hint = _HINTS.get(ch)
            message = f"这里不能出现{hint}" if hint else f"这里不能出现字符“{ch}”"
            if hint is None and not ch.isascii():
                message += "（中文只能写在双引号括起的字符串里）"
            raise ExpressionSyntaxError(message, Place(column=pos + 1, source=source))
    tokens.append(Token("end", None, n, n))
    return tokens


def _string_end(source: str, start: int) -> int:
    """Offset just after the closing quote of the string starting at ``start``."""
    pos = start + 1
    while pos < len(source):
        ch = source[pos]
        if ch == "\\":
            pos += 2
            continue
        if ch == '"':
            return pos + 1
        pos += 1
    raise ExpressionSyntaxError('字符串缺少结尾的双引号 "', Place(column=start + 1, source=source))


def _json_reason(exc: json.JSONDecodeError) -> str:
    if "escape" in exc.msg:
        return '反斜杠转义无效，只能使用 JSON 转义，如 \\" \\\\ \\n \\u4e2d'
    if "control character" in exc.msg:
        return "字符串里不能直接换行或含控制字符"
    return exc.msg
