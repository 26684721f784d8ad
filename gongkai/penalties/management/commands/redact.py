"""``gongkai redact FILE``: print a decision with its personal data hidden.

Standard output gets the redacted text; standard error gets what was hidden (line, kind, a masked
value, the reason) — the same detector the review screen uses. A file that cannot be read ends with
a Chinese message and exit status 2; a party who is a minor, with nothing on standard output and exit
status 3 (nothing may be published about a minor).
"""

from __future__ import annotations

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gongkai.penalties import redaction, textextract

EXIT_UNREADABLE = 2
EXIT_MINOR = 3


class Command(BaseCommand):
    help = "打印文件（UTF-8 文本、.docx 或 .pdf）隐去个人信息后的全文；隐去的项目列在标准错误上。"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", help="决定书文件：UTF-8 文本、.docx 或 .pdf；“-”表示从标准输入读取 UTF-8 文本"
        )
        parser.add_argument(
            "--name",
            action="append",
            default=[],
            metavar="姓名",
            help="需隐去的自然人姓名，全文每处都隐去（可重复）",
        )
        parser.add_argument(
            "--address",
            action="append",
            default=[],
            metavar="住址",
            help="需隐去的住址，全文每处都隐去（可重复）",
        )
        parser.add_argument(
            "--on-date",
            type=date.fromisoformat,
            default=None,
            metavar="YYYY-MM-DD",
            help="判断当事人是否未成年的日期，通常是决定日期（默认今天）",
        )

    def handle(self, *args: object, **options: object) -> None:
        path = str(options["file"])
        try:
            if path == "-":
                text = textextract.extract_bytes(sys.stdin.buffer.read(), filename="标准输入")
            else:
                text = textextract.extract_text(path)
        except textextract.ExtractionError as exc:
            raise CommandError(str(exc), returncode=EXIT_UNREADABLE) from None

        marks: list[redaction.Span] = []
        for option, kind in (("name", redaction.Kind.NAME), ("address", redaction.Kind.ADDRESS)):
            for needle in options[option]:  # type: ignore[attr-defined]
                spans = redaction.mark_all(text, needle, kind)
                if not spans:
                    self.stderr.write(f"提示：文中没有找到“{needle}”。")
                marks.extend(spans)

        on_date = options["on_date"] or date.today()
        findings = redaction.detect(text, marked=marks)
        for line in redaction.report_lines(text, findings):
            self.stderr.write(line)
        self.stderr.write(redaction.summary_line(findings))

        if redaction.party_is_minor(text, on_date=on_date, findings=findings):  # type: ignore[arg-type]
            raise CommandError(
                f"当事人在 {on_date} 未满十八周岁：依规定不得公示任何内容，因此不输出正文。",
                returncode=EXIT_MINOR,
            )
        published = redaction.redact(text, findings)
        self.stdout.write(published, ending="" if published.endswith("\n") else "\n")
