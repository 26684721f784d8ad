"""Benchmark: the site search (``gongkai.search``) over generated regulatory documents.

Cases, each backend in its own process and its own fresh database:

* **build**: tokenising and loading N documents (300–1,000 characters of generated regulatory
  Chinese each) into the index, and the size of the index;
* **recall**: for fixed queries, the documents the index finds against plain substring truth
  (target 100 %), and — for comparison — what an AND over jieba's precise segmentation finds on a
  sample (the trap described in ``shared/design/measurements.md``);
* **latency**: the whole search call behind ``/search/`` (``site_search``: query understanding,
  capped count, top 20, facets, snippets, suggestion) for one-word, two-word, company-name and
  pinyin queries, median and 95th percentile (targets on PostgreSQL: < 30 ms and < 100 ms), and
  the same sorted by date.

``--quick`` uses 20,000 documents; the full size is 1,000,000 (``--docs N`` to change it).
The load path is a bulk one (COPY on PostgreSQL, GIN indexes built after the load; executemany on
SQLite) with the same tokens the product's services write; the vocabulary (pinyin and suggestions)
is built from the generator's sentence pool, which is what every document is made of.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import benchlib

BENCH = "search"
DB_NAME = "gongkai_bench_search"
SEED = 20261125
CHUNK = 5_000

DISTRICTS = [
    "东昌府区",
    "茌平区",
    "阳谷县",
    "莘县",
    "东阿县",
    "冠县",
    "高唐县",
    "临清市",
    "开发区",
    "高新区",
    "度假区",
]
AREAS = [
    "食品安全", "药品安全", "特种设备安全", "产品质量", "计量", "广告", "价格", "知识产权", "消费者权益保护",
    "网络交易", "冷链食品", "校园食堂", "电梯", "燃气灶具", "化妆品", "医疗器械", "标准化", "认证认可",
]  # fmt: skip
LAWS = [
    "中华人民共和国食品安全法", "中华人民共和国产品质量法", "中华人民共和国广告法", "中华人民共和国价格法",
    "中华人民共和国特种设备安全法", "中华人民共和国计量法", "中华人民共和国消费者权益保护法", "中华人民共和国商标法",
    "中华人民共和国反不正当竞争法", "市场主体登记管理条例", "明码标价和禁止价格欺诈规定", "网络交易监督管理办法",
]  # fmt: skip
VIOLATIONS = [
    "经营超过保质期的食品", "未按规定留样", "发布虚假广告", "未明码标价", "使用未经检定的计量器具", "销售不合格产品",
    "电梯未按规定进行维护保养", "侵犯注册商标专用权", "虚假宣传", "价格欺诈", "未取得食品经营许可从事经营活动",
    "未建立进货查验记录制度", "冷链食品未索证索票", "使用超范围超限量食品添加剂",
]  # fmt: skip
RESULTS = [
    "未发现问题",
    "发现问题已责令改正",
    "未按规定公示即时信息",
    "通过登记的住所无法联系",
    "发现问题待后续处理",
]
TRADE = "宇源鑫盛恒泰华信德润嘉禾兴隆永安天成金鼎瑞祥博远宏达众鑫聚福东方正阳新星凯旋润丰"
INDUSTRY = [
    "物流",
    "商贸",
    "食品",
    "餐饮",
    "药房",
    "科技",
    "建材",
    "电梯工程",
    "超市",
    "农业开发",
    "服装",
    "汽车销售",
]
TYPES = [
    ("inspection", 41),
    ("penalty", 30),
    ("entity", 20),
    ("policy", 5),
    ("interpretation", 3),
    ("guide", 1),
]

RECALL_QUERIES = ["食品安全", "罚款", "合格产品", "维护保养", "明码标价", "冷链食品"]
ONE_WORD = ["食品安全", "电梯", "罚款", "营业执照", "明码标价", "广告", "计量器具", "冷链"]
TWO_WORD = ["食品安全 罚款", "电梯 维护保养", "虚假宣传 广告", "价格 欺诈", "校园 食堂", "商标 侵权"]
PINYIN = ["spaq", "shipin anquan", "dianti", "mingma biaojia"]


def companies(rng: random.Random, n: int = 5_000) -> list[str]:
    names = set()
    while len(names) < n:
        trade = rng.choice(TRADE) + rng.choice(TRADE)
        names.add(
            f"聊城{trade}{rng.choice(INDUSTRY)}有限公司"
            if rng.random() < 0.7
            else f"{rng.choice(DISTRICTS)}{trade}{rng.choice(INDUSTRY)}店"
        )
    return sorted(names)


def sentence_pool(seed: int, size: int = 40_000) -> tuple[list[str], list[str]]:
    """Sentences written like the bureau's documents; every document is made of them."""
    rng = random.Random(seed)
    names = companies(rng)
    pool = []
    for _ in range(size):
        kind = rng.randrange(8)
        c, area, law, v = rng.choice(names), rng.choice(AREAS), rng.choice(LAWS), rng.choice(VIOLATIONS)
        d = rng.choice(DISTRICTS)
        if kind == 0:
            pool.append(
                f"{rng.randint(2019, 2026)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日，{d}市场监督管理局执法人员对{c}进行检查，发现其{v}。"
            )
        elif kind == 1:
            pool.append(
                f"依据《{law}》第{rng.randint(2, 140)}条的规定，责令当事人改正，并处罚款{rng.randint(1, 50) * 1000}元。"
            )
        elif kind == 2:
            pool.append(
                f"本次{area}双随机抽查共检查{rng.randint(10, 300)}户，抽查结果为{rng.choice(RESULTS)}，其中合格产品{rng.randint(10, 200)}批次、不合格产品{rng.randint(0, 9)}批次。"
            )
        elif kind == 3:
            pool.append(
                f"为进一步加强{area}监管，保障人民群众生命财产安全，根据《{law}》，结合本市实际，制定本办法。"
            )
        elif kind == 4:
            pool.append(
                f"{c}的统一社会信用代码为91371{rng.randint(100000000000, 999999999999)}X，住所位于山东省聊城市{d}{rng.choice(['兴华路', '东昌路', '柳园路', '光岳路'])}{rng.randint(1, 300)}号。"
            )
        elif kind == 5:
            pool.append(
                f"各县（市、区）市场监督管理局要高度重视{area}工作，落实属地监管责任，加强{rng.choice(AREAS)}风险排查，对{v}等违法行为依法从严查处。"
            )
        elif kind == 6:
            pool.append(
                f"电梯使用单位应当对在用电梯进行经常性维护保养，维护保养单位应当每15日至少进行一次清洁、润滑、调整和检查；{c}已于{rng.randint(1, 12)}月完成整改。"
            )
        else:
            pool.append(
                f"经营者应当在经营场所显著位置明码标价，不得在标价之外加价出售商品，不得收取任何未予标明的费用；{c}{rng.choice(['已签署承诺书', '已整改到位', '被列入重点检查对象'])}。"
            )
    return pool, names


def documents(n: int, seed: int, pool: list[str], names: list[str]):
    """Yield (doc_type, doc_id, title, body, date, department, district) for n documents."""
    rng = random.Random(seed + 1)
    kinds = [k for k, w in TYPES for _ in range(w)]
    start = dt.date(2019, 1, 1)
    for i in range(n):
        kind = rng.choice(kinds)
        d = rng.choice(DISTRICTS)
        c = rng.choice(names)
        target = rng.randint(300, 1000)
        parts, length = [], 0
        while length < target:
            s = pool[rng.randrange(len(pool))]
            parts.append(s)
            length += len(s)
        body = "".join(parts)[:target]
        title = {
            "inspection": f"{c}{rng.choice(AREAS)}抽查结果公告",
            "penalty": f"{c}行政处罚决定书（聊{d[:1]}市监罚〔{rng.randint(2019, 2026)}〕{rng.randint(1, 999)}号）",
            "entity": c,
            "policy": f"关于加强{rng.choice(AREAS)}监督管理工作的通知",
            "interpretation": f"《关于加强{rng.choice(AREAS)}监督管理工作的通知》政策解读",
            "guide": f"{rng.choice(AREAS)}相关事项办事指南",
        }[kind]
        yield (
            kind,
            str(i),
            title,
            body,
            start + dt.timedelta(days=rng.randrange(2900)),
            f"{d}市场监督管理局",
            d,
        )


def _tokenise_chunk(args):
    vendor, rows = args
    from gongkai.search import text
    from gongkai.search.backends import _tsvector_literal

    out = []
    for kind, doc_id, title, body, date, dept, district in rows:
        if vendor == "postgresql":
            full, title_tsv = _tsvector_literal(title, body)
            out.append((kind, doc_id, title, body, date, dept, district, full, title_tsv))
        else:
            out.append(
                (
                    kind,
                    doc_id,
                    title,
                    body,
                    date,
                    dept,
                    district,
                    text.index_text(title),
                    text.index_text(body),
                )
            )
    return out


def _chunks(n, pool, names):
    chunk = []
    for row in documents(n, SEED, pool, names):
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def load(vendor: str, n: int, pool, names) -> dict[str, int]:
    """Tokenise in two worker processes and bulk-load; return substring truth for RECALL_QUERIES."""
    from django.db import connection
    from django.utils import timezone

    truth = dict.fromkeys(RECALL_QUERIES, 0)
    now = timezone.now()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as workers, connection.cursor() as cur:
        if vendor == "postgresql":
            cur.execute("DROP INDEX IF EXISTS search_doc_tsv_gin")
            cur.execute("DROP INDEX IF EXISTS search_doc_title_tsv_gin")
        else:
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-500000")  # 500 MB: FTS5 segment merges stay in memory
        done = 0
        for rows in workers.imap(_tokenise_chunk, ((vendor, c) for c in _chunks(n, pool, names))):
            for r in rows:
                whole = r[2] + "\n" + r[3]
                for q in RECALL_QUERIES:
                    if q in whole:
                        truth[q] += 1
            if vendor == "postgresql":
                raw = cur.cursor  # psycopg cursor for COPY
                with raw.copy(
                    "COPY search_searchdocument (doc_type, doc_id, title, body, date, year, department, district, url, indexed_at, tsv, title_tsv) FROM STDIN"
                ) as copy:
                    for kind, doc_id, title, body, date, dept, district, full, title_tsv in rows:
                        copy.write_row(
                            (
                                kind,
                                doc_id,
                                title,
                                body,
                                date,
                                date.year,
                                dept,
                                district,
                                f"/d/{doc_id}/",
                                now,
                                full,
                                title_tsv,
                            )
                        )
            else:
                first = done + 1
                cur.executemany(
                    "INSERT INTO search_searchdocument (id, doc_type, doc_id, title, body, date, year, department, district, url, indexed_at, title_tokens) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [
                        (
                            first + j,
                            r[0],
                            r[1],
                            r[2],
                            r[3],
                            r[4],
                            r[4].year,
                            r[5],
                            r[6],
                            f"/d/{r[1]}/",
                            now,
                            r[7],
                        )
                        for j, r in enumerate(rows)
                    ],
                )
                from gongkai.search.backends import fts_rowid

                cur.executemany(
                    "INSERT INTO search_fts (rowid, title, body) VALUES (%s, %s, %s)",
                    [(fts_rowid(first + j, r[4]), r[7], r[8]) for j, r in enumerate(rows)],
                )
            done += len(rows)
            if done % 100_000 < CHUNK:
                benchlib.log(f"  {vendor}: {done:,} documents loaded")
        if vendor == "postgresql":
            started = time.perf_counter()
            cur.execute("CREATE INDEX search_doc_tsv_gin ON search_searchdocument USING gin (tsv)")
            cur.execute(
                "CREATE INDEX search_doc_title_tsv_gin ON search_searchdocument USING gin (title_tsv)"
            )
            cur.execute("ANALYZE search_searchdocument")
            benchlib.log(f"  GIN indexes built in {time.perf_counter() - started:.1f} s")
        else:
            cur.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
    return truth


def vocabulary(pool: list[str]) -> None:
    from collections import Counter

    from gongkai.search import services, text

    counts: Counter = Counter()
    for sentence in pool:
        counts.update(text.vocabulary_words(sentence))
    services.vocabulary_add_counts(counts)


def uncapped_count(vendor: str, query: str) -> int:
    from django.db import connection

    from gongkai.search.backends import PostgresBackend, SQLiteBackend
    from gongkai.search.selectors import understand

    compiled = understand(f'"{query}"').query
    with connection.cursor() as cur:
        if vendor == "postgresql":
            cur.execute(
                "SELECT count(*) FROM search_searchdocument WHERE tsv @@ %s::tsquery",
                [PostgresBackend.tsquery(compiled)],
            )
        else:
            cur.execute(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH %s",
                [SQLiteBackend.match_expression(compiled)],
            )
        return cur.fetchone()[0]


def jieba_recall(n_sample: int, pool, names) -> dict[str, tuple[int, int]]:
    """(found by AND over precise segmentation, substring truth) on a sample of the documents."""
    import rjieba

    out = {q: [0, 0] for q in RECALL_QUERIES}
    words = {q: set(rjieba.cut(q)) for q in RECALL_QUERIES}
    for _kind, _id, title, body, *_ in documents(n_sample, SEED, pool, names):
        body = title + "\n" + body
        tokens = set(rjieba.cut(body))
        for q in RECALL_QUERIES:
            if q in body:
                out[q][1] += 1
                if words[q] <= tokens:
                    out[q][0] += 1
    return {q: (a, b) for q, (a, b) in out.items()}


def timed(fn, repeats: int) -> list[float]:
    fn()  # warm the caches once
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def latency(vendor, label, size, n, quick, names, selectors) -> None:
    repeats = 3 if quick else 5
    cases = [("one-word queries", ONE_WORD), ("two-word queries", TWO_WORD)]
    rng = random.Random(SEED)
    cases.append(("company names", [rng.choice(names) for _ in range(6)] + ["宇源物流", "鑫盛"]))
    cases.append(("pinyin and initials", PINYIN))
    for name, queries in cases:
        for sort in ("relevance", "date"):
            times: list[float] = []
            for q in queries:
                times += timed(lambda q=q, sort=sort: selectors.site_search(q=q, sort=sort), repeats)
            median = statistics.median(times)
            target = vendor == "postgresql" and n >= 1_000_000
            suffix = "" if sort == "relevance" else ", newest first"
            benchlib.emit(
                BENCH, f"{name}{suffix}, {size} docs, {label}: median", "ms", median,
                "< 30 ms" if target else None, (median < 30) if target else None,
                note="whole search: count, top 20, facets, snippets",
            )  # fmt: skip
            benchlib.emit(
                BENCH, f"{name}{suffix}, {size} docs, {label}: p95", "ms", p95(times),
                "< 100 ms" if target else None, (p95(times) < 100) if target else None,
            )  # fmt: skip


def run_backend(vendor: str, n: int, quick: bool, keep: bool, reuse: bool = False) -> None:
    label = "PostgreSQL" if vendor == "postgresql" else "SQLite"
    size = f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n:,}"
    # --reuse: latency only, on the database a --keep run left behind
    url = benchlib.database_url(vendor, DB_NAME) if reuse else benchlib.fresh_database(vendor, DB_NAME)
    benchlib.setup_django(url)
    from django.db import connection

    from gongkai.search import selectors

    pool, names = sentence_pool(SEED)
    if reuse:
        latency(vendor, label, size, n, quick, names, selectors)
        return
    started = time.perf_counter()
    truth = load(vendor, n, pool, names)
    vocabulary(pool)
    build = time.perf_counter() - started
    benchlib.emit(
        BENCH,
        f"build: tokenise and index {size} documents → {label}",
        "seconds",
        build,
        note="2 tokeniser processes; bulk path",
    )
    with connection.cursor() as cur:
        if vendor == "postgresql":
            cur.execute("SELECT pg_total_relation_size('search_searchdocument')")
            bytes_ = cur.fetchone()[0]
        else:
            bytes_ = Path(connection.settings_dict["NAME"]).stat().st_size
    benchlib.emit(BENCH, f"index size, {size} documents, {label} (text + index)", "MiB", bytes_ / 1048576)

    for q in RECALL_QUERIES:
        found = uncapped_count(vendor, q)
        recall = 100.0 * found / truth[q] if truth[q] else 100.0
        benchlib.emit(
            BENCH,
            f"recall “{q}” vs substring truth ({truth[q]:,} docs), {label}",
            "%",
            recall,
            "= 100 %",
            recall == 100.0,
        )

    latency(vendor, label, size, n, quick, names, selectors)
    if not keep:
        connection.close()
        benchlib.drop_database(vendor, DB_NAME)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 documents")
    parser.add_argument("--docs", type=int, default=None, help="number of documents (default 1,000,000)")
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], help="run one backend in this process")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="latency only, on the database a --keep run left"
    )
    args = parser.parse_args()
    n = args.docs or (20_000 if args.quick else 1_000_000)
    if args.backend:
        run_backend(args.backend, n, args.quick, args.keep, args.reuse)
        return
    extra = ["--docs", str(n)] + (["--quick"] if args.quick else []) + (["--keep"] if args.keep else [])
    if benchlib.postgres_server_url():
        benchlib.run_child(Path(__file__), ["--backend", "postgresql", *extra])
    else:
        benchlib.emit(
            BENCH, "search on PostgreSQL", "ms", None, note="skipped: no PostgreSQL server (DATABASE_URL)"
        )
    benchlib.run_child(Path(__file__), ["--backend", "sqlite", *extra])
    pool, names = sentence_pool(SEED)
    sample = min(n, 20_000)
    for q, (found, truth) in jieba_recall(sample, pool, names).items():
        pct = 100.0 * found / truth if truth else 100.0
        benchlib.emit(
            BENCH,
            f"for comparison: jieba-only AND recall “{q}” ({sample:,}-doc sample)",
            "%",
            pct,
            note=f"{found} of {truth}",
        )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
