"""The public pages of 政务公开 in English (ADR 0060): everything but the content is English when the
visitor chose English, the content is marked Chinese, and the Chinese pages are unchanged."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from gongkai.disclosure import demo, services
from gongkai.disclosure.choices import AttachmentKind, InterpretationKind, Validity
from gongkai.disclosure.models import Document, Guide, Interpretation
from gongkai.portal.tests.i18n import choose
from gongkai.portal.tests.i18n import untranslated as _untranslated

pytestmark = pytest.mark.django_db

ZH = ' lang="zh-Hans"'


@pytest.fixture
def content(db):
    """The demo content plus every state the pages show: attachments, corrections, a withdrawn and an
    expired document, a repealed one replaced by another, a press conference with a video, a
    withdrawn guide and one with an online address."""
    demo.load()
    food = Document.objects.get(doc_number="聊市监发〔2026〕3号")
    services.attachment_add(
        actor="demo", owner=food, name="a.pdf", data=demo.pdf_bytes("a"), title="附件一：检查表"
    )
    services.item_correct(
        actor="demo", item=food, data={"valid_from": dt.date(2026, 3, 1)}, note="补充生效日期"
    )
    price = Document.objects.get(doc_number="聊市监价函〔2026〕2号")
    services.item_withdraw(actor="demo", item=price, notice="该函已由新的告知书代替")
    services.document_set_validity(
        actor="demo",
        document=Document.objects.get(doc_number="聊市监发〔2026〕8号"),
        validity=Validity.EXPIRED,
        changed_on=dt.date(2026, 6, 30),
    )
    press = Interpretation.objects.get(kind=InterpretationKind.PRESS)
    video = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40
    services.attachment_add(
        actor="demo", owner=press, name="v.mp4", data=video, title="发布会视频", kind=AttachmentKind.VIDEO
    )
    services.attachment_add(
        actor="demo", owner=press, name="s.pdf", data=demo.pdf_bytes("s"), title="发布会材料"
    )
    services.item_correct(actor="demo", item=press, data={}, note="更正发布人职务")
    food_guide = Guide.objects.get(name="食品经营许可（新办）")
    services.item_correct(
        actor="demo",
        item=food_guide,
        data={"online_url": "https://zwfw.example.cn/food"},
        note="增加网上办理地址",
    )
    services.item_withdraw(
        actor="demo", item=Guide.objects.exclude(pk=food_guide.pk).get(), notice="事项已合并到新的事项"
    )


def public_pages() -> dict[str, tuple[str, list[str]]]:
    """Every public page of the app: its URL and the content its <title> and description may show."""
    pages: dict[str, tuple[str, list[str]]] = {
        "catalogue": (reverse("public-catalogue"), []),
        "disclosure guide": (reverse("public-disclosure-guide"), []),
        "documents": (reverse("public-documents"), []),
        "documents filtered": (reverse("public-documents") + "?topic=special&validity=repealed", []),
        "interpretations": (reverse("public-interpretations"), []),
        "interpretations filtered": (reverse("public-interpretations") + "?kind=graphic", []),
        "guides": (reverse("public-guides"), []),
        "forms": (reverse("public-forms"), []),
    }
    for d in Document.objects.filter(state__in=["published", "withdrawn"]):
        pages[f"document {d.doc_number}"] = (
            reverse("public-document", args=[d.pk]),
            [d.title, d.issuer, d.doc_number],
        )
    for i in Interpretation.objects.all():
        pages[f"interpretation {i.kind}"] = (reverse("public-interpretation", args=[i.pk]), [i.title])
    for g in Guide.objects.all():
        pages[f"guide {g.state}"] = (reverse("public-guide", args=[g.pk]), [g.name])
    return pages


def untranslated(html: str, content: list[str]) -> list[str]:
    """As ``i18n.untranslated``, also leaving out the title of the page's feed (the open data module's)."""
    return _untranslated(html, content, skip=("link[title]=",))


def test_every_public_page_is_english_but_its_content(client, content):
    choose(client, "en")
    pages = public_pages()
    assert len(pages) == 19  # 8 lists and overviews, 6 documents, 3 interpretations, 2 guides
    for name, (url, content_parts) in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html = response.content.decode()
        assert '<html lang="en"' in html and '<main id="main" class="wrap" tabindex="-1">' in html, name
        assert untranslated(html, content_parts) == [], name


def test_the_chinese_pages_are_unchanged(client, content):
    for name, (url, _content) in public_pages().items():
        html = client.get(url).content.decode()
        assert '<html lang="zh-Hans"' in html and ZH not in html.partition("<main")[2], name
    doc = Document.objects.get(doc_number="聊市监发〔2026〕3号")
    html = client.get(reverse("public-document", args=[doc.pk])).content.decode()
    assert "<dt>成文日期</dt><dd>2026年2月10日</dd>" in html
    assert "<dt>有效性</dt><dd><strong>有效</strong>；生效日期 2026年3月1日</dd>" in html
    assert "<h2>附件</h2>" in html and "（PDF，" in html and "返回政策文件列表" in html
    old = Document.objects.get(doc_number="聊市监规〔2019〕2号")
    html = client.get(reverse("public-document", args=[old.pk])).content.decode()
    assert "<strong>废止</strong>（2025年9月3日起）" in html
    assert re.search(
        r"本文件已废止，现行文件为<a href=\"/policies/\d+/\">《聊城市电梯安全监督管理实施细则》</a>。", html
    )
    html = client.get(
        reverse("public-document", args=[Document.objects.get(state="withdrawn").pk])
    ).content.decode()
    assert re.search(r"<strong>撤回说明（\d{4}年\d+月\d+日）：</strong>", html)
    html = client.get(reverse("public-disclosure-guide")).content.decode()
    assert "<h1>聊城市市场监督管理局政府信息公开指南</h1>" in html
    assert '<li><a href="/services/">办事指南</a>：已公开 1 条</li>' in html
    html = client.get(reverse("public-interpretations")).content.decode()
    assert ">全部</a>" in html and "解读：<a href=" in html and ">新闻发布会</span>" in html
    html = client.get(reverse("public-interpretation", args=[Interpretation.objects.get(kind="press").pk]))
    assert (
        "您的浏览器不能播放视频" in html.content.decode() and "<h2>发布会实录</h2>" in html.content.decode()
    )


def test_the_english_document_page(client, content):
    choose(client, "en")
    doc = Document.objects.get(doc_number="聊市监发〔2026〕3号")
    html = client.get(reverse("public-document", args=[doc.pk])).content.decode()
    assert f"<h1{ZH}>{doc.title}</h1>" in html
    assert "<dt>Index number</dt>" in html and f"<dt>Issued by</dt><dd{ZH}>聊城市市场监督管理局</dd>" in html
    assert "<dt>Date signed</dt><dd>10 February 2026</dd>" in html
    assert "<dt>Validity</dt><dd><strong>In force</strong>; effective from 1 March 2026</dd>" in html
    assert "<h2>Attachments</h2>" in html and f"{ZH}>附件一：检查表</a> (PDF, 196\xa0bytes)</li>" in html
    assert '<span class="badge">Infographic</span>' in html and "Back to policy documents" in html
    assert f"</time>: <span{ZH}>补充生效日期</span>" in html
    assert (
        f'<meta name="description" content="{doc.title} (聊市监发〔2026〕3号), issued by 聊城市市场监督管理局">'
        in html
    )

    old = Document.objects.get(doc_number="聊市监规〔2019〕2号")
    html = client.get(reverse("public-document", args=[old.pk])).content.decode()
    assert "<strong>Repealed</strong> (since 3 September 2025)" in html
    assert re.search(
        rf'This document has been repealed and replaced by <a href="/policies/\d+/"{ZH}>聊城市电梯安全监督管理实施细则</a>\.',
        html,
    )
    expired = Document.objects.get(doc_number="聊市监发〔2026〕8号")
    html = client.get(reverse("public-document", args=[expired.pk])).content.decode()
    assert (
        "<strong>Expired</strong> (since 30 June 2026)" in html
        and "This document is no longer in force." in html
    )
    assert "There are no explanations of this document yet." in html
    html = client.get(
        reverse("public-document", args=[Document.objects.get(state="withdrawn").pk])
    ).content.decode()
    assert re.search(
        rf"<strong>Notice of withdrawal \(\d+ \w+ \d{{4}}\): </strong><span{ZH}>该函已由新的告知书代替</span>",
        html,
    )


def test_the_english_lists_and_their_filters(client, content):
    choose(client, "en")
    html = client.get(reverse("public-documents") + "?topic=special&validity=repealed").content.decode()
    assert '<label for="f-topic">Topic</label>' in html and '<label for="f-validity">Validity</label>' in html
    assert '<option value="special" selected>Special equipment</option>' in html
    assert (
        '<option value="repealed" selected>Repealed</option>' in html
        and '<button type="submit">Filter</button>' in html
    )
    assert f"<span{ZH}>聊市监规〔2019〕2号</span>" in html and " · Repealed</span>" in html
    # Bad input is ignored, in English: no filter chosen, every document listed.
    html = client.get(
        reverse("public-documents") + "?topic=无此分类&validity=x&year=abc&page=zz"
    ).content.decode()
    assert " selected" not in html and html.count('<li>\n<a href="/policies/') == 6
    assert untranslated(html, []) == []
    assert (
        '<span class="badge">Explanation available</span>' in html
        and '<span class="badge">Withdrawn</span>' in html
    )
    html = client.get(reverse("public-documents") + "?topic=advertising").content.decode()
    assert "<li>No policy documents found.</li>" in html

    html = client.get(reverse("public-interpretations") + "?kind=press").content.decode()
    assert (
        '<nav aria-label="Type of explanation">' in html
        and '<a href="?kind=press" aria-current="page">Press conference</a>' in html
    )
    assert re.search(rf'Explains <a href="/policies/\d+/"{ZH}>聊城市经营主体“一照多址”登记管理办法</a>', html)

    html = client.get(reverse("public-guides")).content.decode()
    assert f" · Time limit: <span{ZH}>即时办结</span>" in html and ">Forms</a></p>" in html
    html = client.get(reverse("public-forms")).content.decode()
    assert '<th scope="col">Form</th><th scope="col">Service</th><th scope="col">Format</th>' in html
    assert "<td>PDF, 222\xa0bytes</td>" in html


def test_the_english_guide_interpretation_catalogue_and_disclosure_guide(client, content):
    choose(client, "en")
    guide = Guide.objects.get(name="食品经营许可（新办）")
    html = client.get(reverse("public-guide", args=[guide.pk])).content.decode()
    for label in [
        "Service",
        "Responsible authority",
        "Legal basis",
        "Requirements",
        "Documents you need",
        "Steps",
    ]:
        assert f"<dt>{label}</dt><dd{ZH}>" in html, label
    for label in ["Time limit", "Fees", "Where and when", "Phone for enquiries"]:
        assert f"<dt>{label}</dt><dd{ZH}>" in html, label
    assert (
        "<dt>Apply online</dt>" in html and "<h2>Forms</h2>" in html and "<h2>Related policies</h2>" in html
    )
    assert (
        "<title>食品经营许可（新办）: service guide - Liaocheng Administration for Market Regulation</title>"
        in html
    )
    withdrawn = Guide.objects.get(state="withdrawn")
    html = client.get(reverse("public-guide", args=[withdrawn.pk])).content.decode()
    assert f"<strong>Notice of withdrawal: </strong><span{ZH}>事项已合并到新的事项</span>" in html

    graphic = Interpretation.objects.get(kind="graphic")
    html = client.get(reverse("public-interpretation", args=[graphic.pk])).content.decode()
    assert f'<figure{ZH}><img src="/files/' in html and "<h2>Text version of the infographic</h2>" in html
    press = Interpretation.objects.get(kind="press")
    html = client.get(reverse("public-interpretation", args=[press.pk])).content.decode()
    assert "<dt>Date of the press conference</dt><dd>26 February 2026</dd>" in html
    assert (
        "Your browser cannot play this video." in html
        and "<h2>Transcript of the press conference</h2>" in html
    )

    html = client.get(reverse("public-catalogue")).content.decode()
    assert (
        "<h1>Disclosure catalogue</h1>" in html
        and '<a href="/services/">Service guides</a></td><td>1</td>' in html
    )
    assert '<a href="/policies/?topic=special">Special equipment</a></td><td>2</td>' in html
    html = client.get(reverse("public-disclosure-guide")).content.decode()
    assert (
        "<h1>Liaocheng Administration for Market Regulation: guide to government information disclosure</h1>"
        in html
    )
    assert '<li><a href="/services/">Service guides</a>: 1 item published</li>' in html
    assert '<li><a href="/policies/">Policy documents</a>: 5 items published</li>' in html
    assert "3. Complaints and appeals" in html


@override_settings(DEBUG=False)
def test_a_missing_document_is_the_english_not_found_page(client, content):
    choose(client, "en")
    for name in ["public-document", "public-interpretation", "public-guide", "public-file"]:
        response = client.get(reverse(name, args=[999999]))
        assert response.status_code == 404 and "Sorry, the page you were looking for does not exist" in (
            response.content.decode()
        ), name


def test_labels_and_validation_messages_from_python_are_translated():
    from gongkai.disclosure import selectors
    from gongkai.search.registry import document_type

    with translation.override("en"):
        assert str(Document._meta.get_field("doc_number").verbose_name) == "Document number"
        assert [str(label) for _, label in Validity.choices] == ["In force", "Expired", "Repealed"]
        assert str(document_type("guide").label) == "Service guides"
        assert [str(r["label"]) for r in selectors.catalogue()] == [
            "Policy documents",
            "Policy explanations",
            "Service guides",
        ]
        with pytest.raises(ValidationError) as raised:
            Interpretation(kind=InterpretationKind.GRAPHIC, body_html="短").clean()
        assert raised.value.message_dict == {
            "image_alt": ["Enter a short text alternative for the infographic's image."],
            "body_html": [
                "An infographic needs a text version that says the same as the image (at least 20 characters), "
                "for screen readers and the site search."
            ],
        }
    with (
        translation.override("zh-hans"),
        pytest.raises(ValidationError, match="图解必须填写图片的简短替代文字"),
    ):
        Interpretation(kind=InterpretationKind.GRAPHIC, body_html="短").clean()


def test_the_public_note_of_a_validity_change_is_stored_in_chinese_whatever_the_language(content):
    doc = Document.objects.get(doc_number="聊市监规〔2025〕4号")
    with translation.override("en"):
        services.document_set_validity(
            actor="demo", document=doc, validity=Validity.EXPIRED, changed_on=dt.date(2026, 5, 1)
        )
    assert doc.change_notes.get().note == "本文件自2026年05月01日起失效"
