import pytest

from gongkai.conftest import make_user
from gongkai.core import roles


@pytest.fixture
def author(db):
    return make_user("author", roles.DISCLOSURE_REVIEWER)


@pytest.fixture
def reviewer(db):
    return make_user("reviewer2", roles.DISCLOSURE_REVIEWER)


@pytest.fixture
def demo_content(db):
    from gongkai.disclosure import demo

    demo.load()
