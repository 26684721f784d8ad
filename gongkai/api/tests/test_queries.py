"""Query counts of the list pages are pinned: a page costs the same however many rows it holds."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _count(api, django_assert_num_queries, url: str, expected: int) -> None:
    with django_assert_num_queries(expected):
        response = api.get(url)
    assert response.status_code == 200 and len(response.data["items"]) >= 2


def test_entity_list_is_one_query(api, django_assert_num_queries):
    from gongkai.registry.tests.factories import make_entity

    host = make_entity(is_cluster_host=True)
    for _ in range(5):
        make_entity(cluster_host_code=host.credit_code)
    _count(api, django_assert_num_queries, "/api/v1/entities", 1)
    _count(api, django_assert_num_queries, "/api/v1/entities?district=371502&status=active", 1)


def test_penalty_list_is_one_query(api, django_assert_num_queries):
    from gongkai.penalties.tests import factories as pf

    for _ in range(3):
        pf.published()
    _count(api, django_assert_num_queries, "/api/v1/penalties", 1)


def test_task_and_result_lists_prefetch(api, chain, django_assert_num_queries):
    from gongkai.inspections import services

    services.target_publish(actor="test", target=chain["unpublished"])
    _count(api, django_assert_num_queries, "/api/v1/results", 3)  # targets, records, categories
    f_task = chain["draft_task"]
    services.task_announce(actor="test", task=f_task)
    _count(api, django_assert_num_queries, "/api/v1/tasks", 2)  # tasks, items
