"""``gongkai import-inspectors FILE [--report DIR] [--user USERNAME]`` (exit status as import-entities)."""

from gongkai.inspectors.importing import import_officers
from gongkai.registry.management.commands.import_entities import ImportCommand


class Command(ImportCommand):
    help = "从.xlsx或.csv文件导入执法检查人员名录（按人员编号新增或更新）"
    register = "执法检查人员"
    importer = staticmethod(import_officers)
