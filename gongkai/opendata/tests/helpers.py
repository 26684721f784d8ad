"""Reading exported files back in tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from openpyxl import load_workbook


def csv_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def jsonl_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def xlsx_rows(path: Path) -> list[list]:
    book = load_workbook(path, read_only=True)
    rows = [list(r) for sheet in book.worksheets for r in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def all_text(folder: Path, slug: str) -> str:
    """Every cell of a dataset's three files, as one string to search."""
    parts = [
        path.read_text(encoding="utf-8-sig") for path in (folder / f"{slug}.csv", folder / f"{slug}.jsonl")
    ]
    parts.append(json.dumps(xlsx_rows(folder / f"{slug}.xlsx"), ensure_ascii=False, default=str))
    # JSON escapes nothing Chinese (ensure_ascii=False), so a plain substring search works.
    return "\n".join(parts)
