"""``gongkai expire-penalties [--date YYYY-MM-DD]``: end the display of decisions whose period is over.

Run it every day shortly after midnight (Asia/Shanghai), e.g. ``5 0 * * * gongkai expire-penalties``.
It is idempotent and safe to run twice or late: the public pages already hide a decision from the
first day after its period (the selectors compare dates), and this command records the end
(已公示 → 已届满, one audit event per decision) and takes the decision out of the search index. It
also recomputes every published decision's period, so a corrected rule or threshold takes effect.

Exit status 0; 1 when some decision's period could not be computed (listed on standard error).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gongkai.penalties.services import decisions_expire


class Command(BaseCommand):
    help = "结束公示期已届满的行政处罚信息的公示（每日运行；可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=dt.date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="按该日（北京时间）判断是否届满；默认今天。不能晚于今天（不能提前结束公示）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = options["date"]
        if day is not None and day > timezone.localdate():
            raise CommandError(f"--date {day} 晚于今天：公示不能提前结束")
        report = decisions_expire(day=day)
        for number in report.recomputed:
            self.stdout.write(f"重新计算公示期：{number}")
        for number in report.expired:
            self.stdout.write(f"已届满，停止公示：{number}")
        self.stdout.write(
            f"{report.day.isoformat()}：{len(report.expired)}条届满停止公示，{len(report.recomputed)}条公示期重新计算。"
        )
        for problem in report.problems:
            self.stderr.write(f"无法计算公示期：{problem}")
        if report.problems:
            raise SystemExit(1)
