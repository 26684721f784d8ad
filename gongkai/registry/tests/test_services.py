import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from gongkai.core import audit
from gongkai.core.models import AuditEvent
from gongkai.core.parameters import parameter_set
from gongkai.core.tests.schema import index_names
from gongkai.registry import selectors, services
from gongkai.registry.choices import EntityStatus
from gongkai.registry.models import Address, Entity, StatusChange
from gongkai.registry.tests.factories import AddressRecord, make_entity, record

pytestmark = pytest.mark.django_db


def test_create_writes_entity_addresses_status_history_and_one_audit_event():
    rec = record(premises=[AddressRecord("371581", "山东省聊城市临清市新华路街道永青路12号")])
    result = services.entities_upsert(actor="test", records=[rec])
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    entity = Entity.objects.get(pk=rec.credit_code)
    assert [a.kind for a in entity.addresses.all()] == ["domicile", "premises"]
    assert entity.addresses.get(kind="premises").town == "新华路街道"
    assert StatusChange.objects.filter(entity=entity, to_status="active").count() == 1
    event = AuditEvent.objects.get(object_id=rec.credit_code)
    assert event.action == "registry.entity.create" and event.after["name"] == rec.name
    assert audit.verify_chain().ok


def test_upserting_the_same_record_again_changes_nothing():
    rec = record()
    services.entities_upsert(actor="test", records=[rec])
    events = AuditEvent.objects.count()
    result = services.entities_upsert(actor="test", records=[record(**{**rec.__dict__, "premises": []})])
    assert result.unchanged == 1 and result.updated == 0
    assert AuditEvent.objects.count() == events


def test_update_records_only_the_changed_fields():
    rec = record()
    services.entities_upsert(actor="test", records=[rec])
    changed = record(**{**rec.__dict__, "name": "聊城市新名称有限公司", "premises": []})
    result = services.entities_upsert(actor="test", records=[changed])
    assert result.updated == 1
    event = AuditEvent.objects.filter(object_id=rec.credit_code).last()
    assert event.action == "registry.entity.update"
    assert event.before == {"name": rec.name} and event.after == {"name": "聊城市新名称有限公司"}


def test_status_change_via_upsert_keeps_history():
    rec = record()
    services.entities_upsert(actor="test", records=[rec])
    cancelled = record(
        **{
            **rec.__dict__,
            "status": EntityStatus.CANCELLED,
            "status_since": dt.date(2025, 3, 1),
            "premises": [],
        }
    )
    services.entities_upsert(actor="test", records=[cancelled])
    history = list(
        StatusChange.objects.filter(entity_id=rec.credit_code).values_list("to_status", "effective_on")
    )
    assert history == [("active", dt.date(2020, 5, 1)), ("cancelled", dt.date(2025, 3, 1))]
    entity = Entity.objects.get(pk=rec.credit_code)
    assert selectors.status_on(entity, dt.date(2025, 2, 28)) == "active"
    assert selectors.status_on(entity, dt.date(2025, 3, 1)) == "cancelled"


def test_status_change_service_refuses_a_date_before_the_last_change():
    entity = make_entity()
    with pytest.raises(ValidationError, match="不能早于"):
        services.entity_status_change(
            actor="test", entity=entity, status="revoked", effective_on=dt.date(2019, 1, 1)
        )
    assert Entity.objects.get(pk=entity.pk).status == "active"


def test_entity_is_found_by_the_district_of_any_address():
    entity = make_entity(premises=[AddressRecord("371526", "山东省聊城市高唐县鱼丘湖街道人和路5号")])
    assert entity in selectors.entity_list(districts=["371526"])
    assert entity in selectors.entity_list(districts=["371502"])
    assert entity not in selectors.entity_list(districts=["371522"])


def test_premises_in_another_district_are_refused_when_scope_is_district():
    parameter_set(
        actor="test",
        key="registry.multi_address_scope",
        value="district",
        valid_from=dt.date(2000, 1, 1),
        source="测试",
    )
    problems = services.record_checker().check(
        record(premises=[AddressRecord("371526", "山东省聊城市高唐县鱼丘湖街道人和路5号")])
    )
    assert [p.field for p in problems] == ["其他经营场所"]
    assert "同一县区" in problems[0].message


def test_cluster_registration_marks_the_address_and_counts_shared_addresses():
    host = make_entity(
        name="聊城市安信商务秘书有限公司",
        is_cluster_host=True,
        domicile="山东省聊城市东昌府区新区街道东昌路100号",
    )
    hosted = [
        make_entity(cluster_host_code=host.pk, domicile="山东省聊城市东昌府区新区街道东昌路100号")
        for _ in range(3)
    ]
    assert all(h.addresses.get(kind="domicile").full_text.endswith("（集群注册）") for h in hosted)
    assert host.hosted_entities.count() == 3
    assert selectors.shared_address_count(hosted[0]) == 4
    top = selectors.entities_per_address().first()
    assert top["entities"] == 4


def test_checker_refuses_unknown_host_and_bad_industry_pair():
    checker = services.record_checker()
    problems = checker.check(record(cluster_host_code="91350100M000100Y43", industry_section="A"))
    fields = {p.field for p in problems}
    assert fields == {"托管机构", "行业门类"}


def test_database_refuses_a_risk_class_without_date():
    entity = make_entity()
    entity.credit_risk_class = "C"
    with pytest.raises(ValidationError):
        entity.full_clean()


def test_address_rows_are_replaced_when_addresses_change():
    rec = record(premises=[AddressRecord("371581", "山东省聊城市临清市新华路街道永青路12号")])
    services.entities_upsert(actor="test", records=[rec])
    moved = record(
        **{**rec.__dict__, "premises": [AddressRecord("371522", "山东省聊城市莘县燕塔街道东顺路1号")]}
    )
    services.entities_upsert(actor="test", records=[moved])
    assert list(Address.objects.filter(entity_id=rec.credit_code).values_list("district_id", flat=True)) == [
        "371502",
        "371522",
    ]


def test_a_few_upserted_entities_are_indexed_at_once():
    from gongkai.search.models import SearchDocument, StaleDocument

    rec = record()
    services.entities_upsert(actor="test", records=[rec])
    assert SearchDocument.objects.filter(doc_type="entity", doc_id=rec.credit_code).exists()
    assert not StaleDocument.objects.exists()


def test_many_upserted_entities_are_marked_for_the_index_and_refreshed_later(settings):
    from gongkai.search import services as search
    from gongkai.search.models import SearchDocument, StaleDocument

    recs = [record() for _ in range(search.STALE_SYNC_LIMIT + 1)]
    services.entities_upsert(actor="test", records=recs)
    assert StaleDocument.objects.count() == len(recs)
    assert not SearchDocument.objects.filter(doc_type="entity").exists()
    assert search.index_process_stale(batch=100) == len(recs)
    assert SearchDocument.objects.filter(doc_type="entity").count() == len(recs)
    assert not StaleDocument.objects.exists()
    # Unchanged on a second upsert: nothing marked.
    services.entities_upsert(actor="test", records=recs)
    assert not StaleDocument.objects.exists()


def test_record_field_order_matches_the_bulk_writer():
    assert tuple(record().entity_values()) == services.ENTITY_FIELDS


def _schema():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'registry_%%' ORDER BY 1"
        )
        indexes = cursor.fetchall()
        # The register's own constraints, and the foreign keys of other tables that point at it.
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid::regclass::text LIKE 'registry_%%'"
            " OR confrelid::regclass::text LIKE 'registry_%%' ORDER BY 1, 2"
        )
        return indexes, cursor.fetchall()


def test_a_first_large_load_rebuilds_indexes_and_keys_and_still_checks_them():
    from django.db import IntegrityError, connection, transaction

    postgresql = connection.vendor == "postgresql"
    before = _schema() if postgresql else None
    recs = [record() for _ in range(5)]
    result = services.entities_upsert(actor="test", records=recs, batch_size=2)
    assert result.created == 5 and Address.objects.count() == 5
    assert audit.verify_chain().ok
    if postgresql:
        assert _schema() == before
    # A failing first load (a credit code twice: the primary key, rebuilt at the end, refuses it)
    # rolls the schema back too.
    Entity.objects.all().delete()
    code = record().credit_code
    twice = [record(), record(credit_code=code), record(), record(credit_code=code)]
    with pytest.raises(IntegrityError), transaction.atomic():
        services.entities_upsert(actor="test", records=twice, batch_size=4)
    assert not Entity.objects.exists()
    if postgresql:
        assert _schema() == before


def test_a_first_large_load_keeps_the_indexes_whose_entries_arrive_in_order():
    from django.db import connection, transaction

    def names():
        return index_names(services._TABLES)

    before = names()
    with transaction.atomic():
        writer = services.EntityWriter(actor="test", note="", batch_size=3)
        assert writer.claim_if_empty()
        writer.write(writer.encoder.encode([record() for _ in range(3)], {}))
        during = names()
        writer.finish()
        after = names()
    if connection.vendor == "postgresql":
        # Sequence keys, and few distinct keys in heap order: cheaper kept than rebuilt.
        assert during == [
            "entity_cluster_host_idx",
            "entity_status_district_idx",
            "registry_address_pkey",
            "registry_statuschange_pkey",
        ]
    else:  # SQLite keeps every index
        assert during == before
    assert after == before and Entity.objects.count() == 3
