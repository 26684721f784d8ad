"""``gongkai demo-logins``: print the staff login URL and the demo accounts of a demo database.

On any other database it prints nothing on standard output: the demo accounts and their public
password exist only where ``gongkai load-demo`` created them (it leaves a marker audit event).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.urls import NoReverseMatch, reverse

from gongkai.registry import demo


class Command(BaseCommand):
    help = "显示演示数据库的工作人员登录地址和演示账号（非演示数据库不显示任何内容）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="网站地址（默认 http://127.0.0.1:8000）"
        )

    def handle(self, *args, **options) -> None:
        logins = demo.demo_logins()
        if not logins:
            if options["verbosity"] >= 1:
                self.stderr.write(
                    "当前数据库不是演示数据库（或演示账号的密码已修改），没有可显示的演示账号。"
                )
            return
        try:
            path = reverse("staff-login")
        except NoReverseMatch:
            path = "/staff/login/"
        width = max(len(u) for u, _, _ in logins) + 2
        lines = [
            f"工作人员登录：{options['base_url'].rstrip('/')}{path}",
            "演示账号（密码公开，仅存在于演示数据库）：",
            *(
                f"  {username:<{width}}{password:<{len(password) + 2}}{role}"
                for username, password, role in logins
            ),
        ]
        self.stdout.write("\n".join(lines))
