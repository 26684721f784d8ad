"""Recall and precision of the redaction detector on the corpus.

    .venv/bin/python -m gongkai.penalties.tests.corpus.measure

prints the table that docs/redaction.md quotes; ``test_redaction_corpus.py`` asserts on the same
figures and writes them to ``test-artefacts/redaction-corpus.md``.

A true item counts as found when one finding of the right kind covers all of it (the mobile and
landline kinds form the group "phone", card and account the group "bank"). A finding counts as
correct when it overlaps a true item of its group. Staff-marked names and addresses are passed to
the detector as marked spans, as the review screen does, and are checked separately for leaks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gongkai.penalties import redaction
from gongkai.penalties.redaction import Finding, Kind

HERE = Path(__file__).resolve().parent
TODAY = date(2026, 1, 1)  # fixed, so that birth-date plausibility does not drift

GROUP_OF = {
    "id_number": "id",
    "document_number": "document",
    "mobile": "phone",
    "landline": "phone",
    "bank_card": "bank",
    "bank_account": "bank",
    "email": "email",
    "im_account": "im",
}
# rows of the table: (row, label, kinds counted)
ROWS = [
    ("id", "身份证号", {"id_number"}),
    ("document", "护照/通行证号码（有标签）", {"document_number"}),
    ("phone", "电话（手机+固话）", {"mobile", "landline"}),
    ("mobile", "　其中手机号码", {"mobile"}),
    ("landline", "　其中固定电话", {"landline"}),
    ("bank", "银行卡号/账号", {"bank_card", "bank_account"}),
    ("bank_card", "　其中银行卡号（Luhn）", {"bank_card"}),
    ("bank_account", "　其中对公等账号（有标签）", {"bank_account"}),
    ("email", "电子邮箱", {"email"}),
    ("im", "QQ/微信号", {"im_account"}),
]


@dataclass
class Figures:
    expected: int = 0
    found: int = 0
    flagged: int = 0
    correct: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.flagged if self.flagged else 1.0


@dataclass
class Case:
    name: str
    text: str
    annotation: dict[str, object]

    @property
    def sensitive(self) -> list[dict[str, object]]:
        return list(self.annotation["sensitive"])  # type: ignore[call-overload]

    @property
    def traps(self) -> list[dict[str, object]]:
        return list(self.annotation["traps"])  # type: ignore[call-overload]

    @property
    def marked(self) -> list[dict[str, object]]:
        return list(self.annotation["marked"])  # type: ignore[call-overload]

    def marks(self) -> list[redaction.Span]:
        return [
            redaction.Span(
                int(str(m["start"])),
                int(str(m["start"])) + len(str(m["text"])),
                Kind.NAME if m["kind"] == "name" else Kind.ADDRESS,
            )
            for m in self.marked
        ]


@dataclass
class Report:
    cases: int = 0
    characters: int = 0
    rows: dict[str, Figures] = field(default_factory=lambda: {row: Figures() for row, _, _ in ROWS})
    misses: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    trap_hits: list[str] = field(default_factory=list)
    traps: int = 0
    leaks: list[str] = field(default_factory=list)

    def markdown(self) -> str:
        lines = [
            f"语料：{self.cases} 份决定书，共 {self.characters} 字符；陷阱字符串 {self.traps} 个，"
            f"被误隐去 {len(self.trap_hits)} 个。",
            "",
            "| 类别 | 标注数 | 检出 | 召回率 | 检出总数 | 正确 | 精确率 |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row, label, _ in ROWS:
            f = self.rows[row]
            lines.append(
                f"| {label} | {f.expected} | {f.found} | {f.recall:.1%} | {f.flagged} | {f.correct} | {f.precision:.1%} |"
            )
        return "\n".join(lines) + "\n"


def load(directory: Path = HERE) -> list[Case]:
    cases = []
    for text_file in sorted(directory.glob("[0-9][0-9]-*.txt")):
        annotation = json.loads(text_file.with_suffix(".json").read_text(encoding="utf-8"))
        cases.append(Case(text_file.name, text_file.read_text(encoding="utf-8"), annotation))
    return cases


def _span(item: dict[str, object]) -> tuple[int, int]:
    start = int(str(item["start"]))
    return start, start + len(str(item["text"]))


def measure(cases: list[Case] | None = None, today: date = TODAY) -> Report:
    report = Report()
    for case in cases if cases is not None else load():
        report.cases += 1
        report.characters += len(case.text)
        findings = redaction.detect(case.text, marked=case.marks(), today=today)
        detected = [f for f in findings if f.source == redaction.DETECTOR]
        _score(case, detected, report)
        _check_traps(case, findings, report)
        _check_leaks(case, findings, report)
    return report


def _score(case: Case, detected: list[Finding], report: Report) -> None:
    for row, _, kinds in ROWS:
        figures = report.rows[row]
        listed = row in GROUP_OF.values()  # misses and false positives are listed once, per group
        for item in case.sensitive:
            if item["kind"] not in kinds:
                continue
            start, end = _span(item)
            figures.expected += 1
            if any(f.kind.value in kinds and f.start <= start and end <= f.end for f in detected):
                figures.found += 1
            elif listed:
                report.misses.append(f"{case.name}: {item['kind']} {item['text']!r}")
        for f in detected:
            if f.kind.value not in kinds:
                continue
            figures.flagged += 1
            spans = [_span(item) for item in case.sensitive if item["kind"] in kinds]
            if any(f.start < end and start < f.end for start, end in spans):
                figures.correct += 1
            elif listed:
                report.false_positives.append(f"{case.name}: {f.kind.value} {f.original!r} ({f.reason})")


def _check_traps(case: Case, findings: list[Finding], report: Report) -> None:
    for trap in case.traps:
        report.traps += 1
        start, end = _span(trap)
        hits = [f for f in findings if f.start < end and start < f.end]
        if hits:
            report.trap_hits.append(f"{case.name}: {trap['what']} {trap['text']!r} ← {hits[0].kind.value}")


def _check_leaks(case: Case, findings: list[Finding], report: Report) -> None:
    """Nothing true may survive in the published text, in any width or spacing."""
    published = redaction.redact(case.text, findings)
    squeezed = "".join(ch for ch in redaction.fold(published) if ch.isalnum() or ch in "@.").upper()
    for item in case.sensitive:
        value = str(item.get("value", item["text"])).replace("-", "").upper()
        if value in squeezed:
            report.leaks.append(f"{case.name}: {item['kind']} {item['text']!r}")
    for item in case.marked:
        if str(item["text"]) in published:
            report.leaks.append(f"{case.name}: {item['kind']} {item['text']!r}")


if __name__ == "__main__":
    result = measure()
    print(result.markdown())
    for title, items in (
        ("漏检", result.misses),
        ("误检", result.false_positives),
        ("陷阱被隐去", result.trap_hits),
        ("泄露", result.leaks),
    ):
        for item in items:
            print(f"{title}：{item}")
