"""The site search on the database in use (run on SQLite and on PostgreSQL)."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from gongkai.core.models import AuditEvent
from gongkai.search import selectors, services
from gongkai.search.models import SearchDocument
from gongkai.search.registry import IndexDocument
from gongkai.search.tests.corpus import CORPUS, RELEVANCE

pytestmark = pytest.mark.django_db


def _doc(key, title, body, **kw):
    return IndexDocument(
        doc_type=kw.pop("doc_type", "policy"), doc_id=key, title=title, body=body, url=f"/x/{key}/", **kw
    )


@pytest.fixture
def corpus():
    docs = [
        _doc(
            key,
            title,
            body,
            date=dt.date(2020 + i % 6, 1 + i % 12, 1),
            department="聊城市市场监督管理局" if i % 2 else "东昌府区市场监督管理局",
        )
        for i, (key, title, body) in enumerate(CORPUS)
    ]
    with transaction.atomic():
        services.index_update(docs=docs)
    return docs


def _ids(q, **kw):
    return [h.doc.doc_id for h in selectors.site_search(q=q, **kw).hits]


@pytest.mark.parametrize(("query", "expected"), RELEVANCE, ids=[q for q, _ in RELEVANCE])
def test_fixed_queries_find_their_documents_in_the_top_results(corpus, query, expected):
    top = _ids(query)[: max(3, len(expected))]
    assert expected <= set(top), f"{query}: {top}"


def test_multi_word_query_requires_every_word(corpus):
    assert _ids("食品安全 罚款") == ["d1"]


def test_substring_inside_a_longer_word_is_found(corpus):
    # 合格产品 also occurs inside 不合格产品: found, and the snippet shows the context.
    result = selectors.site_search(q="合格产品")
    assert {"d7", "d8"} <= {h.doc.doc_id for h in result.hits}
    assert "<mark>合格产品</mark>" in str(result.hits[0].snippet_html) + str(result.hits[1].snippet_html)


def test_pinyin_and_initials_find_the_chinese_word(corpus):
    for q in ["shipin anquan", "shipinanquan", "spaq", "dianti"]:
        result = selectors.site_search(q=q)
        assert result.total >= 1, q
        assert result.understood.pinyin_used
    assert "d1" in _ids("spaq")
    assert "d2" in _ids("dianti")


def test_did_you_mean_corrects_a_homophone_typo(corpus):
    result = selectors.site_search(q="食品按全")
    assert result.total == 0
    assert result.suggestion == "食品安全"


def test_did_you_mean_corrects_a_one_character_typo(corpus):
    assert selectors.site_search(q="明码标介").suggestion == "明码标价"


def test_synonyms_edited_by_staff_widen_the_search_without_reindexing(corpus, reviewer):
    assert "d4" not in _ids("消保")
    services.synonym_group_save(actor=reviewer, terms="消费者权益保护、消保")
    result = selectors.site_search(q="消保")
    assert "d4" in [h.doc.doc_id for h in result.hits]
    assert result.understood.synonyms_used == [("消保", ["消费者权益保护"])]
    assert AuditEvent.objects.filter(action="search.synonyms.save").exists()


def test_facets_filters_sort_and_pagination(corpus):
    services.index_update(
        docs=[
            _doc(
                f"p{i}",
                f"食品安全抽检公告第{i}期",
                "食品安全",
                date=dt.date(2024, 1, i + 1),
                doc_type="inspection",
            )
            for i in range(25)
        ]
    )
    result = selectors.site_search(q="食品安全", per_page=10)
    assert result.total == 27 and result.num_pages == 3
    assert dict(result.facets.doc_type) == {"inspection": 25, "policy": 2}
    assert dict(result.facets.year)[2024] >= 25
    only = selectors.site_search(q="食品安全", doc_type="policy")
    assert {h.doc.doc_id for h in only.hits} == {"d1", "d10"}
    by_date = selectors.site_search(q="食品安全", sort="date", per_page=30)
    dates = [h.doc.date for h in by_date.hits]
    assert dates == sorted(dates, reverse=True)
    page3 = selectors.site_search(q="食品安全", per_page=10, page=3)
    assert len(page3.hits) == 7


def test_snippets_escape_html_and_mark_matches(corpus):
    services.index_update(docs=[_doc("x1", "<b>测试</b>标题", "正文<script>alert(1)</script>包含电梯两个字")])
    hit = next(h for h in selectors.site_search(q="电梯").hits if h.doc.doc_id == "x1")
    assert "<script>" not in hit.snippet_html and "&lt;script&gt;" in hit.snippet_html
    assert "<mark>电梯</mark>" in hit.snippet_html
    assert "&lt;b&gt;" in hit.title_html


def test_index_follows_the_transaction_of_the_content():
    try:
        with transaction.atomic():
            services.index_update(docs=[_doc("r1", "回滚的文件", "这份文件的事务回滚了")])
            assert selectors.site_search(q="回滚").total == 1
            raise RuntimeError
    except RuntimeError:
        pass
    assert selectors.site_search(q="回滚").total == 0
    services.index_update(docs=[_doc("r2", "保留的文件", "内容")])
    services.index_remove(doc_type="policy", doc_ids=["r2"])
    assert selectors.site_search(q="保留").total == 0


def test_updating_a_document_replaces_its_index_entry(corpus):
    services.index_update(docs=[_doc("d2", "聊城市升降机管理细则", "内容已修改")])
    assert "d2" not in _ids("电梯安全")
    assert "d2" in _ids("升降机")
    assert SearchDocument.objects.filter(doc_type="policy", doc_id="d2").count() == 1


def test_recall_equals_substring_truth_on_a_generated_corpus():
    import random

    rng = random.Random(7)
    words = [
        "食品",
        "安全",
        "食品安全",
        "罚款",
        "电梯",
        "维保",
        "合格",
        "不合格",
        "产品",
        "监督",
        "抽查",
        "市场",
        "价格",
        "标价",
    ]
    docs = []
    for i in range(300):
        body = "，".join(
            "".join(rng.choice(words) for _ in range(rng.randint(2, 6))) for _ in range(rng.randint(3, 10))
        )
        docs.append(_doc(f"g{i}", f"文件{i}", body))
    services.index_update(docs=docs, vocabulary=False)
    for query in ["食品安全", "安全罚款", "合格产品", "电梯维保", "品安", "价格标价", "市场监督抽查"]:
        truth = {d.doc_id for d in docs if query in d.body}
        found = set()
        page = 1
        while True:
            result = selectors.site_search(q=f'"{query}"', page=page, per_page=100, with_facets=False)
            found |= {h.doc.doc_id for h in result.hits}
            if not result.has_next:
                break
            page += 1
        assert found == truth, query


def test_reindex_command_rebuilds_from_the_registered_types(capsys):
    from django.core.management import call_command

    from gongkai.registry.tests.factories import make_entity

    make_entity(name="聊城市重建索引测试有限公司")
    call_command("reindex")
    assert "entity 1" in capsys.readouterr().out
    assert selectors.site_search(q="重建索引").total == 1
    call_command("reindex", "--type", "entity")
    assert selectors.site_search(q="重建索引").total == 1


def test_search_page_renders_results_facets_and_suggestions(client, corpus):
    page = client.get(reverse("public-search"), {"q": "食品安全"}).content.decode()
    assert "找到 2 条结果" in page and "<mark>食品安全</mark>" in page and "按时间" in page
    page = client.get(reverse("public-search"), {"q": "食品按全"}).content.decode()
    assert "您是不是要找" in page and "食品安全" in page
    page = client.get(reverse("public-search"), {"q": "spaq"}).content.decode()
    assert "按拼音检索了" in page
    assert client.get(reverse("public-search"), {"q": ""}).status_code == 200
    assert client.get(reverse("public-search"), {"q": "！！！"}).status_code == 200


def test_synonym_page_needs_the_permission_and_saves(client, reviewer, django_user_model):
    url = reverse("staff-search-synonyms")
    other = django_user_model.objects.create_user("plain", password="x" * 12, is_staff=True)
    client.force_login(other)
    assert client.get(url).status_code == 403
    client.force_login(reviewer)
    response = client.post(url, {"terms": "维权，消费维权"}, follow=True)
    assert "已保存" in response.content.decode()
    assert client.post(url, {"terms": "孤词"}).status_code == 200


def test_search_page_query_count_does_not_grow_with_results(client, corpus, django_assert_max_num_queries):
    services.index_update(docs=[_doc(f"q{i}", f"电梯检查{i}", "电梯") for i in range(40)])
    # 40 results, a constant number of queries (PostgreSQL's backend runs one more: the GIN pass).
    with django_assert_max_num_queries(7):
        client.get(reverse("public-search"), {"q": "电梯"})


# --- relevance order (ADR 12): the title is the query, then query terms in the title, then newest --


def _order(q, **kw):
    return _ids(q, per_page=50, **kw)


def test_a_title_match_comes_before_body_only_matches_that_are_newer():
    services.index_update(
        docs=[
            _doc("body-new", "工作动态", "本周检查了冷链食品经营户。", date=dt.date(2025, 3, 1)),
            _doc("title-old", "冷链食品安全管理办法", "本办法适用于本市。", date=dt.date(2019, 1, 1)),
            _doc("none", "工作简报", "与本查询无关。", date=dt.date(2025, 6, 1)),
        ]
    )
    assert _order("冷链食品") == ["title-old", "body-new"]


def test_body_only_matches_are_newest_first_however_often_they_mention_the_query():
    # Ranking never reads the body (ADR 12), so repetition in the body buys no rank.
    services.index_update(
        docs=[
            _doc("often", "工作简报", "冷链食品；" * 8, date=dt.date(2023, 1, 1)),
            _doc("once", "工作动态", "提到冷链食品一次。", date=dt.date(2024, 1, 1)),
            _doc("title", "冷链食品追溯", "正文。", date=dt.date(2020, 1, 1)),
        ]
    )
    assert _order("冷链食品") == ["title", "once", "often"]


def test_title_matches_are_newest_first_among_themselves():
    services.index_update(
        docs=[
            _doc(f"t{year}", f"冷链食品检查通报{year}", "正文。", date=dt.date(year, 5, 1))
            for year in (2021, 2024, 2019, 2023)
        ]
    )
    assert _order("冷链食品") == ["t2024", "t2023", "t2021", "t2019"]


def test_more_query_terms_in_the_title_rank_higher():
    services.index_update(
        docs=[
            _doc("both", "冷链食品违法案件罚款公示", "正文。", date=dt.date(2019, 1, 1)),
            _doc("one", "冷链食品工作要点", "依法罚款。", date=dt.date(2022, 1, 1)),
            _doc("none", "工作要点", "冷链食品，罚款。", date=dt.date(2025, 1, 1)),
        ]
    )
    assert _order("冷链食品 罚款") == ["both", "one", "none"]


def test_a_document_whose_title_is_the_query_comes_first():
    # The policy before its (newer) interpretation, the firm before its newer decisions.
    services.index_update(
        docs=[
            _doc(
                "interp",
                "《关于加强冷链食品监督管理的通知》政策解读",
                "解读关于加强冷链食品监督管理的通知。",
                date=dt.date(2024, 2, 1),
            ),
            _doc("policy", "关于加强冷链食品监督管理的通知", "各单位：……", date=dt.date(2024, 1, 1)),
            _doc(
                "firm",
                "聊城鑫盛冷链物流有限公司",
                "住所：东昌府区",
                date=dt.date(2010, 1, 1),
                doc_type="entity",
            ),
            _doc(
                "decision",
                "聊城鑫盛冷链物流有限公司行政处罚决定书",
                "当事人聊城鑫盛冷链物流有限公司……",
                date=dt.date(2024, 6, 1),
                doc_type="penalty",
            ),
            _doc("mention", "检查通报", "抽查了聊城鑫盛冷链物流有限公司。", date=dt.date(2025, 1, 1)),
        ]
    )
    assert _order("关于加强冷链食品监督管理的通知")[:2] == ["policy", "interp"]
    assert _order("聊城鑫盛冷链物流有限公司") == ["firm", "decision", "mention"]
    # Typed in traditional characters and full width, it is still the same title.
    assert _order("聊城鑫盛冷鏈物流有限公司")[0] == "firm"


def test_title_rank_covers_synonyms_and_one_character_queries(reviewer):
    services.index_update(
        docs=[
            _doc("body", "工作动态", "开展消费者权益保护宣传，抽检茶叶。", date=dt.date(2025, 1, 1)),
            _doc("title", "消费者权益保护年报", "正文。", date=dt.date(2020, 1, 1)),
            _doc("tea", "茶叶抽检结果", "正文，消保。", date=dt.date(2019, 1, 1)),
        ]
    )
    services.synonym_group_save(actor=reviewer, terms="消费者权益保护、消保")
    assert _order("消保") == ["title", "body", "tea"]
    assert _order("茶") == ["tea", "body"]


def test_newest_first_ignores_the_title():
    services.index_update(
        docs=[
            _doc("title-old", "冷链食品安全管理办法", "正文。", date=dt.date(2019, 1, 1)),
            _doc("body-new", "工作动态", "冷链食品。", date=dt.date(2025, 3, 1)),
        ]
    )
    assert _order("冷链食品", sort="date") == ["body-new", "title-old"]


def test_relevance_does_not_read_the_body_index():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.index_update(docs=[_doc("a", "冷链食品", "冷链食品")])
    with CaptureQueriesContext(connection) as ctx:
        _order("冷链食品")
    searches = [q["sql"] for q in ctx.captured_queries if "search_searchdocument d" in q["sql"]]
    assert searches
    for sql in searches:
        selected = sql.split(" FROM ", 1)[0]
        assert "bm25" not in selected and "ts_rank" not in selected and "d.tsv" not in selected, sql


# --- the stored title index that ranking reads: written on every path ---------------------------


def _stored_title_index(doc_type, doc_id):
    """The title index the backend keeps for a document, as text in a backend-neutral form."""
    from django.db import connection

    from gongkai.search.backends import fts_rowid

    doc = SearchDocument.objects.get(doc_type=doc_type, doc_id=doc_id)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT title_tsv::text FROM search_searchdocument WHERE id = %s", [doc.pk])
        else:  # the row's copy (what relevance reads) must equal the FTS5 table's
            cur.execute("SELECT title FROM search_fts WHERE rowid = %s", [fts_rowid(doc.pk, doc.date)])
            fts = cur.fetchone()
            cur.execute("SELECT title_tokens FROM search_searchdocument WHERE id = %s", [doc.pk])
            row = cur.fetchone()
            return row[0] if fts and row[0] == fts[0] else ("differs from search_fts", row, fts)
        row = cur.fetchone()
    return row[0] if row else None


def _expected_title_index(title):
    from django.db import connection

    from gongkai.search import text
    from gongkai.search.backends import _title_literal

    if connection.vendor != "postgresql":
        return text.index_text(title)
    with connection.cursor() as cur:
        cur.execute("SELECT %s::tsvector::text", [_title_literal(text.index_tokens(title))])
        return cur.fetchone()[0]


def test_title_index_is_written_on_insert_and_replaced_on_update():
    services.index_update(docs=[_doc("u1", "冷链食品管理办法", "正文", date=dt.date(2024, 1, 1))])
    assert _stored_title_index("policy", "u1") == _expected_title_index("冷链食品管理办法")
    services.index_update(docs=[_doc("u1", "校园食堂管理办法", "正文", date=dt.date(2025, 1, 1))])
    assert _stored_title_index("policy", "u1") == _expected_title_index("校园食堂管理办法")
    assert _order("校园食堂") == ["u1"] and _order("冷链食品") == []


def test_title_index_is_written_by_the_bulk_rebuild(capsys):
    from django.core.management import call_command

    from gongkai.registry.tests.factories import make_entity

    entity = make_entity(name="聊城市标题索引测试有限公司")
    call_command("reindex")
    assert _stored_title_index("entity", entity.credit_code) == _expected_title_index(entity.name)
    call_command("reindex", "--type", "entity")
    assert _stored_title_index("entity", entity.credit_code) == _expected_title_index(entity.name)
    assert _order("聊城市标题索引测试有限公司") == [entity.credit_code]


# --- PostgreSQL: very common terms are checked on the rows read, not walked in the GIN index ------


def test_common_terms_left_out_of_the_index_condition_still_filter_exactly():
    from django.db import connection

    from gongkai.search import backends

    if connection.vendor != "postgresql":
        pytest.skip("the GIN index condition is PostgreSQL's")
    docs = [
        _doc(f"f{i}", f"聊城第{i}号有限公司通报", "正文。", date=dt.date(2024, 1, 1) + dt.timedelta(days=i))
        for i in range(60)
    ]
    docs += [
        _doc("hit", "聊城旋鼎物流有限公司", "正文。", date=dt.date(2023, 1, 1)),
        _doc("near", "聊城旋鼎物流有限责任公司", "有限责任，不是那个词组。", date=dt.date(2025, 1, 1)),
        _doc("body", "检查通报", "抽查了聊城旋鼎物流有限公司。", date=dt.date(2022, 1, 1)),
    ]
    services.index_update(docs=docs, vocabulary=False)
    with connection.cursor() as cur:
        cur.execute("ANALYZE search_searchdocument")
    backends._TABLE_ROWS = (0.0, 0.0)
    query = selectors.understand("聊城旋鼎物流有限公司").query
    backend = backends.PostgresBackend()
    with connection.cursor() as cur:
        index_tsq, recheck = backend._index_condition(cur, query, backend.tsquery(query))
    assert recheck and "聊城" not in index_tsq and "公司" not in index_tsq, index_tsq
    # 有限责任公司 has every word but not the phrase 有限公司: the re-check must drop it.
    assert _order("聊城旋鼎物流有限公司") == ["hit", "body"]
    backends._TABLE_ROWS = (0.0, 0.0)


def test_sqlite_migration_fills_title_tokens_of_documents_indexed_before_it():
    import importlib

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("title_tokens is SQLite's")
    migration = importlib.import_module("gongkai.search.migrations.0004_sqlite_title_tokens")
    services.index_update(docs=[_doc("m1", "價格監督檢查規定", "正文", date=dt.date(2024, 1, 1))])
    with connection.cursor() as cur:
        cur.execute("UPDATE search_searchdocument SET title_tokens = NULL")
        migration.fill_title_tokens(cur)
    assert _stored_title_index("policy", "m1") == _expected_title_index("价格监督检查规定")
