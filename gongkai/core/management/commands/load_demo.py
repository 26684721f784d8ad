"""``gongkai load-demo``: load the deterministic demo city into an empty database."""

from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongkai.registry import demo


class Command(BaseCommand):
    help = "生成并载入演示城市（聊城）：市场主体、执法检查人员、回避申报和演示账号。只能载入空库。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--entities", type=int, default=demo.DEFAULT_ENTITIES, help="市场主体数量（默认20000）"
        )
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED, help="随机种子：相同种子生成相同数据"
        )
        parser.add_argument(
            "--as-of", type=dt.date.fromisoformat, default=None, help="数据截至日期 YYYY-MM-DD（默认今天）"
        )
        parser.add_argument("--if-empty", action="store_true", help="已有市场主体时跳过（不报错）")
        parser.add_argument(
            "--bulk",
            action="store_true",
            help="仅用于基准测试：直接批量写入，每批一万个主体只记一条审计事件（没有逐个主体的历史）",
        )

    def handle(self, *args, **options) -> None:
        from gongkai.registry.models import Entity

        if options["entities"] < 0:
            raise CommandError("--entities 不能为负数")
        if options["if_empty"]:
            existing = Entity.objects.count()
            if existing:
                self.stdout.write(f"数据库中已有 {existing} 个市场主体，跳过演示数据载入。")
                return
        show_progress = options["verbosity"] >= 1 and sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\r已写入 {done}/{total} 个市场主体…", ending="")
            self.stderr.flush()

        try:
            result = demo.demo_city_load(
                entities=options["entities"],
                seed=options["seed"],
                as_of=options["as_of"],
                bulk=options["bulk"],
                progress=progress if show_progress else None,
            )
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc
        if show_progress:
            self.stderr.write("")
        self.stdout.write(
            f"演示城市已载入（种子 {options['seed']}，用时 {result.seconds:.1f} 秒）："
            f"{result.entities} 个市场主体（托管机构 {result.hosts} 个，集群注册 {result.hosted} 个，"
            f"一照多址 {result.multi_address} 个，非存续 {result.closed} 个）；"
            f"执法检查人员 {result.officers} 名（辅助人员 {result.auxiliary} 名）；回避申报 {result.conflicts} 条；"
            f"演示账号 {len(result.accounts)} 个（gongkai demo-logins 可显示）。"
        )
