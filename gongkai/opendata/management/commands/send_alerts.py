"""``gongkai send-alerts``: mail confirmed subscribers the items published since their last mail."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from gongkai.opendata import services


class Command(BaseCommand):
    help = "向已确认的订阅者发送其订阅列表自上次发送以来的新信息（经 Django 邮件后端发送）。"

    def handle(self, *args, **options):
        report = services.alerts_send()
        self.stdout.write(
            f"已发送 {report.mailed} 封提醒邮件（共 {report.items} 条信息）；"
            f"列表已不存在而跳过 {report.skipped} 个；发送失败 {len(report.failed)} 个（下次运行重试）"
        )
        if report.failed:
            raise SystemExit(1)
