"""The site as a whole: navigation without broken links, placeholders, display modes, sitemap, errors."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from gongkai.portal import navigation

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/[^"#]*)"')


def test_every_link_of_the_navigation_and_column_pages_leads_somewhere(client, demo_content):
    pages = ["/", "/sitemap/"] + [reverse("portal-column", args=[c.slug]) for c in navigation.COLUMNS]
    seen = set()
    for page in pages:
        html = client.get(page).content.decode()
        for href in HREF.findall(html):
            if href in seen or href.startswith(("/static/", "/staff/")):
                continue
            seen.add(href.replace("&amp;", "&"))
    assert len(seen) > 20
    for href in sorted(seen):
        assert client.get(href).status_code == 200, href


def test_columns_without_a_module_show_the_placeholder(client):
    for slug, title in navigation.PLACEHOLDERS.items():
        page = client.get(reverse("portal-column", args=[slug])).content.decode()
        assert "栏目建设中" in page and title in page
    assert client.get("/column/nothing/").status_code == 404


def test_navigation_has_every_column_of_the_issue(client):
    html = client.get("/").content.decode()
    for label in ["首页", "信息公开", "企业办事", "信息查询", "互动交流"]:
        assert f">{label}</a>" in html
    labels = [link.label for c in navigation.COLUMNS for link in c.links]
    for label in [
        "政府信息公开指南",
        "公开目录",
        "政策文件",
        "政策解读",
        "双随机一公开",
        "行政处罚公示",
        "年度报告",
        "办事指南",
        "表格下载",
        "经营主体查询",
        "抽查结果查询",
        "处罚信息查询",
        "摇号验证",
        "留言",
        "依申请公开",
        "满意度",
    ]:
        assert label in labels


def test_every_page_has_the_skip_link_search_box_language_and_a_title(client):
    html = client.get(reverse("public-documents")).content.decode()
    assert 'lang="zh-Hans"' in html and 'href="#main"' in html and 'role="search"' in html
    assert "<title>政策文件 - " in html
    assert (
        "<script" not in html
        and "http://" not in html.split("</head>")[0]
        and "https://" not in html.split("</head>")[0]
    )


def test_large_text_and_high_contrast_persist_in_a_cookie_without_javascript(client):
    response = client.post(reverse("portal-preferences"), {"text": "large", "next": "/policies/"})
    assert response.status_code == 302 and response["Location"] == "/policies/"
    assert client.cookies["gk_text"].value == "large"
    html = client.get("/").content.decode()
    assert 'class="large-text' in html and "标准字号" in html
    client.post(reverse("portal-preferences"), {"contrast": "high"})
    assert "high-contrast" in client.get("/").content.decode()
    client.post(reverse("portal-preferences"), {"text": "normal"})
    assert "large-text" not in client.get("/").content.decode()


def test_preferences_never_redirect_off_site(client):
    response = client.post(reverse("portal-preferences"), {"text": "large", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_home_shows_latest_items_and_when_it_was_updated(client, demo_content):
    html = client.get("/").content.decode()
    assert "本站更新于" in html and "<time" in html
    assert "校园食品安全" in html and "一图读懂" in html and "食品经营许可" in html


def test_sitemap_and_robots(client, demo_content):
    xml = client.get("/sitemap.xml").content.decode()
    assert xml.startswith("<?xml") and "/policies/" in xml and "/interpretations/" in xml
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /staff/" in robots and "Sitemap: http://testserver/sitemap.xml" in robots


@override_settings(DEBUG=False)
def test_friendly_chinese_error_pages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()
    from gongkai.portal.views import server_error

    response = server_error(None)
    assert response.status_code == 500 and "系统暂时出现问题" in response.content.decode()


def test_home_query_count_is_bounded(client, demo_content, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        client.get("/")
