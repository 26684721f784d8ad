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
