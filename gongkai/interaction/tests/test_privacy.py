"""Senders' and applicants' identities never reach a public page (only their own tracking page,
and there the contact is masked)."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from gongkai.inspectors.models import Department
from gongkai.interaction import annual, services
from gongkai.interaction.tests import factories as f

pytestmark = pytest.mark.django_db

NAME, PHONE, EMAIL, ID = "司马青衫", "13755556666", "sima.qingshan@example.com", "371502198803030012"
HREF = re.compile(r'href="(/(?:interaction|stats)/[^"#]*)"')


def test_no_public_page_shows_a_senders_or_applicants_identity(client):
    m = services.message_submit(
        address="10.8.8.8",
        category="complaint",
        subject="商场消防通道被占用",
        body="商场消防通道被占用，请处理。",
        contact=PHONE,
        name=NAME,
        consent_publish=True,
    )
    services.message_route(actor="t", message=m, department=Department.objects.get(pk="SCJG"))
    m = services.message_reply(actor="t", message=m, text=f"{NAME}您好，已责令整改。联系电话{PHONE}。")
    texts = services.suggested_public_texts(m)
    services.message_publish(actor="t", message=m, **texts)
    r = f.info_request(
        received_on=dt.date(2025, 3, 3),
        applicant_name=NAME,
        phone=PHONE,
        email=EMAIL,
        id_document=f"居民身份证 {ID}",
    )
    services.request_answer(
        actor="t", request=r, on=dt.date(2025, 3, 10), outcome="disclosed", summary="已提供。"
    )
    report = annual.report_save(actor="t", year=2025, values={"overview": "总体情况", "problems": "问题"})
    annual.report_publish(actor="t", report=report)

    pages = {
        "/",
        reverse("public-messages"),
        reverse("public-message", args=[m.pk]),
        reverse("public-foi"),
        reverse("public-satisfaction"),
        reverse("public-stats"),
        reverse("public-annual-reports"),
        reverse("public-annual-report", args=[2025]),
        reverse("public-foi-new"),
        reverse("public-message-new"),
    }
    seen = set()
    while pages:
        url = pages.pop()
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        if "csv" in url or "docx" in url or "pdf" in url:
            body = (
                response.content.decode("utf-8-sig", errors="replace") if hasattr(response, "content") else ""
            )
        else:
            body = response.content.decode()
            pages |= {h.replace("&amp;", "&") for h in HREF.findall(body)} - seen
        for secret in (NAME, PHONE, EMAIL, ID):
            assert secret not in body, (url, secret)
    assert len(seen) >= 15
    # The site search indexes the published Q&A from its public texts only.
    from gongkai.search import selectors as search

    found = search.site_search(q="消防通道")
    assert found.total == 1
    results = client.get(reverse("public-search"), {"q": "消防通道"}).content.decode()
    assert reverse("public-message", args=[m.pk]) in results
    for secret in (NAME, PHONE):
        assert secret not in results
    services.message_unpublish(actor="t", message=m, reason="留言人要求撤下")
    assert search.site_search(q="消防通道").total == 0
    # The sender's own page: the reply they were sent, their contact masked.
    own = client.get(reverse("public-message-track", args=[m.tracking_code])).content.decode()
    assert PHONE not in own.replace(m.reply, "") and "137****66" in own
    assert NAME not in own.replace(m.reply, "")
