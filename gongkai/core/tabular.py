"""Reading and writing the registers' spreadsheet files (.xlsx and .csv). Pure: no Django imports.

What the import pages and commands share:

* :func:`open_table` checks that a file is what its name claims (an ``.xlsx`` is a zip workbook,
  a ``.csv`` is text in UTF-8, UTF-8 with BOM or GB18030) and streams its rows as text, never
  holding the file in memory. Anything wrong with the file as a whole raises :class:`TableError`
  with a Chinese message for the user.
* :class:`ColumnMap` matches the header row against the register's column layout, tolerant of
  white space, full-width characters and column order.
* the ``parse_*`` helpers turn cell text into values or raise :class:`CellError`.
* :class:`Rejections` collects refused rows on disk and writes the report (行号, 列, 问题) and a
  file of the refused rows, in the input's format, that the user corrects and imports again.
* :class:`TableWriter` writes ``.csv`` (UTF-8 with BOM, so Excel opens it) or ``.xlsx``
  (openpyxl write-only) row by row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import heapq
import io
import os
import pickle
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and other OLE2 documents)
UTF8_BOM = codecs.BOM_UTF8
# Enough to see the header row (always Chinese, so never plain ASCII) and decide the encoding.
SNIFF_BYTES = 256 * 1024
ENCODING_LABELS = {"utf-8-sig": "UTF-8（带BOM）", "utf-8": "UTF-8", "gb18030": "GB18030/GBK"}
# The column the refused-rows file adds; ignored without a warning when that file comes back.
REASON_HEADER = "错误原因"
REPORT_HEADERS = ["行号", "列", "问题", "处理结果"]
ROW_REFUSED = "该行未导入"
COLUMN_IGNORED = "该列已忽略"
# A cell beginning with one of these is a formula to Excel; CSV exports quote it with "'".
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"
_DROP_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE))


class TableError(Exception):
    """The file as a whole cannot be imported; ``str()`` is the Chinese message for the user."""


class CellError(ValueError):
    """One cell cannot be read; ``str()`` is the Chinese reason."""


# --- text --------------------------------------------------------------------------------------


def clean(text: str) -> str:
    """Cell text without surrounding white space (full-width spaces and zero-width marks included)."""
    text = text.strip()
    if text and (text[0] in _INVISIBLE or text[-1] in _INVISIBLE):
        text = text.strip(_INVISIBLE + " \t\r\n\u3000\xa0")
    return text


def norm(text: str) -> str:
    """For codes, numbers, dates and labels: NFKC (full-width → half-width) and no white space."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_DROP_INVISIBLE)
    return "".join(text.split())


def half_width(text: str) -> str:
    """NFKC (full-width → half-width) without surrounding white space; inner spaces stay."""
    return clean(unicodedata.normalize("NFKC", text))


def header_key(text: str) -> str:
    """What two headers must share to be the same column."""
    return norm(text)


def cell_text(value: Any) -> str:
    """An .xlsx cell value as the text the importer parses (dates ISO, whole numbers without .0)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


def unquote_formula(text: str) -> str:
    """Undo the "'" that :class:`TableWriter` puts before formula-like CSV cells."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_PREFIXES:
        return text[1:]
    return text


# --- cell parsers ------------------------------------------------------------------------------

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def parse_date(text: str) -> dt.date:
    """YYYY-MM-DD (also YYYY/M/D, YYYY.M.D, YYYY年M月D日, YYYYMMDD); an Excel time part of 00:00 is fine."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass  # explained below
    value = norm(text)
    value = re.sub(r"(?<=\d)(T|\s)?00:00(:00)?$", "", value)
    for pattern in _DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise CellError(f"“{text}”不是有效的日期（{year}年没有{month}月{day}日）") from None
    if re.fullmatch(r"\d{5}(\.\d+)?", value):
        raise CellError(
            f"“{text}”不是日期，应为YYYY-MM-DD格式（看起来是Excel的日期序号，请把单元格设为日期或文本格式）"
        )
    raise CellError(f"“{text}”不是日期，应为YYYY-MM-DD格式，如2024-03-15")


def parse_decimal(text: str, *, max_digits: int, decimal_places: int, label: str) -> Decimal:
    """A plain decimal number (thousands separators allowed), within the column's precision."""
    value = norm(text).replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
        raise CellError(f"{label}“{text}”不是数字")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError(f"{label}“{text}”不是数字") from None
    _sign, digits, exponent = number.normalize().as_tuple()
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > decimal_places:
        raise CellError(f"{label}“{text}”最多保留{decimal_places}位小数")
    whole = len(digits) + (exponent if isinstance(exponent, int) else 0)
    if whole > max_digits - decimal_places:
        raise CellError(f"{label}“{text}”过大（整数部分最多{max_digits - decimal_places}位）")
    return number


_YES = {"是", "Y", "YES", "TRUE", "1", "√", "✓"}
_NO = {"否", "N", "NO", "FALSE", "0", "×", ""}


def parse_yes_no(text: str) -> bool:
    if text == "否":
        return False
    if text == "是":
        return True
    value = norm(text).upper()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise CellError(f"应填“是”或“否”，实际为“{text}”")


class Labels:
    """Chinese labels of a choice (and their common short forms) → stored values."""

    def __init__(
        self, choices: Iterable[tuple[str, str]], *, what: str, aliases: dict[str, str] | None = None
    ):
        self.what = what
        self.label_of: dict[str, str] = {}
        self._lookup: dict[str, str] = {}
        for value, label in choices:
            label = str(label)
            self.label_of[value] = label
            for form in (label, value, re.sub(r"[（(].*?[)）]", "", label)):
                self._lookup.setdefault(norm(form).upper(), value)
            for inner in re.findall(r"[（(](.*?)[)）]", label):
                self._lookup.setdefault(norm(inner).upper(), value)
        for alias, value in (aliases or {}).items():
            self._lookup[norm(alias).upper()] = value
        self._exact = {**{v: v for v in self.label_of}, **{label: v for v, label in self.label_of.items()}}

    def parse(self, text: str) -> str:
        value = self._exact.get(text)
        if value is not None:
            return value
        value = self._lookup.get(norm(text).upper())
        if value is None:
            allowed = "、".join(self.label_of.values())
            raise CellError(f"未知的{self.what}“{text}”，应为：{allowed}")
        return value


# --- files -------------------------------------------------------------------------------------


def file_kind(name: str, *, action: str = "导入") -> str:
    """ "xlsx" or "csv" from the file name; anything else is refused."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        return "xlsx"
    if suffix == ".csv":
        return "csv"
    if suffix == ".xls":
        raise TableError(
            f"不支持旧版Excel文件（.xls）：只能{action}Excel工作簿（.xlsx）或CSV文件"
            + ("，请在Excel中“另存为”.xlsx或CSV UTF-8后再导入" if action == "导入" else "")
        )
    raise TableError(f"只能{action}.xlsx或.csv文件，“{Path(name).name}”不是")


def sniff(head: bytes, kind: str) -> str | None:
    """Check the first bytes against the claimed kind; for CSV return the encoding.

    Raises :class:`TableError` when the content does not match the name.
    """
    if not head:
        raise TableError("文件是空的")
    if head.startswith(OLE2_MAGIC):
        raise TableError(
            "这是旧版Excel（.xls）或其他Office文件，不是.xlsx或CSV；请在Excel中另存为Excel工作簿（.xlsx）后再导入"
        )
    if kind == "xlsx":
        if not head.startswith(XLSX_MAGIC):
            raise TableError("文件扩展名是.xlsx，但内容不是Excel工作簿（.xlsx文件应为zip压缩格式）")
        return None
    if head.startswith(XLSX_MAGIC):
        raise TableError(
            "文件扩展名是.csv，但内容是Excel工作簿或其他压缩文件；如果是Excel工作簿，请把扩展名改为.xlsx"
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TableError("文件是UTF-16编码；请在Excel中另存为“CSV UTF-8（逗号分隔）”后再导入")
    if b"\x00" in head:
        raise TableError("文件含有二进制内容，不是CSV文本文件")
    if head.startswith(UTF8_BOM):
        _decodes(head[len(UTF8_BOM) :], "utf-8")
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        if _decodes(head, encoding, raise_error=False):
            return encoding
    raise TableError("无法识别文件编码：既不是UTF-8也不是GB18030/GBK；请另存为“CSV UTF-8（逗号分隔）”")


def _decodes(data: bytes, encoding: str, *, raise_error: bool = True) -> bool:
    # final=False: the sample may end in the middle of a character.
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=False)
    except UnicodeDecodeError:
        if raise_error:
            raise TableError(
                f"文件声明为{ENCODING_LABELS.get(encoding, encoding)}编码，但含有无法解码的字节"
            ) from None
        return False
    return True


@dataclass(frozen=True)
class Row:
    """A data row: its number as the spreadsheet shows it (header = row 1) and its cells as text."""

    number: int
    cells: tuple[str, ...]


class Table:
    """An opened file: its header, then its non-empty data rows, streamed."""

    kind: str
    encoding: str | None
    header: list[str]
    header_number: int

    def rows(self) -> Iterator[Row]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def description(self) -> str:
        if self.kind == "xlsx":
            return "Excel工作簿"
        return f"CSV，{ENCODING_LABELS.get(self.encoding or '', self.encoding)}编码"


def open_table(path: str | os.PathLike[str], *, name: str | None = None) -> Table:
    """Open ``path`` (whose kind is judged from ``name``, by default the path's own name)."""
    path = Path(path)
    kind = file_kind(name or path.name)
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise TableError(f"找不到文件“{path}”") from None
    except IsADirectoryError:
        raise TableError(f"“{path}”是目录，不是文件") from None
    except OSError as exc:
        raise TableError(f"无法读取文件“{path}”：{exc.strerror or exc}") from None
    encoding = sniff(head, kind)
    table: Table = _XlsxTable(path) if kind == "xlsx" else _CsvTable(path, encoding or "utf-8", head)
    try:
        table.header_number, table.header = table._read_header()  # type: ignore[attr-defined]
    except BaseException:
        table.close()
        raise
    return table


def _is_blank(cells: Sequence[str]) -> bool:
    return not clean("".join(cells))


class _CsvTable(Table):
    def __init__(self, path: Path, encoding: str, head: bytes):
        self.kind, self.encoding = "csv", encoding
        self._raw = open(path, "rb")  # noqa: SIM115 - closed by close()
        first_line = head.decode(encoding, errors="ignore").split("\n", 1)[0]
        delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
        csv.field_size_limit(1024 * 1024)
        self._reader = csv.reader(self._lines(), delimiter=delimiter)
        self._number = 0

    def _lines(self) -> Iterator[str]:
        # Decoded line by line (a newline byte never occurs inside a UTF-8 or GB18030 character),
        # so a decoding error is raised exactly when the reader reaches the damaged line.
        codec = "utf-8" if self.encoding == "utf-8-sig" else self.encoding or "utf-8"
        lines = iter(self._raw)
        first = next(lines, b"")
        yield first.removeprefix(UTF8_BOM).decode(codec)
        for line in lines:
            yield line.decode(codec)

    def _next(self) -> list[str] | None:
        try:
            cells = next(self._reader)
        except StopIteration:
            return None
        except UnicodeDecodeError:
            label = ENCODING_LABELS.get(self.encoding or "", self.encoding)
            raise TableError(
                f"第{self._number + 1}行附近有无法按{label}解码的字节：文件已损坏或混用了不同的编码"
            ) from None
        except csv.Error as exc:
            raise TableError(
                f"第{self._number + 1}行不是有效的CSV（{exc}）：文件已损坏或不是CSV文本文件"
            ) from None
        self._number += 1
        return cells

    def _read_header(self) -> tuple[int, list[str]]:
        while (cells := self._next()) is not None:
            if not _is_blank(cells):
                return self._number, cells
        raise TableError("文件中没有内容（没有列标题行）")

    def rows(self) -> Iterator[Row]:
        while (cells := self._next()) is not None:
            joined = "".join(cells)
            if not clean(joined):
                continue
            if "'" in joined:
                cells = [unquote_formula(c) for c in cells]
            yield Row(self._number, tuple(cells))

    def close(self) -> None:
        self._raw.close()


class _XlsxTable(Table):
    def __init__(self, path: Path):
        import openpyxl

        self.kind, self.encoding = "xlsx", None
        try:
            self._book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except zipfile.BadZipFile:
            raise TableError("Excel工作簿已损坏或不完整（无法解压），请重新保存或重新下载后再导入") from None
        except Exception:
            raise TableError("无法打开Excel工作簿：文件已损坏、不完整，或不是Excel保存的.xlsx文件") from None
        sheets = self._book.worksheets
        if not sheets:
            self._book.close()
            raise TableError("Excel工作簿中没有工作表")
        self._sheet = sheets[0]
        # The stored dimension is often wrong (files written by other programs); read every row.
        self._sheet.reset_dimensions()
        self._iter = self._sheet.iter_rows(values_only=True)
        self._number = 0

    def _next(self) -> tuple[str, ...] | None:
        try:
            values = next(self._iter)
        except StopIteration:
            return None
        except Exception:
            raise TableError(
                f"读取Excel工作簿第{self._number + 1}行附近时出错：文件已损坏或不完整，请重新保存后再导入"
            ) from None
        self._number += 1
        return tuple(cell_text(v) for v in values)

    def _read_header(self) -> tuple[int, list[str]]:
        while (cells := self._next()) is not None:
            if not _is_blank(cells):
                return self._number, list(cells)
        raise TableError("第一个工作表是空的（没有列标题行）")

    def rows(self) -> Iterator[Row]:
        while (cells := self._next()) is not None:
            if not _is_blank(cells):
                yield Row(self._number, cells)

    def close(self) -> None:
        self._book.close()


# --- columns -----------------------------------------------------------------------------------


class ColumnMap:
    """Where each of the register's columns is in a file's header row.

    Missing required columns or a column that appears twice reject the file; unknown columns
    are ignored and reported as warnings.
    """

    def __init__(
        self,
        header: Sequence[str],
        *,
        columns: Sequence[str],
        required: Iterable[str],
        register: str,
        ignored: Iterable[str] = (REASON_HEADER,),
    ):
        known = {header_key(c): c for c in columns}
        silent = {header_key(c) for c in ignored}
        self.index: dict[str, int] = {}
        self.unknown: list[str] = []
        seen_at: dict[str, int] = {}
        for i, raw in enumerate(header):
            key = header_key(raw)
            if not key:
                continue
            column = known.get(key)
            if column is None:
                if key not in silent:
                    self.unknown.append(clean(raw))
                continue
            if column in self.index:
                raise TableError(
                    f"列“{column}”出现了两次（第{_column_letter(seen_at[column])}列和第{_column_letter(i)}列），"
                    "无法判断以哪一列为准"
                )
            self.index[column] = i
            seen_at[column] = i
        missing = [c for c in columns if c in set(required) and c not in self.index]
        if missing:
            hint = ""
            if not self.index:
                hint = f"（这个文件看起来不是{register}文件，或第一行不是列标题）"
            raise TableError(f"缺少必需的列：{'、'.join(missing)}{hint}")
        self.absent = {c for c in columns if c not in self.index}

    def has(self, column: str) -> bool:
        return column in self.index

    def get(self, row: Row, column: str) -> str:
        """The cell's text without surrounding white space ("" for an absent column or cell)."""
        i = self.index.get(column)
        if i is None or i >= len(row.cells):
            return ""
        return clean(row.cells[i])

    def in_column_order(self, problems: Iterable[Problem]) -> list[Problem]:
        return sorted(problems, key=lambda p: self.index.get(p.column, len(self.index)))

    def warnings(self) -> list[Problem]:
        return [Problem(1, name, f"“{name}”不是本文件格式中的列", COLUMN_IGNORED) for name in self.unknown]


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- reports -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One line of the report: spreadsheet row, column header, reason."""

    row: int
    column: str
    message: str
    outcome: str = ROW_REFUSED


@dataclass
class ImportResult:
    """What an import did, for the command's summary, the upload page and the tests."""

    file_name: str
    register: str
    description: str = ""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: list[str] = field(default_factory=list)
    report_path: Path | None = None
    rejected_path: Path | None = None

    @property
    def applied(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def rows(self) -> int:
        return self.applied + self.rejected

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def summary_lines(self) -> list[str]:
        lines = [
            f"文件“{self.file_name}”（{self.description}）共{self.rows}行{self.register}数据：",
            f"  新增{self.created}条，更新{self.updated}条，未变化{self.unchanged}条，未导入{self.rejected}条。",
        ]
        lines += [f"提示：{w}" for w in self.warnings]
        if self.report_path:
            lines.append(f"导入报告：{self.report_path}")
        if self.rejected_path:
            lines.append(f"未导入的行：{self.rejected_path}（按报告修改后可再次导入）")
        if not self.rejected:
            lines.append("全部数据行已导入。")
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "register": self.register,
            "description": self.description,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "warnings": list(self.warnings),
            "report_path": str(self.report_path) if self.report_path else None,
            "rejected_path": str(self.rejected_path) if self.rejected_path else None,
        }


class _Spill:
    """An on-disk run of pickled items, written in order and read back once."""

    def __init__(self) -> None:
        self._fh: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.count = 0

    def add(self, item: Any) -> None:
        pickle.dump(item, self._fh, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def __iter__(self) -> Iterator[Any]:
        self._fh.flush()
        self._fh.seek(0)
        for _ in range(self.count):
            yield pickle.load(self._fh)

    def close(self) -> None:
        self._fh.close()


class Deferred(_Spill):
    """Rows put aside until the whole file has been read (e.g. they name a host defined later)."""

    def add(self, item: Row) -> None:
        super().add(item)


class Rejections:
    """Refused rows and their problems, kept on disk (a file may refuse a million rows).

    Rows arrive in ascending order within each *segment*; a segment opens when the importer goes
    back over deferred rows. :meth:`write` merges the segments so both output files are in
    spreadsheet order.
    """

    def __init__(self) -> None:
        self._segments: list[_Spill] = [_Spill()]
        self.count = 0

    def new_segment(self) -> None:
        self._segments.append(_Spill())

    def add(self, row: Row, problems: Sequence[Problem]) -> None:
        self._segments[-1].add((row.number, row.cells, [(p.column, p.message) for p in problems]))
        self.count += 1

    def close(self) -> None:
        for segment in self._segments:
            segment.close()

    def write(
        self,
        *,
        directory: Path,
        stem: str,
        kind: str,
        header: Sequence[str],
        warnings: Sequence[Problem],
    ) -> tuple[Path, Path | None]:
        """Write the report (always) and the refused rows (when there are any); return their paths."""
        directory.mkdir(parents=True, exist_ok=True)
        report_path = directory / f"{stem}-导入报告.csv"
        rejected_path = directory / f"{stem}-未导入.{kind}" if self.count else None
        # The refused rows keep the input's columns (without an earlier reason column) plus the reason.
        keep = [i for i, h in enumerate(header) if header_key(h) != header_key(REASON_HEADER)]
        with TableWriter(report_path, REPORT_HEADERS, sheet="导入报告") as report:
            for w in warnings:
                report.write([str(w.row), w.column, w.message, w.outcome])
            rejected = (
                TableWriter(rejected_path, [header[i] for i in keep] + [REASON_HEADER])
                if rejected_path
                else None
            )
            try:
                merged = heapq.merge(*self._segments, key=lambda item: item[0])
                for number, cells, problems in merged:
                    for column, message in problems:
                        report.write([str(number), column, message, ROW_REFUSED])
                    if rejected is not None:
                        padded = [cells[i] if i < len(cells) else "" for i in keep]
                        reasons = "；".join(f"{c}：{m}" if c else m for c, m in problems)
                        rejected.write([*padded, reasons])
            finally:
                if rejected is not None:
                    rejected.close()
        return report_path, rejected_path


# --- writing -----------------------------------------------------------------------------------


def csv_safe(text: str) -> str:
    """Quote a formula-like cell so Excel shows it as text (the importer removes the quote)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class TableWriter:
    """Write rows of text to ``.csv`` (UTF-8 with BOM) or ``.xlsx`` (streamed, every cell text).

    The file appears under its name only when :meth:`close` succeeds (written to ``*.part`` first),
    so a failed export never leaves a truncated file behind.
    """

    def __init__(self, path: str | os.PathLike[str], headers: Sequence[str], *, sheet: str = "Sheet1"):
        self.path = Path(path)
        self.kind = file_kind(self.path.name, action="导出")
        self.count = 0
        self._part = self.path.with_name(self.path.name + ".part")
        if self.kind == "csv":
            self._fh: IO[str] = open(self._part, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
            self._csv = csv.writer(self._fh)
            self._csv.writerow([csv_safe(h) for h in headers])
        else:
            from openpyxl import Workbook
            from openpyxl.cell import WriteOnlyCell
            from openpyxl.styles import Font

            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet(sheet[:31])
            self._sheet.freeze_panes = "A2"
            for i, h in enumerate(headers):
                letter = _column_letter(i)
                self._sheet.column_dimensions[letter].width = max(10, min(40, len(h) * 2 + 4))
            bold = Font(bold=True)
            cells = []
            for h in headers:
                cell = WriteOnlyCell(self._sheet, value=h)
                cell.font = bold
                cells.append(cell)
            self._sheet.append(cells)
            self._cell = WriteOnlyCell

    def write(self, cells: Sequence[str]) -> None:
        self.count += 1
        if self.kind == "csv":
            self._csv.writerow([csv_safe(c) for c in cells])
            return
        self._sheet.append([self._xlsx_value(c) for c in cells])

    def _xlsx_value(self, text: str) -> Any:
        if _ILLEGAL_XLSX.search(text):
            text = _ILLEGAL_XLSX.sub("", text)
        if text.startswith("="):
            # Stored as text, never as a formula.
            cell = self._cell(self._sheet, value=text)
            cell.data_type = "s"
            return cell
        return text if text else None

    def close(self) -> None:
        if self.kind == "csv":
            self._fh.close()
        else:
            self._book.save(self._part)
        os.replace(self._part, self.path)

    def abort(self) -> None:
        if self.kind == "csv":
            self._fh.close()
        self._part.unlink(missing_ok=True)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def csv_chunks(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, rows_per_chunk: int = 500
) -> Iterator[bytes]:
    """A CSV file (UTF-8 with BOM) as byte chunks, for a streaming HTTP response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_safe(h) for h in headers])
    yield UTF8_BOM + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, start=1):
        writer.writerow([csv_safe(c) for c in row])
        if n % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")
