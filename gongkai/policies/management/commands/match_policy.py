"""``gongkai match-policy POLICY.yaml FACTS.jsonl --on YYYY-MM-DD`` (``gongkai-rules/1`` §5).

Needs no database. Output: one JSON object per beneficiary, in input order. Any bad input — a policy
file that does not load, a malformed facts line, a fact of the wrong type, a bad date, an error met
while evaluating — prints a message naming the place and exits with code 2 before any line is printed.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongkai.policies.rules.errors import FactsError, Place, RulesError
from gongkai.policies.rules.loader import load_policy
from gongkai.policies.rules.matcher import match_beneficiaries, parse_on, read_facts
from gongkai.policies.rules.types import Catalogue

EXIT_BAD_INPUT = 2


def decoded_lines(path: str) -> Iterator[str]:
    """Lines of a UTF-8 file (``-``: standard input), with the line number in any decoding error."""
    stream = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115 - closed below
    try:
        for number, raw in enumerate(stream, start=1):
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                raise FactsError("不是 UTF-8 编码的文本", Place(file=path, line=number)) from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


class Command(BaseCommand):
    help = "Match one policy file against beneficiaries' facts (JSON lines) on a date; print JSON lines."

    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("policy", help="policy file (gongkai-rules/1, YAML or JSON)")
        parser.add_argument(
            "facts", help='facts file: one {"id": …, "facts": {…}} per line; - for standard input'
        )
        parser.add_argument("--on", required=True, metavar="YYYY-MM-DD", help="evaluation date")
        parser.add_argument(
            "--catalogue",
            metavar="FILE",
            help="fact catalogue (YAML) instead of the one shipped with Gongkai",
        )
        parser.add_argument(
            "--engine",
            choices=("scalar", "vector"),
            default="scalar",
            help="scalar interpreter (default) or the vectorised matcher; both give the same output",
        )

    def handle(self, *args, **options):
        try:
            on = parse_on(options["on"])
            catalogue = Catalogue.load(options["catalogue"]) if options["catalogue"] else None
            policy = load_policy(options["policy"], catalogue)
            facts_file = options["facts"]
            if facts_file != "-" and not Path(facts_file).is_file():
                raise FactsError("找不到数据文件", Place(file=facts_file))
            try:
                beneficiaries = read_facts(decoded_lines(facts_file), file=facts_file)
            except OSError as exc:
                raise FactsError(f"无法读取数据文件（{exc.strerror}）", Place(file=facts_file)) from None
            lines = match_beneficiaries(
                policy, beneficiaries, on, engine=options["engine"], facts_file=facts_file
            )
        except (RulesError, ValueError) as exc:
            raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from None
        try:
            for start in range(0, len(lines), 10000):
                self.stdout.write("".join(line + "\n" for line in lines[start : start + 10000]), ending="")
            self.stdout.flush()
        except BrokenPipeError:
            # The reader went away (`… | head`): stop quietly, as Unix tools do, and keep Python's
            # final flush of stdout from raising again.
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(1) from None
