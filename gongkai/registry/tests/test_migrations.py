"""``registry/0005``: one 住所 per licence through a check on its position instead of a partial
unique index, both ways, and a stored address that breaks the check stops the migration."""

from __future__ import annotations

import pytest
from django.db import DatabaseError

from gongkai.core.tests.schema import migrate, refused
from gongkai.registry.tests.factories import make_entity

BEFORE = [("registry", "0004_entity_district_code_index")]
LATEST = [("registry", "0005_domicile_first_without_an_index")]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_0005_keeps_one_domicile_per_entity_both_ways():
    entity = make_entity()
    bare = make_entity()

    def address(apps, owner, kind, position):
        Address = apps.get_model("registry", "Address")
        district = owner.district_id
        return lambda: Address.objects.create(
            entity_id=owner.pk,
            kind=kind,
            position=position,
            district_id=district,
            full_text="x",
            normalised="x",
        )

    try:
        from django.apps import apps as latest

        latest.get_model("registry", "Address").objects.filter(entity_id=bare.pk).delete()
        assert refused(address(latest, entity, "domicile", 5))  # a second 住所
        assert refused(address(latest, bare, "premises", 0))  # a 经营场所 in the 住所's place
        assert not refused(address(latest, entity, "premises", 5))  # the control

        old = migrate(BEFORE)
        assert refused(address(old, entity, "domicile", 5))  # the partial unique index
        assert not refused(address(old, entity, "premises", 5))
        # A 经营场所 at position 0 was allowed then: stored, it stops the way forward, which
        # changes nothing.
        address(old, bare, "premises", 0)()
        with pytest.raises(DatabaseError):
            migrate(LATEST)
        old.get_model("registry", "Address").objects.filter(entity_id=bare.pk).delete()
        assert refused(address(old, entity, "domicile", 5))  # still 0004's index
    finally:
        latest_apps = migrate(LATEST)
    assert refused(address(latest_apps, entity, "domicile", 5))
