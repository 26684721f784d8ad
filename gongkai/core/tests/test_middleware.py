"""A NUL character anywhere in the URL is refused before a view runs (PostgreSQL refuses it in text)."""

import pytest

pytestmark = pytest.mark.django_db

PAGES = ["/search/", "/query/entities/", "/interaction/messages/", "/penalties/", "/policies/"]
API = ["/api/v1/results", "/api/v1/entities", "/api/v1/penalties", "/api/v1/documents"]


@pytest.mark.parametrize("url", PAGES)
def test_a_page_with_a_nul_in_a_parameter_is_a_400_in_chinese(client, url):
    response = client.get(url, {"q": "食品\x00安全"})
    assert response.status_code == 400
    assert "不允许的控制字符" in response.content.decode()


@pytest.mark.parametrize("url", API)
def test_the_api_answers_a_nul_with_its_json_error(client, url):
    response = client.get(url, {"task": "=_V\x00\x01", "limit": "39"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_characters"


def test_a_nul_in_the_path_or_a_parameter_name_is_refused_too(client):
    assert client.get("/penalties/a%00b/").status_code == 400
    assert client.get("/search/?q%00=1").status_code == 400


def test_ordinary_requests_pass_untouched(client):
    assert client.get("/search/", {"q": "食品安全 %0 100%"}).status_code == 200
    assert client.get("/api/v1/entities", {"limit": "5"}).status_code == 200
