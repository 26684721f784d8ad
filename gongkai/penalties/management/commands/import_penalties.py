"""``gongkai import-penalties FILE [--report DIR] [--user USERNAME]``: a month of decisions as drafts.

Exit status: 0 every row imported, 1 some rows refused (the others imported), 2 the file was
refused as a whole (nothing changed). The report and the refused rows are written as for the
register imports.
"""

from __future__ import annotations

from gongkai.penalties.importing import import_decisions
from gongkai.registry.management.commands.import_entities import ImportCommand


class Command(ImportCommand):
    help = "从.xlsx或.csv文件导入行政处罚决定（按决定书文号新增草稿或更新草稿）"
    register = "行政处罚决定"
    importer = staticmethod(import_decisions)

    def _refuse(self, message: str) -> None:
        self.stderr.write(f"未导入：{message}没有任何改动。")
        raise SystemExit(2)
