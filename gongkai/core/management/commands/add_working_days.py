"""``gongkai add-working-days DATE N``: the date N working days after DATE on the calendar in force."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gongkai.core.calendar import CalendarNotCovered, calendar_in_force


class Command(BaseCommand):
    help = "计算某日期之后第N个工作日（按国务院节假日安排及管理员录入的调整）。"

    def add_arguments(self, parser):
        parser.add_argument("date", help="起算日期，格式 YYYY-MM-DD（当日不计入）")
        parser.add_argument("n", help="工作日数（非负整数）")

    def handle(self, *args, **options):
        try:
            start = dt.date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(f"日期“{options['date']}”格式不正确，应为 YYYY-MM-DD") from exc
        try:
            n = int(options["n"])
        except ValueError as exc:
            raise CommandError(f"工作日数“{options['n']}”不是整数") from exc
        if n < 0:
            raise CommandError("工作日数不能为负数")
        try:
            self.stdout.write(calendar_in_force().add_working_days(start, n).isoformat())
        except CalendarNotCovered as exc:
            raise CommandError(str(exc)) from exc
