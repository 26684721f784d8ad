"""The API's HTTP contract: OpenAPI document and docs page, errors, caching, CORS, rate limit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from gongkai.api.tests.conftest import openapi_doc

pytestmark = pytest.mark.django_db


def test_openapi_document_lists_every_dataset_read_only(api):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    for dataset in (
        "entities", "items", "plans", "tasks", "results", "penalties", "penalty-withdrawals", "documents",
        "interpretations", "guides", "messages", "policies", "stats",
    ):  # fmt: skip
        assert f"/api/v1/{dataset}" in paths
    for item in paths.values():
        assert set(item) == {"get"}
    assert doc == openapi_doc()


def test_docs_page_loads_only_local_assets(api):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert refs and all(ref.startswith("/static/") for ref in refs), refs
    assert "//" not in "".join(refs)
    assert '"validatorUrl": null' in html  # swagger-ui would otherwise call an outside validator
    for ref in refs:
        assert finders.find(ref.removeprefix("/static/")), ref


def test_unknown_things_are_json_404s(api):
    for url in (
        "/api/v1/entities/91371500MA3C000000",
        "/api/v1/penalties/0000000000000000",
        "/api/v1/tasks/NO-SUCH-TASK",
        "/api/v1/tasks/NO-SUCH-TASK/draw",
        "/api/v1/documents/999999",
        "/api/v1/items/NOPE",
    ):
        data = api.json(url, 404)
        assert data["error"] == "not_found" and " / " in data["message"]
    response = Client().get("/api/v1/no-such-endpoint")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


def test_page_size_over_the_limit_is_a_422_in_chinese_and_english(api):
    data = api.json("/api/v1/entities?limit=101", 422)
    assert data["error"] == "invalid_parameter"
    assert "limit" in data["message"] and "不能大于100" in data["message"]
    assert "less than or equal to 100" in data["message"]
    assert api.json("/api/v1/entities?limit=0", 422)["detail"][0]["parameter"] == "limit"


def test_bad_dates_and_choices_are_named(api):
    data = api.json("/api/v1/entities?updated_since=yesterday", 422)
    assert "updated_since" in data["message"] and "日期时间" in data["message"]
    data = api.json("/api/v1/penalties?decided_from=2025-13-01", 422)
    assert "decided_from" in data["message"] and "YYYY-MM-DD" in data["message"]
    data = api.json("/api/v1/entities?status=bankrupt", 422)
    assert "status" in data["message"] and "可选" in data["message"]
    data = api.json("/api/v1/entities?sort=name", 422)
    assert "sort" in data["message"]


def test_bad_cursor_is_a_400(api):
    data = api.json("/api/v1/entities?cursor=not-a-cursor", 400)
    assert data["error"] == "invalid_cursor" and "游标" in data["message"] and "cursor" in data["message"]


def test_etag_gives_304_and_changes_with_the_data(api):
    from gongkai.registry.tests.factories import make_entity

    make_entity()
    first = api.get("/api/v1/entities")
    etag = first["ETag"]
    assert etag and first["Cache-Control"].startswith("public")
    again = api.get("/api/v1/entities", If_None_Match=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    make_entity()
    changed = api.get("/api/v1/entities", If_None_Match=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_last_modified_and_if_modified_since(api):
    from gongkai.penalties.tests import factories as pf

    decision = pf.published()
    response = api.get(f"/api/v1/penalties/{decision.public_id}")
    stamp = response["Last-Modified"]
    assert stamp.endswith("GMT")
    assert api.get(f"/api/v1/penalties/{decision.public_id}", If_Modified_Since=stamp).status_code == 304
    older = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert api.get(f"/api/v1/penalties/{decision.public_id}", If_Modified_Since=older).status_code == 200


def test_cors_is_open_for_reads(api):
    response = api.get("/api/v1/entities")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = Client().options(
        "/api/v1/entities",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]


def test_the_api_is_read_only(api):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(Client(), method)("/api/v1/entities")
        assert response.status_code == 405


def test_rate_limit_answers_429_with_retry_after_per_address(api, settings):
    settings.GONGKAI_API_RATE_LIMIT = 3
    settings.GONGKAI_API_RATE_WINDOW = 60
    client = Client(REMOTE_ADDR="10.1.1.1")
    statuses = [client.get("/api/v1/districts").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/districts")
    assert 1 <= int(limited["Retry-After"]) <= 60
    body = limited.json()
    assert (
        body["error"] == "rate_limited"
        and "请求过于频繁" in body["message"]
        and "retry after" in body["message"]
    )
    assert limited["Access-Control-Allow-Origin"] == "*"
    assert Client(REMOTE_ADDR="10.1.1.2").get("/api/v1/districts").status_code == 200
    assert client.get("/").status_code != 429  # the site itself is not limited by this


def test_naive_filter_times_mean_shanghai(api):
    from gongkai.registry.tests.factories import make_entity

    make_entity()
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert api.json(f"/api/v1/entities?updated_since={tomorrow}T00:00:00")["items"] == []
    assert api.json("/api/v1/entities?updated_since=2000-01-01")["items"]
    # Python accepts offsets up to ±24 h, PostgreSQL only ±15:59: converted to UTC first.
    assert api.json("/api/v1/entities?updated_since=2000-01-01T00:00:00%2B18:22")["items"]


def test_json_answers_skip_the_sites_page_middleware_but_keep_its_headers(api):
    from django.utils import translation

    translation.activate("en")  # as a worker thread that served an English page just before
    try:
        response = api.get(
            "/api/v1/entities", Accept_Language="en", Cookie="django_language=en; sessionid=x; csrftoken=y"
        )
    finally:
        translation.deactivate()
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(response.content))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware still runs first
    # One language whatever the website's cookie or the browser say, so caches need not vary.
    assert "Vary" not in response and "Content-Language" not in response
    assert not response.cookies
    # The HTML docs page (rendered with the site's context processors) keeps the whole chain.
    browser = Client()
    browser.cookies["django_language"] = "en"
    docs = browser.get("/api/v1/docs")
    assert docs.status_code == 200 and docs["Content-Language"] == "en"


def test_an_uncaught_error_on_the_short_path_is_the_sites_500(api, monkeypatch):
    from gongkai.api import api as api_module

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api_module.ENTITY_LIST, "page", broken)
    response = Client(raise_request_exception=False).get("/api/v1/entities")
    assert response.status_code == 500
    assert response["Access-Control-Allow-Origin"] == "*"


def test_rate_limit_counts_across_window_boundaries(api, settings):
    import time_machine

    settings.GONGKAI_API_RATE_LIMIT = 2
    settings.GONGKAI_API_RATE_WINDOW = 60
    client = Client(REMOTE_ADDR="10.1.1.3")
    with time_machine.travel(dt.datetime(2026, 3, 2, 1, 0, 30, tzinfo=dt.UTC), tick=False) as clock:
        assert [client.get("/api/v1/districts")["X-RateLimit-Remaining"] for _ in range(2)] == ["1", "0"]
        assert client.get("/api/v1/districts").status_code == 429
        clock.move_to(dt.datetime(2026, 3, 2, 1, 1, 0, tzinfo=dt.UTC))  # the next window
        assert client.get("/api/v1/districts")["X-RateLimit-Remaining"] == "1"


def test_the_short_path_resolves_api_paths_as_the_sites_urls_do():
    from django.urls import get_resolver

    from gongkai.api.middleware import _api_resolver

    paths = [
        "/api/v1/",
        "/api/v1/openapi.json",
        "/api/v1/no/such/thing",
        "/api/v1/entitiesfeed",
        "/api/v1/penalties/feed",
    ]
    for template in openapi_doc()["paths"]:
        paths.append(re.sub(r"\{[^}]+\}", "91371502MA3C00000X", template))
    for path in paths:
        site, short = get_resolver().resolve(path), _api_resolver().resolve(path)
        assert (site.func, site.url_name, site.namespaces, site.route, site.kwargs) == (
            short.func,
            short.url_name,
            short.namespaces,
            short.route,
            short.kwargs,
        ), path
