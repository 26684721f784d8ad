"""``gongkai import-entities FILE [--report DIR] [--user USERNAME]``.

Exit status: 0 every row applied, 1 some rows refused (the others applied), 2 the file was
refused as a whole (nothing changed).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from gongkai.core.audit import actor_label
from gongkai.core.tabular import ImportResult, TableError
from gongkai.registry.importing import import_entities, save_summary


class ImportCommand(BaseCommand):
    """The shared shape of the two registers' import commands."""

    register = ""
    importer: Callable[..., ImportResult]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="要导入的.xlsx或.csv文件")
        parser.add_argument(
            "--report",
            metavar="DIR",
            help="导入报告和未导入行文件的保存目录（默认在 MEDIA_ROOT/imports/ 下新建）",
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help="审计日志中记录的操作人（默认为 import:文件名）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        actor: Any = f"import:{path.name}"
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                self._refuse(f"用户“{options['user']}”不存在")
        report_dir = Path(options["report"]) if options["report"] else None
        if report_dir is not None and report_dir.exists() and not report_dir.is_dir():
            self._refuse(f"报告目录“{report_dir}”不是目录")
        try:
            result = type(self).importer(path, actor=actor, report_dir=report_dir)
        except TableError as exc:
            self._refuse(f"{exc}。")
        except DatabaseError as exc:
            self._refuse(f"数据库拒绝写入（{exc}）。")
        if report_dir is None and result.report_path is not None:
            # The default directory is the upload page's: list this run there too.
            save_summary(result.report_path.parent, result, actor=actor_label(actor)[1])
        for line in result.summary_lines():
            self.stdout.write(line)
        if result.exit_code:
            raise SystemExit(result.exit_code)

    def _refuse(self, message: str) -> None:
        self.stderr.write(f"未导入：{message}名录库没有任何改动。")
        raise SystemExit(2)


class Command(ImportCommand):
    help = "从.xlsx或.csv文件导入市场主体名录（按统一社会信用代码新增或更新）"
    register = "市场主体"
    importer = staticmethod(import_entities)
