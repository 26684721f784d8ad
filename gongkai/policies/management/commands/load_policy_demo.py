"""``gongkai load-policy-demo``: the demo city's department facts, talents and support policies.

Run after ``gongkai load-demo``. Loads once; prints the demo logins it created.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "为演示城市载入部门数据、人才名录和扶持政策，并比对一次（须先运行 load-demo）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--on", type=dt.date.fromisoformat, default=None, help="比对日期（默认今天）")
        parser.add_argument("--talents", type=int, default=300, help="人才数量（默认300）")
        parser.add_argument("--if-empty", action="store_true", help="已有政策时跳过（不报错）")

    def handle(self, *args, **options) -> None:
        from gongkai.policies import demo
        from gongkai.policies.models import Policy
        from gongkai.registry.demo import is_demo_database

        if options["if_empty"] and Policy.objects.exists():
            self.stdout.write("数据库中已有政策，跳过演示政策载入。")
            return
        if not is_demo_database():
            raise CommandError("当前数据库不是演示数据库：请先运行 gongkai load-demo")
        try:
            result = demo.load(on=options["on"], talents=options["talents"], progress=self.stderr.write)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"载入部门数据{len(result.imports)}个文件、人才{result.persons}人、政策{result.policies}项；"
            f"符合条件{result.eligible}项，兑现事项{result.cases}项。"
        )
        self.stdout.write(
            "工作人员：demo-policy（政策兑现专员）、demo-policy-review（规则审核员）、demo-talent-service（人才服务专员），密码 gongkai-demo"
        )
        for email, password, name in result.accounts:
            self.stdout.write(f"企业和人才账户：{email} / {password}（{name}），登录 /my/login/")
