"""Full-text backends behind one interface: SQLite FTS5 (embedded default) and PostgreSQL GIN.

Both index the same token streams from :mod:`gongkai.search.text` and evaluate the same compiled
query: every term must match, a term matches when any of its alternatives occurs as a phrase of
bigrams. A bigger engine (OpenSearch/Elasticsearch with a Chinese analyser) would implement
:class:`SearchBackend` the same way; nothing outside this module writes SQL for the index.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction

from gongkai.search import text

# How many matches one search looks at. Up to this many, the count and the facets are exact and
# every match is ranked; beyond it the page says "more than 1,000", the facets count the newest
# 1,000, and relevance ranks the newest 1,000 matches (ranking reads each match it scores, so
# ranking all of 400,000 matches of 食品安全 cannot be fast; see docs/search.md).
COUNT_CAP = 1_000
# PostgreSQL: a query the planner expects in at least DENSE_SHARE of the documents reads only its
# newest WALK_CAP matches (walking the date index), never a bitmap of every match.
DENSE_SHARE = 0.05
WALK_CAP = 300
# PostgreSQL: a query term expected in at least COMMON_SHARE of the documents is checked on the rows
# read rather than walked in the GIN index (PostgresBackend._index_condition).
COMMON_SHARE = 0.5


@dataclass(frozen=True)
class Alternative:
    tokens: tuple[str, ...]
    prefix: bool = False  # a single character or a trailing Latin/digit string: match as a prefix


@dataclass(frozen=True)
class CompiledQuery:
    """All ``groups`` must match; a group matches when any of its alternatives does.

    ``whole`` is the index token stream of everything typed (:func:`text.index_tokens`): a
    document whose title indexes to exactly these tokens has the query as its title.
    """

    groups: tuple[tuple[Alternative, ...], ...]
    whole: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.groups


def compile_alternative(term: str) -> Alternative | None:
    tokens = text.term_tokens(term)
    if not tokens:
        return None
    single_cjk = len(tokens) == 1 and text.is_cjk(tokens[0]) and len(tokens[0]) == 1
    latin_tail = tokens[-1].isascii() and len(tokens[-1]) >= 2
    return Alternative(tuple(tokens), prefix=single_cjk or latin_tail)


def title_rank(query: CompiledQuery, exact: bool, groups_in_title: int) -> int:
    """The relevance of a match (ADR 12): a title that is the query, then query terms in the title.

    Higher is better; equal ranks are ordered newest first. Both backends compute the same two
    signals from the title's index tokens only, never from the body (see ``docs/search.md``).
    """
    return (len(query.groups) + 1) * exact + groups_in_title


def _title_needle(alt: Alternative) -> str:
    """What ``alt`` looks like inside " " + a title's index text + " " (a phrase of whole tokens)."""
    return " " + " ".join(alt.tokens) + ("" if alt.prefix else " ")


def title_rank_of_text(query: CompiledQuery, title_text: str) -> int:
    """:func:`title_rank` from a title's index text (:func:`text.index_text`), as SQLite stores it
    in ``search_searchdocument.title_tokens`` and ``search_fts.title``.

    A phrase of tokens occurs in the token text exactly when the index finds it there (FTS5 phrases
    are adjacent tokens; a prefix alternative's last token may continue), so this is the index's
    own answer for the title column, computed on the ≤ COUNT_CAP rows already read.
    """
    padded = f" {title_text} "
    in_title = sum(1 for group in query.groups if any(_title_needle(a) in padded for a in group))
    exact = bool(query.whole) and title_text == " ".join(query.whole)
    return title_rank(query, exact, in_title)


@dataclass(frozen=True)
class Filters:
    doc_type: str = ""
    year: int | None = None
    department: str = ""
    district: str = ""

    def sql(self, alias: str) -> tuple[str, list]:
        clauses, params = [], []
        if self.doc_type:
            clauses.append(f"{alias}.doc_type = %s")
            params.append(self.doc_type)
        if self.year:
            clauses.append(f"{alias}.year = %s")
            params.append(self.year)
        if self.department:
            clauses.append(f"{alias}.department = %s")
            params.append(self.department)
        if self.district:
            clauses.append(f"{alias}.district = %s")
            params.append(self.district)
        return "".join(f" AND {c}" for c in clauses), params


@dataclass
class Facets:
    doc_type: list[tuple[str, int]] = field(default_factory=list)
    year: list[tuple[int, int]] = field(default_factory=list)
    department: list[tuple[str, int]] = field(default_factory=list)
    district: list[tuple[str, int]] = field(default_factory=list)
    sampled: bool = False


@dataclass
class Hits:
    ids: list[int]
    total: int  # exact up to COUNT_CAP; when capped, the candidates looked at
    capped: bool = False
    facets: Facets | None = None
    estimate: int | None = None  # the database's estimate of all matches, when capped


def _facets_from_rows(rows: Sequence[tuple], sampled: bool) -> Facets:
    by_type: Counter = Counter()
    by_year: Counter = Counter()
    by_dept: Counter = Counter()
    by_district: Counter = Counter()
    for doc_type, year, dept, district, n in rows:
        by_type[doc_type] += n
        if year:
            by_year[year] += n
        if dept:
            by_dept[dept] += n
        if district:
            by_district[district] += n
    return Facets(
        doc_type=by_type.most_common(),
        year=sorted(by_year.items(), reverse=True),
        department=by_dept.most_common(20),
        district=by_district.most_common(20),
        sampled=sampled,
    )


class SearchBackend:
    """What every backend implements. ``ids`` index :class:`~gongkai.search.models.SearchDocument`."""

    vendor = ""

    def write(self, rows: list[tuple[int, str, str, object]]) -> None:
        """(document id, title, body, date) → index. Existing rows are deleted first by the caller."""
        raise NotImplementedError

    def delete(self, ids: list[int]) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def search(
        self,
        query: CompiledQuery,
        filters: Filters,
        *,
        sort: str,
        offset: int,
        limit: int,
        facets: bool = True,
    ) -> Hits:
        """One page of ids, the (capped) total and, when asked, the facet counts."""
        raise NotImplementedError


# SQLite: the FTS5 rowid of a document orders by date, then id, so that "the newest matches"
# is FTS5's cheap rowid order: rowid = date ordinal × ROWID_SCALE + id (documents without a date
# sort oldest). The document's id is rowid % ROWID_SCALE.
ROWID_SCALE = 10**10


def fts_rowid(pk: int, date) -> int:
    if pk >= ROWID_SCALE:
        raise ValueError("search document id too large for the SQLite rowid key")
    return (date.toordinal() if date else 0) * ROWID_SCALE + pk


class SQLiteBackend(SearchBackend):
    """FTS5 table ``search_fts(title, body)`` over bigram token text; rowid = :func:`fts_rowid`.

    The document row keeps the title's token text too (``title_tokens``) for relevance.
    """

    vendor = "sqlite"

    @staticmethod
    def match_expression(query: CompiledQuery) -> str:
        groups = []
        for group in query.groups:
            alts = []
            for alt in group:
                phrase = '"' + " ".join(alt.tokens) + '"'
                alts.append(phrase + ("*" if alt.prefix else ""))
            groups.append("(" + " OR ".join(alts) + ")")
        return " AND ".join(groups)

    def write(self, rows):
        """Index new rows; an existing row must have been :meth:`delete`-d first (its old date).

        The title's index text also goes on the document row (``title_tokens``, migration 0004),
        where relevance reads it without loading the FTS5 content row (ADR 12).
        """
        if not rows:
            return
        values = [
            (pk, fts_rowid(pk, date), text.index_text(title), text.index_text(body))
            for pk, title, body, date in rows
        ]
        with connection.cursor() as cur:
            cur.executemany(
                "INSERT INTO search_fts(rowid, title, body) VALUES (%s, %s, %s)",
                [(rowid, title, body) for _pk, rowid, title, body in values],
            )
            cur.executemany(
                "UPDATE search_searchdocument SET title_tokens = %s WHERE id = %s",
                [(title, pk) for pk, _rowid, title, _body in values],
            )

    def delete(self, ids):
        """Remove rows from the FTS table, using the dates still stored on the documents."""
        if not ids:
            return
        from gongkai.search.models import SearchDocument

        keys = [
            (fts_rowid(pk, date),)
            for pk, date in SearchDocument.objects.filter(pk__in=ids).values_list("pk", "date")
        ]
        with connection.cursor() as cur:
            cur.executemany("DELETE FROM search_fts WHERE rowid = %s", keys)

    def clear(self):
        with connection.cursor() as cur:
            cur.execute("DELETE FROM search_fts")

    def search(self, query, filters, *, sort, offset, limit, facets=True):
        """One pass over the newest COUNT_CAP + 1 matches (FTS5 rowid order is date order).

        Relevance (ADR 12) reorders those rows by :func:`title_rank_of_text` of their title's
        index text, read from the document row (``search_fts.title`` would load each match's whole
        FTS5 content row, body included); the sort is stable, so equal ranks stay newest first.
        """
        match = self.match_expression(query)
        where, params = filters.sql("d")
        title = "coalesce(d.title_tokens, '')" if sort != "date" else "''"
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT d.id, d.doc_type, d.year, d.department, d.district, {title} "
                f"FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid %% {ROWID_SCALE} "
                f"WHERE search_fts MATCH %s{where} ORDER BY search_fts.rowid DESC LIMIT {COUNT_CAP + 1}",
                [match, *params],
            )
            rows = cur.fetchall()
        capped = len(rows) > COUNT_CAP
        rows = rows[:COUNT_CAP]
        if sort != "date":
            ranks = {r[0]: title_rank_of_text(query, r[5]) for r in rows}
            rows = sorted(rows, key=lambda r: -ranks[r[0]])
        ids = [r[0] for r in rows[offset : offset + limit]]
        counts = Counter((r[1], r[2], r[3], r[4]) for r in rows) if facets else Counter()
        return Hits(
            ids=ids,
            total=len(rows),
            capped=capped,
            facets=_facets_from_rows([(*k, n) for k, n in counts.items()], sampled=capped)
            if facets
            else None,
        )


def _tsvector_literal(title: str, body: str) -> tuple[str, str]:
    """(full tsvector, title tsvector) literals with positions; title positions carry weight A.

    Built in Python rather than by ``to_tsvector`` so PostgreSQL's word parser (which depends on
    the database locale) never re-splits the tokens. Body positions start after a gap so that a
    phrase cannot run from the title into the body. PostgreSQL keeps positions up to 16383 and at
    most 256 per word; later ones are dropped (a phrase beyond them is then found by its words).
    """
    title_tokens = text.index_tokens(title)
    body_tokens = text.index_tokens(body)
    full: dict[str, list[str]] = defaultdict(list)
    for i, tok in enumerate(title_tokens, start=1):
        full[tok].append(f"{i}A")
    start = len(title_tokens) + 10
    for i, tok in enumerate(body_tokens[: 16383 - start], start=start):
        full[tok].append(str(i))
    full_lit = " ".join(f"'{tok}':{','.join(p[:256])}" for tok, p in full.items())
    return full_lit, _title_literal(title_tokens)


def _title_literal(tokens: Sequence[str]) -> str:
    """The ``title_tsv`` literal of a title's index tokens (positions from 1, no weight).

    The same function builds the literal a query's whole token stream is compared with
    (``title_tsv = …``), so "the title is the query" is an exact comparison of token streams.
    """
    positions: dict[str, list[str]] = defaultdict(list)
    for i, tok in enumerate(tokens, start=1):
        positions[tok].append(str(i))
    return " ".join(f"'{tok}':{','.join(p)}" for tok, p in positions.items())


class PostgresBackend(SearchBackend):
    """``tsv`` and ``title_tsv`` tsvector columns of ``search_searchdocument`` with GIN indexes."""

    vendor = "postgresql"

    @staticmethod
    def group_tsquery(group: tuple[Alternative, ...]) -> str:
        alts = []
        for alt in group:
            toks = [f"'{t}'" for t in alt.tokens]
            if alt.prefix:
                toks[-1] += ":*"
            alts.append("(" + " <-> ".join(toks) + ")")
        return "(" + " | ".join(alts) + ")"

    @classmethod
    def tsquery(cls, query: CompiledQuery) -> str:
        return " & ".join(cls.group_tsquery(group) for group in query.groups)

    @classmethod
    def title_rank_sql(cls, query: CompiledQuery) -> tuple[str, list]:
        """:func:`title_rank` as an SQL expression over ``d.title_tsv`` (small, stored in the row).

        Unlike ``ts_rank(d.tsv, …)`` it never reads the body's tsvector from TOAST (ADR 12).
        """
        terms, params = [], []
        for group in query.groups:
            terms.append("coalesce(d.title_tsv @@ %s::tsquery, false)::int")
            params.append(cls.group_tsquery(group))
        in_title = " + ".join(terms) or "0"
        if not query.whole:
            return f"({in_title})", params
        exact = f"coalesce(d.title_tsv = %s::tsvector, false)::int * {len(query.groups) + 1}"
        return f"({exact} + {in_title})", [_title_literal(query.whole), *params]

    def write(self, rows):
        if not rows:
            return
        values = []
        for pk, title, body, _date in rows:
            full, title_only = _tsvector_literal(title, body)
            values.append((full, title_only, pk))
        with connection.cursor() as cur:
            cur.executemany(
                "UPDATE search_searchdocument SET tsv = %s::tsvector, title_tsv = %s::tsvector WHERE id = %s",
                values,
            )

    def delete(self, ids):
        pass  # the row itself is deleted; its tsvector columns go with it

    def clear(self):
        pass

    def search(self, query, filters, *, sort, offset, limit, facets=True):
        """Read a bounded number of rows, choosing the path by the planner's estimate of matches.

        A phrase must be re-checked on the row's ``tsvector`` (≈8 µs per row, TOASTed), and a GIN
        bitmap costs ≈0.16 µs per posting (150 ms for a word in 900,000 documents). So:

        * a dense query (estimated at DENSE_SHARE of the documents or more) walks the date index
          from the newest document and stops after WALK_CAP matches — those are the newest
          matches, ranked by :func:`title_rank`; the total shown is the planner's estimate ("约");
        * any other query reads up to COUNT_CAP + 1 matches through the GIN bitmap: up to COUNT_CAP
          that is the complete, exact answer (total, facets, ranking).
        """
        tsq = self.tsquery(query)
        where, params = filters.sql("d")
        # Relevance reads only the row's small title_tsv (ADR 12): ts_rank over d.tsv read each
        # match's whole tsvector from TOAST a second time (a company name over 1,000 matches:
        # 12 ms of SQL with it, 6.5 ms without).
        if sort == "date":
            rank_sql, rank_params = "0", []
        else:
            rank_sql, rank_params = self.title_rank_sql(query)
        select = f"SELECT d.id, d.doc_type, d.year, d.department, d.district, {rank_sql}, d.date "
        with transaction.atomic(), connection.cursor() as cur:
            estimate = _estimate(
                cur,
                f"SELECT 1 FROM search_searchdocument d WHERE d.tsv @@ %s::tsquery{where}",
                [tsq, *params],
            )
            dense = estimate >= DENSE_SHARE * _table_rows(cur)
            if dense:
                cur.execute("SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off")
                cur.execute(
                    f"{select}FROM search_searchdocument d WHERE d.tsv @@ %s::tsquery{where} "
                    f"ORDER BY d.date DESC, d.id DESC LIMIT {WALK_CAP}",
                    [*rank_params, tsq, *params],
                )
                rows = cur.fetchall()
                capped = len(rows) >= WALK_CAP
            else:
                index_tsq, recheck = self._index_condition(cur, query, tsq)
                cur.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
                cur.execute(
                    f"{select}FROM search_searchdocument d WHERE d.tsv @@ %s::tsquery{where}"
                    f"{' AND (d.tsv @@ %s::tsquery) IS TRUE' if recheck else ''} LIMIT {COUNT_CAP + 1}",
                    [*rank_params, index_tsq, *params, *([tsq] if recheck else [])],
                )
                rows = cur.fetchall()
                capped = len(rows) > COUNT_CAP
                rows = rows[:COUNT_CAP]
        _min = dt.date.min
        if sort == "date":
            rows_sorted = sorted(rows, key=lambda r: (r[6] or _min, r[0]), reverse=True)
        else:
            rows_sorted = sorted(rows, key=lambda r: (-r[5], -(r[6] or _min).toordinal(), -r[0]))
        ids = [r[0] for r in rows_sorted[offset : offset + limit]]
        counts = Counter((r[1], r[2], r[3], r[4]) for r in rows) if facets else Counter()
        return Hits(
            ids=ids,
            total=len(rows),
            capped=capped,
            facets=_facets_from_rows([(*k, n) for k, n in counts.items()], sampled=capped)
            if facets
            else None,
            estimate=max(estimate, len(rows) + 1) if capped else None,
        )

    def _index_condition(self, cur, query: CompiledQuery, tsq: str) -> tuple[str, bool]:
        """The tsquery the GIN bitmap is built from, and whether the whole query must be re-checked.

        The bitmap's cost is the posting lists it walks: 聊城 or 有限公司 occur in nearly every
        document, and a company name with them cost 27 ms of GIN scan against 3 ms without (1M
        documents). Terms the planner expects in at least COMMON_SHARE of the documents are left
        out of the index condition, and the whole query is checked on each row read (``IS TRUE``
        keeps it out of the index condition) — the same rows match, recall is unchanged.
        Only for a query with a phrase (a term of two or more tokens): its rows are re-checked on
        their tsvector anyway, whereas a query of single tokens is answered by the index alone and
        re-checking it would read every candidate's tsvector from TOAST.
        """
        has_phrase = any(len(alt.tokens) > 1 for group in query.groups for alt in group)
        if len(query.groups) < 2 or not has_phrase:
            return tsq, False
        group_tsqs = [self.group_tsquery(group) for group in query.groups]
        one = "SELECT 1 FROM search_searchdocument d WHERE d.tsv @@ %s::tsquery"
        estimates = _estimates(cur, " UNION ALL ".join([one] * len(group_tsqs)), group_tsqs)
        if len(estimates) != len(group_tsqs):
            return tsq, False
        table = _table_rows(cur)
        shares = [(n / table, g) for n, g in zip(estimates, group_tsqs, strict=True)]
        kept = [g for share, g in shares if share < COMMON_SHARE]
        if len(kept) == len(shares):
            return tsq, False
        return " & ".join(kept or [min(shares, key=lambda x: x[0])[1]]), True


def _plan(cur, sql: str, params: list) -> dict:
    cur.execute("EXPLAIN (FORMAT JSON) " + sql, params)
    plan = cur.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return plan[0]["Plan"]


def _estimate(cur, sql: str, params: list) -> int:
    """The planner's estimate of the rows ``sql`` returns (from the GIN statistics: no rows read)."""
    return int(_plan(cur, sql, params)["Plan Rows"])


def _estimates(cur, union_all: str, params: list) -> list[int]:
    """The planner's estimate for each branch of a ``UNION ALL`` (one round trip for several)."""
    plan = _plan(cur, union_all, params)
    while plan["Node Type"] in ("Gather", "Gather Merge") and len(plan.get("Plans", [])) == 1:
        plan = plan["Plans"][0]
    if plan["Node Type"] not in ("Append", "Parallel Append"):
        return []
    return [int(p["Plan Rows"]) for p in plan.get("Plans", [])]


_TABLE_ROWS: tuple[float, float] = (0.0, 0.0)  # (value, monotonic time read)


def _table_rows(cur) -> float:
    """The table's row count as of its last ANALYZE, re-read at most once a minute per process."""
    global _TABLE_ROWS
    import time

    value, read_at = _TABLE_ROWS
    if time.monotonic() - read_at > 60 or not value:
        cur.execute("SELECT greatest(reltuples, 1) FROM pg_class WHERE relname = 'search_searchdocument'")
        row = cur.fetchone()
        value = float(row[0]) if row else 1.0
        _TABLE_ROWS = (value, time.monotonic())
    return value


def get_backend() -> SearchBackend:
    """The backend for the database in use (the index lives in the same database as the content)."""
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise RuntimeError(f"全文检索不支持数据库 {connection.vendor}")
