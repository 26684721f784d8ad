"""The redaction corpus: recall, precision, traps and leaks over every committed decision text.

The figures are printed (``pytest -s``) and written to ``test-artefacts/redaction-corpus.md``;
docs/redaction.md quotes them.
"""

import json
import os
from datetime import date
from pathlib import Path

import pytest

from gongkai.penalties import redaction
from gongkai.penalties.tests.corpus import build, measure

CASES = measure.load()
ARTEFACTS = Path(os.environ.get("GONGKAI_ARTEFACTS", Path(__file__).resolve().parents[3] / "test-artefacts"))


@pytest.fixture(scope="module")
def report() -> measure.Report:
    result = measure.measure(CASES)
    table = result.markdown()
    print("\n" + table)
    try:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        (ARTEFACTS / "redaction-corpus.md").write_text(table, encoding="utf-8")
    except OSError:
        pass  # a read-only checkout still runs the assertions
    return result


def test_corpus_has_at_least_50_decisions_of_300_to_1500_characters():
    assert len(CASES) >= 50
    for case in CASES:
        assert 300 <= len(case.text) <= 1500, case.name


def test_corpus_covers_many_violation_types_and_both_kinds_of_party():
    violations = {case.annotation["violation"] for case in CASES}
    assert {"食品安全", "广告", "价格", "计量", "特种设备", "无照经营", "商标侵权"} <= violations
    parties = {case.annotation["party"] for case in CASES}
    assert {"natural_person", "company", "individual_business"} <= parties


def test_committed_corpus_is_what_the_generator_writes():
    files = build.build()
    on_disk = {p.name for p in measure.HERE.glob("[0-9][0-9]-*")}
    assert on_disk == set(files)
    for name, content in files.items():
        assert (measure.HERE / name).read_text(encoding="utf-8") == content, f"{name}: run corpus/build.py"


def test_annotations_point_at_their_text():
    for case in CASES:
        for item in case.sensitive + case.traps + case.marked:
            start = int(str(item["start"]))
            assert case.text[start : start + len(str(item["text"]))] == item["text"], (case.name, item)


@pytest.mark.parametrize("row", ["id", "phone", "bank"])
def test_recall_is_100_percent_for_id_phone_and_bank_numbers(report, row):
    figures = report.rows[row]
    assert figures.expected > 0
    assert figures.recall == 1.0, report.misses


def test_recall_for_email_im_and_other_documents(report):
    for row in ("email", "im", "document"):
        assert report.rows[row].recall == 1.0, report.misses


def test_precision_is_reported_and_high(report):
    for row in ("id", "phone", "bank", "email"):
        assert report.rows[row].precision >= 0.95, report.false_positives


def test_no_trap_is_redacted(report):
    assert report.traps >= 200
    assert report.trap_hits == []


def test_nothing_true_survives_in_the_published_text(report):
    assert report.leaks == []


def test_corpus_mixes_the_hard_forms():
    """The corpus exercises what the detector must survive, not only plain numbers."""
    shown = [str(item["text"]) for case in CASES for item in case.sensitive]
    assert any("\n" in s for s in shown), "line breaks inside numbers"
    assert any(any("０" <= ch <= "９" for ch in s) for s in shown), "full-width digits"
    assert any(" " in s or "\u3000" in s for s in shown), "spaces inside numbers"
    assert any("-" in s for s in shown), "dashes inside numbers"
    traps = {str(t["what"]) for case in CASES for t in case.traps}
    assert {"统一社会信用代码", "15位注册号", "18位非身份证号", "决定书文号", "订单号"} <= traps


def test_minor_parties_are_recognised():
    minors = [case for case in CASES if case.annotation["minor"]]
    assert len(minors) >= 2
    for case in CASES:
        on = date.fromisoformat(str(case.annotation["decision_date"]))
        result = redaction.party_is_minor(case.text, on_date=on)
        if case.annotation["minor"]:
            assert result is True, case.name
        else:
            assert result is not True, case.name


def test_annotation_files_are_plain_json():
    for path in measure.HERE.glob("[0-9][0-9]-*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert set(data) >= {"title", "violation", "party", "decision_date", "sensitive", "traps", "marked"}
