"""``gongkai load-penalty-demo``: about thirty penalty decisions for the demo city, in every state."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "为演示城市载入行政处罚信息公示演示数据：约30份决定书（含个人信息，经隐去审查），"
        "公示中、不予公示、撤回、信用修复、届满和待审核的各种情形（须先运行 load-demo）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="已有行政处罚决定时跳过（不报错）")
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="数据截至日期 YYYY-MM-DD（默认为演示城市的截至日期）",
        )

    def handle(self, *args, **options) -> None:
        from django.core.exceptions import ValidationError

        from gongkai.penalties import demo
        from gongkai.registry.demo import is_demo_database

        if demo.is_loaded():
            if options["if_empty"]:
                self.stdout.write("已有行政处罚决定，跳过演示数据载入。")
                return
            raise CommandError("已有行政处罚决定：演示数据只能载入空的行政处罚公示模块。")
        if not is_demo_database():
            raise CommandError("当前数据库不是演示数据库：请先运行 gongkai load-demo")
        try:
            result = demo.load(as_of=options["as_of"])
        except (ValueError, ValidationError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("演示数据载入失败：" + "；".join(messages)) from None
        states = "，".join(f"{label} {n} 份" for label, n in result.states.items())
        self.stdout.write(f"已载入行政处罚决定 {result.decisions} 份：{states}。")
        self.stdout.write(
            f"已公示决定的罚款合计 {result.fines:,.2f} 元；隐去审查检出个人信息 {result.findings} 处，"
            f"审核员手工标记姓名和住址 {result.marks} 处；本次届满处理 {len(result.expired)} 份。"
        )
        self.stdout.write(
            "审核与公示：demo-reviewer（信息公开审核员）；录入与提交：demo-case（案件承办人），密码 gongkai-demo"
        )
