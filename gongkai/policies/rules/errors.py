"""Errors of the rules engine. Each one knows where it happened, so the message can name the place.

Messages are in Chinese: policy officers read them when they save or test a rule file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Place:
    """Where in a policy file something is: file, line, field path, criterion, column in the expression."""

    file: str | None = None
    line: int | None = None
    path: str | None = None  # e.g. "criteria[0].when"
    criterion: str | None = None
    column: int | None = None  # 1-based column inside the expression text
    source: str | None = None  # the expression text, for the caret display

    def describe(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"第{self.line}行")
        if self.criterion is not None:
            parts.append(f"条件 {self.criterion}")
        if self.path:
            parts.append(self.path)
        if self.column is not None:
            parts.append(f"第{self.column}列")
        return "，".join(parts)


class RulesError(Exception):
    """Base class: a message plus the place it concerns."""

    def __init__(self, message: str, place: Place | None = None):
        self.message = message
        self.place = place or Place()
        super().__init__(self.render())

    def render(self) -> str:
        where = self.place.describe()
        text = f"{where}：{self.message}" if where else self.message
        if self.place.source is not None and self.place.column is not None:
            text += "\n" + caret(self.place.source, self.place.column)
        return text

    def at(self, **changes) -> RulesError:
        """The same error with more of its place filled in (fields already set are kept)."""
        for key, value in changes.items():
            if getattr(self.place, key) is None and value is not None:
                setattr(self.place, key, value)
        self.args = (self.render(),)
        return self

    def __str__(self) -> str:
        return self.render()


def caret(source: str, column: int, width: int = 1) -> str:
    """Two lines: the expression and a caret under ``column`` (1-based), for fixed-width display.

    Only the source line holding the column is shown when the expression spans several lines.
    """
    start = 0
    lines = source.split("\n")
    for text in lines:
        if column - 1 <= start + len(text):
            offset = column - 1 - start
            # Chinese characters take two cells in a terminal; pad accordingly.
            pad = "".join("  " if ord(ch) > 0x2E7F else " " for ch in text[:offset])
            return f"    {text}\n    {pad}{'^' * max(width, 1)}"
        start += len(text) + 1
    return f"    {source}"


class ExpressionSyntaxError(RulesError):
    """The expression text does not follow the grammar."""


class RulesTypeError(RulesError):
    """The expression is well formed but misuses a type, a fact or a function."""


class PolicyFileError(RulesError):
    """A policy file breaks a rule of the format. Carries every problem found, not only the first."""

    def __init__(self, errors: list[RulesError]):
        self.errors = errors
        super().__init__("\n".join(e.render() for e in errors))

    def render(self) -> str:
        return "\n".join(e.render() for e in self.errors)


class EvaluationError(RulesError):
    """Evaluation met an error that typing cannot exclude (division by zero, out-of-range number,
    a fact value of the wrong type). The vectorised matcher sets ``row`` to the frame row concerned."""

    row: int | None = None


class FactsError(RulesError):
    """A facts file (JSON lines) is malformed."""
