"""Import of the market-entity register from .xlsx/.csv files (命令 ``gongkai import-entities`` and the upload page).

The file is read once, streaming. Each row is parsed (cell formats from
:mod:`gongkai.registry.columns`), checked by the :class:`~gongkai.registry.records.RecordChecker`
and by the rules only a whole file can judge (a credit code twice, a cluster host defined in
another row), then encoded and written by the two halves of an upsert
(:class:`~gongkai.registry.services.BatchEncoder`, :class:`~gongkai.registry.services.EntityWriter`),
all inside one transaction: a file that turns out to be broken half way leaves the register
untouched. Where forking is safe, reading, checking and encoding run in a worker process while
this process writes (see docs/imports.md).

Rows naming a cluster host not yet seen are put aside (on disk) and checked once the whole file
has been read, so a host may be defined before or after the entities it hosts.

A column that is absent from the file leaves that field of existing entities as it is (new
entities get the default); a column that is present but empty clears the field. That way a file
from another system without, say, the internal 信用风险分类 never wipes it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import multiprocessing
import os
import queue
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import batched
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from gongkai.core import tabular
from gongkai.core.bulk import fork_is_safe
from gongkai.core.tabular import (
    CellError,
    ColumnMap,
    Deferred,
    ImportResult,
    Problem,
    Rejections,
    Row,
    Table,
    TableError,
)
from gongkai.registry import addresses, creditcode
from gongkai.registry.choices import CreditRiskClass, EntityStatus, EntityType
from gongkai.registry.columns import ENTITY_COLUMNS, ENTITY_HEADERS, ENTITY_REQUIRED
from gongkai.registry.records import AddressRecord, EntityRecord
from gongkai.registry.services import (
    ENTITY_FIELDS,
    BatchEncoder,
    EntityWriter,
    Stored,
    hosted_count,
    record_checker,
    stored_entities,
)

# Rows read, checked and encoded together (one look-up of stored rows, one write of each table).
BATCH = 5000
# A first batch of at least this many records into an empty register counts as a large first load.
FIRST_LOAD_MIN = 1000
MAX_PREMISES = 1000

# --- shared by both registers' imports ---------------------------------------------------------


@dataclass(frozen=True)
class RegisterSpec:
    """A register as far as files are concerned."""

    slug: str
    label: str
    columns: list[str]
    required: set[str]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportContext:
    """What an importer's row loop works with."""

    table: Table
    columns: ColumnMap
    rejections: Rejections
    deferred: Deferred
    warnings: list[str] = field(default_factory=list)

    def reject(self, row: Row, problems: list[Problem]) -> None:
        self.rejections.add(row, self.columns.in_column_order(problems))


def new_run_directory(slug: str) -> Path:
    """A fresh directory under ``MEDIA_ROOT/imports/<register>/`` for one import's files."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    path = Path(settings.MEDIA_ROOT) / "imports" / slug / f"{stamp}-{secrets.token_hex(4)}"
    path.mkdir(parents=True, exist_ok=False)
    return path


SUMMARY_FILE = "summary.json"
RUN_NAME = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{8}$")


def save_summary(directory: Path, result: ImportResult, *, actor: str) -> None:
    """Keep what an import did next to its files, for the upload page's list of recent imports."""
    data = result.as_dict()
    data["report_path"] = result.report_path.name if result.report_path else None
    data["rejected_path"] = result.rejected_path.name if result.rejected_path else None
    data["actor"] = actor
    data["at"] = timezone.now().isoformat()
    (directory / SUMMARY_FILE).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def run_directory(slug: str, name: str) -> Path | None:
    """The directory of one earlier import, or None when ``name`` is not one."""
    if not RUN_NAME.match(name):
        return None
    path = Path(settings.MEDIA_ROOT) / "imports" / slug / name
    return path if (path / SUMMARY_FILE).is_file() else None


def load_summary(directory: Path) -> dict[str, Any]:
    data = json.loads((directory / SUMMARY_FILE).read_text(encoding="utf-8"))
    data["name"] = directory.name
    data["at"] = dt.datetime.fromisoformat(data["at"])
    return data


def recent_runs(slug: str, *, limit: int = 20) -> list[dict[str, Any]]:
    root = Path(settings.MEDIA_ROOT) / "imports" / slug
    if not root.is_dir():
        return []
    names = sorted((p.name for p in root.iterdir() if RUN_NAME.match(p.name)), reverse=True)
    runs = []
    for name in names:
        directory = root / name
        if (directory / SUMMARY_FILE).is_file():
            runs.append(load_summary(directory))
            if len(runs) == limit:
                break
    return runs


def run_import(
    path: str | os.PathLike[str],
    *,
    spec: RegisterSpec,
    apply: Callable[[ImportContext], Counts],
    name: str | None = None,
    report_dir: Path | None = None,
) -> ImportResult:
    """Open, check the header, apply the rows in one transaction, write the report.

    Raises :class:`~gongkai.core.tabular.TableError` (nothing changed) when the file as a whole
    cannot be imported.
    """
    name = name or Path(path).name
    with tabular.open_table(path, name=name) as table:
        columns = ColumnMap(table.header, columns=spec.columns, required=spec.required, register=spec.label)
        ctx = ImportContext(table, columns, Rejections(), Deferred())
        try:
            with transaction.atomic():
                counts = apply(ctx)
            result = ImportResult(
                file_name=name,
                register=spec.label,
                description=table.description,
                created=counts.created,
                updated=counts.updated,
                unchanged=counts.unchanged,
                rejected=ctx.rejections.count,
            )
            result.warnings = [f"列“{w.column}”不是{spec.label}文件的列，已忽略" for w in columns.warnings()]
            result.warnings += ctx.warnings
            if not result.rows:
                result.warnings.append("文件中只有列标题，没有数据行")
            directory = report_dir or new_run_directory(spec.slug)
            result.report_path, result.rejected_path = ctx.rejections.write(
                directory=directory,
                stem=Path(name).stem or spec.slug,
                kind=table.kind,
                header=table.header,
                warnings=columns.warnings(),
            )
        finally:
            ctx.rejections.close()
            ctx.deferred.close()
    return result


def check_length(problems: list[Problem], row: Row, column: str, value: str, limit: int) -> None:
    if len(value) > limit:
        problems.append(Problem(row.number, column, f"{column}过长（{len(value)}字，最多{limit}字）"))


def parse_cell(
    problems: list[Problem],
    row: Row,
    column: str,
    text: str,
    parser: Callable[[str], Any],
    default: Any = None,
) -> Any:
    """``parser(text)``, or ``default`` for an empty cell; a :class:`CellError` becomes a problem."""
    if not text:
        return default
    try:
        return parser(text)
    except CellError as exc:
        problems.append(Problem(row.number, column, str(exc)))
        return default


# --- entities ----------------------------------------------------------------------------------

ENTITIES = RegisterSpec("entities", "市场主体", ENTITY_HEADERS, ENTITY_REQUIRED)
ATTR = dict(ENTITY_COLUMNS)
HEADER = {attr: header for header, attr in ENTITY_COLUMNS}
# The checker names some fields differently from the file's headers.
CHECKER_FIELD_HEADER = {"注册资本": "注册资本（万元）", "托管机构": "托管机构统一社会信用代码"}
# Optional columns whose absence keeps an existing entity's value (行业门类 follows 行业大类).
KEPT_WHEN_ABSENT = {
    "registered_capital": "registered_capital",
    "status": "status",
    "status_since": "status_since",
    "premises": None,
    "contact_name": "contact_name",
    "contact_phone": "contact_phone",
    "credit_risk_class": "credit_risk_class",
    "credit_risk_date": "credit_risk_date",
    "is_cluster_host": "is_cluster_host",
    "cluster_host_code": "cluster_host_id",
}
DEFAULTS: dict[str, Any] = {
    "registered_capital": None,
    "status": EntityStatus.ACTIVE,
    "status_since": None,
    "premises": [],
    "contact_name": "",
    "contact_phone": "",
    "credit_risk_class": "",
    "credit_risk_date": None,
    "is_cluster_host": False,
    "cluster_host_code": "",
}
# Values that let a row with unreadable cells still be checked for its other problems.
STAND_INS: dict[str, Any] = {
    "entity_type": EntityType.ENTERPRISE,
    "established_on": dt.date(1900, 1, 1),
    "registered_capital": None,
    "status": EntityStatus.ACTIVE,
    "status_since": None,
    "premises": [],
    "credit_risk_class": "",
    "credit_risk_date": None,
    "is_cluster_host": False,
    "cluster_host_code": "",
}
_FIELD_AT = {name: i for i, name in enumerate(ENTITY_FIELDS)}
_STATUS_AT, _STATUS_SINCE_AT = _FIELD_AT["status"], _FIELD_AT["status_since"]
TEXT_LIMITS = {"legal_representative": 100, "registration_authority": 100, "contact_name": 50}


@functools.cache
def labels() -> dict[str, tabular.Labels]:
    """The Chinese labels files use, whatever language the current user reads."""
    with translation.override("zh-hans"):
        return {
            "entity_type": tabular.Labels(EntityType.choices, what="主体类型"),
            "status": tabular.Labels(
                EntityStatus.choices, what="登记状态", aliases={"开业": "active", "在业": "active"}
            ),
            "credit_risk_class": tabular.Labels(CreditRiskClass.choices, what="信用风险分类"),
        }


_PREMISES_SPLIT = re.compile(r"[\r\n；]+")
_PREMISES_ENTRY = re.compile(r"^([0-9０-９]{6})\s*(.*)$", re.DOTALL)


class ImportInterruptedError(TableError):
    """The worker that reads and checks the file failed or vanished; nothing was applied."""


def import_entities(
    path: str | os.PathLike[str],
    *,
    actor: Any,
    name: str | None = None,
    report_dir: Path | None = None,
    worker: bool | None = None,
) -> ImportResult:
    """Import a market-entity file; see the module docstring for the rules.

    ``worker``: read, check and encode the rows in a forked worker process while this process
    writes (the default where forking is safe, see :func:`gongkai.core.bulk.fork_is_safe`), or
    all in this process (False).
    """
    file_name = name or Path(path).name
    use_worker = fork_is_safe() if worker is None else worker

    def apply(ctx: ImportContext) -> Counts:
        writer = EntityWriter(actor=actor, note=f"导入文件“{file_name}”", batch_size=BATCH)
        writer.first_load_min = FIRST_LOAD_MIN
        rows = _EntityRows(ctx, _Register(empty=writer.claim_if_empty()))
        if use_worker:
            _apply_in_worker(rows, writer)
        else:
            for records, stored in rows.batches():
                writer.write(writer.encoder.encode(records, stored))
        writer.finish()
        result = writer.result
        return Counts(result.created, result.updated, result.unchanged)

    return run_import(path, spec=ENTITIES, apply=apply, name=file_name, report_dir=report_dir)


class _Register:
    """What the row loop reads of the stored register (in the process that holds the connection)."""

    def __init__(self, *, empty: bool):
        self.empty = empty  # claimed empty: nothing to look up

    def prefetch(self, codes: list[str]) -> Callable[[], dict[str, Stored]]:
        """A call that gives the stored rows of ``codes`` (here: looked up when called)."""
        if self.empty or not codes:
            return dict
        return functools.partial(stored_entities, codes)

    def hosted(self, code: str) -> int:
        return 0 if self.empty else hosted_count(code)


class _RegisterByMessage(_Register):
    """The worker's view of the register: questions sent to the main process, which holds the
    database connection (and the import's transaction).

    :meth:`prefetch` asks at once and returns a call that waits for the answer, so the main
    process looks up the next chunk's stored rows while this process handles the current one.
    The main process answers in the order it was asked; a question asked and answered at once
    (:meth:`hosted`) first collects the answers still owed to earlier ones.
    """

    def __init__(self, *, empty: bool, requests: Any, answers: Any):
        super().__init__(empty=empty)
        self.requests, self.answers = requests, answers
        self.asked = self.received = 0  # stored-row questions asked, answers received
        self.early: dict[int, dict[str, Stored]] = {}  # answers received before they were wanted

    def prefetch(self, codes: list[str]) -> Callable[[], dict[str, Stored]]:
        if self.empty or not codes:
            return dict
        self.requests.put(("stored", codes))
        ticket, self.asked = self.asked, self.asked + 1

        def take() -> dict[str, Stored]:
            while ticket not in self.early:
                self._receive_one()
            return self.early.pop(ticket)

        return take

    def _receive_one(self) -> None:
        self.early[self.received] = self.answers.recv()
        self.received += 1

    def hosted(self, code: str) -> int:
        if self.empty:
            return 0
        while self.received < self.asked:
            self._receive_one()
        self.requests.put(("hosted", code))
        return self.answers.recv()


class _RejectionLog:
    """Stands in for the worker's :class:`Rejections`: the main process replays what it records."""

    def __init__(self) -> None:
        self.items: list[tuple[Row, list[Problem]] | None] = []  # None: a new segment
        self.count = 0

    def add(self, row: Row, problems: list[Problem]) -> None:
        self.items.append((row, problems))
        self.count += 1

    def new_segment(self) -> None:
        self.items.append(None)

    def take(self) -> list[tuple[Row, list[Problem]] | None]:
        items, self.items = self.items, []
        return items


def _replay(items: list[tuple[Row, list[Problem]] | None], rejections: Rejections) -> None:
    for item in items:
        if item is None:
            rejections.new_segment()
        else:
            rejections.add(*item)


WORKER_EXIT_WAIT = 5.0  # seconds to wait for a worker's exit code after its pipe has closed
# Messages read from the worker ahead of their handling: the worker goes on encoding while this
# process writes a slow batch (a checkpoint, a long COPY) instead of waiting for it to be read.
READ_AHEAD = 3


class _Outbox:
    """The worker's end of the pipe to the main process, with the ``put`` that its register and
    its loop use. ``send`` returns once the message is in the pipe; the main process's reader
    takes it from there, and keeps at most :data:`READ_AHEAD` unhandled, so the worker waits only
    when the main process is that far behind."""

    def __init__(self, connection: Any):
        self.connection = connection

    def put(self, message: tuple) -> None:
        self.connection.send(message)

    def close(self) -> None:
        self.connection.close()


class _Inbox:
    """The main process's end of the pipe: a thread reads the worker's messages as they come and
    keeps up to :data:`READ_AHEAD` of them for :meth:`get` (about that many encoded batches in
    memory at most). Handling stays in the calling thread, in the order the worker sent them."""

    _VANISHED = ("vanished",)

    def __init__(self, connection: Any, process: Any):
        self.connection, self.process = connection, process
        self.messages: queue.Queue[tuple] = queue.Queue(maxsize=READ_AHEAD)
        self.stopping = threading.Event()
        self.reader = threading.Thread(target=self._read, name="gongkai-import-reader", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while not self.stopping.is_set():
            try:
                message = self.connection.recv()
            except (EOFError, OSError):  # the worker has ended, maybe half-way through a message
                message = self._VANISHED
            while not self.stopping.is_set():
                try:
                    self.messages.put(message, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if message[0] not in ("stored", "hosted", "batch"):
                return

    def get(self) -> tuple:
        message = self.messages.get()
        if message is self._VANISHED:
            self.process.join(WORKER_EXIT_WAIT)
            raise ImportInterruptedError(
                f"读取和检查文件的工作进程意外退出（退出码{self.process.exitcode}），导入已取消"
            )
        return message

    def close(self) -> None:
        """Stop the reader (call once the worker has ended: its pipe then reads as closed)."""
        self.stopping.set()
        self.reader.join()
        self.connection.close()


PIPE_SIZE = 1 << 20  # bytes; Linux lets any process widen a pipe this far (``pipe-max-size``)


def _widen(connection: Any) -> None:
    """Widen the pipe under ``connection`` from Linux's 64 KiB: an encoded batch (about 12 MB)
    then crosses in fewer, larger writes, with fewer switches between the two processes.
    Elsewhere, or where the system refuses, the pipe stays as it is."""
    try:
        import fcntl

        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except (ImportError, AttributeError, OSError):
        pass


def _apply_in_worker(rows: _EntityRows, writer: EntityWriter) -> None:
    """Read, check and encode in a forked worker; answer its questions and write here.

    The worker never touches the database connection: it asks this process for stored rows.
    Its failures (a damaged file, an error, the process vanishing) reach the caller as a
    :class:`TableError` and roll the import's transaction back.
    """
    ctx = multiprocessing.get_context("fork")
    pipe_end, outbox = ctx.Pipe(duplex=False)
    _widen(outbox)
    answers_in, answers = ctx.Pipe(duplex=False)
    _widen(answers)
    process = ctx.Process(
        target=_work,
        args=(rows, writer.encoder, _Outbox(outbox), answers_in, answers),
        name="gongkai-import",
        daemon=True,
    )
    process.start()
    # Only the worker may hold the sending end: when it ends, even killed half-way through a
    # message, reading here stops with EOFError instead of waiting for bytes that never come.
    # Likewise only it holds the reading end of the answers: an answer to a worker that has
    # ended fails at once instead of waiting for a reader that never comes.
    outbox.close()
    answers_in.close()
    inbox = _Inbox(pipe_end, process)  # a thread: started after the fork, so the worker has none
    rejections = rows.ctx.rejections
    try:
        while True:
            kind, *body = inbox.get()
            if kind == "stored":
                _answer(answers, stored_entities(body[0]))
            elif kind == "hosted":
                _answer(answers, hosted_count(body[0]))
            elif kind == "batch":
                _replay(body[1], rejections)
                if body[0] is not None:
                    writer.write(body[0])
            elif kind == "done":
                rows.ctx.warnings.extend(body[0])
                break
            elif kind == "table":
                raise TableError(body[0])
            else:
                raise ImportInterruptedError(body[0])
        process.join()
    finally:
        if process.is_alive():
            process.terminate()
            process.join()
        inbox.close()
        answers.close()


def _answer(answers: Any, answer: Any) -> None:
    """Send an answer to the worker; one that has ended (after an error, or killed) takes none,
    and what it sent before it ended (its error, or the end of its pipe) is what counts."""
    with contextlib.suppress(OSError):
        answers.send(answer)


def _work(
    rows: _EntityRows, encoder: BatchEncoder, messages: _Outbox, answers: Any, answers_out: Any
) -> None:
    """The worker process: the row loop and the encoding, results sent to the main process."""
    answers_out.close()  # the main process's end
    ctx = rows.ctx
    log = _RejectionLog()
    ctx.rejections = log  # type: ignore[assignment]
    ctx.deferred = Deferred()  # its own spill file, not the parent's
    rows.register = _RegisterByMessage(empty=rows.register.empty, requests=messages, answers=answers)
    try:
        for records, stored in rows.batches():
            batch = encoder.encode(records, stored) if records else None
            messages.put(("batch", batch, log.take()))
        messages.put(("batch", None, log.take()))
        messages.put(("done", ctx.warnings))
    except TableError as exc:
        messages.put(("table", str(exc)))
    except Exception as exc:  # reported by the main process, which rolls everything back
        messages.put(
            (
                "error",
                f"读取和检查第{rows.last_row}行前后的数据时出错（{type(exc).__name__}：{exc}），导入已取消",
            )
        )
    finally:
        ctx.deferred.close()
        messages.close()


def parse_premises(text: str) -> list[AddressRecord]:
    """``区划代码 地址`` per line (or separated by "；")."""
    places = []
    parts = [p.strip() for p in _PREMISES_SPLIT.split(text) if tabular.clean(p)]
    if len(parts) > MAX_PREMISES:
        raise CellError(f"其他经营场所有{len(parts)}个，最多{MAX_PREMISES}个")
    for i, part in enumerate(parts, start=1):
        match = _PREMISES_ENTRY.match(tabular.clean(part))
        if not match:
            raise CellError(
                f"第{i}个经营场所“{part}”缺少区划代码，应写成“区划代码 地址”，"
                "如“371581 山东省聊城市临清市新华路街道永青路12号”"
            )
        code, address = tabular.norm(match[1]), tabular.clean(match[2])
        if not address:
            raise CellError(f"第{i}个经营场所只有区划代码{code}，没有地址")
        if len(addresses.clean(address)) > 300:
            raise CellError(f"第{i}个经营场所的地址过长（最多300字）")
        places.append(AddressRecord(code, address))
    return places


# The common spelling, within 注册资本's precision (12 whole digits, 4 places): no need to normalise.
_PLAIN_CAPITAL = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,4})?")


def parse_capital(text: str) -> Any:
    if _PLAIN_CAPITAL.fullmatch(text):
        return Decimal(text)
    return tabular.parse_decimal(text, max_digits=16, decimal_places=4, label="注册资本")


def parse_section(text: str) -> str:
    return tabular.norm(text).upper()


def parse_division(text: str) -> str:
    value = tabular.norm(text)
    return value.zfill(2) if value.isdigit() and len(value) == 1 else value


def parse_host_code(text: str) -> str:
    try:
        return creditcode.validate(text)
    except creditcode.CreditCodeError as exc:
        raise CellError(f"托管机构的统一社会信用代码有误：{exc}") from None


_UNKNOWN = object()
_KNOWN_MAX = 20_000  # distinct texts remembered per column


@dataclass
class _Parsed:
    row: Row
    code: str
    values: dict[str, Any]
    problems: list[Problem]


class _EntityRows:
    """The row loop of one entity import: parse, complete, check, decide."""

    def __init__(self, ctx: ImportContext, register: _Register):
        self.ctx = ctx
        self.register = register
        self.last_row = 0
        self.columns = ctx.columns
        self.checker = record_checker()
        # The live set of cluster hosts: the database's, plus hosts accepted from this file, minus
        # hosts this file un-marks. The checker judges host references against it.
        self.hosts: set[str] = set(self.checker.host_codes)
        self.checker.host_codes = self.hosts
        self.seen: dict[str, int] = {}
        self.referenced: dict[str, int] = {}
        self.refused_hosts: dict[str, int] = {}
        self.absent = {ATTR[h] for h in self.columns.absent if ATTR[h] in KEPT_WHEN_ABSENT}
        self.today = timezone.localdate()
        self._cell_plan()

    def batches(self) -> Iterator[tuple[list[EntityRecord], dict[str, Stored]]]:
        """The accepted records, a chunk of rows at a time, with the stored rows of their codes."""
        for chunk, stored in self._with_stored(batched(self.ctx.table.rows(), BATCH)):
            yield self._chunk(chunk, stored, final=False)
        self.ctx.rejections.new_segment()
        for chunk, stored in self._with_stored(batched(self.ctx.deferred, BATCH)):
            yield self._chunk(chunk, stored, final=True)

    def _with_stored(
        self, chunks: Iterable[tuple[Row, ...]]
    ) -> Iterator[tuple[tuple[Row, ...], Callable[[], dict[str, Stored]]]]:
        """Each chunk with the call that gives the stored rows of its credit codes. The next
        chunk is read and its rows asked for before this one is handled: a worker's main process
        looks them up meanwhile (a chunk's writes never touch another chunk's entities: a code
        that repeats in the file is refused)."""
        chunks = iter(chunks)
        current = next(chunks, None)
        if current is None:
            return
        pending = self.register.prefetch(self._codes(current))
        while current is not None:
            upcoming = next(chunks, None)
            following = self.register.prefetch(self._codes(upcoming)) if upcoming is not None else dict
            yield current, pending
            current, pending = upcoming, following

    def _codes(self, rows: tuple[Row, ...]) -> list[str]:
        """The chunk's well-formed credit codes as :meth:`_parse` reads them (none for an empty register)."""
        if self.register.empty:
            return []
        at, normalise, length = self.code_at, creditcode.normalise, creditcode.LENGTH
        codes = (normalise(row.cells[at]) if at < len(row.cells) else "" for row in rows)
        return [code for code in codes if len(code) == length]

    # -- parsing -----------------------------------------------------------------------------

    def _cell_plan(self) -> None:
        """Where each present column is, and how its cells are read (computed once per file)."""
        at = self.columns.index
        parsers: list[tuple[str, Callable[[str], Any], Any, str]] = [
            ("entity_type", labels()["entity_type"].parse, None, "主体类型不能为空"),
            ("registered_capital", parse_capital, None, ""),
            ("established_on", tabular.parse_date, None, "成立日期不能为空"),
            ("status", labels()["status"].parse, EntityStatus.ACTIVE, ""),
            ("status_since", tabular.parse_date, None, ""),
            ("industry_section", parse_section, "", ""),
            ("industry_division", parse_division, "", "行业大类不能为空"),
            ("district_code", tabular.norm, "", "住所区划代码不能为空"),
            ("premises", parse_premises, [], ""),
            ("contact_phone", tabular.half_width, "", ""),
            ("credit_risk_class", labels()["credit_risk_class"].parse, "", ""),
            ("credit_risk_date", tabular.parse_date, None, ""),
            ("is_cluster_host", tabular.parse_yes_no, False, ""),
            ("cluster_host_code", parse_host_code, "", ""),
        ]
        self.code_at = at["统一社会信用代码"]
        self.texts = [
            (attr, at[HEADER[attr]], HEADER[attr], TEXT_LIMITS.get(attr, 0))
            for attr in ("name", "legal_representative", "registration_authority", "domicile", "contact_name")
            if HEADER[attr] in at
        ]
        # Cells that repeat (labels, codes, dates, amounts) are parsed once per distinct text: the
        # parsers are pure and their values immutable. Not the premises (a list) nor the phone
        # numbers (nearly all distinct).
        self.parsers = [
            (a, at[HEADER[a]], HEADER[a], f, d, r, None if a in ("premises", "contact_phone") else {})
            for a, f, d, r in parsers
            if HEADER[a] in at
        ]

    def _parse(self, row: Row) -> _Parsed:
        cells, number = row.cells, row.number
        width = len(cells)
        clean, invisible = tabular.clean, tabular._INVISIBLE
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        code = cells[self.code_at] if self.code_at < width else ""
        code = creditcode.normalise(code)
        for attr, i, header, limit in self.texts:
            # tabular.clean(), with its common case (nothing invisible at either end) inline.
            text = cells[i].strip() if i < width else ""
            if text and (text[0] in invisible or text[-1] in invisible):
                text = clean(text)
            values[attr] = text
            if limit and len(text) > limit:
                problems.append(Problem(number, header, f"{header}过长（{len(text)}字，最多{limit}字）"))
        for attr, i, header, parser, default, required, known in self.parsers:
            text = cells[i].strip() if i < width else ""
            if text and (text[0] in invisible or text[-1] in invisible):
                text = clean(text)
            if not text:
                if required:
                    problems.append(Problem(number, header, required))
                values[attr] = default
                continue
            if known is not None:
                value = known.get(text, _UNKNOWN)
                if value is not _UNKNOWN:
                    values[attr] = value
                    continue
            try:
                values[attr] = value = parser(text)
            except CellError as exc:
                problems.append(Problem(number, header, str(exc)))
                values[attr] = default
            else:
                if known is not None:
                    if len(known) >= _KNOWN_MAX:
                        known.clear()
                    known[text] = value
        phone = values.get("contact_phone")
        if phone and len(phone) > 30:
            problems.append(Problem(number, "联系电话", f"联系电话过长（{len(phone)}个字符，最多30个）"))
        for attr in ("status_since", "credit_risk_date"):
            day = values.get(attr)
            if day is not None and day > self.today:
                problems.append(Problem(number, HEADER[attr], f"{HEADER[attr]}{day}晚于今天"))
        return _Parsed(row, code, values, problems)

    # -- the existing entities a chunk refers to -----------------------------------------------

    def _existing(self, stored: dict[str, Stored]) -> dict[str, dict[str, Any]]:
        """What deciding needs of the stored entities: their status and the absent columns' values."""
        existing = {}
        absent = [(a, _FIELD_AT[KEPT_WHEN_ABSENT[a]]) for a in self.absent if KEPT_WHEN_ABSENT[a]]
        premises = "premises" in self.absent
        for code, (row, addrs) in stored.items():
            old = {"status": row[_STATUS_AT], "status_since": row[_STATUS_SINCE_AT]}
            for attr, at in absent:
                old[attr] = row[at]
            if "cluster_host_code" in old:
                old["cluster_host_code"] = old["cluster_host_code"] or ""
            if premises:
                old["premises"] = [AddressRecord(d, t) for kind, d, t in addrs if kind == "premises"]
            existing[code] = old
        return existing

    # -- deciding ------------------------------------------------------------------------------

    def _chunk(
        self, rows: Iterable[Row], take_stored: Callable[[], dict[str, Stored]], *, final: bool
    ) -> tuple[list[EntityRecord], dict[str, Stored]]:
        parsed = [self._parse(row) for row in rows]
        if parsed:
            self.last_row = parsed[-1].row.number
        stored = take_stored()
        existing = self._existing(stored) if stored else {}
        records = []
        for p in parsed:
            record = self._decide(p, existing.get(p.code), final=final)
            if record is not None:
                records.append(record)
        return records, stored

    def _decide(self, p: _Parsed, old: dict[str, Any] | None, *, final: bool) -> EntityRecord | None:
        row, values, problems = p.row, p.values, list(p.problems)
        if not final and p.code:
            first = self.seen.setdefault(p.code, row.number)
            if first != row.number:
                problems.append(
                    Problem(
                        row.number,
                        "统一社会信用代码",
                        f"与第{first}行重复：同一统一社会信用代码在文件中只能出现一次",
                    )
                )
        for attr in self.absent:
            values[attr] = old[attr] if old is not None else DEFAULTS[attr]
        host = values.get("cluster_host_code", "")
        if not final and not problems and host and host not in self.hosts:
            # The host may be defined further down; judge this row once the whole file is read.
            self.ctx.deferred.add(row)
            return None
        if not problems:
            self._status_date(row, values, old, problems)
        # Cells that could not be read get a stand-in so the checker still reports the row's
        # other problems in the same pass; its findings about those cells are dropped.
        unreadable = {pr.column for pr in problems}
        if unreadable:
            stand_ins = {
                a: v for a, v in STAND_INS.items() if values.get(a) is None or HEADER[a] in unreadable
            }
            record = self._record(p.code, {**values, **stand_ins})
        else:
            record = self._record(p.code, values)
        for finding in self.checker.check(record):
            column = CHECKER_FIELD_HEADER.get(finding.field, finding.field)
            if column not in unreadable:
                problems.append(
                    Problem(row.number, column, self._message(finding.field, finding.message, host))
                )
        check_length(problems, row, "住所", record.domicile, 300)
        if not problems:
            self._host_rules(row, record, problems)
        if problems:
            if values.get("is_cluster_host"):
                self.refused_hosts.setdefault(p.code, row.number)
            self.ctx.reject(row, problems)
            return None
        if record.is_cluster_host:
            self.hosts.add(record.credit_code)
        else:
            self.hosts.discard(record.credit_code)
        if record.cluster_host_code:
            self.referenced.setdefault(record.cluster_host_code, row.number)
        return record

    def _status_date(
        self, row: Row, values: dict[str, Any], old: dict[str, Any] | None, problems: list[Problem]
    ) -> None:
        status, since = values.get("status", EntityStatus.ACTIVE), values.get("status_since")
        label = labels()["status"].label_of
        column = HEADER["status_since"]
        if old is None:
            if since is None and status != EntityStatus.ACTIVE:
                problems.append(
                    Problem(row.number, column, f"登记状态为“{label[status]}”的主体须填写状态变更日期")
                )
            return
        if status == old["status"]:
            if since is None:
                values["status_since"] = old["status_since"]
            return
        if since is None:
            problems.append(
                Problem(
                    row.number,
                    column,
                    f"登记状态由“{label[old['status']]}”变为“{label[status]}”，须填写状态变更日期",
                )
            )

    def _record(self, code: str, values: dict[str, Any]) -> EntityRecord:
        return EntityRecord(
            credit_code=code,
            name=values["name"],
            entity_type=values["entity_type"],
            legal_representative=values["legal_representative"],
            established_on=values["established_on"],
            industry_division=values["industry_division"],
            registration_authority=values["registration_authority"],
            district_code=values["district_code"],
            domicile=values["domicile"],
            status=values["status"],
            status_since=values["status_since"],
            industry_section=values.get("industry_section", ""),
            registered_capital=values["registered_capital"],
            premises=list(values["premises"]),
            contact_name=values["contact_name"],
            contact_phone=values["contact_phone"],
            credit_risk_class=values["credit_risk_class"],
            credit_risk_date=values["credit_risk_date"],
            is_cluster_host=values["is_cluster_host"],
            cluster_host_code=values["cluster_host_code"],
        )

    def _message(self, checker_field: str, message: str, host: str) -> str:
        if checker_field == "托管机构" and host and host not in self.hosts:
            if host in self.refused_hosts:
                return f"托管机构“{host}”（第{self.refused_hosts[host]}行）本身未能导入，请先修正该行"
            return f"“{host}”既不是名录库中的集群注册托管机构，也没有在本文件中登记为托管机构"
        return message

    def _host_rules(self, row: Row, record: EntityRecord, problems: list[Problem]) -> None:
        code = record.credit_code
        if record.is_cluster_host or code not in self.hosts:
            return
        # This row takes the 托管机构 mark away from a host.
        column = HEADER["is_cluster_host"]
        if code in self.referenced:
            problems.append(
                Problem(
                    row.number,
                    column,
                    f"本文件第{self.referenced[code]}行的主体登记在该托管机构名下，不能取消其集群注册托管机构标记",
                )
            )
            return
        hosted = self.register.hosted(code)
        if hosted:
            problems.append(
                Problem(
                    row.number,
                    column,
                    f"名录库中仍有{hosted}户主体登记在该托管机构名下，不能取消其集群注册托管机构标记"
                    "（请先把这些主体转到其他托管机构）",
                )
            )


__all__ = [
    "ENTITIES",
    "Counts",
    "ImportContext",
    "RegisterSpec",
    "import_entities",
    "new_run_directory",
    "run_import",
]
