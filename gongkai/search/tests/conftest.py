import pytest


@pytest.fixture
def reviewer(db):
    from gongkai.conftest import make_user
    from gongkai.core import roles

    return make_user("reviewer", roles.DISCLOSURE_REVIEWER)
