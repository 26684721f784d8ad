"""Every staff URL needs a staff login; roles grant exactly their modules."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver

from gongkai.conftest import make_user
from gongkai.core import roles

STAFF_ARGS = {"code": "91350100M000100Y43"}


def _staff_urls():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p.name

    for route, name in walk(get_resolver().url_patterns):
        if route.startswith("staff/") and name not in {"staff-login", "staff-logout"}:
            route = route.replace("<str:code>", STAFF_ARGS["code"])
            yield "/" + re.sub(r"<int:\w+>", "1", re.sub(r"<str:\w+>", "x", route))


@pytest.mark.django_db
@pytest.mark.parametrize("url", sorted(set(_staff_urls())))
def test_every_staff_url_redirects_anonymous_users_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("url", sorted(set(_staff_urls())))
def test_every_staff_url_refuses_a_logged_in_non_staff_user(client, url, django_user_model):
    user = django_user_model.objects.create_user("citizen", password="correct-horse-battery")
    client.force_login(user)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_roles_exist_with_their_permissions():
    roles.sync_roles()
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)
    registry_admin = Group.objects.get(name=roles.REGISTRY_ADMIN)
    codes = set(registry_admin.permissions.values_list("codename", flat=True))
    assert {"view_entity", "change_entity", "view_credit_risk", "import_entity", "view_officer"} <= codes
    handler = Group.objects.get(name=roles.MESSAGE_HANDLER)
    assert not handler.permissions.filter(codename="view_credit_risk").exists()


def _codes(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


@pytest.mark.django_db
def test_the_four_eyes_roles_keep_approval_apart_from_preparation():
    roles.sync_roles()
    officer, reviewer = _codes(roles.POLICY_OFFICER), _codes(roles.POLICY_REVIEWER)
    assert {
        "policies.add_policy",
        "policies.change_policy",
        "policies.run_matching",
        "policies.pay_case",
    } <= officer
    assert "policies.approve_policyversion" not in officer
    assert "policies.approve_policyversion" in reviewer and "policies.change_policy" not in reviewer

    handler, head = _codes(roles.MESSAGE_HANDLER), _codes(roles.OPEN_GOV_HEAD)
    assert {"interaction.handle_message", "interaction.handle_inforequest"} <= handler
    assert (
        "interaction.approve_extension" not in handler and "interaction.publish_annualreport" not in handler
    )
    assert {"interaction.approve_extension", "interaction.publish_annualreport"} <= head

    case = _codes(roles.CASE_OFFICER)
    assert {"penalties.add_decision", "penalties.change_decision", "penalties.import_decision"} <= case
    assert not case & {
        "penalties.approve_decision",
        "penalties.publish_decision",
        "penalties.review_redaction",
    }
    assert "registry.view_credit_risk" not in case


@pytest.mark.django_db
def test_a_message_handler_cannot_open_the_register(client):
    client.force_login(make_user("handler", roles.MESSAGE_HANDLER))
    assert client.get("/staff/entities/").status_code == 403
    assert client.get("/staff/").status_code == 200


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client, settings):
    make_user("clerk", roles.REGISTRY_ADMIN)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/staff/login/", {"username": "clerk", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    response = client.post(
        "/staff/login/", {"username": "clerk", "password": "correct-horse-battery"}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429
    assert "暂时锁定" in response.content.decode()


@pytest.mark.django_db
def test_successful_login_reaches_the_dashboard(client):
    make_user("clerk2", roles.REGISTRY_ADMIN)
    response = client.post(
        "/staff/login/", {"username": "clerk2", "password": "correct-horse-battery"}, follow=True
    )
    assert response.status_code == 200
    assert "工作台" in response.content.decode()
