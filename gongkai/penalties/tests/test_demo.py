"""The penalties demo: every state, real personal data found and hidden, nothing private in public."""

from __future__ import annotations

import contextlib
import io
import json
import re
import unicodedata
from collections import Counter
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.urls import NoReverseMatch, reverse

from gongkai.core import audit
from gongkai.core.models import AuditEvent
from gongkai.penalties import redaction, selectors
from gongkai.penalties.choices import PartyKind, Procedure, State
from gongkai.penalties.models import Decision
from gongkai.registry import demo as city

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_city():
    city.demo_city_load(entities=300, seed=11)


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("load_penalty_demo", *args, stdout=out)
    return out.getvalue()


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _body(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode("utf-8")


def test_the_demo_has_every_state_and_nothing_private_is_public(client, demo_city):
    output = _run()
    assert "已载入行政处罚决定" in output and "已公示" in output and "demo-reviewer" in output

    decisions = list(Decision.objects.all())
    states = Counter(d.state for d in decisions)
    assert 25 <= len(decisions) <= 35
    assert states[State.PUBLISHED] >= 15
    assert states[State.WITHDRAWN] == states[State.ENDED_BY_REPAIR] == states[State.EXPIRED] == 1
    assert states[State.SUBMITTED] >= 2 and states[State.APPROVED] >= 1
    assert sum(d.party_kind == PartyKind.PERSON for d in decisions) == 2
    assert all(re.fullmatch(r"聊市监处罚〔20\d\d〕\d+号", d.number) for d in decisions)
    assert len({d.number for d in decisions}) == len(decisions)

    # Never published, with the reason staff see: 简易程序 and warning only.
    never = [d for d in decisions if selectors.publication_refusals(d)]
    kinds = {r.code for d in never for r in selectors.publication_refusals(d)}
    assert {"simple_procedure", "warning_only"} <= kinds
    assert all(d.state == State.DRAFT for d in never)
    assert any(d.procedure == Procedure.SIMPLE for d in never)

    # The staff dashboard has due and overdue items; the published ones were published on time or late.
    due = selectors.awaiting_publication()
    assert any(deadline.overdue for _, deadline, _ in due)
    assert any(deadline.due_soon for _, deadline, _ in due)
    assert any(not deadline.overdue and not deadline.due_soon for _, deadline, _ in due)

    # Personal data: valid ID numbers in every text, found by the detector, gone from the public text.
    secrets: list[str] = []
    for d in decisions:
        found = redaction.detect(d.full_text, today=d.decision_date)
        ids = [f.value for f in found if f.kind is redaction.Kind.ID_NUMBER]
        assert ids and all(redaction.is_valid_id(i, today=d.decision_date) for i in ids), d.number
        assert any(f.kind in (redaction.Kind.MOBILE, redaction.Kind.LANDLINE) for f in found), d.number
        secrets += ids + [d.full_text[f.start : f.end] for f in found if f.kind is redaction.Kind.MOBILE]
        secrets += [m["text"] for m in d.review_marks]
        if d.party_id_number:
            secrets.append(d.party_id_number)
        if d.public_text:
            assert "0635-8271234" in d.public_text  # the bureau's number, kept by the reviewer
            assert "已隐去" in d.public_text
    secrets = [s for s in secrets if len(_flat(s)) >= 3]
    assert len(secrets) > 3 * len(decisions)

    shown = list(selectors.public_decisions())
    assert len(shown) == states[State.PUBLISHED]
    urls = [
        reverse("public-penalties"),
        reverse("public-penalties") + "?tab=withdrawals",
        reverse("public-penalties-csv"),
        reverse("opendata-feed", args=["penalties/"]),
        reverse("public-penalties-api"),
    ]
    for d in shown:
        urls += [
            reverse("public-penalty", args=[d.public_id]),
            reverse("public-penalty-api", args=[d.public_id]),
        ]
    with contextlib.suppress(NoReverseMatch):  # the site search indexes the decisions in display
        urls += [reverse("public-search") + f"?q={quote(d.party_name)}" for d in shown[:5]]
    bodies = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        bodies[url] = _flat(_body(response))
    everything = "\n".join(bodies.values())
    for secret in secrets:
        assert _flat(secret) not in everything, secret
    for d in decisions:
        if d.state != State.PUBLISHED:
            assert d.number not in everything or d.state == State.WITHDRAWN, (d.number, d.state)
            assert client.get(reverse("public-penalty", args=[d.public_id])).status_code in (200, 404)
    withdrawn = next(d for d in decisions if d.state == State.WITHDRAWN)
    assert withdrawn.number in bodies[reverse("public-penalties") + "?tab=withdrawals"]
    assert shown[0].number in bodies[reverse("public-penalties")]

    # Audit: every step recorded, no text or ID number in any event.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    for action in [
        "penalties.decision.create",
        "penalties.redaction.mark",
        "penalties.decision.approve",
        "penalties.decision.publish",
        "penalties.decision.withdraw",
        "penalties.decision.end_by_repair",
        "penalties.decision.expire",
    ]:
        assert action in actions, action
    logged = json.dumps(list(AuditEvent.objects.values_list("before", "after")), ensure_ascii=False)
    for d in decisions:
        for f in redaction.detect(d.full_text, today=d.decision_date):
            if f.kind is redaction.Kind.ID_NUMBER:
                assert f.value not in logged
    assert audit.verify_chain().ok


def test_if_empty_makes_the_command_idempotent(demo_city, monkeypatch):
    from gongkai.penalties import demo

    # Speed only: a few decisions, no search index (the first test covers the whole demo).
    monkeypatch.setattr(demo, "SPECS", demo.SPECS[:4])
    monkeypatch.setattr("gongkai.penalties.search_index.refresh", lambda ids: None)
    _run("--if-empty")
    counts = (Decision.objects.count(), AuditEvent.objects.count())
    assert "跳过" in _run("--if-empty")
    assert (Decision.objects.count(), AuditEvent.objects.count()) == counts
    with pytest.raises(CommandError, match="只能载入空的"):
        _run()


def test_the_command_refuses_a_database_without_the_demo_city(db):
    with pytest.raises(CommandError, match="load-demo"):
        _run()
