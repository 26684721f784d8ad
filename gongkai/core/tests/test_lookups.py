"""``__any``: the same rows as ``__in``, with one array parameter on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongkai.registry.models import Entity
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db


def test_any_finds_the_same_rows_as_in_for_text_and_integer_columns():
    entities = [make_entity() for _ in range(5)]
    codes = [e.credit_code for e in entities[:3]] + ["91371500XXXXXXXXXX"]
    assert set(Entity.objects.filter(credit_code__any=codes).values_list("credit_code", flat=True)) == set(
        codes[:3]
    )
    from gongkai.registry.models import Address

    addresses = list(Address.objects.filter(entity_id__in=codes[:2]).values_list("id", flat=True))
    assert addresses
    assert sorted(Address.objects.filter(id__any=addresses).values_list("id", flat=True)) == sorted(addresses)
    assert sorted(Address.objects.filter(entity_id__any=codes[:2]).values_list("id", flat=True)) == sorted(
        addresses
    )


def test_an_empty_list_matches_nothing_without_a_query():
    make_entity()
    with CaptureQueriesContext(connection) as ctx:
        assert list(Entity.objects.filter(credit_code__any=[])) == []
    assert len(ctx.captured_queries) == 0


def test_a_long_list_is_one_parameter_typed_like_the_column_on_postgresql():
    from gongkai.registry.models import Address

    codes = [f"9137150000000{n:05d}" for n in range(5000)]
    with CaptureQueriesContext(connection) as ctx:
        list(Entity.objects.filter(credit_code__any=codes))
        # small ints would travel as int2[], which PostgreSQL cannot hash against a bigint column
        list(Address.objects.filter(id__any=list(range(1, 5001))))
    text_sql, int_sql = (q["sql"] for q in ctx.captured_queries)
    if connection.vendor == "postgresql":
        assert "= ANY(" in text_sql and " IN (" not in text_sql and "::varchar(18)[])" in text_sql
        assert "::bigint[])" in int_sql
    else:
        assert " IN (" in text_sql and " IN (" in int_sql


@pytest.mark.parametrize("bad", ["91371500", 5, [1.5], [None], [True]])
def test_anything_but_a_list_of_plain_ints_or_strings_is_refused(bad):
    with pytest.raises(TypeError, match="__any"):
        Entity.objects.filter(credit_code__any=bad)


AWKWARD = ['a"b', "c\\d", "{e}", "f,g", " h ", "NULL", "", "聊城 东昌府", "'quote'", "x\ty"]


def test_any_matches_awkward_strings_exactly():
    from gongkai.registry.models import District

    names = list(District.objects.values_list("name", flat=True)[:1]) + AWKWARD
    found = list(District.objects.filter(name__any=names).values_list("name", flat=True))
    assert found == names[:1]


def test_array_literal_round_trips_through_postgresql():
    from decimal import Decimal

    from gongkai.core.lookups import array_literal

    if connection.vendor != "postgresql":
        assert array_literal([1, 2, 3]) == "{1,2,3}"
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [array_literal(AWKWARD)])
        assert cursor.fetchone()[0] == AWKWARD
        cursor.execute("SELECT %s::bigint[]", [array_literal([1, -2, 3_000_000_000])])
        assert cursor.fetchone()[0] == [1, -2, 3_000_000_000]
        values = [Decimal("1.50"), None, 7, Decimal("-0.01")]
        cursor.execute("SELECT %s::numeric(14, 2)[]", [array_literal(values)])
        assert cursor.fetchone()[0] == [Decimal("1.50"), None, Decimal("7.00"), Decimal("-0.01")]


def test_array_literal_refuses_other_types():
    from gongkai.core.lookups import array_literal

    with pytest.raises(TypeError, match="array_literal"):
        array_literal([1, 1.5])
    with pytest.raises(TypeError, match="array_literal"):
        array_literal(["a", True])
