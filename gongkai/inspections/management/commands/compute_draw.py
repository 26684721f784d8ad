"""``gongkai compute-draw FROZEN.json --seed SEED``: print a draw's result as canonical JSON.

Needs no database: it reads a frozen document that follows ``gongkai-draw/1`` and prints the result
document exactly as the specification's test vectors do (canonical JSON plus a final newline).
Refused input (unreadable file, a broken §1 rule, a seed with control characters) gets a message on
standard error and exit status 2. The work is done by :mod:`gongkai.inspections.gongkai_draw`, the
same single file the public downloads as the verifier.
"""

from django.core.management.base import BaseCommand

from gongkai.inspections import gongkai_draw


class Command(BaseCommand):
    help = "按 gongkai-draw/1 计算抽取结果，以规范化 JSON 输出（无需数据库）。"
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("frozen", help="冻结文件（frozen document）路径")
        parser.add_argument("--seed", required=True, help="随机种子（按公布的原样输入）")

    def handle(self, *args, **options):
        status = gongkai_draw.cli_compute(
            options["frozen"], options["seed"], out=self.stdout, err=self.stderr
        )
        if status:
            raise SystemExit(status)
