"""``gongkai refresh-stats``: rebuild the statistics aggregates from the register."""

from django.core.management.base import BaseCommand

from gongkai.stats.services import aggregates_refresh


class Command(BaseCommand):
    help = "重新汇总市场主体统计数据（建议每天运行一次，并在批量导入后运行）。"

    def handle(self, *args, **options):
        refresh = aggregates_refresh()
        self.stdout.write(
            f"已汇总 {refresh.entities} 户市场主体，{refresh.rows} 行，用时 {refresh.seconds:.2f} 秒"
        )
