"""The command-line contract: exit statuses, messages, and never a traceback.

``gongkai verify-draw``: VALID → 0, INVALID: reason → 1, unreadable or malformed file → 2.
``gongkai compute-draw``: the canonical result → 0, refused input (file, §1 rule, seed) → 2.
The single file's own ``main()`` follows the same contract, plus ``commitment`` and ``replace``.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from gongkai.inspections import gongkai_draw as gd
from gongkai.inspections.tests.test_draw_support import (
    DEMO_001_COMMITMENT,
    DEMO_001_RESULT_SHA256,
    DEMO_001_SEED,
    demo_001,
)

GONGKAI = Path(__file__).resolve().parents[3] / ".venv" / "bin" / "gongkai"


def run_command(name: str, *args, **options) -> tuple:
    """(exit status, stdout, stderr) of a Django command run through call_command."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err, **options)
        status = 0
    except SystemExit as exit_info:
        status = exit_info.code
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path):
    frozen = demo_001()
    result = gd.compute_draw(frozen, DEMO_001_SEED)
    paths = {
        "frozen": tmp_path / "frozen.json",
        "bundle": tmp_path / "bundle.json",
        "events": tmp_path / "events.json",
    }
    paths["frozen"].write_text(json.dumps(frozen, ensure_ascii=False, indent=1), encoding="utf-8")
    paths["bundle"].write_text(
        json.dumps({"frozen": frozen, "seed": DEMO_001_SEED, "result": result}, ensure_ascii=False),
        encoding="utf-8",
    )
    out = result["assignments"][0]["entity"]
    paths["events"].write_text(
        json.dumps([{"out": out, "reason": "注销", "at": "2026-04-01T09:00:00+08:00"}])
    )
    return paths


def write(tmp_path, name: str, text) -> str:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


# ---------------------------------------------------------------------------------------------
# verify-draw
# ---------------------------------------------------------------------------------------------


def test_verify_draw_valid(files):
    assert run_command("verify_draw", str(files["bundle"])) == (0, "VALID\n", "")


def test_verify_draw_invalid_when_the_result_was_edited(files, tmp_path):
    bundle = json.loads(files["bundle"].read_text())
    bundle["result"]["assignments"][0]["inspectors"].reverse()
    status, out, _ = run_command("verify_draw", write(tmp_path, "edited.json", json.dumps(bundle)))
    assert status == 1
    assert (
        out
        == 'INVALID: result.assignments[0].inspectors[0]: expected "3715098966003", the bundle has "3715009788000"\n'
    )


def test_verify_draw_invalid_when_the_frozen_document_breaks_a_rule(files, tmp_path):
    bundle = json.loads(files["bundle"].read_text())
    bundle["frozen"]["inspectors"].reverse()
    status, out, _ = run_command("verify_draw", write(tmp_path, "edited.json", json.dumps(bundle)))
    assert status == 1
    assert out.startswith("INVALID: frozen document breaks §1 (inspectors-sorted)")


def test_verify_draw_invalid_when_the_seed_differs(files, tmp_path):
    bundle = json.loads(files["bundle"].read_text())
    bundle["seed"] = "31415926535897932385"
    status, out, _ = run_command("verify_draw", write(tmp_path, "edited.json", json.dumps(bundle)))
    assert status == 1
    assert out.startswith("INVALID: result.seed")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", "not valid JSON"),
        ("{not json", "not valid JSON: Expecting property name"),
        (b"\xff\xfe{}", "not UTF-8"),
        ("[1, 2]", "not a bundle"),
        ('{"frozen": {}, "seed": "1"}', "not a bundle"),
        ('{"frozen": {}, "seed": "1", "result": {}, "seed": "2"}', 'duplicate key "seed"'),
        ('{"frozen": NaN, "seed": "1", "result": {}}', "NaN is not a JSON number"),
    ],
)
def test_verify_draw_malformed_files_exit_2_with_a_message(tmp_path, content, words):
    status, out, err = run_command("verify_draw", write(tmp_path, "bad.json", content))
    assert status == 2
    assert out == ""
    assert words in err and err.startswith("error: ")


def test_verify_draw_without_django_answers_as_the_django_command(files, tmp_path):
    # `gongkai verify-draw PATH` skips Django (gongkai/cli.py); with an option it goes through the
    # command. Both must print the same and exit the same, whatever the bundle.
    bundle = json.loads(files["bundle"].read_text(encoding="utf-8"))
    bundle["result"]["assignments"][0]["inspectors"].reverse()
    seeded = json.loads(files["bundle"].read_text(encoding="utf-8"))
    seeded["seed"] += "\u200b"  # valid under /1 but warned about
    seeded["result"] = gd.compute_draw(seeded["frozen"], seeded["seed"], strict_seed=False)
    paths = [
        str(files["bundle"]),
        write(tmp_path, "edited.json", json.dumps(bundle)),
        write(tmp_path, "bad.json", '{"frozen": '),
        write(tmp_path, "seeded.json", json.dumps(seeded)),
        str(tmp_path / "nowhere.json"),
    ]
    env = dict(os.environ, SECRET_KEY="test-only-secret-key-not-for-production-0123456789", DEBUG="0")
    for path in paths:
        answers = [
            subprocess.run(
                [str(GONGKAI), "verify-draw", *options, path], capture_output=True, env=env, check=False
            )
            for options in ([], ["--verbosity", "1"])
        ]
        fast, django = ((a.returncode, a.stdout, a.stderr) for a in answers)
        assert fast == django, path


def test_verify_draw_missing_file_exits_2(tmp_path):
    status, _, err = run_command("verify_draw", str(tmp_path / "nowhere.json"))
    assert status == 2
    assert "cannot read" in err and "No such file" in err


def test_verify_draw_warns_about_an_invisible_character_in_a_valid_seed(tmp_path):
    frozen, seed = demo_001(), "31415926535897932384\u200b"
    result = gd.compute_draw(frozen, seed, strict_seed=False)
    path = write(tmp_path, "b.json", json.dumps({"frozen": frozen, "seed": seed, "result": result}))
    status, out, err = run_command("verify_draw", path)
    assert (status, out) == (0, "VALID\n")
    assert "U+200B" in err


# ---------------------------------------------------------------------------------------------
# compute-draw
# ---------------------------------------------------------------------------------------------


def test_compute_draw_prints_canonical_json_with_a_final_newline(files):
    status, out, err = run_command("compute_draw", str(files["frozen"]), seed=DEMO_001_SEED)
    assert status == 0
    assert gd.hashlib.sha256(out.encode("utf-8")).hexdigest() == DEMO_001_RESULT_SHA256
    assert "warning: 5 selected members could not get a full team" in err


def test_compute_draw_names_the_broken_rule(tmp_path):
    frozen = demo_001()
    frozen["strata"][2]["members"].reverse()
    status, out, err = run_command("compute_draw", write(tmp_path, "f.json", json.dumps(frozen)), seed="1")
    assert (status, out) == (2, "")
    assert "frozen document breaks §1 (members-sorted): strata[2].members[1]" in err


def test_compute_draw_refuses_an_empty_seed(files):
    status, out, err = run_command("compute_draw", str(files["frozen"]), seed="  \u3000 ")
    assert (status, out) == (2, "")
    assert "the seed is empty" in err


def test_compute_draw_requires_a_seed(files):
    with pytest.raises(Exception) as error:  # argparse, through Django's CommandError when called in code
        call_command("compute_draw", str(files["frozen"]))
    assert "--seed" in str(error.value)


# ---------------------------------------------------------------------------------------------
# The single file's main()
# ---------------------------------------------------------------------------------------------


def test_main_commitment(files, capsys):
    assert gd.main(["commitment", str(files["frozen"])]) == 0
    assert capsys.readouterr().out == DEMO_001_COMMITMENT + "\n"


def test_main_compute_and_verify(files, capsys):
    assert gd.main(["compute", str(files["frozen"]), "--seed", DEMO_001_SEED]) == 0
    assert gd.hashlib.sha256(capsys.readouterr().out.encode()).hexdigest() == DEMO_001_RESULT_SHA256
    assert gd.main(["verify", str(files["bundle"])]) == 0
    assert capsys.readouterr().out == "VALID\n"


def test_main_replace_prints_the_incoming_members_and_their_teams(files, capsys):
    assert gd.main(["replace", str(files["bundle"]), str(files["events"])]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["in"] == "9137J42B4WEAMPNGJ9"
    assert record["inspectors"] == ["3715098966003", "3715009788000"]


def test_main_replace_refuses_an_event_that_skips_the_reserve_order(files, tmp_path, capsys):
    result = json.loads(files["bundle"].read_text())["result"]
    d = result["strata"][3]
    events = [{"out": d["selected"][0]["id"], "in": d["reserve"][1]["id"], "reason": "迁出"}]
    assert gd.main(["replace", str(files["bundle"]), write(tmp_path, "e.json", json.dumps(events))]) == 1
    assert "§8 allows only" in capsys.readouterr().err


def test_main_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        gd.main(["verify"])
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err
