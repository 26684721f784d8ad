"""Fixtures shared by every app's tests."""

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from gongkai.core import roles

# Property tests check behaviour, not speed: on a shared 2-core machine an example can take longer
# than Hypothesis' default 200 ms deadline, which would fail a correct test at random.
hypothesis_settings.register_profile("gongkai", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("gongkai")


def pytest_collection_modifyitems(items):
    """Every transactional test must also ask for ``serialized_rollback``.

    A transactional test ends with a flush; without ``serialized_rollback`` that flush re-sends
    ``post_migrate``, whose handlers (roles, content types) re-create rows with new keys, and the
    next serialized-rollback test then fails to restore the migrations' reference data (districts,
    departments…) on a unique-name conflict. Refusing the combination here keeps that order bug out.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None:
            continue
        if marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(
                f"{item.nodeid}: django_db(transaction=True) needs serialized_rollback=True "
                "(see gongkai/conftest.py)"
            )


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def staff_user(db):
    """A staff member with every role, for views that only need an authorised user."""
    from django.contrib.auth.models import Group

    roles.sync_roles()
    user = get_user_model().objects.create_user("staff", password="correct-horse-battery", is_staff=True)
    user.groups.set(Group.objects.filter(name__in=roles.ROLES))
    return user


def make_user(username: str, *role_names: str, districts=()):
    from django.contrib.auth.models import Group

    from gongkai.core.models import StaffProfile

    roles.sync_roles()
    user = get_user_model().objects.create_user(username, password="correct-horse-battery", is_staff=True)
    user.groups.set(Group.objects.filter(name__in=role_names))
    if districts:
        profile = StaffProfile.objects.create(user=user, display_name=username)
        profile.districts.set(districts)
    return user
