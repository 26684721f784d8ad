"""``gongkai export-inspectors FILE``: the inspector register as .xlsx or .csv (from the extension)."""

from gongkai.inspectors.exporting import export_officers
from gongkai.registry.management.commands.export_entities import ExportCommand


class Command(ExportCommand):
    help = "把执法检查人员名录导出为.xlsx或.csv文件"
    register = "执法检查人员"
    exporter = staticmethod(export_officers)
