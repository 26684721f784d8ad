import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from gongkai.core.bulk import copy_rows, copy_text
from gongkai.core.models import AuditEvent
from gongkai.core.tests.schema import index_names
from gongkai.registry.choices import EntityStatus


def test_copy_text_joins_plain_cells():
    rows = [("a", 1, None, True, dt.date(2025, 1, 2), Decimal("1.5000"), EntityStatus.ACTIVE)]
    assert copy_text(rows) == b"a\t1\t\\N\tt\t2025-01-02\t1.5000\tactive\n"


def test_copy_text_escapes_every_cell_when_one_needs_it():
    rows = [("x\ty", "a\\b", None), ("line\nbreak", "cr\r", "\\N")]
    assert copy_text(rows) == b"x\\ty\ta\\\\b\t\\N\nline\\nbreak\tcr\\r\t\\\\N\n"


@pytest.mark.django_db
def test_copy_rows_round_trips_awkward_text():
    awkward = 'tab\there, new\nline, back\\slash, "quote", \\N, 中文'
    with transaction.atomic():
        copy_rows(
            AuditEvent,
            [
                "seq",
                "at",
                "actor_name",
                "action",
                "object_type",
                "object_id",
                "object_repr",
                "note",
                "prev_hash",
                "hash",
            ],
            [(10**9, "2025-01-01 00:00:00", "a", "x", "t", "1", "", awkward, "0" * 64, "f" * 64)],
        )
    assert AuditEvent.objects.get(seq=10**9).note == awkward


REGISTER_TABLES = ["registry_entity", "registry_address", "registry_statuschange"]


@pytest.mark.django_db
def test_secondary_indexes_leave_the_kept_ones_and_put_the_others_back():
    from django.db import connection

    from gongkai.core.bulk import SecondaryIndexes

    before = index_names(REGISTER_TABLES)
    kept = ["registry_address_pkey", "entity_status_district_idx"]
    with transaction.atomic():
        indexes = SecondaryIndexes(REGISTER_TABLES, keys=True, keep=kept)
        indexes.drop()
        if connection.vendor == "postgresql":
            assert index_names(REGISTER_TABLES) == sorted(kept)
        else:  # elsewhere both steps do nothing
            assert index_names(REGISTER_TABLES) == before
        indexes.restore()
        assert index_names(REGISTER_TABLES) == before
