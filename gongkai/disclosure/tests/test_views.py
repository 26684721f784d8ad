"""Public pages of 政务公开 and the staff workflow pages."""

import pytest
from django.urls import reverse

from gongkai.conftest import make_user
from gongkai.core import roles
from gongkai.disclosure.models import Document, Guide

pytestmark = pytest.mark.django_db


def test_public_pages_render_the_demo_content(client, demo_content):
    for name in [
        "public-catalogue",
        "public-disclosure-guide",
        "public-documents",
        "public-interpretations",
        "public-guides",
        "public-forms",
    ]:
        assert client.get(reverse(name)).status_code == 200, name
    guide = Guide.objects.get(name="食品经营许可（新办）")
    page = client.get(reverse("public-guide", args=[guide.pk])).content.decode()
    for element in [
        "事项名称",
        "设定依据",
        "办理条件",
        "材料清单",
        "办理流程",
        "办理时限",
        "收费标准",
        "办理地点和时间",
        "咨询电话",
        "相关政策",
        "表格下载",
    ]:
        assert element in page
    catalogue = client.get(reverse("public-catalogue")).content.decode()
    assert "政策文件" in catalogue and "食品安全" in catalogue


def test_document_list_query_count_is_constant(client, demo_content, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        client.get(reverse("public-documents"))
    doc = Document.objects.filter(state="published").first()
    with django_assert_max_num_queries(10):
        client.get(reverse("public-document", args=[doc.pk]))


def test_staff_write_submit_and_another_reviewer_publishes(client):
    author = make_user("a1", roles.DISCLOSURE_REVIEWER)
    reviewer = make_user("r1", roles.DISCLOSURE_REVIEWER)
    client.force_login(author)
    response = client.post(
        reverse("staff-disclosure-document-new"),
        {
            "title": "测试通知",
            "issuer": "聊城市市场监督管理局",
            "written_on": "2026-04-01",
            "topic": "other",
            "body_html": "正文",
        },
    )
    doc = Document.objects.get(title="测试通知")
    assert response.status_code == 302
    client.post(reverse("staff-disclosure-document-submit", args=[doc.pk]))
    response = client.post(reverse("staff-disclosure-document-publish", args=[doc.pk]), follow=True)
    assert "审核人不能发布自己提交的内容" in response.content.decode()
    client.force_login(reviewer)
    client.post(reverse("staff-disclosure-document-publish", args=[doc.pk]))
    doc.refresh_from_db()
    assert doc.state == "published"
    overview = client.get(reverse("staff-disclosure")).content.decode()
    assert "缺少解读的已发布文件" in overview and "测试通知" in overview


def test_staff_upload_refuses_a_disguised_file(client, demo_content):
    reviewer = make_user("r2", roles.DISCLOSURE_REVIEWER)
    client.force_login(reviewer)
    doc = Document.objects.filter(state="published").first()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("notice.pdf", b"MZ\x90\x00evil", content_type="application/pdf")
    response = client.post(
        reverse("staff-disclosure-document-attach", args=[doc.pk]),
        {"kind": "attachment", "file": upload},
        follow=True,
    )
    assert "内容与扩展名" in response.content.decode()


def test_a_registry_clerk_cannot_publish(client, demo_content):
    clerk = make_user("clerk", roles.REGISTRY_ADMIN)
    client.force_login(clerk)
    assert client.get(reverse("staff-disclosure")).status_code == 403
