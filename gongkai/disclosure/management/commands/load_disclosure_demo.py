"""``gongkai load-disclosure-demo``: policy documents, interpretations and guides for the demo city."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "载入演示用的政策文件、政策解读（含图解）和办事指南；已有文件时跳过。"

    def handle(self, *args, **options) -> None:
        from gongkai.disclosure import demo

        counts = demo.load()
        if not any(counts.values()):
            self.stdout.write("已有政策文件，跳过演示内容。")
            return
        self.stdout.write(
            f"已载入政策文件 {counts['documents']} 份、解读 {counts['interpretations']} 篇、办事指南 {counts['guides']} 个（均已发布并编入检索）。"
        )
