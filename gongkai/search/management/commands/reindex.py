"""``gongkai reindex``: rebuild the search index from every registered content type."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongkai.search import services
from gongkai.search.registry import document_types


class Command(BaseCommand):
    help = "重建站内搜索索引（全部类型，或用 --type 指定类型）；--stale 只更新批量导入标记的文档。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--type",
            action="append",
            dest="types",
            metavar="TYPE",
            help="只重建这些类型（可重复）：" + "、".join(f"{t.key}（{t.label}）" for t in document_types()),
        )
        parser.add_argument(
            "--stale",
            action="store_true",
            help="不重建，只更新批量写入（如名录库导入）标记为待更新的文档",
        )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        tty = sys.stderr.isatty() and options["verbosity"] >= 1

        def progress(kind: str, n: int) -> None:
            if tty:
                self.stderr.write(f"\r{kind}: {n}", ending="")

        if options["stale"]:
            n = services.index_process_stale(progress=progress)
            if tty:
                self.stderr.write("")
            self.stdout.write(f"已更新 {n} 个待更新标记（用时 {time.perf_counter() - started:.1f} 秒）")
            return
        try:
            counts = services.index_rebuild(doc_types=options["types"], progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if tty:
            self.stderr.write("")
        summary = "，".join(f"{k} {n} 条" for k, n in counts.items())
        self.stdout.write(f"索引已重建（用时 {time.perf_counter() - started:.1f} 秒）：{summary}")
