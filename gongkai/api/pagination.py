"""Cursor pagination by keyset: stable under inserts, as fast on page 10,000 as on page 1.

A list is ordered by a named sort (a tuple of model fields, each ascending or descending, the last
one unique). The cursor is the sort name and the last row's values of those fields, signed with the
site's key (``django.core.signing``), so it is opaque and a changed cursor is refused with a 400
instead of silently paging from somewhere else. The next page is the rows strictly after those
values in the sort order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.http import HttpRequest

from gongkai.api.errors import bad_cursor

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# URL-safe base64 and "." only, so a cursor needs no escaping in a query string.
_SIGNER = signing.Signer(salt="gongkai.api.cursor", sep=".")


@dataclass(frozen=True)
class Sort:
    """A named order: ``fields`` are (model field, descending); the last one must be unique."""

    name: str
    fields: tuple[tuple[str, bool], ...]

    def order_by(self) -> list[str]:
        return [("-" if desc else "") + f for f, desc in self.fields]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def encode_cursor(sort: Sort, values: Sequence[Any]) -> str:
    return _SIGNER.sign_object({"s": sort.name, "k": [_plain(v) for v in values]})


def decode_cursor(sort: Sort, cursor: str) -> list[Any]:
    try:
        data = _SIGNER.unsign_object(cursor)
    except (signing.BadSignature, ValueError):
        raise bad_cursor() from None
    if (
        not isinstance(data, dict)
        or data.get("s") != sort.name
        or not isinstance(data.get("k"), list)
        or len(data["k"]) != len(sort.fields)
    ):
        raise bad_cursor()
    return data["k"]


def after_q(sort: Sort, values: Sequence[Any]) -> Q | TupleLessThan | TupleGreaterThan:
    """Rows strictly after ``values`` in ``sort``.

    When every field goes the same way, as in all of the API's sorts, this is one row comparison,
    ``(a, b) > (x, y)``, which PostgreSQL and SQLite answer from an index on ``(a, b)`` starting
    right at the cursor. Spelt out as ``a > x OR (a = x AND b > y)``, only ``a >= x`` can use the
    index and every row with ``a = x`` before the cursor is read and thrown away: when one import
    gives a million entities the same ``updated_at``, the last pages of ``sort=updated_at`` read
    almost the whole table (seconds per page). The spelt-out form is kept for mixed directions.
    The row comparison is Django's own (made for composite primary keys, 5.2+), which falls back to
    the spelt-out form on a database without row values.
    """
    directions = {desc for _, desc in sort.fields}
    if len(sort.fields) > 1 and len(directions) == 1:
        row = Tuple(*(F(field) for field, _ in sort.fields))
        return (
            TupleLessThan(row, list(values)) if directions == {True} else TupleGreaterThan(row, list(values))
        )
    alternatives: Q | None = None  # not Q(pk__in=[]) to start from: compiling that costs more
    equal = Q()
    for (field, desc), value in zip(sort.fields, values, strict=True):
        after = equal & Q(**{f"{field}__{'lt' if desc else 'gt'}": value})
        alternatives = after if alternatives is None else alternatives | after
        equal &= Q(**{field: value})
    assert alternatives is not None
    first, first_desc = sort.fields[0]
    if len(sort.fields) == 1:
        return alternatives
    # A leading a >= x (a <= x descending) so the database can start from the index position.
    return Q(**{f"{first}__{'lte' if first_desc else 'gte'}": values[0]}) & alternatives


def _value(row: Any, field: str) -> Any:
    for part in field.split("__"):
        row = getattr(row, part)
    return row


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str | None


def paginate(qs: QuerySet, sort: Sort, *, cursor: str | None, limit: int) -> Page:
    """One page of ``qs`` in ``sort`` after ``cursor`` (one extra row tells whether there is more)."""
    if cursor:
        qs = qs.filter(after_q(sort, decode_cursor(sort, cursor)))
    rows = list(qs.order_by(*sort.order_by())[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (
        encode_cursor(sort, [_value(rows[-1], f) for f, _ in sort.fields]) if more and rows else None
    )
    return Page(rows, next_cursor)


def paginate_list(
    items: Iterable[Any], sort: Sort, key: Callable[[Any], tuple], *, cursor: str | None, limit: int
) -> Page:
    """The same for a small list computed in Python (policies, statistics), ordered by ``key``."""
    ordered = sorted(items, key=key)
    if cursor:
        after = tuple(decode_cursor(sort, cursor))
        ordered = [item for item in ordered if tuple(_plain(v) for v in key(item)) > after]
    more = len(ordered) > limit
    rows = ordered[:limit]
    next_cursor = encode_cursor(sort, list(key(rows[-1]))) if more and rows else None
    return Page(rows, next_cursor)


def envelope(request: HttpRequest, page: Page, items: list[Any], limit: int) -> dict[str, Any]:
    """The list body: the items, the page size, and the cursor and URL of the next page."""
    next_url = None
    if page.next_cursor:
        params = [(k, v) for k, vs in request.GET.lists() for v in vs if k != "cursor"]
        params.append(("cursor", page.next_cursor))
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
    return {"items": items, "limit": limit, "next_cursor": page.next_cursor, "next": next_url}
