import datetime as dt

import pytest

from gongkai.registry.tests.factories import make_entity


@pytest.mark.django_db
def test_home_shows_public_counts_and_nothing_internal(client):
    make_entity(credit_risk_class="D", credit_risk_date=dt.date(2025, 1, 1))
    page = client.get("/").content.decode()
    assert "企业" in page and "1" in page
    assert "D类" not in page and "信用风险" not in page
    assert 'lang="zh-Hans"' in page and "跳到正文" in page
