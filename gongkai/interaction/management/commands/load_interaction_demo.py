"""``gongkai load-interaction-demo``: a year of demo messages, requests and last year's annual report."""

from django.core.management.base import BaseCommand, CommandError

from gongkai.interaction import demo


class Command(BaseCommand):
    help = "载入互动交流演示数据（留言、依申请公开、上一年度报告），并汇总统计数据。"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="已有留言或申请时什么也不做")
        parser.add_argument("--seed", type=int, default=20261125)

    def handle(self, *args, **options):
        if demo.is_loaded():
            if options["if_empty"]:
                self.stdout.write("互动交流已有数据，未载入演示数据。")
                return
            raise CommandError("已有留言或申请：演示数据只能载入空的互动交流模块。")
        result = demo.demo_interaction_load(seed=options["seed"])
        from gongkai.stats.services import aggregates_refresh

        aggregates_refresh(actor="demo")
        self.stdout.write(
            f"已载入 {result.messages} 条留言、{result.requests} 件依申请公开；"
            f"已发布年度报告：{result.reports or '无'}；统计数据已汇总。"
        )
