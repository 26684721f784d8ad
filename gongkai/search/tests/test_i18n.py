"""The search page in English (ADR 0060): the page's own text, facets, sorting, pagination and
suggestions translated; titles, snippets, departments and districts marked as Chinese content."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from gongkai.portal.tests.i18n import chinese_outside_chinese_parts, choose
from gongkai.search import services
from gongkai.search.registry import IndexDocument
from gongkai.search.services import SYNONYM_CACHE_KEY
from gongkai.search.tests.corpus import CORPUS

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    docs = [
        IndexDocument(
            doc_type="policy" if i % 3 else "guide",
            doc_id=key,
            title=title,
            body=body,
            url=f"/x/{key}/",
            date=dt.date(2020 + i % 6, 1 + i % 12, 1),
            department="聊城市市场监督管理局" if i % 2 else "东昌府区市场监督管理局",
            district="东昌府区",
        )
        for i, (key, title, body) in enumerate(CORPUS)
    ]
    with transaction.atomic():
        services.index_update(docs=docs)
    return docs


def _english(client, q: str, **params) -> str:
    """The English page for ``q``, without ``q`` itself: what the visitor typed is echoed as typed."""
    choose(client, "en")
    html = client.get(reverse("public-search"), {"q": q, **params}).content.decode()
    assert '<html lang="en"' in html
    return html.replace(q, "")


def test_the_search_page_in_english_marks_the_results_as_chinese(client, corpus):
    html = _english(client, "食品安全")
    assert chinese_outside_chinese_parts(html) == []
    assert "<h1>Search this site</h1>" in html and '<h2 id="h-results" role="status">2 results</h2>' in html
    assert '<label for="sort">Sort by</label>' in html and '<option value="date">Date</option>' in html
    # Every kind of content has an English name, including those registered as plain Chinese.
    for label in ("Policy documents", "Service guides", "Administrative penalties", "Businesses"):
        assert f">{label}</option>" in html
    assert "<h2>Type</h2>" in html and "<h2>Year</h2>" in html and "<h2>Department</h2>" in html
    assert '<span class="badge">Service guides</span>' in html
    assert '<h3 lang="zh-Hans"><a href="/x/d1/">关于开展<mark>' in html
    assert ' · <span lang="zh-Hans">东昌府区市场监督管理局</span>' in html
    assert "Sort by: <strong>relevance</strong> · <a " in html


def test_chosen_filters_sorting_and_pages_in_english(client, corpus):
    services.index_update(
        docs=[
            IndexDocument(
                doc_type="policy", doc_id=f"e{i}", title=f"电梯检查{i}", body="电梯", url=f"/e/{i}/"
            )
            for i in range(25)
        ]
    )
    html = _english(client, "电梯", type="policy", sort="date")
    assert chinese_outside_chinese_parts(html) == []
    assert '<strong aria-current="true">Policy documents (' in html and ">Remove filter</a>" in html
    assert "Sort by: <a " in html and "relevance</a> · <strong>date</strong>" in html
    assert "<span>Page 1 of 2</span>" in html and 'rel="next">Next page</a>' in html
    html = _english(client, "电梯", year="2021")
    assert '<strong aria-current="true">2021 (1)</strong>' in html  # not "2021年"


@pytest.fixture
def fresh_synonyms():
    """The synonym list is cached across requests; the test's group must not outlive the test."""
    cache.delete(SYNONYM_CACHE_KEY)
    yield
    cache.delete(SYNONYM_CACHE_KEY)


def test_did_you_mean_pinyin_synonyms_and_no_results_in_english(client, corpus, reviewer, fresh_synonyms):
    html = _english(client, "食品按全")
    assert chinese_outside_chinese_parts(html) == []
    assert (
        'Did you mean <a href="?q=%E9%A3%9F%E5%93%81%E5%AE%89%E5%85%A8"><span lang="zh-Hans">食品安全</span></a>?'
        in html
    )
    assert "No results for “”" in html and "Suggestions: check the spelling;" in html

    html = _english(client, "spaq")
    assert chinese_outside_chinese_parts(html) == []
    assert 'Searched as pinyin:  → <span lang="zh-Hans">食品安全</span>' in html  # "spaq" taken out above

    services.synonym_group_save(actor=reviewer, terms="消费者权益保护、消保", note="")
    html = _english(client, "消保")
    assert chinese_outside_chinese_parts(html) == []
    assert (
        'Also searched for synonyms: <span lang="zh-Hans"></span> → <span lang="zh-Hans">消费者权益保护</span>'
        in html
    )


def test_the_empty_search_page_in_english(client):
    choose(client, "en")
    html = client.get(reverse("public-search")).content.decode()
    assert chinese_outside_chinese_parts(html) == []
    assert "Most of the content is in Chinese: you can also type pinyin" in html


def test_the_chinese_search_page_is_unchanged(client, corpus):
    html = client.get(reverse("public-search"), {"q": "食品安全"}).content.decode()
    assert '<h2 id="h-results" role="status">找到 2 条结果</h2>' in html
    assert (
        '<span class="badge">办事指南</span>' in html and '<option value="policy">政策文件</option>' in html
    )
    assert "排序：<strong>按相关度</strong> · <a " in html and ">2020年</a>（" in html
    assert 'lang="zh-Hans">' not in html
