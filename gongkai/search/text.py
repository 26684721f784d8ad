"""Chinese text for the search index: normalisation, index tokens, query terms, pinyin.

Pure module (no Django). The design, measured in ``docs/search.md``:

* Documents are indexed as **character bigrams** of every CJK run (食品安全法 → 食品 品安 安全 全法)
  plus the last character of each run as a unigram, and Latin/digit runs as whole tokens. A query
  term is matched as a *phrase* of its bigrams, so a term is found exactly where it occurs as a
  substring: recall equals plain substring truth by construction (word segmentation alone misses
  about a third of the documents containing 食品安全, see the design measurements).
* The **segmenter** (rjieba, the Rust port of jieba) works on the query side: it splits a query
  typed without spaces into words that are ANDed (食品安全罚款 → 食品安全 + 罚款), and on the
  document side it feeds the vocabulary used for pinyin look-up and "did you mean".
* Text is normalised before both indexing and querying: full-width forms to half-width (NFKC,
  one character at a time so that offsets survive), lower case, traditional to simplified (OpenCC
  ``t2s``). :func:`normalise` keeps the length of its input, so a match found in normalised text
  is highlighted at the same offsets in the original.
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from dataclasses import dataclass, field

import opencc
import rjieba
from pypinyin import Style, lazy_pinyin

_T2S = opencc.OpenCC("t2s")

# CJK Unified Ideographs, Extension A, compatibility ideographs and the supplementary planes.
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN_RE = re.compile(f"[{CJK}]+|[a-z0-9]+")
_CJK_RE = re.compile(f"^[{CJK}]+$")
_LATIN_RE = re.compile(r"^[a-z0-9]+$")
_PINYIN_RE = re.compile(r"^[a-z]+$")
# Function words that carry no meaning as a search term on their own.
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "对",
        "于",
        "等",
        "之",
        "其",
        "有",
        "关于",
        "以及",
        "进行",
        "如何",
        "怎么",
        "怎样",
        "什么",
        "哪些",
    ]
)
MAX_TERM_CHARS = 40


@functools.lru_cache(maxsize=65536)
def _char(c: str) -> str:
    n = unicodedata.normalize("NFKC", c)
    if len(n) != 1:
        n = c
    n = n.lower()
    if len(n) != 1:
        n = c
    s = _T2S.convert(n)
    return s if len(s) == 1 else n


# Full-width ASCII (！ … ～) and the ideographic space, folded by a table: the common case of NFKC.
_FULL_WIDTH_RE = re.compile("[\uff01-\uff5e\u3000]")


def _half_width(match: re.Match) -> str:
    c = match.group()
    return " " if c == "\u3000" else chr(ord(c) - 0xFEE0)


def normalise(text: str) -> str:
    """Full-width → half-width, lower case, traditional → simplified; same length as ``text``."""
    if not text:
        return ""
    folded = _FULL_WIDTH_RE.sub(_half_width, text).lower()
    if len(folded) != len(text) or not unicodedata.is_normalized("NFKC", folded):
        return "".join(_char(c) for c in text)  # rare compatibility characters: one at a time
    converted = _T2S.convert(folded)
    if len(converted) != len(folded):  # a phrase rule changed the length: convert char by char
        return "".join(_char(c) for c in text)
    return converted


def is_cjk(text: str) -> bool:
    return bool(_CJK_RE.match(text))


def index_tokens(text: str) -> list[str]:
    """The token stream of ``text`` for the full-text index (see the module docstring)."""
    tokens: list[str] = []
    for match in _TOKEN_RE.finditer(normalise(text)):
        run = match.group()
        if run[0].isascii():
            tokens.append(run)
            continue
        tokens.extend(map(operator.add, run, run[1:]))
        tokens.append(run[-1])
    return tokens


def index_text(text: str) -> str:
    """:func:`index_tokens` joined by spaces: what the database's simple tokenizer splits again."""
    return " ".join(index_tokens(text))


def term_tokens(term: str) -> list[str]:
    """The phrase that finds ``term`` (already normalised) in the index."""
    tokens: list[str] = []
    for match in _TOKEN_RE.finditer(term):
        run = match.group()
        if run[0].isascii() or len(run) == 1:
            tokens.append(run)
        else:
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    return tokens


def segment(text: str) -> list[str]:
    """Words of ``text`` by the segmenter's precise mode (jieba's dictionary)."""
    return [w for w in rjieba.cut(text) if w.strip()]


def vocabulary_words(text: str) -> set[str]:
    """Words worth remembering for pinyin look-up and suggestions: 2–8 CJK characters.

    Both the precise and the search-mode segmentation are used, so 食品安全 contributes 食品安全,
    食品 and 安全.
    """
    norm = normalise(text)
    words = set()
    for match in re.finditer(f"[{CJK}]+", norm):
        run = match.group()
        for w in rjieba.cut_for_search(run):
            if 2 <= len(w) <= 8:
                words.add(w)
    return words


@functools.lru_cache(maxsize=200_000)
def pinyin_keys(word: str) -> tuple[str, str]:
    """(full pinyin without tones or spaces, initials) of a Chinese word: 食品安全 → (shipinanquan, spaq)."""
    syllables = lazy_pinyin(word, style=Style.NORMAL, errors="ignore")
    return "".join(syllables), "".join(s[0] for s in syllables if s)


@dataclass
class Term:
    """One thing the query requires: any of ``alternatives`` (normalised strings) as a substring.

    ``pinyin`` is set when the term was typed in Latin letters that may be pinyin; the search layer
    replaces it by the Chinese words the vocabulary knows for it.
    """

    text: str
    alternatives: list[str] = field(default_factory=list)
    exact: bool = False
    pinyin: str = ""

    def __post_init__(self) -> None:
        if not self.alternatives:
            self.alternatives = [self.text]


@dataclass
class ParsedQuery:
    raw: str
    terms: list[Term]

    @property
    def empty(self) -> bool:
        return not self.terms

    def highlight_terms(self) -> list[str]:
        seen: list[str] = []
        for term in self.terms:
            for alt in term.alternatives:
                if alt and alt not in seen:
                    seen.append(alt)
        return seen


_QUOTED_RE = re.compile(r'"([^"]+)"|“([^”]+)”|「([^」]+)」')
_SPLIT_RE = re.compile(f"[^{CJK}a-z0-9]+")


def _merge_single_characters(words: list[str], chunk: str) -> list[str]:
    """Join a one-character word to its neighbour when they were typed together (开发店, not 开发 + 店).

    A lone character matches almost everything and costs a prefix scan; typed next to a word it
    almost always belongs to it. Only neighbours adjacent in ``chunk`` are joined.
    """
    out: list[str] = []
    for w in words:
        if out and (len(w) == 1 or len(out[-1]) == 1) and (out[-1] + w) in chunk:
            out[-1] += w
        else:
            out.append(w)
    return out


def parse_query(raw: str, *, max_terms: int = 8) -> ParsedQuery:
    """Turn what the user typed into terms, all of which a result must contain.

    Quoted text is one exact term. Other text is split on spaces and punctuation; a Chinese chunk
    is segmented into words (function words dropped, a chunk made only of them kept whole); a
    chunk of Latin letters is a candidate for pinyin; consecutive Latin chunks are also tried
    joined (``shi pin`` → ``shipin``).
    """
    text = normalise(raw.strip())[:200]
    terms: list[Term] = []
    rest = []
    pos = 0
    for m in _QUOTED_RE.finditer(text):
        rest.append(text[pos : m.start()])
        phrase = next(g for g in m.groups() if g)
        phrase = " ".join(_SPLIT_RE.split(phrase)).strip()
        if phrase:
            terms.append(Term(text=phrase[:MAX_TERM_CHARS], exact=True))
        pos = m.end()
    rest.append(text[pos:])
    chunks = [c for part in rest for c in _SPLIT_RE.split(part) if c]
    latin_run: list[str] = []

    def flush_latin() -> None:
        if not latin_run:
            return
        if all(_PINYIN_RE.match(c) for c in latin_run):
            joined = "".join(latin_run)
            terms.append(Term(text=" ".join(latin_run), pinyin=joined))
        else:
            terms.extend(Term(text=c) for c in latin_run)
        latin_run.clear()

    for chunk in chunks:
        if _LATIN_RE.match(chunk):
            latin_run.append(chunk)
            continue
        flush_latin()
        for piece in _TOKEN_RE.findall(chunk):
            if piece[0].isascii():
                terms.append(Term(text=piece))
                continue
            words = _merge_single_characters([w for w in segment(piece) if w not in STOPWORDS], piece)
            if not words:
                words = [piece]
            terms.extend(Term(text=w[:MAX_TERM_CHARS]) for w in words)
    flush_latin()
    unique: list[Term] = []
    for term in terms:
        if all(term.text != t.text for t in unique):
            unique.append(term)
    return ParsedQuery(raw=raw, terms=unique[:max_terms])


def find_spans(text_norm: str, needles: list[str]) -> list[tuple[int, int]]:
    """Non-overlapping (start, end) spans of every needle in normalised text, longest first."""
    spans: list[tuple[int, int]] = []
    for needle in sorted({n for n in needles if n}, key=len, reverse=True):
        start = 0
        while True:
            i = text_norm.find(needle, start)
            if i < 0:
                break
            j = i + len(needle)
            if all(j <= a or i >= b for a, b in spans):
                spans.append((i, j))
            start = i + 1
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):  # adjacent words (合格 + 产品) are marked as one span
        if merged and merged[-1][1] == a:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def snippet_spans(
    text: str, needles: list[str], *, width: int = 120
) -> tuple[int, int, list[tuple[int, int]]]:
    """The window of ``text`` to show and the spans to mark in it (offsets into ``text``).

    The window is centred on the densest cluster of matches: the first match whose window holds
    the most distinct needles.
    """
    norm = normalise(text)
    spans = find_spans(norm, needles)
    if not spans:
        return 0, min(len(text), width), []
    best_start, best_score = spans[0][0], -1
    for s, _e in spans:
        window_start = max(0, s - width // 4)
        inside = {norm[a:b] for a, b in spans if window_start <= a and b <= window_start + width}
        if len(inside) > best_score:
            best_start, best_score = window_start, len(inside)
    end = min(len(text), best_start + width)
    start = max(0, min(best_start, end - width))
    return start, end, [(a, b) for a, b in spans if start <= a and b <= end]


def edit_distance_one(a: str, b: str) -> bool:
    """True when ``b`` is ``a`` with exactly one character substituted, inserted or deleted."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    if la > lb:
        a, b = b, a
    return any(b[:i] + b[i + 1 :] == a for i in range(len(b)))
