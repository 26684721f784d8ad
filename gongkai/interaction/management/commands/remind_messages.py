"""``gongkai remind-messages``: e-mail the staff about messages and requests due soon or overdue."""

import datetime as dt

from django.core.management.base import BaseCommand

from gongkai.interaction.reminders import reminders_send


class Command(BaseCommand):
    help = "提醒即将到期和已逾期的留言、依申请公开（每个工作日运行一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--day", type=dt.date.fromisoformat, help="按该日期计算（YYYY-MM-DD，默认今天）")
        parser.add_argument("--dry-run", action="store_true", help="只列出，不发邮件")

    def handle(self, *args, **options):
        report = reminders_send(day=options["day"], send=not options["dry_run"])
        self.stdout.write(
            f"{report.day}: 即将到期 {len(report.soon)}，已逾期 {len(report.overdue)}，"
            f"超过三个月未答复 {len(report.critical)}，发出提醒邮件 {report.mails} 封"
        )
        for code in report.critical:
            self.stdout.write(self.style.ERROR(f"超过三个月未答复：{code}"))
        for problem in report.problems:
            self.stderr.write(problem)
