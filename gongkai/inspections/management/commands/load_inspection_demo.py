"""``gongkai load-inspection-demo``: the item list, the annual plan and tasks in every public state."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "为演示城市载入“双随机、一公开”演示数据：随机抽查事项清单、年度抽查计划和各状态的抽查任务"
        "（须先运行 load-demo）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="已有抽查事项、计划或任务时跳过（不报错）"
        )
        parser.add_argument(
            "--as-of",
            type=dt.date.fromisoformat,
            default=None,
            help="数据截至日期 YYYY-MM-DD（默认为演示城市的截至日期）",
        )

    def handle(self, *args, **options) -> None:
        from django.core.exceptions import ValidationError

        from gongkai.inspections import demo
        from gongkai.registry.demo import is_demo_database

        if demo.is_loaded():
            if options["if_empty"]:
                self.stdout.write("双随机模块已有抽查事项、计划或任务，跳过演示数据载入。")
                return
            raise CommandError("已有抽查事项、计划或任务：演示数据只能载入空的双随机模块。")
        if not is_demo_database():
            raise CommandError("当前数据库不是演示数据库：请先运行 gongkai load-demo")
        try:
            result = demo.load(as_of=options["as_of"])
        except (ValueError, ValidationError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            raise CommandError("演示数据载入失败：" + "；".join(messages)) from None
        self.stdout.write(
            f"已载入随机抽查事项 {result.items} 项（已发布）、年度计划“{result.plan}”（已公布）；"
            f"抽查任务 {len(result.tasks)} 个："
            + "，".join(f"{pid}（{state}）" for pid, state in result.tasks.items())
            + "。"
        )
        self.stdout.write(
            f"摇号抽中 {result.drawn} 户，已公示检查结果 {result.published_results} 户；"
            f"检查中任务已录入 {result.recorded} 户，其中 {result.awaiting_publication} 户已签署待公示；"
            f"为参加检查的执法人员建立账号 {result.officer_accounts} 个（无密码）。"
        )
        self.stdout.write(
            f"已完结任务的摇号结果包 SHA-256：{result.bundle_sha256}（公开页面可下载，gongkai verify-draw 可校验）。"
        )
