"""``gongkai export-entities FILE``: the whole register as .xlsx or .csv (from the extension)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gongkai.core.tabular import TableError, file_kind
from gongkai.registry.exporting import export_entities


class ExportCommand(BaseCommand):
    """The shared shape of the two registers' export commands."""

    register = ""
    exporter: Callable[[Path], int]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="导出文件，扩展名为.xlsx或.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            file_kind(path.name, action="导出")
        except TableError as exc:
            self.stderr.write(f"未导出：{exc}")
            raise SystemExit(2) from None
        if not path.parent.is_dir():
            self.stderr.write(f"未导出：目录“{path.parent}”不存在")
            raise SystemExit(2)
        try:
            count = type(self).exporter(path)
        except OSError as exc:
            self.stderr.write(f"未导出：无法写入“{path}”（{exc.strerror or exc}）")
            raise SystemExit(2) from None
        self.stdout.write(f"已导出{count}条{self.register}到“{path}”。")


class Command(ExportCommand):
    help = "把市场主体名录导出为.xlsx或.csv文件（工作人员用，含信用风险分类）"
    register = "市场主体"
    exporter = staticmethod(export_entities)
