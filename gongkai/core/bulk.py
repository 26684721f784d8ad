"""Fast bulk inserts for imports and the demo loader.

On PostgreSQL rows go in through ``COPY … FROM STDIN`` (an order of magnitude faster than
multi-row INSERTs); elsewhere through ``bulk_create``. Either way the caller's transaction
holds, so a failure leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Collection, Sequence

from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper

# Types whose str() is PostgreSQL's text input format (str subclasses such as TextChoices too).
_PLAIN = frozenset({int, dt.date, dt.datetime, decimal.Decimal})
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def fork_is_safe() -> bool:
    """Whether this process may fork a worker: ``fork`` exists and this process runs one thread.

    fork() copies only the calling thread: with other threads alive (a test runner's, a web
    server's) a lock one of them holds could never be released in the child.
    """
    import multiprocessing
    import os
    import threading

    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return threading.active_count() == 1


class NotPlainError(Exception):
    """A value whose text form COPY cannot take as it is (the caller falls back to the driver)."""

    pass


def _cell(v: object) -> str:
    if v.__class__ is str:
        return v  # type: ignore[return-value]
    if v is None:
        return "\\N"
    if v is True:
        return "t"
    if v is False:
        return "f"
    if v.__class__ in _PLAIN or isinstance(v, str):
        return str(v)
    raise NotPlainError


def copy_text(rows: Sequence[Sequence[object]]) -> bytes:
    """``rows`` in COPY's text format, or raise :class:`NotPlainError` for a value of another type.

    Cells are joined as they are and the result is checked: only when some cell holds a tab,
    newline, carriage return or backslash is every cell escaped (COPY's text format rules).
    """
    # Most cells are text: only the others pay for a call.
    lines = ["\t".join([v if v.__class__ is str else _cell(v) for v in row]) for row in rows]
    lines.append("")
    text = "\n".join(lines)
    nulls = sum(row.count(None) for row in rows)
    cells = sum(len(row) for row in rows)
    if (
        text.count("\t") != cells - len(rows)
        or text.count("\n") != len(rows)
        or text.count("\\") != nulls
        or "\r" in text
    ):
        lines = [
            "\t".join(["\\N" if v is None else _cell(v).translate(_ESCAPES) for v in row]) for row in rows
        ]
        lines.append("")
        text = "\n".join(lines)
    return text.encode()


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model], batch_size: int = 5000) -> None:
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=batch_size)
        return
    fields = [
        f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))
    ]
    has_auto_pk = isinstance(model._meta.pk, models.AutoField)
    if has_auto_pk and any(obj.pk is not None for obj in objs):
        fields.insert(0, model._meta.pk)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor underneath Django's wrapper
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])


def copy_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    db: BaseDatabaseWrapper | None = None,
) -> None:
    """Insert plain value tuples (already in database form) into ``model``'s table, fast.

    For hot paths that would otherwise build tens of thousands of model instances: ``COPY`` on
    PostgreSQL, one ``executemany`` elsewhere. ``columns`` are column names (attnames). ``db`` is
    the connection to use (default: this thread's); a connection another thread shares with this
    one (``inc_thread_sharing``) writes into that thread's transaction.
    """
    if not rows:
        return
    db = db or connection
    if db.vendor == "postgresql":
        try:
            payload = copy_text(rows)
        except NotPlainError:
            _copy(model, columns, rows=rows, db=db)
        else:
            _copy(model, columns, payload=payload, db=db)
        return
    table = db.ops.quote_name(model._meta.db_table)
    names = ", ".join(db.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with db.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # type: ignore[arg-type]


def copy_payload(
    model: type[models.Model],
    columns: Sequence[str],
    payload: bytes,
    *,
    db: BaseDatabaseWrapper | None = None,
) -> None:
    """Send rows already in ``COPY``'s text format (see :func:`copy_text`) to ``model``'s table.

    PostgreSQL only: for writers that encode rows away from the database (a worker process, a
    writer thread). ``db``: as for :func:`copy_rows`.
    """
    if payload:
        _copy(model, columns, payload=payload, db=db)


def _copy(
    model: type[models.Model],
    columns: Sequence[str],
    *,
    payload: bytes | None = None,
    rows: Sequence[Sequence[object]] = (),
    db: BaseDatabaseWrapper | None = None,
) -> None:
    db = db or connection
    table = db.ops.quote_name(model._meta.db_table)
    names = ", ".join(db.ops.quote_name(c) for c in columns)
    # Django's error classes (IntegrityError…), as for every other query.
    with (
        db.cursor() as cursor,
        db.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        if payload is not None:
            copy.write(payload)
        else:
            for row in rows:
                copy.write_row(row)


class SecondaryIndexes:
    """Drop the secondary indexes and foreign keys of ``tables`` for a large load; put them back.

    PostgreSQL's "Populating a Database" recipe: building an index once over all rows, and
    validating a foreign key with one join, cost a fraction of maintaining them row by row.
    Primary keys and unique *constraints* stay, so duplicate keys are still refused as rows
    arrive — unless ``keys`` is set, for a loader that has already made sure its rows' keys are
    unique (an import that refuses a repeated credit code, into tables it has checked are
    empty): then they go too, with the foreign keys of other tables that point at them, because
    a key taken in random order costs a random insert into a large index per row.
    :meth:`restore` re-creates everything, which checks every row (a key, unique index or foreign
    key that does not hold fails there). Both steps run inside the caller's transaction, so a
    failure rolls everything back. ``ALTER TABLE`` locks each table it changes until commit —
    with ``keys``, also the tables whose foreign keys point at these: use this only where nobody
    else needs them meanwhile (a first load into an empty register). PostgreSQL only; elsewhere
    both methods do nothing.
    """

    def __init__(self, tables: Sequence[str], *, keys: bool = False, keep: Collection[str] = ()):
        self.tables = list(tables)
        self.keys = keys
        self.keep = list(keep)
        self.indexes: list[tuple[str, str]] = []
        self.constraints: list[tuple[str, str, str]] = []  # primary keys and unique constraints
        self.foreign_keys: list[tuple[str, str, str]] = []

    def drop(self) -> None:
        if connection.vendor != "postgresql":
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            # ALTER TABLE refuses a table with pending (deferred) trigger events: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # The foreign keys of these tables, and with ``keys`` those that reference them.
            cursor.execute(
                "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
                " JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid"
                " WHERE c.contype = 'f' AND (t.relname = ANY(%s) OR (%s AND r.relname = ANY(%s)))"
                " ORDER BY t.relname, c.conname",
                [self.tables, self.keys, self.tables],
            )
            self.foreign_keys = cursor.fetchall()
            for table, name, _ in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            if self.keys:
                cursor.execute(
                    "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
                    " JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype IN ('p', 'u')"
                    " AND t.relname = ANY(%s) AND NOT c.conname = ANY(%s) ORDER BY t.relname, c.conname",
                    [self.tables, self.keep],
                )
                self.constraints = cursor.fetchall()
                for table, name, _ in self.constraints:
                    cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x"
                " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
                " WHERE t.relname = ANY(%s) AND NOT i.relname = ANY(%s) AND NOT EXISTS"
                " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid) ORDER BY i.relname",
                [self.tables, self.keep],
            )
            self.indexes = cursor.fetchall()
            for name, _ in self.indexes:
                cursor.execute(f"DROP INDEX {quote(name)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def restore(self) -> None:
        if connection.vendor != "postgresql":
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _, definition in self.indexes:
                cursor.execute(definition)
            for table, name, definition in [*self.constraints, *self.foreign_keys]:
                cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
            for table in self.tables:
                cursor.execute(f"ANALYZE {quote(table)}")
        self.indexes, self.constraints, self.foreign_keys = [], [], []
