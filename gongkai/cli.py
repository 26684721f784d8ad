"""The ``gongkai`` console command: Django's ``manage.py`` under a friendlier name.

Sub-commands may be written with hyphens (``gongkai import-entities``); they map to Django's
management commands (``import_entities``).

``gongkai verify-draw BUNDLE.json`` in that plain form skips Django altogether: it needs neither
settings nor a database, and starting Django costs nearly a second of the three a million-member
bundle may take (bench_draw.py). The command runs the same function with the same output and exit
status; any option (``--help``, ``--verbosity``...) goes through Django's command as before.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    args[0] = "gongkai"
    if len(args) == 3 and args[1] == "verify_draw" and not args[2].startswith("-"):
        from gongkai.inspections import gongkai_draw

        sys.exit(gongkai_draw.cli_verify(args[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
