"""``gongkai reindex``: rebuild the search index from every registered content type."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongkai.search import services
from gongkai.search.registry import document_types


class Command(BaseCommand):
    help = "重建站内搜索索引（全部类型，或用 --type 指定类型）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--type",
            action="append",
            dest="types",
            metavar="TYPE",
            help="只重建这些类型（可重复）：" + "、".join(f"{t.key}（{t.label}）" for t in document_types()),
        )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        tty = sys.stderr.isatty() and options["verbosity"] >= 1

        def progress(kind: str, n: int) -> None:
            if tty:
                self.stderr.write(f"\r{kind}: {n}", ending="")

        try:
            counts = services.index_rebuild(doc_types=options["types"], progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if tty:
            self.stderr.write("")
        summary = "，".join(f"{k} {n} 条" for k, n in counts.items())
        self.stdout.write(f"索引已重建（用时 {time.perf_counter() - started:.1f} 秒）：{summary}")
