"""``gongkai import-facts FILE --as-of DATE --source 部门``: import another department's facts.

Prints the summary; the report and the refused rows are written next to the import's other files.
Exit code 1 when some rows were refused, 2 when the file as a whole was refused (nothing changed).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "导入其他部门提供的数据项（.xlsx/.csv，按统一社会信用代码或公民身份号码），并增量比对政策。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=".xlsx 或 .csv 文件")
        parser.add_argument(
            "--as-of", required=True, type=dt.date.fromisoformat, help="数据截至日期 YYYY-MM-DD"
        )
        parser.add_argument("--source", required=True, help="数据来源部门，如 税务、人社/社保、工信")
        parser.add_argument("--no-rematch", action="store_true", help="导入后不做增量比对（留给夜间比对）")
        parser.add_argument(
            "--complete-list",
            action="store_true",
            help="全量名单：未列入本文件的对象视为不在名单上（认定名单、失信名单）",
        )
        parser.add_argument("--report-dir", default=None, help="导入报告目录（默认在私有文件目录下）")

    def handle(self, *args, **options) -> None:
        from gongkai.core.tabular import TableError
        from gongkai.policies import notify
        from gongkai.policies.importing import import_facts

        try:
            out = import_facts(
                options["file"],
                actor="gongkai import-facts",
                as_of=options["as_of"],
                source=options["source"],
                report_dir=Path(options["report_dir"]) if options["report_dir"] else None,
                rematch=not options["no_rematch"],
                complete=options["complete_list"],
            )
        except TableError as exc:
            raise CommandError(f"文件被拒绝，未做任何修改：{exc}", returncode=2) from None
        for line in out.summary_lines():
            self.stdout.write(line)
        if out.run is not None:
            notify.deliver_pending()
        if out.result.rejected:
            raise CommandError(f"{out.result.rejected}行未导入，见导入报告", returncode=1)
