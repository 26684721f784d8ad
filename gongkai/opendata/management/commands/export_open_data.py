"""``gongkai export-open-data [--date D] [--dataset X ...] [--format F ...]``: the daily files."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from gongkai.opendata import services


class Command(BaseCommand):
    help = "写出开放数据文件（CSV、Excel、JSON Lines、数据字典、SHA256SUMS），并删除超过保留期的旧版本。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="文件日期 YYYY-MM-DD（默认今天）；行政处罚按该日是否在公示期内")
        parser.add_argument("--dataset", action="append", help="只导出该数据集（可重复）")
        parser.add_argument(
            "--format", action="append", dest="formats", help="只写该格式：csv、xlsx、jsonl（可重复）"
        )
        parser.add_argument("--keep-days", type=int, help="保留天数（默认取设置 GONGKAI_OPENDATA_KEEP_DAYS）")

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            day = services.parse_day(options["date"]) if options["date"] else None

            def progress(name: str, rows: int) -> None:
                self.stdout.write(f"{name}: {rows} 行（{time.perf_counter() - started:.1f} 秒）")

            report = services.open_data_export(
                day=day,
                datasets=options["dataset"],
                formats=options["formats"] or services.exporting.FORMATS,
                keep_days=options["keep_days"],
                progress=progress,
            )
        except services.OpenDataError as exc:
            raise CommandError(str(exc)) from None
        removed = "、".join(d.isoformat() for d in report.removed) or "无"
        self.stdout.write(
            self.style.SUCCESS(
                f"已写出 {report.day:%Y-%m-%d} 的 {len(report.written)} 个数据集到 {report.root}；删除旧版本：{removed}"
            )
        )
