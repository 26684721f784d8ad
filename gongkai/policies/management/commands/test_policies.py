"""``gongkai test-policies PATH…``: run the officers' own ``tests`` in policy files.

Each path is a policy file or a directory searched for ``*.yaml``, ``*.yml`` and ``*.json``. Every file
is validated first (a file that does not load counts as failed); then each test's facts are evaluated on
its date and compared with ``expect`` (status, and amount and per-criterion results when given). A failed
test is reported with the per-criterion explanation. Exit code 1 when anything failed, 2 on bad
arguments. ``--stored`` also runs the tests of every version stored in the database (drafts included),
each checked against the database's fact catalogue.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongkai.policies.rules.errors import PolicyFileError
from gongkai.policies.rules.runner import FileReport, run_file, run_policy_tests
from gongkai.policies.rules.types import Catalogue

POLICY_SUFFIXES = (".yaml", ".yml", ".json")


def policy_files(paths: list[str]) -> tuple[list[Path], int]:
    """Files named, plus policy files found in directories; and how many other files were skipped.

    In a directory, a file counts as a policy file when it mentions ``gongkai-rules`` (the format line
    every policy starts with); a file named explicitly is always tested.
    """
    files: list[Path] = []
    skipped = 0
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in POLICY_SUFFIXES
            ):
                try:
                    is_policy = b"gongkai-rules" in found.read_bytes()
                except OSError:
                    is_policy = True  # let loading report it
                if is_policy:
                    files.append(found)
                else:
                    skipped += 1
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{raw}：找不到文件或目录", returncode=2)
    return files, skipped


class Command(BaseCommand):
    help = "Run the tests written in policy files (gongkai-rules/1); exit 1 if any fails."

    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="policy files or directories")
        parser.add_argument(
            "--stored", action="store_true", help="also test every policy version stored in the database"
        )
        parser.add_argument(
            "--catalogue",
            metavar="FILE",
            help="fact catalogue (YAML) instead of the one shipped with Gongkai",
        )

    def handle(self, *args, **options):
        try:
            catalogue = Catalogue.load(options["catalogue"]) if options["catalogue"] else None
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if not options["paths"] and not options["stored"]:
            raise CommandError("请指定政策文件或目录，或使用 --stored 测试数据库中的政策", returncode=2)
        files, skipped = policy_files(options["paths"])
        if skipped:
            self.stdout.write(f"（跳过目录中 {skipped} 个不含 gongkai-rules 的文件）")
        if options["paths"] and not files:
            raise CommandError("没有找到政策文件（*.yaml、*.yml、*.json）", returncode=2)
        reports = (run_file(path, catalogue) for path in files)
        if options["stored"]:
            reports = _chain(reports, stored_reports())
        totals = {"files": 0, "bad_files": 0, "tests": 0, "failed": 0}
        for report in reports:
            totals["files"] += 1
            for line in report.lines():
                self.stdout.write(line)
            totals["bad_files"] += 0 if report.loaded else 1
            totals["tests"] += len(report.outcomes)
            totals["failed"] += sum(1 for o in report.outcomes if not o.passed)
        passed = totals["tests"] - totals["failed"]
        summary = f"共 {totals['files']} 个政策文件、{totals['tests']} 个测试：{passed} 个通过，{totals['failed']} 个失败"
        if totals["bad_files"]:
            summary += f"；{totals['bad_files']} 个文件无法加载"
        self.stdout.write(summary)
        if totals["failed"] or totals["bad_files"]:
            raise CommandError("政策测试未通过", returncode=1)


def _chain(*iterables):
    for iterable in iterables:
        yield from iterable


def stored_reports():
    """A report per stored version, loaded against the database catalogue."""
    from gongkai.policies import selectors
    from gongkai.policies.models import PolicyVersion

    catalogue = selectors.catalogue()
    for version in PolicyVersion.objects.select_related("policy").order_by("policy__code", "number"):
        name = f"政策库 {version.policy.code} 第{version.number}版（{version.get_state_display()}）"
        try:
            policy = selectors.loaded_policy(version, catalogue)
        except PolicyFileError as exc:
            yield FileReport(name, load_error=exc.render())
            continue
        yield FileReport(name, policy, outcomes=run_policy_tests(policy))
