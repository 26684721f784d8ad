"""The demo city: deterministic, valid, realistic in its mixes, and loadable (audited or in bulk)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password
from django.core.management import CommandError, call_command
from django.db.models import F

from gongkai.core import audit, roles
from gongkai.core.models import AuditEvent
from gongkai.inspectors.models import Conflict, Officer
from gongkai.registry import addresses, creditcode, demo
from gongkai.registry.models import Address, Entity, StatusChange
from gongkai.registry.services import record_checker

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def sample() -> list:
    """20,000 records of seed 7: enough for the shares to settle, generated once (no database)."""
    return list(demo.DemoCity(seed=7, entities=20_000, as_of=AS_OF).entity_records())


def share(records, predicate) -> float:
    return sum(1 for r in records if predicate(r)) / len(records)


# --- determinism -----------------------------------------------------------------------------------


def test_same_seed_gives_the_same_records_and_a_longer_run_extends_a_shorter_one():
    first = list(demo.DemoCity(seed=11, entities=12_000, as_of=AS_OF).entity_records())
    again = list(demo.DemoCity(seed=11, entities=12_000, as_of=AS_OF).entity_records())
    shorter = list(demo.DemoCity(seed=11, entities=3_000, as_of=AS_OF).entity_records())
    assert first == again
    assert shorter == first[:3_000]


def test_a_different_seed_gives_a_different_city():
    a = list(demo.DemoCity(seed=1, entities=500, as_of=AS_OF).entity_records())
    b = list(demo.DemoCity(seed=2, entities=500, as_of=AS_OF).entity_records())
    assert not {r.credit_code for r in a} & {r.credit_code for r in b}
    assert [r.name for r in a] != [r.name for r in b]


def test_officers_and_conflicts_are_deterministic():
    city = demo.DemoCity(seed=3, entities=1_000, as_of=AS_OF)
    assert city.officers() == demo.DemoCity(seed=3, entities=1_000, as_of=AS_OF).officers()
    assert city.conflict_indices() == demo.DemoCity(seed=3, entities=1_000, as_of=AS_OF).conflict_indices()


# --- validity ------------------------------------------------------------------------------------


def test_every_credit_code_is_valid_unique_and_matches_the_entity(sample):
    codes = [r.credit_code for r in sample]
    assert len(set(codes)) == len(codes)
    type_chars = {
        "enterprise": "1",
        "branch": "1",
        "individual": "2",
        "cooperative": "3",
        "cooperative_branch": "3",
    }
    for r in sample:
        assert creditcode.is_valid(r.credit_code), r.credit_code
        assert r.credit_code[0] == "9" and r.credit_code[1] == type_chars[r.entity_type]
        assert r.credit_code[2:8] in {r.district_code, demo.CITY_CODE}
        body = r.credit_code[8:17]
        assert demo.org_code_check(body[:8]) == body[8], "主体标识码 carries a GB 11714 check character"
        assert body.startswith("MA") == (r.established_on >= demo.REFORM_DATE)


@pytest.mark.django_db
def test_every_record_passes_the_record_checker(sample):
    city = demo.DemoCity(seed=7, entities=20_000, as_of=AS_OF)
    checker = record_checker(extra_host_codes=city.host_codes)
    failures = [(r.credit_code, checker.check(r)) for r in sample[:8_000]]
    assert [f for f in failures if f[1]] == []


def test_dates_are_consistent_and_never_after_the_day_of_the_city(sample):
    for r in sample:
        assert r.established_on < AS_OF
        assert r.established_on <= r.status_since < AS_OF
        assert r.credit_risk_date is not None and r.established_on <= r.credit_risk_date < AS_OF
        if r.status == "active":
            assert r.status_since == r.established_on


def test_addresses_have_the_structured_form(sample):
    districts = {d.code: d for d in demo.DISTRICTS}
    for r in sample[:3_000]:
        for district, text in [(r.district_code, r.domicile)] + [
            (p.district_code, p.full_text) for p in r.premises
        ]:
            assert text.startswith("山东省聊城市" + districts[district].in_address)
            parts = addresses.split(text)
            assert parts.town and parts.village and parts.street and parts.number, text


# --- realistic mixes -------------------------------------------------------------------------------


def test_entity_types_are_mostly_individual_businesses_then_enterprises(sample):
    types = Counter(r.entity_type for r in sample)
    assert abs(types["individual"] / len(sample) - 0.65) < 0.02
    assert abs((types["enterprise"] + types["branch"]) / len(sample) - 0.30) < 0.02
    assert types["cooperative"] > 0.02 * len(sample) and types["branch"] > 0.01 * len(sample)
    assert types["cooperative_branch"] > 0


def test_statuses_are_mostly_active_with_some_closed(sample):
    statuses = Counter(r.status for r in sample)
    assert 0.83 < statuses["active"] / len(sample) < 0.89
    assert statuses["cancelled"] > statuses["revoked"] > statuses["moved_out"] > 0
    assert statuses["suspended"] > 0


def test_risk_classes_are_about_30_55_12_3_percent(sample):
    classes = Counter(r.credit_risk_class for r in sample)
    for cls, expected in {"A": 0.30, "B": 0.55, "C": 0.12, "D": 0.03}.items():
        assert abs(classes[cls] / len(sample) - expected) < 0.015, cls


def test_industries_are_weighted_towards_trade_catering_and_services(sample):
    sections = Counter(r.industry_section for r in sample)
    assert sections.most_common(1)[0][0] == "F"
    assert share(sample, lambda r: r.industry_section == "F") > 0.35
    assert sections["H"] > sections["C"] * 0.8 and sections["O"] > 0.05 * len(sample)
    assert len(sections) >= 12
    coops = [r for r in sample if r.entity_type == "cooperative"]
    assert all(r.industry_section in {"A", "C"} for r in coops)


def test_registered_capital_depends_on_the_type(sample):
    assert all(r.registered_capital is None for r in sample if r.entity_type == "branch")
    individual = [r.registered_capital for r in sample if r.entity_type == "individual"]
    enterprise = [r.registered_capital for r in sample if r.entity_type == "enterprise"]
    assert max(individual) <= 50 < max(enterprise)
    assert all(r.registered_capital >= 1000 for r in sample if r.name.endswith("股份有限公司"))


def test_some_licences_list_further_premises_some_in_other_districts(sample):
    multi = [r for r in sample if r.premises]
    assert 0.02 < len(multi) / len(sample) < 0.045
    assert any(p.district_code != r.district_code for r in multi for p in r.premises)
    assert any(p.district_code == r.district_code for r in multi for p in r.premises)


def test_cluster_hosts_each_host_many_entities_at_their_address(sample):
    hosts = {r.credit_code: r for r in sample if r.is_cluster_host}
    assert len(hosts) == demo.HOST_COUNT
    hosted = [r for r in sample if r.cluster_host_code]
    assert 0.01 < len(hosted) / len(sample) < 0.035
    per_host = Counter(r.cluster_host_code for r in hosted)
    assert set(per_host) == set(hosts) and min(per_host.values()) >= 3
    for r in hosted:
        host = hosts[r.cluster_host_code]
        assert r.domicile == host.domicile + "（集群注册）" and r.district_code == host.district_code


def test_names_follow_the_patterns_of_each_type(sample):
    places = tuple({d.in_name for d in demo.DISTRICTS} | {"聊城市" + d.in_name for d in demo.DISTRICTS})
    for r in sample[:5_000]:
        if r.entity_type == "enterprise":
            assert r.name.endswith(("有限公司", "有限责任公司", "股份有限公司", "经营部")), r.name
        elif r.entity_type == "individual":
            assert r.name.startswith(places), r.name
        elif r.entity_type == "cooperative":
            assert r.name.endswith("专业合作社"), r.name
        elif r.entity_type == "cooperative_branch":
            assert r.name.endswith("分社"), r.name
        else:
            assert r.name.endswith(("分公司", "店")), r.name
        assert 2 <= len(r.legal_representative) <= 3


def test_officers_span_departments_units_and_certificate_states():
    officers = demo.DemoCity(seed=5, entities=100, as_of=AS_OF).officers()
    assert 250 <= len(officers) <= 350
    assert len({o.code for o in officers}) == len(officers)
    certs = [o.certificate_no for o in officers if o.certificate_no]
    assert len(set(certs)) == len(certs)
    departments = Counter(o.department_code for o in officers)
    assert departments["SCJG"] > 0.6 * len(officers) and len(departments) >= 5
    assert len({o.unit for o in officers}) > 40
    auxiliary = [o for o in officers if not o.is_law_enforcement]
    assert auxiliary and all(not o.certificate_no and o.certificate_expires is None for o in auxiliary)
    enforcing = [o for o in officers if o.is_law_enforcement]
    assert any(o.certificate_expires < AS_OF for o in enforcing)
    assert any(AS_OF <= o.certificate_expires <= AS_OF + dt.timedelta(days=30) for o in enforcing)
    catalogue = {code for code, _, _ in demo.INSPECTION_ITEMS}
    assert all(set(o.qualified_items) <= catalogue for o in officers)
    assert all(o.qualified_items for o in enforcing)


# --- loading ---------------------------------------------------------------------------------------


def load(entities=2_000, **options) -> str:
    out = io.StringIO()
    call_command("load_demo", entities=entities, seed=5, as_of=AS_OF, stdout=out, **options)
    return out.getvalue()


def fast_hash(password: str) -> str:
    """A valid PBKDF2 hash with few iterations: the tests are about who sees a password, not hashing."""
    return PBKDF2PasswordHasher().encode(password, "test-salt-1234", iterations=1000)


def logins() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("demo_logins", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_load_demo_builds_a_complete_small_city():
    message = load()
    assert "2000 个市场主体" in message
    assert Entity.objects.count() == 2_000
    hosts = Entity.objects.filter(is_cluster_host=True)
    assert hosts.count() == demo.HOST_COUNT
    assert Entity.objects.filter(cluster_host__isnull=False).count() > 20
    premises = Address.objects.filter(kind="premises")
    assert premises.filter(district_id=F("entity__district_id")).exists()
    assert premises.exclude(district_id=F("entity__district_id")).exists()
    closed = Entity.objects.exclude(status="active").first()
    assert closed is not None
    assert list(StatusChange.objects.filter(entity=closed).values_list("from_status", "to_status")) == [
        ("", "active"),
        ("active", closed.status),
    ]
    assert [e.action for e in audit.history(closed)] == ["registry.entity.create", "registry.entity.update"]
    assert Officer.objects.values("department").distinct().count() >= 5
    assert Officer.objects.filter(is_law_enforcement=False).exists()
    assert Conflict.objects.count() >= 10
    assert audit.verify_chain().ok


@pytest.mark.django_db
def test_load_demo_creates_one_account_per_role_and_demo_logins_prints_them():
    load(entities=300)
    users = get_user_model().objects.filter(username__in=[a[0] for a in demo.DEMO_ACCOUNTS])
    assert sorted(g for u in users for g in u.groups.values_list("name", flat=True)) == sorted(roles.ROLES)
    assert all(u.is_staff and check_password(demo.DEMO_PASSWORD, u.password) for u in users)
    out, _ = logins()
    assert "/staff/login/" in out or "login" in out
    for username, role, *_ in demo.DEMO_ACCOUNTS:
        assert username in out and role in out
    assert demo.DEMO_PASSWORD in out


@pytest.mark.django_db
def test_demo_logins_prints_nothing_on_a_database_that_is_not_a_demo():
    get_user_model().objects.create(
        username="demo-admin", password=fast_hash(demo.DEMO_PASSWORD), is_staff=True
    )
    out, err = logins()
    assert out == ""
    assert demo.DEMO_PASSWORD not in err


@pytest.mark.django_db
def test_demo_logins_hides_an_account_whose_password_was_changed():
    load(entities=100)
    user = get_user_model().objects.get(username="demo-admin")
    user.password = fast_hash("a-new-secret-password-123")
    user.save()
    out, _ = logins()
    assert "demo-admin" not in out and "demo-registry" in out


@pytest.mark.django_db
def test_load_demo_refuses_a_register_with_entities_and_if_empty_skips_it():
    load(entities=100)
    with pytest.raises(CommandError, match="空的名录库"):
        load(entities=100)
    assert "跳过" in load(entities=100, if_empty=True)
    assert Entity.objects.count() == 100


@pytest.mark.django_db
def test_bulk_load_writes_the_same_rows_as_the_audited_load():
    def rows():
        return (
            sorted(
                Entity.objects.values_list(
                    *[f.attname for f in Entity._meta.concrete_fields if f.name != "updated_at"]
                )
            ),
            sorted(
                Address.objects.values_list(
                    "entity_id",
                    "kind",
                    "position",
                    "district_id",
                    "full_text",
                    "town",
                    "village",
                    "street",
                    "number",
                    "normalised",
                )
            ),
            sorted(StatusChange.objects.values_list("entity_id", "from_status", "to_status", "effective_on")),
            sorted(Officer.objects.values_list("code", "certificate_no", "qualified_items")),
            sorted(Conflict.objects.values_list("officer_id", "entity_id", "reason")),
        )

    demo.demo_city_load(entities=1_500, seed=9, as_of=AS_OF)
    audited = rows()
    Conflict.objects.all().delete()
    Officer.objects.all().delete()
    Entity.objects.filter(cluster_host__isnull=False).delete()
    Entity.objects.all().delete()
    get_user_model().objects.filter(username__in=[a[0] for a in demo.DEMO_ACCOUNTS]).delete()

    result = demo.demo_city_load(entities=1_500, seed=9, as_of=AS_OF, bulk=True)
    assert result.entities == 1_500 and result.hosts == demo.HOST_COUNT
    assert rows() == audited
    bulk_events = AuditEvent.objects.filter(action="registry.entity.bulk_create")
    assert [e.object_id for e in bulk_events] == ["demo:9:0-1499"]
    assert audit.verify_chain().ok


def test_bulk_copy_text_escapes_only_when_a_cell_needs_it():
    plain = demo._BulkWriter._copy_text([("a", None, True, 3, dt.date(2025, 1, 2), Decimal("1.5"))])
    assert plain == b"a\t\\N\tt\t3\t2025-01-02\t1.5\n"
    tricky = demo._BulkWriter._copy_text([("tab\there", "back\\slash", "line\nbreak", False)])
    assert tricky == b"tab\\there\tback\\\\slash\tline\\nbreak\tf\n"


def test_the_output_of_a_seed_is_pinned():
    """Fixed-seed snapshot: if this changes on purpose, bump demo.GENERATOR_VERSION and the digests."""
    city = demo.DemoCity(seed=2025, entities=2_000, as_of=AS_OF)
    entities = [audit.canonical(r.snapshot()) for r in city.entity_records()]
    officers = [audit.canonical(audit.jsonable(dataclasses.asdict(o))) for o in city.officers()]
    assert hashlib.sha256(b"\n".join(entities)).hexdigest() == ENTITIES_DIGEST
    assert hashlib.sha256(b"\n".join(officers)).hexdigest() == OFFICERS_DIGEST


ENTITIES_DIGEST = "560c05064e49f0fd9af33a99f5e86d5826b216daa10728c7788285a85611d42e"
OFFICERS_DIGEST = "7f3259907489ce6826f2ab4d07ac1532317cce4cdc8a387abd83cb9f9e506ba9"
