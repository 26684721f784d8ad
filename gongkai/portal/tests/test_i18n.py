"""English as the second language (ADR 0060): Chinese by default, English only when chosen with the
switch, the translated shell free of Chinese, and a catalogue that is complete and compiled."""

from __future__ import annotations

import gettext
import re

import pytest
from django.conf import settings
from django.template import engines
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from gongkai.portal import navigation
from gongkai.portal.tests.i18n import (
    CJK,
    catalogues,
    chinese_outside_chinese_parts,
    choose,
    po_catalog,
    read_po,
)

pytestmark = pytest.mark.django_db


def test_chinese_is_the_default_even_when_the_browser_asks_for_english(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="zh-Hans"' in html and "跳到正文" in html and ">信息公开</a>" in html
    assert "Skip to main content" not in html
    assert response["Content-Language"] == "zh-hans"
    assert "Cookie" in response["Vary"]


def test_the_english_home_page_shows_english_navigation_and_no_untranslated_label(client, demo_content):
    from gongkai.registry.tests.factories import make_entity

    make_entity()
    choose(client, "en")
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html and "Skip to main content" in html and ">Home</a>" in html
    labels = [(c.label, c.description) for c in navigation.COLUMNS]
    labels += [(link.label, link.description) for c in navigation.COLUMNS for link in c.links]
    for label, description in labels:
        with translation.override("zh-hans"):
            chinese = str(label)
        with translation.override("en"):
            english, english_description = str(label), str(description)
        assert english != chinese and not CJK.search(english + english_description), chinese
        assert f">{escape(english)}</a>" in html, english
        assert f">{chinese}</a>" not in html
    # Everything Chinese left on the page is content (titles, names), marked lang="zh-Hans" for screen readers.
    assert chinese_outside_chinese_parts(html) == []


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/column/xxgk/",
        "/column/penalties/",
        "/sitemap/",
        "/accessibility/",
        "/no-such-page/",
        "/query/entities/?q=物流",
        "/query/entities/?q=没有这家",
    ],
)
def test_the_translated_pages_have_no_chinese_outside_content(client, path):
    from gongkai.registry.tests.factories import make_entity

    make_entity(name="聊城宇源物流有限公司")
    choose(client, "en")
    html = client.get(path).content.decode()
    assert '<html lang="en"' in html
    # What the visitor typed is echoed as typed.
    html = html.replace(path.partition("?q=")[2] or "\0", "")
    # The only Chinese is the name of the other language on the switch, itself marked lang="zh-Hans",
    # and content (names of businesses) marked the same way.
    assert chinese_outside_chinese_parts(html) == []
    assert '<button class="link" name="language" value="zh-hans" lang="zh-Hans">中文</button>' in html


def test_pages_not_yet_translated_mark_their_chinese_content(rf):
    # A page that keeps base.html's {% block main_lang %} (none of the translated pages do).
    template = engines["django"].from_string(
        '{% extends "base.html" %}{% block content %}<p>尚未翻译</p>{% endblock %}'
    )
    with translation.override("en"):
        html = template.render({}, rf.get("/not-translated/"))
    assert '<html lang="en"' in html and "Skip to main content" in html
    assert '<main id="main" class="wrap" tabindex="-1" lang="zh-Hans">' in html


def test_the_language_switch_works_without_javascript_and_is_remembered(client):
    html = client.get("/sitemap/").content.decode()
    assert '<form class="language-switch" method="post" action="/preferences/"' in html
    assert '<span aria-current="true">中文</span>' in html
    assert '<button class="link" name="language" value="en" lang="en">English</button>' in html

    response = choose(client, "en", "/sitemap/")
    assert response.status_code == 302 and response["Location"] == "/sitemap/"
    cookie = client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and cookie["httponly"] and cookie["samesite"] == "Lax"
    html = client.get("/sitemap/").content.decode()
    assert '<html lang="en"' in html and "<h1>Site map</h1>" in html
    assert '<span aria-current="true">English</span>' in html

    choose(client, "zh-hans", "/sitemap/")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted: the default needs none
    assert "<h1>网站地图</h1>" in client.get("/sitemap/").content.decode()


def test_the_switch_ignores_unknown_languages_and_never_redirects_off_site(client):
    response = choose(client, "fr", "https://evil.example/")
    assert response["Location"] == "/" and settings.LANGUAGE_COOKIE_NAME not in response.cookies
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="zh-Hans"' in client.get("/").content.decode()


def test_display_modes_and_language_are_independent(client):
    client.post(reverse("portal-preferences"), {"text": "large"})
    choose(client, "en")
    html = client.get("/").content.decode()
    assert 'class="large-text' in html and ">Normal text</button>" in html


@override_settings(DEBUG=False)
def test_error_pages_in_english(client):
    choose(client, "en")
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "<h1>Sorry, the page you were looking for does not exist</h1>" in (
        response.content.decode()
    )
    from gongkai.portal.views import server_error

    with translation.override("en"):
        html = server_error(None).content.decode()
    assert '<html lang="en">' in html and "Something went wrong" in html
    assert 'name="language" value="zh-hans"' in html


def test_staff_pages_stay_chinese_and_have_no_switch(client):
    choose(client, "en")
    response = client.get(reverse("staff-login"))
    html = response.content.decode()
    assert '<html lang="zh-Hans"' in html and response["Content-Language"] == "zh-hans"
    assert 'name="language"' not in html
    # The public site keeps the visitor's choice.
    assert '<html lang="en"' in client.get("/").content.decode()


# --- The catalogue -------------------------------------------------------------------------------


@pytest.mark.parametrize("catalogue", catalogues(), ids=lambda path: str(path.parents[2].parent.name))
def test_every_message_of_the_english_catalogue_is_translated(catalogue):
    entries = read_po(catalogue / "django.po")
    assert len(entries) > 10
    untranslated = []
    for entry in entries[1:]:
        values = [v for k, v in entry.items() if k.startswith("msgstr")]
        if "fuzzy" in entry["flags"] or not all(v.strip() for v in values):
            untranslated.append(entry["msgid"])
        # The same named placeholders on both sides, or the page shows a KeyError instead of text.
        for value in values:
            assert sorted(re.findall(r"%\(\w+\)s", value)) == sorted(re.findall(r"%\(\w+\)s", entry["msgid"]))
    assert not untranslated, f"translate these in {catalogue / 'django.po'}: {untranslated}"
    assert "fuzzy" not in entries[0]["flags"], "the header is fuzzy: msgfmt would drop it"


@pytest.mark.parametrize("catalogue", catalogues(), ids=lambda path: str(path.parents[2].parent.name))
def test_the_compiled_catalogue_is_up_to_date_with_the_po_file(catalogue):
    expected = po_catalog(read_po(catalogue / "django.po"))
    with (catalogue / "django.mo").open("rb") as mo:
        compiled = dict(gettext.GNUTranslations(mo)._catalog)  # type: ignore[attr-defined]
    # msgfmt leaves the extraction date out of the compiled header.
    for catalog in (expected, compiled):
        catalog[""] = re.sub(r"POT-Creation-Date: .*\n", "", catalog[""])
    stale = sorted(str(k) for k in expected.keys() ^ compiled.keys())
    stale += sorted(str(k) for k in expected.keys() & compiled.keys() if expected[k] != compiled[k])
    assert not stale, (
        f"{catalogue}/django.mo is out of date; run `make messages` (docs/operations.md): {stale[:10]}"
    )


def test_the_header_names_the_configured_bureau(client):
    assert ">聊城市市场监督管理局</a>" in client.get("/sitemap/").content.decode()
    with override_settings(GONGKAI_BUREAU_NAME="济南市市场监督管理局"):
        html = client.get("/sitemap/").content.decode()
        assert ">济南市市场监督管理局</a>" in html and "聊城" not in html
        choose(client, "en")
        assert ">济南市市场监督管理局</a>" in client.get("/sitemap/").content.decode()
    english = client.get("/sitemap/").content.decode()
    assert "聊城" not in english.replace('lang="zh-Hans">中文', "")


def test_a_request_in_english_leaves_the_thread_in_the_default_language(client):
    choose(client, "en")
    client.get("/sitemap/")
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_the_shared_catalogues_agree_with_every_other_catalogue():
    """Django merges the catalogues into one: the site's wins, then the apps' in INSTALLED_APPS order
    (core, registry, …, inspections before most). A msgid translated differently in two catalogues
    shows one English everywhere, so another app's choice would silently not appear: the catalogues
    most pages share (the site's, core, registry, inspections, stats) use the English of the others
    for the same msgid, or a context."""
    english: dict = {}
    for catalogue in catalogues():
        for msgid, text in po_catalog(read_po(catalogue / "django.po")).items():
            if msgid:
                english.setdefault(msgid, {})[catalogue.parents[2].name] = text  # "gongkai": the site
    shared = {"gongkai", "core", "registry", "inspections", "stats"}
    differing = {
        msgid: found
        for msgid, found in english.items()
        if len(set(found.values())) > 1 and shared & set(found)
    }
    # Model field labels only staff see, which the other apps translate differently among themselves
    # (for their owners to align; the shared catalogues' English is the one shown).
    for msgid in ("类别", "说明", "记录时间", "依据", "操作人", "排序"):
        differing.pop(msgid, None)
    assert not differing, differing
