"""Nothing private reaches the files or the feeds: for every dataset and every feed, private data
created next to public data (risk class, contact data, drafts, unredacted penalty text, penalties not
published, complainants' identities, unpublished results and findings) is absent, and the public
data is present (so the check is not vacuous)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gongkai.opendata import datasets, feeds, services
from gongkai.opendata.tests import conftest as c
from gongkai.opendata.tests.helpers import all_text

pytestmark = pytest.mark.django_db

# Never in any file or feed, whatever the dataset.
EVERYWHERE = [
    c.CONTACT_NAME,
    c.CONTACT_PHONE,
    c.OWNER,
    c.SENDER_NAME,
    c.SENDER_PHONE,
    c.DRAFT_TITLE,
    c.FINDINGS,
    "13011868112",  # the phone number in the unredacted penalty text
    "320106199012012869",  # an ID number (penalty text, a natural person's party ID)
    "钱红梅",  # a third party's name marked for redaction
    "信用风险",
    "credit_risk",
]


def test_no_dataset_file_holds_private_data(settings, world):
    services.open_data_export()
    folder = settings.GONGKAI_OPENDATA_DIR / timezone.localdate().isoformat()
    for slug in datasets.DATASETS:
        text = all_text(folder, slug)
        for value in [*EVERYWHERE, *world.private.get(slug, [])]:
            assert value not in text, f"{slug}: private value {value!r} in the files"
        for value in world.public.get(slug, []):
            assert value in text, f"{slug}: public value {value!r} missing from the files"
    # The dictionaries, checksums and manifest name no private field either.
    for path in folder.glob("*.json"):
        body = path.read_text(encoding="utf-8")
        assert "contact" not in body and "risk" not in body


def test_the_risk_class_is_in_no_file_even_as_a_code(settings, world):
    services.open_data_export(datasets=["entities"])
    folder = settings.GONGKAI_OPENDATA_DIR / timezone.localdate().isoformat()
    from gongkai.opendata.tests.helpers import jsonl_rows

    company = world.objects["company"]
    row = next(r for r in jsonl_rows(folder / "entities.jsonl") if r["credit_code"] == company.credit_code)
    assert "D" not in {str(v) for v in row.values()}
    assert c.RISK_CLASS_DATE.isoformat() not in str(row)


FEEDS = [
    ("/penalties/feed", "penalties"),
    ("/policies/feed", "policy-documents"),
    ("/interpretations/feed", "interpretations"),
    ("/services/feed", "guides"),
    ("/inspections/feed?tab=items", "inspection-items"),
    ("/inspections/feed?tab=plans", "inspection-plans"),
    ("/inspections/feed", "inspection-tasks"),
    ("/inspections/feed?tab=results", "inspection-results"),
    ("/interaction/messages/feed", "messages"),
    ("/benefits/feed", "support-policies"),
]


def test_every_column_has_a_feed_here():
    names = {feeds.list_ref(url.split("feed")[0]).source.url_name for url, _ in FEEDS}
    assert names | {"public-search"} == set(feeds.SOURCES)


def test_no_feed_holds_private_data(client, world):
    for url, slug in FEEDS:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/atom+xml"), url
        body = response.content.decode()
        for value in [*EVERYWHERE, *world.private.get(slug, [])]:
            if slug == "entities":
                continue
            assert value not in body, f"{url}: private value {value!r} in the feed"
        for value in world.public.get(slug, []):
            if slug == "inspection-tasks":
                continue  # tasks are listed by name; the public id is in the link
            assert value in body, f"{url}: public value {value!r} missing from the feed"


def test_search_feed_holds_no_private_data(client, world):
    for q in ("消防通道", "集体聚餐", "销售超过保质期", c.DRAFT_TITLE[:6], c.SENDER_NAME, c.CONTACT_PHONE):
        body = client.get("/search/feed", {"q": q}).content.decode()
        body = "".join(body.split("<entry>")[1:])  # the entries (the title repeats the query)
        for value in EVERYWHERE:
            assert value not in body, f"search {q!r}: private value {value!r} in the feed"
    body = client.get("/search/feed", {"q": "集体聚餐"}).content.decode()
    assert "关于加强农村集体聚餐食品安全指导的通知" in body
