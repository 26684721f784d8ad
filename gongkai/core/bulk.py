"""Fast bulk inserts for imports and the demo loader.

On PostgreSQL rows go in through ``COPY … FROM STDIN`` (an order of magnitude faster than
multi-row INSERTs); elsewhere through ``bulk_create``. Either way the caller's transaction
holds, so a failure leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence

from django.db import connection, models

# Types whose str() is PostgreSQL's text input format (str subclasses such as TextChoices too).
_PLAIN = frozenset({int, dt.date, dt.datetime, decimal.Decimal})
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class _NotPlain(Exception):
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
    raise _NotPlain


def copy_text(rows: Sequence[Sequence[object]]) -> bytes:
    """``rows`` in COPY's text format, or raise ``_NotPlain`` for a value of another type.

    Cells are joined as they are and the result is checked: only when some cell holds a tab,
    newline, carriage return or backslash is every cell escaped (COPY's text format rules).
    """
    lines = ["\t".join([_cell(v) for v in row]) for row in rows]
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


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Insert plain value tuples (already in database form) into ``model``'s table, fast.

    For hot paths that would otherwise build tens of thousands of model instances: ``COPY`` on
    PostgreSQL, one ``executemany`` elsewhere. ``columns`` are column names (attnames).
    """
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            try:
                payload = copy_text(rows)
            except _NotPlain:
                payload = None
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                if payload is not None:
                    copy.write(payload)
                else:
                    for row in rows:
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # type: ignore[arg-type]
