"""Recursive-descent parser for the expression grammar of ``gongkai-rules/1`` §3.

Lowest precedence first: or, and, not, one comparison/membership (comparisons do not chain), + -,
* //, unary minus, atoms. Errors carry the 1-based column where the parser got stuck.
"""

from __future__ import annotations

from .errors import ExpressionSyntaxError, Place
from .lexer import Token, tokenize
from .nodes import Binary, Call, ListLiteral, Literal, Name, Negate, Node, Not

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1

_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})


# Deeper trees are refused: every later stage (checking, compiling, both evaluators) recurses on them,
# and no real criterion comes close (a chain of 50 "or" alternatives is 51 deep).
MAX_DEPTH = 100


def parse(source: str) -> Node:
    """Parse an expression; raise :class:`ExpressionSyntaxError` with the column on failure."""
    if not isinstance(source, str) or not source.strip():
        raise ExpressionSyntaxError("表达式是空的")
    too_deep = ExpressionSyntaxError(f"表达式嵌套或连接得太深（超过 {MAX_DEPTH} 层），请拆成几个条件")
    try:
        node = _Parser(source).parse()
    except RecursionError:
        raise too_deep from None
    if depth(node) > MAX_DEPTH:
        raise too_deep
    return node


def depth(node: Node) -> int:
    """Height of the tree, computed without recursion."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in current.children())
    return deepest


class _Parser:
    def __init__(self, source: str):
        self.source = source
        self.tokens = tokenize(source)
        self.pos = 0

    # -- helpers ----------------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.pos + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def at(self, kind: str, value: object = None) -> bool:
        tok = self.tok
        return tok.kind == kind and (value is None or tok.value == value)

    def error(self, message: str, tok: Token | None = None) -> ExpressionSyntaxError:
        tok = tok or self.tok
        return ExpressionSyntaxError(message, Place(column=tok.start + 1, source=self.source))

    def describe(self, tok: Token) -> str:
        if tok.kind == "end":
            return "表达式已结束"
        return f"这里是“{self.source[tok.start : tok.end]}”"

    def expect_op(self, op: str, what: str) -> Token:
        if not self.at("op", op):
            raise self.error(f"应为 {op}（{what}），但{self.describe(self.tok)}")
        return self.advance()

    # -- grammar ----------------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.parse_or()
        if not self.at("end"):
            tok = self.tok
            if tok.kind == "op" and tok.value in _COMPARISONS:
                raise self.error("比较不能连写：例如 a < b < c 请写成 a < b and b < c", tok)
            if tok.kind == "op" and tok.value == ")":
                raise self.error("多余的右括号 )", tok)
            raise self.error(f"表达式在这里应当结束或接一个运算符，但{self.describe(tok)}", tok)
        return node

    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.at("kw", "or"):
            op = self.advance()
            right = self.parse_and()
            node = Binary("or", node, right, node.start, right.end, op.start)
        return node

    def parse_and(self) -> Node:
        node = self.parse_not()
        while self.at("kw", "and"):
            op = self.advance()
            right = self.parse_not()
            node = Binary("and", node, right, node.start, right.end, op.start)
        return node

    def parse_not(self) -> Node:
        if self.at("kw", "not"):
            op = self.advance()
            operand = self.parse_not()
            return Not(operand, op.start, operand.end)
        return self.parse_cmp()

    def parse_cmp(self) -> Node:
        left = self.parse_add()
        tok = self.tok
        if (tok.kind == "op" and tok.value in _COMPARISONS) or (
            tok.kind == "kw" and tok.value in ("in", "has")
        ):
            op = str(self.advance().value)
        elif tok.kind == "kw" and tok.value == "not":
            if self.peek().kind == "kw" and self.peek().value == "in":
                self.advance()
                self.advance()
                op = "notin"
            else:
                raise self.error("这里的 not 后面应为 in（写法 a not in b）；“非”请写在整个条件前面", tok)
        else:
            return left
        right = self.parse_add()
        return Binary(op, left, right, left.start, right.end, tok.start)

    def parse_add(self) -> Node:
        node = self.parse_mul()
        while self.tok.kind == "op" and self.tok.value in ("+", "-"):
            op = self.advance()
            right = self.parse_mul()
            node = Binary(str(op.value), node, right, node.start, right.end, op.start)
        return node

    def parse_mul(self) -> Node:
        node = self.parse_unary()
        while self.tok.kind == "op" and self.tok.value in ("*", "//"):
            op = self.advance()
            right = self.parse_unary()
            node = Binary(str(op.value), node, right, node.start, right.end, op.start)
        return node

    def parse_unary(self) -> Node:
        if self.at("op", "-"):
            op = self.advance()
            operand = self.parse_unary()
            return Negate(operand, op.start, operand.end)
        return self.parse_atom()

    def parse_atom(self) -> Node:
        tok = self.tok
        if tok.kind == "int":
            self.advance()
            value = int(tok.value)  # type: ignore[call-overload]
            if value > INT_MAX:
                raise self.error(f"整数太大（最大 {INT_MAX}）", tok)
            return Literal(value, tok.start, tok.end)
        if tok.kind == "str":
            self.advance()
            return Literal(str(tok.value), tok.start, tok.end)
        if tok.kind == "kw" and tok.value in ("true", "false"):
            self.advance()
            return Literal(tok.value == "true", tok.start, tok.end)
        if tok.kind == "op" and tok.value == "[":
            self.advance()
            items = self.parse_items("]", "列表结尾")
            close = self.advance()
            return ListLiteral(items, tok.start, close.end)
        if tok.kind == "name":
            self.advance()
            if self.at("op", "("):
                self.advance()
                args = self.parse_items(")", "函数参数结尾")
                close = self.advance()
                return Call(str(tok.value), args, tok.start, close.end, tok.end)
            return Name(str(tok.value), tok.start, tok.end)
        if tok.kind == "op" and tok.value == "(":
            self.advance()
            inner = self.parse_or()
            close = self.expect_op(")", f"与第{tok.start + 1}列的 ( 配对")
            # Keep the parentheses in the span, so messages point at what the officer wrote.
            inner.start, inner.end = tok.start, close.end
            return inner
        if tok.kind == "kw":
            raise self.error(f"关键字“{tok.value}”不能出现在这里（缺少它前面的值？）", tok)
        if tok.kind == "end":
            raise self.error("表达式不完整：这里还缺一个值")
        raise self.error(f"这里应是一个值（数据项、数字、字符串、列表或括号），但{self.describe(tok)}")

    def parse_items(self, close: str, what: str) -> list[Node]:
        items: list[Node] = []
        if self.at("op", close):
            return items
        while True:
            items.append(self.parse_or())
            if self.at("op", ","):
                comma = self.advance()
                if self.at("op", close):
                    raise self.error(f"{close} 前多了一个逗号", comma)
                continue
            if self.at("op", close):
                return items
            raise self.error(f"应为 , 或 {close}（{what}），但{self.describe(self.tok)}")
