"""``gongkai verify-draw BUNDLE.json``: recompute a published draw bundle.

Prints ``VALID`` (exit 0) or ``INVALID: <reason>`` (exit 1); an unreadable or malformed file gets a
clear message on standard error and exit status 2, never a traceback. Needs no database. The check
is :func:`gongkai.inspections.gongkai_draw.verify_bundle`, the code of the downloadable verifier.
"""

from django.core.management.base import BaseCommand

from gongkai.inspections import gongkai_draw


class Command(BaseCommand):
    help = "校验抽取结果包（bundle）：输出 VALID 或 INVALID: 原因（无需数据库）。"
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("bundle", help="结果包（frozen、seed、result）JSON 文件路径")

    def handle(self, *args, **options):
        status = gongkai_draw.cli_verify(options["bundle"], out=self.stdout, err=self.stderr)
        if status:
            raise SystemExit(status)
