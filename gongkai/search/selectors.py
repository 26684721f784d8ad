"""Reads: the site search (query understanding, backend call, snippets, suggestions)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from gongkai.search import text
from gongkai.search.backends import (
    Alternative,
    CompiledQuery,
    Facets,
    Filters,
    compile_alternative,
    get_backend,
)
from gongkai.search.models import SearchDocument, SynonymGroup, VocabularyTerm
from gongkai.search.registry import type_labels
from gongkai.search.services import SYNONYM_CACHE_KEY

PER_PAGE = 20
MAX_PAGE = 500
PINYIN_CANDIDATES = 3


def synonym_map() -> dict[str, list[str]]:
    """term → every term of its group(s), from the staff-edited synonym list (cached)."""
    mapping = cache.get(SYNONYM_CACHE_KEY)
    if mapping is None:
        mapping = {}
        for group in SynonymGroup.objects.all():
            terms = group.term_list()
            for t in terms:
                mapping.setdefault(t, [])
                mapping[t] += [x for x in terms if x not in mapping[t]]
        cache.set(SYNONYM_CACHE_KEY, mapping, 300)
    return mapping


def pinyin_words(key: str, *, limit: int = PINYIN_CANDIDATES) -> list[str]:
    """Chinese words whose full pinyin or initials are ``key`` (shipinanquan / spaq), commonest first."""
    if not key or len(key) > 96:
        return []
    by_full = list(
        VocabularyTerm.objects.filter(pinyin=key)
        .order_by("-df", "term")
        .values_list("term", flat=True)[:limit]
    )
    if by_full:
        return by_full
    if 2 <= len(key) <= 8:
        return list(
            VocabularyTerm.objects.filter(initials=key, length=len(key))
            .order_by("-df", "term")
            .values_list("term", flat=True)[:limit]
        )
    return []


@dataclass
class Understood:
    """What the search made of a query, shown to the user ("按拼音 spaq 检索了：食品安全")."""

    query: CompiledQuery
    highlight: list[str]
    pinyin_used: list[tuple[str, list[str]]] = field(default_factory=list)
    synonyms_used: list[tuple[str, list[str]]] = field(default_factory=list)


def understand(raw: str) -> Understood:
    parsed = text.parse_query(raw)
    synonyms = synonym_map()
    groups: list[tuple[Alternative, ...]] = []
    highlight: list[str] = []
    pinyin_used: list[tuple[str, list[str]]] = []
    synonyms_used: list[tuple[str, list[str]]] = []
    for term in parsed.terms:
        alternatives = list(term.alternatives)
        if term.pinyin:
            words = pinyin_words(term.pinyin)
            if not words and " " in term.text:  # shipin anquan: try each syllable group
                for part in term.text.split():
                    part_words = pinyin_words(part)
                    if part_words:
                        pinyin_used.append((part, part_words))
                        alts = [c for c in (compile_alternative(w) for w in part_words) if c]
                        groups.append(tuple(alts))
                        highlight += part_words
                    else:
                        alt = compile_alternative(part)
                        if alt:
                            groups.append((alt,))
                            highlight.append(part)
                continue
            if words:  # typed as pinyin: search the Chinese words, not the Latin letters
                pinyin_used.append((term.text, words))
                alternatives = words
        if not term.exact:
            extra = [s for s in synonyms.get(term.text, []) if s not in alternatives]
            if extra:
                synonyms_used.append((term.text, extra))
                alternatives += extra
        alts = tuple(a for a in (compile_alternative(x) for x in alternatives) if a)
        if alts:
            groups.append(alts)
            highlight += alternatives
    whole = tuple(text.index_tokens(raw))
    return Understood(CompiledQuery(tuple(groups), whole), highlight, pinyin_used, synonyms_used)


def suggest(raw: str) -> str | None:
    """A corrected query for a likely typo, or None.

    Chinese typos are mostly homophones (食品按全 for 食品安全): every run of 2–6 characters of the
    query that is not a known word is replaced by the commonest known word with the same pinyin;
    failing that, by a known word one character away with the same length and initials pattern.
    """
    norm = text.normalise(raw.strip())[:60]
    if not norm:
        return None
    out = norm
    changed = False
    for run in re.findall(f"[{text.CJK}]+", norm):
        fixed = _fix_run(run)
        if fixed != run:
            out = out.replace(run, fixed, 1)
            changed = True
    return out if changed else None


def _known(words: list[str]) -> set[str]:
    return set(VocabularyTerm.objects.filter(term__in=words).values_list("term", flat=True))


def _fix_run(run: str) -> str:
    if len(run) < 2 or len(run) > 30:
        return run
    if _known([run]):
        return run
    # Windows, longest first, left to right.
    i = 0
    out = []
    while i < len(run):
        replaced = False
        for size in range(min(6, len(run) - i), 1, -1):
            window = run[i : i + size]
            if _known([window]):
                out.append(window)
                i += size
                replaced = True
                break
            full, initials = text.pinyin_keys(window)
            homophones = [w for w in pinyin_words(full, limit=1) if len(w) == size]
            if homophones:
                out.append(homophones[0])
                i += size
                replaced = True
                break
            if size >= 3:
                near = _one_char_away(window, initials)
                if near:
                    out.append(near)
                    i += size
                    replaced = True
                    break
        if not replaced:
            out.append(run[i])
            i += 1
    return "".join(out)


def _one_char_away(window: str, initials: str) -> str | None:
    patterns = []
    for i in range(len(window)):
        patterns.append(initials[:i] + "_" + initials[i + 1 :])
    cond = Q()
    for p in patterns:
        cond |= Q(initials__regex="^" + p.replace("_", ".") + "$")
    candidates = VocabularyTerm.objects.filter(cond, length=len(window)).order_by("-df")[:200]
    for cand in candidates:
        if text.edit_distance_one(window, cand.term):
            return cand.term
    return None


@dataclass
class Hit:
    doc: SearchDocument
    type_label: str
    title_html: SafeString
    snippet_html: SafeString


@dataclass
class SearchPage:
    q: str
    hits: list[Hit]
    total: int
    capped: bool
    page: int
    num_pages: int
    facets: Facets | None
    understood: Understood | None
    suggestion: str | None = None
    estimate: int | None = None

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages


def mark(value: str, needles: list[str], *, width: int | None = None) -> SafeString:
    """``value`` (or a window of it) escaped, with every needle wrapped in ``<mark>``."""
    if width is None:
        spans = text.find_spans(text.normalise(value), needles)
        start, end = 0, len(value)
    else:
        start, end, spans = text.snippet_spans(value, needles, width=width)
    out, pos = [], start
    for a, b in spans:
        out.append(escape(value[pos:a]))
        out.append(f"<mark>{escape(value[a:b])}</mark>")
        pos = b
    out.append(escape(value[pos:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(value) else ""
    return mark_safe(prefix + "".join(out) + suffix)


def site_search(
    *,
    q: str,
    doc_type: str = "",
    year: int | None = None,
    department: str = "",
    district: str = "",
    sort: str = "relevance",
    page: int = 1,
    per_page: int = PER_PAGE,
    with_facets: bool = True,
) -> SearchPage:
    """One page of results for the site search at ``/search/``."""
    q = (q or "").strip()[:200]
    page = max(1, min(page, MAX_PAGE))
    if not q:
        return SearchPage(q, [], 0, False, 1, 1, None, None)
    understood = understand(q)
    if understood.query.empty:
        return SearchPage(q, [], 0, False, 1, 1, None, understood)
    backend = get_backend()
    filters = Filters(doc_type=doc_type, year=year, department=department, district=district)
    hits = backend.search(
        understood.query, filters, sort=sort, offset=(page - 1) * per_page, limit=per_page, facets=with_facets
    )
    docs = SearchDocument.objects.in_bulk(hits.ids)
    labels = type_labels()
    needles = understood.highlight
    result = [
        Hit(
            doc=docs[i],
            type_label=labels.get(docs[i].doc_type, docs[i].doc_type),
            title_html=mark(docs[i].title, needles),
            snippet_html=mark(docs[i].body, needles, width=110),
        )
        for i in hits.ids
        if i in docs
    ]
    num_pages = max(1, min(MAX_PAGE, -(-hits.total // per_page)))
    suggestion = suggest(q) if hits.total < 3 else None
    if suggestion == text.normalise(q):
        suggestion = None
    return SearchPage(
        q,
        result,
        hits.total,
        hits.capped,
        page,
        num_pages,
        hits.facets,
        understood,
        suggestion,
        hits.estimate,
    )
