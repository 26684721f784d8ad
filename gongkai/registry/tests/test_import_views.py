"""The staff import/export pages: permissions, upload checks, results and downloads."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path

from gongkai.conftest import make_user
from gongkai.core import roles
from gongkai.core.models import AuditEvent
from gongkai.inspectors.columns import OFFICER_HEADERS
from gongkai.inspectors.models import Officer
from gongkai.registry.models import Entity
from gongkai.registry.tests.factories import make_entity
from gongkai.registry.tests.importfiles import entity_row, officer_row, write_csv, write_xlsx
from gongkai.urls import urlpatterns as project_urls

# Until the project's urls.py includes the pages, this module mounts them where they will live.
urlpatterns = [path("staff/imports/", include("gongkai.registry.import_urls")), *project_urls]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin(client):
    user = make_user("registrar", roles.REGISTRY_ADMIN)
    client.force_login(user)
    return user


def upload(client, name, data, register="entities"):
    return client.post(f"/staff/imports/{register}/", {"file": SimpleUploadedFile(name, data)})


def test_anonymous_users_are_sent_to_login(client):
    for url in ("/staff/imports/", "/staff/imports/entities/", "/staff/imports/entities/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


def test_staff_without_the_import_permission_are_refused(client):
    client.force_login(make_user("planner", roles.PLANNER))
    assert client.get("/staff/imports/").status_code == 403
    assert client.get("/staff/imports/entities/").status_code == 403
    assert client.get("/staff/imports/inspectors/export.xlsx").status_code == 403
    response = upload(client, "主体.csv", b"x")
    assert response.status_code == 403
    assert Entity.objects.count() == 0


def test_permission_for_one_register_does_not_open_the_other(client):
    user = make_user("half", roles.INSPECTOR)
    user.user_permissions.add(Permission.objects.get(codename="import_entity"))
    client.force_login(user)
    assert client.get("/staff/imports/entities/").status_code == 200
    assert client.get("/staff/imports/inspectors/").status_code == 403
    page = client.get("/staff/imports/").content.decode()
    assert "市场主体名录库" in page and "执法检查人员名录库" not in page


def test_upload_shows_the_summary_and_serves_report_and_refused_rows(client, admin, tmp_path):
    data = write_csv(
        tmp_path / "u.csv", [entity_row(), entity_row(**{"成立日期": "2020-02-30"})]
    ).read_bytes()
    response = upload(client, "四月主体.csv", data)
    assert response.status_code == 302
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "四月主体.csv" in text and "有 1 行未导入" in text
    report_url, rejected_url = page.context["report_url"], page.context["rejected_url"]
    report = client.get(report_url)
    assert report.status_code == 200 and "2020年没有2月30日" in b"".join(report.streaming_content).decode(
        "utf-8-sig"
    )
    refused = client.get(rejected_url)
    assert "attachment" in refused["Content-Disposition"]
    assert Entity.objects.count() == 1
    assert AuditEvent.objects.get().actor_id == admin.pk
    # The run is listed on the page, and its files are closed to staff who may not import.
    assert "四月主体.csv" in client.get("/staff/imports/entities/").content.decode()
    client.force_login(make_user("planner", roles.PLANNER))
    assert client.get(report_url).status_code == 403


def test_xlsx_upload_imports_officers(client, admin, tmp_path):
    data = write_xlsx(tmp_path / "o.xlsx", [officer_row()], OFFICER_HEADERS).read_bytes()
    response = upload(client, "人员.xlsx", data, register="inspectors")
    assert response.status_code == 302
    assert Officer.objects.count() == 1
    assert "全部数据行已导入" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("假.xlsx", b"plain text, not a workbook", "内容不是Excel工作簿"),
        ("表.csv", b"PK\x03\x04" + b"\x00" * 100, "内容是Excel工作簿"),
        ("坏.xlsx", b"PK\x03\x04" + b"\x00" * 100, "已损坏或不完整"),
        ("图片.png", b"\x89PNG\r\n", "只能导入.xlsx或.csv文件"),
        ("空.csv", b"", "所提交的是空文件"),
        ("缺列.csv", "名称,住所\n某公司,某地\n".encode(), "缺少必需的列"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_changes(
    client, admin, name, data, words, settings
):
    response = upload(client, name, data)
    assert response.status_code == 200
    assert words in response.content.decode()
    assert Entity.objects.count() == 0 and AuditEvent.objects.count() == 0
    imports = settings.MEDIA_ROOT / "imports" / "entities"
    assert not imports.exists() or not any(imports.iterdir())


def test_a_file_over_the_size_limit_is_refused(client, admin, settings, tmp_path):
    settings.GONGKAI_IMPORT_MAX_BYTES = 1024 * 1024
    response = upload(client, "大.csv", b"a" * (1024 * 1024 + 1))
    assert "文件过大" in response.content.decode()


def test_district_limited_staff_cannot_import_and_export_only_their_districts(client):
    inside = make_entity()
    outside = make_entity(district_code="371526", domicile="山东省聊城市高唐县人和路5号")
    client.force_login(make_user("local", roles.REGISTRY_ADMIN, districts=["371502"]))
    assert client.get("/staff/imports/entities/").status_code == 403
    body = b"".join(client.get("/staff/imports/entities/export.csv").streaming_content).decode("utf-8-sig")
    assert inside.pk in body and outside.pk not in body


def test_exports_for_staff_with_and_without_the_risk_permission(client, admin):
    make_entity(credit_risk_class="D", credit_risk_date=dt.date(2025, 1, 1))
    csv_body = b"".join(client.get("/staff/imports/entities/export.csv").streaming_content).decode(
        "utf-8-sig"
    )
    assert "信用风险分类" in csv_body.splitlines()[0]
    xlsx = client.get("/staff/imports/entities/export.xlsx")
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content).startswith(b"PK")
    viewer = make_user("exporter", roles.INSPECTOR)
    viewer.user_permissions.add(Permission.objects.get(codename="export_entity"))
    client.force_login(viewer)
    body = b"".join(client.get("/staff/imports/entities/export.csv").streaming_content).decode("utf-8-sig")
    assert "信用风险分类" not in body and "D" not in body.splitlines()[1].split(",")


def test_unknown_runs_are_not_found(client, admin):
    assert client.get("/staff/imports/entities/runs/20250101-000000-deadbeef/").status_code == 404
    assert client.get("/staff/imports/entities/runs/..%2F..%2Fsecret/report/").status_code == 404
