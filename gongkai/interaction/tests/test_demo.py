"""The demo: a year of cases through the services, and a consistent, published annual report."""

import datetime as dt

import pytest

from gongkai.interaction import annual, demo
from gongkai.interaction.models import AnnualReport, InfoRequest, Message

pytestmark = pytest.mark.django_db


def test_the_demo_loads_cases_and_publishes_last_years_consistent_report():
    result = demo.demo_interaction_load(today=dt.date(2026, 6, 15), messages=40, requests=24)
    assert result.messages == Message.objects.count() > 30
    assert result.requests == InfoRequest.objects.count() > 15
    assert result.reports == [2025]
    report = AnnualReport.objects.get(year=2025)
    assert report.state == "published" and report.docx
    assert annual.consistency_problems(report) == []
    assert Message.objects.filter(published_at__isnull=False).exists()
    assert InfoRequest.objects.filter(state="answered").exists()
