"""Full-text backends behind one interface: SQLite FTS5 (embedded default) and PostgreSQL GIN.

Both index the same token streams from :mod:`gongkai.search.text` and evaluate the same compiled
query: every term must match, a term matches when any of its alternatives occurs as a phrase of
bigrams. A bigger engine (OpenSearch/Elasticsearch with a Chinese analyser) would implement
:class:`SearchBackend` the same way; nothing outside this module writes SQL for the index.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection

from gongkai.search import text

# How many matches are counted exactly; beyond it the total is shown as "more than".
COUNT_CAP = 10_000
# Up to this many matches, PostgreSQL ranks every match; beyond it, title matches come first
# (ranked) and the rest follow newest first (ranking reads every matching row; see docs/search.md).
PG_RANK_ALL_LIMIT = 5_000
TITLE_TIER_LIMIT = 1_000


@dataclass(frozen=True)
class Alternative:
    tokens: tuple[str, ...]
    prefix: bool = False  # a single character or a trailing Latin/digit string: match as a prefix


@dataclass(frozen=True)
class CompiledQuery:
    """All ``groups`` must match; a group matches when any of its alternatives does."""

    groups: tuple[tuple[Alternative, ...], ...]

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
class Hits:
    ids: list[int]
    total: int
    capped: bool = False


@dataclass
class Facets:
    doc_type: list[tuple[str, int]] = field(default_factory=list)
    year: list[tuple[int, int]] = field(default_factory=list)
    department: list[tuple[str, int]] = field(default_factory=list)
    district: list[tuple[str, int]] = field(default_factory=list)
    sampled: bool = False


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

    def write(self, rows: list[tuple[int, str, str]]) -> None:
        """(document id, title, body) → index; replaces what was indexed for those ids."""
        raise NotImplementedError

    def delete(self, ids: list[int]) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def search(self, query: CompiledQuery, filters: Filters, *, sort: str, offset: int, limit: int) -> Hits:
        raise NotImplementedError

    def facets(self, query: CompiledQuery, filters: Filters) -> Facets:
        raise NotImplementedError


class SQLiteBackend(SearchBackend):
    """FTS5 table ``search_fts(title, body)`` over bigram token text, rowid = document id."""

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
        if not rows:
            return
        with connection.cursor() as cur:
            cur.executemany("DELETE FROM search_fts WHERE rowid = %s", [(r[0],) for r in rows])
            cur.executemany(
                "INSERT INTO search_fts(rowid, title, body) VALUES (%s, %s, %s)",
                [(pk, text.index_text(title), text.index_text(body)) for pk, title, body in rows],
            )

    def delete(self, ids):
        if ids:
            with connection.cursor() as cur:
                cur.executemany("DELETE FROM search_fts WHERE rowid = %s", [(i,) for i in ids])

    def clear(self):
        with connection.cursor() as cur:
            cur.execute("DELETE FROM search_fts")

    def search(self, query, filters, *, sort, offset, limit):
        match = self.match_expression(query)
        where, params = filters.sql("d")
        base = (
            "FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid "
            f"WHERE search_fts MATCH %s{where}"
        )
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM (SELECT 1 {base} LIMIT {COUNT_CAP + 1})", [match, *params])
            total = cur.fetchone()[0]
            order = (
                "d.date DESC, d.id DESC"
                if sort == "date"
                else "bm25(search_fts, 8.0, 1.0), d.date DESC, d.id DESC"
            )
            cur.execute(
                f"SELECT d.id {base} ORDER BY {order} LIMIT %s OFFSET %s", [match, *params, limit, offset]
            )
            ids = [row[0] for row in cur.fetchall()]
        return Hits(ids=ids, total=min(total, COUNT_CAP), capped=total > COUNT_CAP)

    def facets(self, query, filters):
        match = self.match_expression(query)
        where, params = filters.sql("d")
        with connection.cursor() as cur:
            cur.execute(
                "SELECT doc_type, year, department, district, count(*) FROM ("
                "SELECT d.doc_type, d.year, d.department, d.district FROM search_fts "
                "JOIN search_searchdocument d ON d.id = search_fts.rowid "
                f"WHERE search_fts MATCH %s{where} LIMIT {COUNT_CAP + 1}) GROUP BY 1, 2, 3, 4",
                [match, *params],
            )
            rows = cur.fetchall()
        return _facets_from_rows(rows, sampled=sum(r[4] for r in rows) > COUNT_CAP)


def _tsvector_literal(title: str, body: str) -> tuple[str, str]:
    """(full tsvector, title tsvector) literals with positions; title positions carry weight A.

    Built in Python rather than by ``to_tsvector`` so PostgreSQL's word parser (which depends on
    the database locale) never re-splits the tokens. Body positions start after a gap so that a
    phrase cannot run from the title into the body.
    """
    title_tokens = text.index_tokens(title)
    body_tokens = text.index_tokens(body)
    positions: dict[str, list[str]] = {}
    title_positions: dict[str, list[str]] = {}
    for i, tok in enumerate(title_tokens, start=1):
        positions.setdefault(tok, []).append(f"{min(i, 16383)}A")
        title_positions.setdefault(tok, []).append(str(min(i, 16383)))
    start = len(title_tokens) + 10
    for i, tok in enumerate(body_tokens, start=start):
        plist = positions.setdefault(tok, [])
        if len(plist) < 256:
            plist.append(str(min(i, 16383)))

    def lit(d: dict[str, list[str]]) -> str:
        return " ".join(f"'{tok}':{','.join(p[:256])}" for tok, p in d.items())

    return lit(positions), lit(title_positions)


class PostgresBackend(SearchBackend):
    """``tsv`` and ``title_tsv`` tsvector columns of ``search_searchdocument`` with GIN indexes."""

    vendor = "postgresql"

    @staticmethod
    def tsquery(query: CompiledQuery) -> str:
        groups = []
        for group in query.groups:
            alts = []
            for alt in group:
                toks = [f"'{t}'" for t in alt.tokens]
                if alt.prefix:
                    toks[-1] += ":*"
                alts.append("(" + " <-> ".join(toks) + ")")
            groups.append("(" + " | ".join(alts) + ")")
        return " & ".join(groups)

    def write(self, rows):
        if not rows:
            return
        values = []
        for pk, title, body in rows:
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

    def search(self, query, filters, *, sort, offset, limit):
        tsq = self.tsquery(query)
        where, params = filters.sql("d")
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM (SELECT 1 FROM search_searchdocument d "
                f"WHERE d.tsv @@ %s::tsquery{where} LIMIT {COUNT_CAP + 1}) s",
                [tsq, *params],
            )
            total = cur.fetchone()[0]
            if sort == "date":
                cur.execute(
                    f"SELECT d.id FROM search_searchdocument d WHERE d.tsv @@ %s::tsquery{where} "
                    "ORDER BY d.date DESC NULLS LAST, d.id DESC LIMIT %s OFFSET %s",
                    [tsq, *params, limit, offset],
                )
                ids = [r[0] for r in cur.fetchall()]
            elif total <= PG_RANK_ALL_LIMIT:
                cur.execute(
                    "SELECT d.id FROM search_searchdocument d "
                    f"WHERE d.tsv @@ %s::tsquery{where} "
                    "ORDER BY ts_rank(d.tsv, %s::tsquery, 1) DESC, d.date DESC NULLS LAST, d.id DESC "
                    "LIMIT %s OFFSET %s",
                    [tsq, *params, tsq, limit, offset],
                )
                ids = [r[0] for r in cur.fetchall()]
            else:
                ids = self._tiered(cur, tsq, where, params, offset, limit)
        return Hits(ids=ids, total=min(total, COUNT_CAP), capped=total > COUNT_CAP)

    @staticmethod
    def _tiered(cur, tsq, where, params, offset, limit) -> list[int]:
        """Many matches: title matches ranked first, then the others newest first."""
        cur.execute(
            "SELECT d.id FROM search_searchdocument d "
            f"WHERE d.title_tsv @@ %s::tsquery{where} "
            "ORDER BY ts_rank(d.title_tsv, %s::tsquery, 1) DESC, d.date DESC NULLS LAST, d.id DESC LIMIT %s",
            [tsq, *params, tsq, TITLE_TIER_LIMIT],
        )
        title_ids = [r[0] for r in cur.fetchall()]
        ids = title_ids[offset : offset + limit]
        if len(ids) < limit:
            rest_offset = max(0, offset - len(title_ids))
            cur.execute(
                "SELECT d.id FROM search_searchdocument d "
                f"WHERE d.tsv @@ %s::tsquery AND NOT (d.title_tsv @@ %s::tsquery){where} "
                "ORDER BY d.date DESC NULLS LAST, d.id DESC LIMIT %s OFFSET %s",
                [tsq, tsq, *params, limit - len(ids), rest_offset],
            )
            ids += [r[0] for r in cur.fetchall()]
        return ids

    def facets(self, query, filters):
        tsq = self.tsquery(query)
        where, params = filters.sql("d")
        with connection.cursor() as cur:
            cur.execute(
                "SELECT doc_type, year, department, district, count(*) FROM ("
                "SELECT d.doc_type, d.year, d.department, d.district FROM search_searchdocument d "
                f"WHERE d.tsv @@ %s::tsquery{where} LIMIT {COUNT_CAP + 1}) s GROUP BY 1, 2, 3, 4",
                [tsq, *params],
            )
            rows = cur.fetchall()
        return _facets_from_rows(rows, sampled=sum(r[4] for r in rows) > COUNT_CAP)


def get_backend() -> SearchBackend:
    """The backend for the database in use (the index lives in the same database as the content)."""
    if connection.vendor == "postgresql":
        return PostgresBackend()
    if connection.vendor == "sqlite":
        return SQLiteBackend()
    raise RuntimeError(f"全文检索不支持数据库 {connection.vendor}")
