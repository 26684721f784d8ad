"""``gongkai verify-audit``: recompute the audit chain and report the first broken link."""

from django.core.management.base import BaseCommand

from gongkai.core.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链，报告第一个断开的环节。"

    def handle(self, *args, **options):
        report = verify_chain()
        if report.ok:
            self.stdout.write(f"审计链完整：共校验 {report.checked} 条事件。")
            return
        self.stdout.write(
            f"审计链断开：第一个问题在事件 #{report.broken_at}：{report.reason}（此前 {report.checked} 条完好）"
        )
        raise SystemExit(1)
