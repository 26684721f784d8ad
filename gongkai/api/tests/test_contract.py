"""Contract tests: schemathesis generates requests from the OpenAPI document and calls the WSGI app.

No generated request may cause a 5xx, and every response must match the document (status code,
content type, headers, body schema). The examples are few per operation so the suite stays quick;
the data is a small published chain so the detail endpoints have something to find.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance


@pytest.fixture
def api_schema(settings):
    # Loaded in a fixture: the test host names are allowed only once the test environment is set up.
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    # As Django's test client does: a request must not close the test's database connection (it
    # would, on PostgreSQL, through the WSGI handler's request_finished signal).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def published_data(db):
    from gongkai.penalties.tests import factories as pf

    pf.published()


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_every_operation_honours_its_contract(case, published_data):
    # A cursor is opaque and signed: a schema-valid random string is rightly refused with a 400
    # (test_http checks that answer), so "valid data must be accepted" cannot hold for it.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
