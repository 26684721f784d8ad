"""Writing the daily files: formats, the dated folder, the manifest, checksums and retention.

No Django imports: the caller hands in the rows, the fields and the directory.

Layout (ADR 0051)::

    <root>/2026-11-25/entities.csv              UTF-8 with BOM
    <root>/2026-11-25/entities.xlsx             openpyxl write-only (rows streamed to disk)
    <root>/2026-11-25/entities.jsonl            one JSON object per line, typed values
    <root>/2026-11-25/entities.dictionary.csv   field, 中文名称, type, 含义
    <root>/2026-11-25/entities.dictionary.json
    <root>/2026-11-25/SHA256SUMS                ``sha256sum -c`` format, every file of the folder
    <root>/2026-11-25/manifest.json             what the portal lists (only what is complete)

Every file is written as a hidden ``.<name>.part`` next to its final name and renamed with
``os.replace`` (atomic on one file system) once it is complete; the manifest is replaced last. The
portal reads only the manifest, so a half-written file is never listed nor served.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from gongkai.core.tabular import FORMULA_PREFIXES

FORMATS = ("csv", "xlsx", "jsonl")
FORMAT_LABELS = {"csv": "CSV", "xlsx": "Excel", "jsonl": "JSON Lines"}
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
DAY_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A safe file name inside a day folder: dataset slug, optional ".dictionary", extension.
FILE_NAME = re.compile(r"^[a-z0-9-]+(\.dictionary)?\.(csv|xlsx|jsonl|json)$")
XLSX_CELL_LIMIT = 32767  # Excel's maximum characters in one cell
XLSX_SHEET_ROWS = 1_000_000  # data rows per sheet (Excel's limit is 1,048,576 rows with the header)
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
HASH_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: str


def text_value(value: Any) -> str:
    """How a value reads in CSV (and as the text of a spreadsheet cell)."""
    if value is None:
        return ""
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        normal = value.normalize()
        return int(normal) if normal == normal.to_integral_value() else float(normal)
    return value


class _Csv:
    def __init__(self, path: Path, columns: Sequence[Column]):
        self.fh: IO[str] = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
        self.writer = csv.writer(self.fh)
        self.writer.writerow([c.label for c in columns])

    def write(self, row: Sequence[Any]) -> None:
        cells = [v if type(v) is str else text_value(v) for v in row]
        for i, text in enumerate(cells):
            # As core.tabular.csv_safe: a cell starting with = + - @ is quoted with ' so a
            # spreadsheet never runs it as a formula.
            if text.startswith(FORMULA_PREFIXES):
                cells[i] = "'" + text
        self.writer.writerow(cells)

    def close(self) -> None:
        self.fh.close()


class _Jsonl:
    def __init__(self, path: Path, columns: Sequence[Column]):
        self.fh: IO[str] = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
        self.names = [c.name for c in columns]

    def write(self, row: Sequence[Any]) -> None:
        record = {n: json_value(v) for n, v in zip(self.names, row, strict=True)}
        self.fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        self.fh.write("\n")

    def close(self) -> None:
        self.fh.close()


class _Xlsx:
    """Write-only workbook: openpyxl streams each row to a temporary file, so memory stays flat."""

    def __init__(self, path: Path, columns: Sequence[Column], sheet: str):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        self.path = path
        self.book = Workbook(write_only=True)
        self.cell = WriteOnlyCell
        self.columns = columns
        self.title = sheet[:28]
        self.bold = Font(bold=True)
        self.sheets = 0
        self.rows = 0
        self._new_sheet()

    def _new_sheet(self) -> None:
        """A sheet with the header row; a dataset longer than one sheet continues on the next."""
        self.sheets += 1
        title = self.title if self.sheets == 1 else f"{self.title[:24]}（{self.sheets}）"
        self.sheet = self.book.create_sheet(title)
        self.sheet.freeze_panes = "A2"
        header = []
        for c in self.columns:
            cell = self.cell(self.sheet, value=c.label)
            cell.font = self.bold
            header.append(cell)
        self.sheet.append(header)
        self.rows = 0

    def _value(self, value: Any) -> Any:
        if type(value) is str and len(value) < 200 and value[:1] != "=" and value.isprintable():
            return value or None  # the common case, checked cheaply
        if value is None:
            return None
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)  # already Beijing time; Excel has no time zones
        if isinstance(value, (int, Decimal, dt.date)):
            return value
        text = str(value)
        if _ILLEGAL_XLSX.search(text):
            text = _ILLEGAL_XLSX.sub("", text)
        if len(text) > XLSX_CELL_LIMIT:
            text = text[: XLSX_CELL_LIMIT - 1] + "…"
        if text.startswith("="):
            cell = self.cell(self.sheet, value=text)
            cell.data_type = "s"  # text, never a formula
            return cell
        return text

    def write(self, row: Sequence[Any]) -> None:
        if self.rows >= XLSX_SHEET_ROWS:
            self._new_sheet()
        self.rows += 1
        self.sheet.append([self._value(v) for v in row])

    def close(self) -> None:
        self.book.save(self.path)


def part_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.part")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def day_dir(root: Path, day: dt.date) -> Path:
    return root / day.isoformat()


@contextlib.contextmanager
def folder_lock(root: Path) -> Iterator[None]:
    """One writer of the manifests at a time (the daily job and a manual re-run may overlap)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write_dataset(
    *,
    root: Path,
    day: dt.date,
    slug: str,
    title: str,
    columns: Sequence[Column],
    dictionary: list[dict[str, str]],
    rows: Iterable[Sequence[Any]],
    formats: Sequence[str] = FORMATS,
    generated_at: dt.datetime,
    meta: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write one dataset's files for ``day`` in one pass over ``rows``; return its manifest entry."""
    folder = day_dir(root, day)
    folder.mkdir(parents=True, exist_ok=True)
    finals = {fmt: folder / f"{slug}.{fmt}" for fmt in formats}
    writers: dict[str, Any] = {}
    count = 0
    try:
        for fmt, final in finals.items():
            part = part_path(final)
            if fmt == "csv":
                writers[fmt] = _Csv(part, columns)
            elif fmt == "jsonl":
                writers[fmt] = _Jsonl(part, columns)
            else:
                writers[fmt] = _Xlsx(part, columns, title)
        active = list(writers.values())
        for row in rows:
            for w in active:
                w.write(row)
            count += 1
        for w in active:
            w.close()
    except BaseException:
        for fmt, final in finals.items():
            with contextlib.suppress(Exception):
                if fmt in writers:
                    writers[fmt].close()  # releases the file (and openpyxl's temporary one)
            part_path(final).unlink(missing_ok=True)
        raise
    # The dictionary, in both forms.
    dict_csv = folder / f"{slug}.dictionary.csv"
    with open(part_path(dict_csv), "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["字段", "中文名称", "类型", "含义"])
        for d in dictionary:
            writer.writerow([d["field"], d["name"], d["type"], d["meaning"]])
    dict_json = folder / f"{slug}.dictionary.json"
    part_path(dict_json).write_text(
        json.dumps(
            {"dataset": slug, "title": title, "fields": dictionary, **(meta or {})},
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    files: dict[str, dict[str, Any]] = {}
    for final in [*finals.values(), dict_csv, dict_json]:
        part = part_path(final)
        files[final.name] = {"size": part.stat().st_size, "sha256": sha256_of(part)}
        os.replace(part, final)
    return {
        "title": title,
        "rows": count,
        "generated_at": generated_at.isoformat(),
        "formats": list(formats),
        "files": files,
    }


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _replace_text(path: Path, text: str) -> None:
    part = part_path(path)
    part.write_text(text, encoding="utf-8", newline="\n")
    os.replace(part, path)


def update_manifest(*, root: Path, day: dt.date, slug: str, entry: dict[str, Any]) -> dict[str, Any]:
    """Add (or replace) one dataset in the day's manifest and rewrite ``SHA256SUMS``. Call under
    :func:`folder_lock`."""
    folder = day_dir(root, day)
    manifest = read_manifest(folder) or {"date": day.isoformat(), "datasets": {}}
    old = manifest["datasets"].get(slug)
    manifest["datasets"][slug] = entry
    # Files of a format no longer written for this dataset are removed with its old entry.
    if old:
        for name in set(old.get("files", {})) - set(entry["files"]):
            (folder / name).unlink(missing_ok=True)
    manifest["generated_at"] = entry["generated_at"]
    sums = [
        f"{info['sha256']}  {name}\n"
        for ds in manifest["datasets"].values()
        for name, info in sorted(ds["files"].items())
    ]
    _replace_text(folder / CHECKSUMS, "".join(sums))
    _replace_text(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def days(root: Path) -> list[dt.date]:
    """The dated folders that hold a manifest, newest first."""
    if not root.is_dir():
        return []
    found = []
    for child in root.iterdir():
        if child.is_dir() and DAY_DIR.match(child.name) and (child / MANIFEST).is_file():
            with contextlib.suppress(ValueError):
                found.append(dt.date.fromisoformat(child.name))
    return sorted(found, reverse=True)


def prune(*, root: Path, today: dt.date, keep_days: int) -> list[dt.date]:
    """Delete day folders older than ``keep_days`` before ``today``; the newest folder always stays."""
    cutoff = today - dt.timedelta(days=keep_days)
    removed = []
    present = days(root)
    for day in present[1:]:
        if day < cutoff:
            shutil.rmtree(day_dir(root, day))
            removed.append(day)
    return removed


def resolve_file(root: Path, day_text: str, name: str) -> tuple[Path, dict[str, Any]] | None:
    """The path of a listed file, or None: the day must be a dated folder, the name a file its
    manifest lists, and the resolved path must stay inside ``root`` (no traversal, no symlink out)."""
    if not DAY_DIR.match(day_text) or not (FILE_NAME.match(name) or name in (CHECKSUMS, MANIFEST)):
        return None
    folder = root / day_text
    manifest = read_manifest(folder)
    if manifest is None:
        return None
    listed: dict[str, Any] = {}
    for ds in manifest.get("datasets", {}).values():
        listed.update(ds.get("files", {}))
    if name not in listed and name not in (CHECKSUMS, MANIFEST):
        return None
    path = (folder / name).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    return path, listed.get(name, {})
