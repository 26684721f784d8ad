import pytest


@pytest.fixture
def demo_content(db):
    from gongkai.disclosure import demo

    demo.load()
