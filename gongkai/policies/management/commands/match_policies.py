"""``gongkai match-policies``: the nightly (or on-demand) match of every policy in force.

Matches every published version in force on the date against every beneficiary, stores what changed,
opens cases for the newly eligible, ends publicity periods that have run their working days, and
delivers pending notifications. Thin: the work is in :mod:`gongkai.policies.matching` and
:mod:`gongkai.policies.workflow`.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

ACTOR = "gongkai match-policies"


class Command(BaseCommand):
    help = "比对全部在有效期内的政策与全部政策对象（每晚运行，也可随时运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--on", type=dt.date.fromisoformat, default=None, help="比对日期 YYYY-MM-DD（默认今天）"
        )
        parser.add_argument(
            "--policy", action="append", default=[], metavar="CODE", help="只比对该政策（可重复）"
        )
        parser.add_argument("--no-deliver", action="store_true", help="只比对，不新建兑现事项、不发送通知")

    def handle(self, *args, **options) -> None:
        from gongkai.policies import notify, selectors, workflow
        from gongkai.policies.matching import match_run
        from gongkai.policies.models import Policy

        on = options["on"] or selectors.today()
        versions = None
        if options["policy"]:
            policies = list(Policy.objects.filter(code__in=options["policy"]))
            missing = set(options["policy"]) - {p.code for p in policies}
            if missing:
                raise CommandError(f"没有这些政策：{'、'.join(sorted(missing))}")
            versions = selectors.versions_in_force(on, policies=policies)
        deliver = not options["no_deliver"]
        outcome = match_run(actor=ACTOR, on=on, versions=versions, deliver=deliver, note="比对命令")
        run = outcome.run
        self.stdout.write(
            f"{on.isoformat()}：{run.policies}项政策 × {run.beneficiaries}个对象，"
            f"{run.changed}项结果有变化，新建兑现事项{run.cases_created}项"
            f"（{(run.finished_at - run.started_at).total_seconds():.1f}秒）"
        )
        if deliver:
            ended = workflow.publicity_due(actor=ACTOR, on=on)
            sent = notify.deliver_pending()
            self.stdout.write(f"公示期满转为通知{len(ended)}项；发送通知{sent}条")
