import datetime as dt

import pytest

from gongkai.conftest import make_user
from gongkai.core import roles
from gongkai.registry.models import Entity
from gongkai.registry.tests.factories import AddressRecord, make_entity

pytestmark = pytest.mark.django_db


def test_registry_admin_sees_risk_class_and_history(client):
    entity = make_entity(credit_risk_class="D", credit_risk_date=dt.date(2025, 1, 1))
    client.force_login(make_user("admin1", roles.REGISTRY_ADMIN))
    page = client.get(f"/staff/entities/{entity.pk}/").content.decode()
    assert "D类" in page and "registry.entity.create" in page


def test_staff_without_risk_permission_never_see_the_class(client):
    from django.contrib.auth.models import Permission

    entity = make_entity(credit_risk_class="D", credit_risk_date=dt.date(2025, 1, 1))
    user = make_user("viewer", roles.INSPECTOR)
    user.user_permissions.add(Permission.objects.get(codename="view_entity"))
    client.force_login(user)
    page = client.get(f"/staff/entities/{entity.pk}/").content.decode()
    assert entity.name in page
    assert "D类" not in page and "信用风险" not in page


def test_district_limited_staff_see_only_their_districts(client):
    inside = make_entity(name="东昌府内主体")
    outside = make_entity(
        name="高唐县主体", district_code="371526", domicile="山东省聊城市高唐县鱼丘湖街道人和路5号"
    )
    both = make_entity(
        name="跨区主体",
        district_code="371526",
        domicile="山东省聊城市高唐县人和路6号",
        premises=[AddressRecord("371502", "山东省聊城市东昌府区柳园街道柳园路1号")],
    )
    client.force_login(make_user("local", roles.REGISTRY_ADMIN, districts=["371502"]))
    listing = client.get("/staff/entities/").content.decode()
    assert inside.name in listing and both.name in listing and outside.name not in listing
    assert client.get(f"/staff/entities/{outside.pk}/").status_code == 403
    assert client.get("/staff/entities/?district=371526").status_code == 403


def test_search_by_name_or_code(client):
    entity = make_entity(name="聊城市宏远物流有限公司")
    make_entity(name="聊城市别的公司")
    client.force_login(make_user("admin2", roles.REGISTRY_ADMIN))
    assert "宏远物流" in client.get("/staff/entities/?q=宏远").content.decode()
    page = client.get(f"/staff/entities/?q={entity.pk.lower()}").content.decode()
    assert "宏远物流" in page and "别的公司" not in page


def test_status_change_form_records_and_rejects(client):
    entity = make_entity()
    client.force_login(make_user("admin3", roles.REGISTRY_ADMIN))
    bad = client.post(
        f"/staff/entities/{entity.pk}/status/",
        {"status": "cancelled", "effective_on": "2019-01-01"},
        follow=True,
    )
    assert "不能早于" in bad.content.decode()
    assert Entity.objects.get(pk=entity.pk).status == "active"
    client.post(f"/staff/entities/{entity.pk}/status/", {"status": "cancelled", "effective_on": "2025-06-30"})
    assert Entity.objects.get(pk=entity.pk).status == "cancelled"


def test_unknown_code_is_a_404(client):
    client.force_login(make_user("admin4", roles.REGISTRY_ADMIN))
    assert client.get("/staff/entities/91350100M000100Y43/").status_code == 404


def test_entity_list_query_count_does_not_grow_with_rows(client, django_assert_max_num_queries):
    for i in range(12):
        make_entity(name=f"批量主体{i}")
    client.force_login(make_user("admin5", roles.REGISTRY_ADMIN))
    with django_assert_max_num_queries(12):
        client.get("/staff/entities/")
