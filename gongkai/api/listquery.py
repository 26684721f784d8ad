"""A list whose query is compiled once per shape and then only given new values (ADR 0053).

Building a page's query through the ORM — the selector's queryset, ``values_list``, the filters,
the cursor's row comparison, the order, the slice — and compiling it to SQL cost about half a
millisecond, a quarter of a 20-row entity page's CPU. Yet the SQL of such a page depends only on
its *shape*: which filters are given, the sort, whether there is a cursor, and the page size. Only
the values differ from request to request.

:class:`ListQuery` therefore builds and compiles a shape once per process, through the same selector
and the same ORM calls as before, with a unique stand-in value ("sentinel") for every filter and
cursor value, finds each stand-in among the compiled parameters, and keeps the SQL with that map.
Later pages of the shape execute the kept SQL with the request's values, converted as the ORM
converts them (``connection.ops.adapt_date(time)field_value``).

Why this does not freeze what a selector computes (the reason ADR 0052 left such a cache out): a
shape is kept only if **every** parameter of its SQL is one of the request's values. A selector
that puts a value of its own into the query — "in display today", a date it computed — adds a
parameter that is no stand-in, and such a shape is built through the ORM on every request, as
before. A selector may still vary the *structure* of its query (which columns, joins and
conditions) with nothing but settings; one that did so with data or the clock would need to stay
off this path — the entity selector (``portal.public_entities``) is a fixed queryset.

The tests compare the kept SQL's rows with the ORM's for every shape, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from gongkai.api.errors import bad_cursor
from gongkai.api.pagination import Page, Sort, after_q, decode_cursor, encode_cursor, paginate

# The kinds of value a filter or a sort field takes, and how each is passed to the database.
STR, DATE, DATETIME = "str", "date", "datetime"
# Shapes kept per process at most (7 optional filters × 2 sorts × cursor or not × 100 page sizes
# could make 51,200; a client uses a handful). When full, the oldest shape goes.
MAX_SHAPES = 512
# psycopg prepares a statement after this many executions; only the lists' cursor asks to prepare.
NEVER_BY_COUNT = 2**31 - 1


def _sentinel(kind: str, n: int) -> Any:
    """A stand-in no selector would use: text with a NUL, dates and times in the year 1."""
    if kind == STR:
        return f"\x00gongkai-slot-{n}\x00"
    if kind == DATE:
        return dt.date(1, 1, 1) + dt.timedelta(days=n + 1)
    return dt.datetime(1, 1, 2, 0, 0, 0, n + 1, tzinfo=dt.UTC)


def _prepared(kind: str, value: Any, connection: Any) -> Any:
    """``value`` as the ORM would pass it to the database for a field of ``kind``."""
    if kind == STR:
        if not isinstance(value, str):
            raise TypeError(value)
        return str(value)  # a TextChoices member as its plain value
    if kind == DATE:
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise TypeError(value)
        return connection.ops.adapt_datefield_value(value)
    if isinstance(value, str):  # a cursor's time, ISO 8601 as encode_cursor() wrote it
        value = parse_datetime(value)
    if not isinstance(value, dt.datetime):
        raise TypeError(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return connection.ops.adapt_datetimefield_value(value)


def _cursor(connection: Any) -> Any:
    """A cursor as ``connection.cursor()`` gives one (health check, Django's query log and error
    wrapping), but on PostgreSQL running the kept SQL as a **prepared statement**.

    Planning the entity page's query cost PostgreSQL about 0.3 ms of CPU, executing it 0.05 ms
    (``EXPLAIN ANALYZE``); prepared, PostgreSQL plans it a few times and then reuses the plan
    (0.5 → 0.2 ms of its CPU per page on the benchmark's database, ADR 0053). Django prepares
    nothing by default — its psycopg cursor writes the values into the SQL text, and prepared
    statements do not survive a pooler in transaction mode — so this is only for the kept SQL of a
    list (a plain SELECT whose every parameter is compared with a column; the tests run every shape
    on PostgreSQL) and can be switched off with ``GONGKAI_API_PREPARE=0``.
    """
    if connection.vendor != "postgresql" or not settings.GONGKAI_API_PREPARE:
        return connection.cursor()
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    with connection.wrap_database_errors:
        raw = connection.connection
        if raw.prepare_threshold is None:
            # Django turns preparing off (None) for the whole connection; its own cursors bind on
            # the client and never prepare, so a threshold no query reaches changes nothing for
            # them and lets this cursor prepare what it asks to.
            raw.prepare_threshold = NEVER_BY_COUNT
        cursor = _preparing_cursor()(raw)
        # As Django's create_cursor(): the times in the connection's time zone.
        if (
            connection.timezone
            != connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone
        ):
            register_tzloader(connection.timezone, cursor)
    return (
        connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)
    )


@functools.cache
def _preparing_cursor() -> type:
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):  # type: ignore[misc,valid-type]
        """Django's server-side binding cursor, preparing every statement it runs (psycopg keeps
        the last 100 per connection)."""

        def execute(
            self, query: Any, params: Any = None, *, prepare: bool | None = True, **kwargs: Any
        ) -> Any:
            return super().execute(query, params, prepare=prepare, **kwargs)  # type: ignore[misc]

    return PreparingCursor


@dataclass(frozen=True)
class _Shape:
    sql: str
    # For each parameter of ``sql``, the index of the value (filters first, then the cursor's).
    slots: tuple[int, ...]
    # The compiled select expressions, when the backend converts some column (SQLite: dates,
    # decimals, booleans come back as text or numbers); None when no column needs converting.
    select: tuple[Any, ...] | None


class ListQuery:
    """The pages of ``base()`` (a selector's queryset) as rows of ``columns``, filtered by exact
    lookups and paged by :class:`Sort` cursors, with the SQL compiled once per shape."""

    def __init__(self, base: Callable[[], QuerySet], columns: Sequence[str], kinds: Mapping[str, str]):
        """``kinds``: the kind (:data:`STR`, :data:`DATE`, :data:`DATETIME`) of every filter lookup
        and sort field that may be used."""
        self.base = base
        self.columns = tuple(columns)
        self.kinds = dict(kinds)
        # Rows as values_list(named=True) gives them.
        self.Row: Any = namedtuple("Row", self.columns)  # type: ignore[misc]
        self._shapes: dict[tuple[Any, ...], _Shape | None] = {}

    def queryset(self, filters: Mapping[str, Any]) -> QuerySet:
        return self.base().values_list(*self.columns, named=True).filter(**filters)

    def page(self, *, filters: Mapping[str, Any], sort: Sort, cursor: str | None, limit: int) -> Page:
        """One page after ``cursor``; ``filters`` maps lookups (keys of ``kinds``) to values, None
        for an unused filter."""
        filters = {lookup: value for lookup, value in filters.items() if value is not None}
        after = decode_cursor(sort, cursor) if cursor else None
        connection = connections[DEFAULT_DB_ALIAS]
        lookups = tuple(sorted(filters))
        key = (connection.vendor, lookups, sort, after is not None, limit)
        try:
            shape = self._shapes[key]
        except KeyError:
            shape = self._compile(lookups, sort, after is not None, limit)
            if len(self._shapes) >= MAX_SHAPES:
                self._shapes.pop(next(iter(self._shapes)), None)
            self._shapes[key] = shape
        if shape is None:  # the selector adds values of its own: built per request
            return paginate(self.queryset(filters), sort, cursor=cursor, limit=limit)
        prepared = [_prepared(self.kinds[lookup], filters[lookup], connection) for lookup in lookups]
        if after is not None:
            try:
                prepared += [
                    _prepared(self.kinds[field], value, connection)
                    for (field, _), value in zip(sort.fields, after, strict=True)
                ]
            except (TypeError, ValueError, OverflowError):  # signed by us, so only if the code changed
                raise bad_cursor() from None
        with _cursor(connection) as cursor_:
            cursor_.execute(shape.sql, [prepared[i] for i in shape.slots])
            rows = cursor_.fetchall()
        if shape.select is not None:
            rows = self._convert(rows, shape.select, connection)
        make = self.Row._make
        page = [make(row) for row in rows[:limit]]
        next_cursor = None
        if len(rows) > limit and page:
            last = page[-1]
            next_cursor = encode_cursor(sort, [getattr(last, field) for field, _ in sort.fields])
        return Page(page, next_cursor)

    def _compile(self, lookups: tuple[str, ...], sort: Sort, with_cursor: bool, limit: int) -> _Shape | None:
        kinds = [self.kinds[lookup] for lookup in lookups]
        if with_cursor:
            kinds += [self.kinds[field] for field, _ in sort.fields]
        sentinels = [_sentinel(kind, n) for n, kind in enumerate(kinds)]
        qs = self.base().values_list(*self.columns).filter(**dict(zip(lookups, sentinels, strict=False)))
        if with_cursor:
            qs = qs.filter(after_q(sort, sentinels[len(lookups) :]))
        qs = qs.order_by(*sort.order_by())[: limit + 1]
        connection = connections[DEFAULT_DB_ALIAS]
        compiler = qs.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        expected = [_prepared(kind, value, connection) for kind, value in zip(kinds, sentinels, strict=True)]
        slots = []
        for param in params:
            found = [n for n, value in enumerate(expected) if type(value) is type(param) and value == param]
            if len(found) != 1:
                return None  # a value the selector computed, or one this module cannot place
            slots.append(found[0])
        if set(slots) != set(range(len(expected))):
            return None  # a value that did not become a parameter may shape the SQL itself
        select = tuple(expr for expr, _, _ in compiler.select)
        if len(select) != len(self.columns):
            return None  # pragma: no cover - values_list selects exactly these columns
        needs = any(connection.ops.get_db_converters(e) + e.get_db_converters(connection) for e in select)
        return _Shape(sql, tuple(slots), select if needs else None)

    @staticmethod
    def _convert(
        rows: list[tuple[Any, ...]], select: tuple[Any, ...], connection: Any
    ) -> list[tuple[Any, ...]]:
        converters = [
            (n, expr, convs)
            for n, expr in enumerate(select)
            if (convs := connection.ops.get_db_converters(expr) + expr.get_db_converters(connection))
        ]
        converted = []
        for row in rows:
            values = list(row)
            for n, expr, convs in converters:
                value = values[n]
                for convert in convs:
                    value = convert(value, expr, connection)
                values[n] = value
            converted.append(tuple(values))
        return converted
