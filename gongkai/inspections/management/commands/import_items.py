"""``gongkai import-items FILE [--publish]``: import the 随机抽查事项清单."""

from django.core.management.base import BaseCommand

from gongkai.core import tabular
from gongkai.inspections.catalogue import import_items


class Command(BaseCommand):
    help = "导入随机抽查事项清单（.xlsx 或 .csv）。退出码：0 全部导入，1 部分行被拒绝，2 文件被整体拒绝。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--publish", action="store_true", help="导入后立即发布（旧版本自动停用）")

    def handle(self, *args, **options):
        try:
            result = import_items(
                actor=f"import:{options['file']}", path=options["file"], publish=options["publish"]
            )
        except (tabular.TableError, OSError) as exc:
            self.stderr.write(f"文件被拒绝，未做任何修改：{exc}")
            raise SystemExit(2) from None
        self.stdout.write(
            f"新增或修订 {len(result.saved)} 项，未变化 {result.unchanged} 项，发布 {result.published} 项。"
        )
        for p in result.problems:
            self.stdout.write(f"第{p.row}行 {p.column}：{p.message}")
        if result.exit_code:
            raise SystemExit(result.exit_code)
