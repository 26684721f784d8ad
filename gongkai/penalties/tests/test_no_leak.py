"""Nothing private and nothing out of display on any public surface.

The 67 decision texts of the redaction corpus (personal data in many forms: spaces, full-width digits,
line breaks inside numbers…) are taken through the real workflow and published. Then every public
URL — the list (every page, every filter), each decision's page, the CSV export, the JSON API, the
Atom feed, the site search, the portal's pages and the entities' public records — is requested and
searched for every original value, in its written form and its normalised form, and for every name
and address the reviewers marked. Minors' decisions, a withdrawn decision and an expired one must not
be reachable at all.
"""

import contextlib
import datetime as dt
import html
import re
import unicodedata
from urllib.parse import quote, quote_plus, unquote

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse

from gongkai.penalties import selectors, services
from gongkai.penalties.choices import State
from gongkai.penalties.models import Decision
from gongkai.penalties.tests import factories as f
from gongkai.registry.tests.factories import make_entity

pytestmark = pytest.mark.django_db(transaction=False)
PUBLISH_AT = dt.datetime(2026, 1, 5, 10, tzinfo=f.SHANGHAI)
LOOK_AT = dt.datetime(2026, 1, 6, 15, tzinfo=f.SHANGHAI)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _flat(text: str) -> str:
    """NFKC, no white space or zero-width characters: a value split or widened on the page still matches."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(_INVISIBLE))


def _body(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode("utf-8", errors="replace")


def _secrets(meta: dict) -> list[str]:
    found = []
    for item in meta["sensitive"]:
        found += [item["text"], item["value"]]
    found += [m["text"] for m in meta["marked"]]
    return [s for s in found if len(_flat(s)) >= 3]


@pytest.fixture
def corpus_published(db):
    clerk, reviewer = f.reviewers()
    published, refused = [], []
    with time_machine.travel(PUBLISH_AT, tick=False):
        for n, (text, meta) in enumerate(f.corpus_cases(), start=1):
            entity = make_entity(name=f"语料主体{n:02d}有限公司")
            decision = services.decision_create(
                actor=clerk,
                values=f.values(
                    number=f"语料〔2025〕{n}号",
                    entity=entity,
                    decision_date=dt.date.fromisoformat(meta["decision_date"]),
                    violation_type=meta["title"],
                    fine=80000,
                ),
                text=text,
            )
            for mark in meta["marked"]:
                decision = services.redaction_mark(
                    actor=clerk, decision=decision, fragment=mark["text"], kind=mark["kind"]
                )
            try:
                decision = services.decision_submit(actor=clerk, decision=decision)
            except ValidationError as exc:
                assert meta["minor"], (meta["title"], exc.messages)
                refused.append((decision, meta))
                continue
            assert not meta["minor"], meta["title"]
            services.decision_approve(actor=reviewer, decision=decision)
            decision = services.decision_publish(actor=reviewer, decision=decision)
            published.append((decision, meta))
    return published, refused, reviewer


def _public_urls(decisions) -> list[str]:
    urls = [
        reverse("public-penalties"),
        reverse("public-penalties") + "?tab=withdrawals",
        reverse("public-penalties-csv"),
        reverse("opendata-feed", args=["penalties/"]),
    ]
    pages = -(-len(decisions) // 20)
    urls += [reverse("public-penalties") + f"?page={p}" for p in range(1, pages + 1)]
    urls += [reverse("public-penalties-api") + f"?page={p}" for p in range(1, -(-len(decisions) // 100) + 1)]
    urls += [
        reverse("public-penalties") + "?year=2025&category=food",
        reverse("public-penalties") + "?q=2025",
    ]
    for d in decisions:
        urls += [
            reverse("public-penalty", args=[d.public_id]),
            reverse("public-penalty-api", args=[d.public_id]),
        ]
        if d.entity_id:
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse("portal-entity", args=[d.entity_id]))
    for name in ["portal-home", "portal-sitemap", "portal-sitemap-xml"]:
        with contextlib.suppress(NoReverseMatch):
            urls.append(reverse(name))
    return urls


def _search_base() -> str:
    try:
        return reverse("public-search")
    except NoReverseMatch:
        return "\0"


def _without_echo(url: str, body: str) -> str:
    """The search page echoes the query (in the box, the title, links): remove every echo of it."""
    if "q=" in url and url.startswith(_search_base()):
        term = unquote(url.split("q=", 1)[1])
        for echo in {term, quote(term), quote_plus(term), html.escape(term), quote(html.escape(term))}:
            body = body.replace(_flat(echo), "")
    return body


def _search_urls(terms) -> list[str]:
    base = _search_base()
    if base == "\0":
        return []
    return [f"{base}?q={quote(t)}" for t in terms]


def test_no_personal_data_on_any_public_surface(client, corpus_published):
    published, refused, reviewer = corpus_published
    assert len(published) >= 60 and len(refused) == 2
    secrets = {s for _, meta in published + refused for s in _secrets(meta)}
    flat_secrets = {_flat(s) for s in secrets}
    # One decision withdrawn, one corrected with a new text carrying new personal data.
    withdrawn, _ = published[0]
    corrected, _ = published[1]
    with time_machine.travel(LOOK_AT, tick=False):
        services.decision_withdraw(
            actor=reviewer,
            decision=withdrawn,
            ground="revoked",
            grounds_date=dt.date(2026, 1, 6),
            reason="经行政复议撤销",
        )
        new_text = (
            corrected.full_text + "\n更正：当事人新联系电话 139 1234 5678，邮箱 zhang.wei@example.com。"
        )
        services.decision_correct(
            actor=reviewer,
            decision=corrected,
            values={"fine": 60000},
            reason="罚款金额录入有误",
            text=new_text,
        )
    flat_secrets |= {"13912345678", "zhang.wei@example.com"}
    search_terms = [*sorted({s for s in secrets if len(s) <= 40})[:80], "13912345678", "语料主体03有限公司"]
    with time_machine.travel(LOOK_AT, tick=False):
        urls = _public_urls([d for d, _ in published + refused]) + _search_urls(search_terms)
        bodies = {}
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), (url, response.status_code)
            bodies[url] = _flat(_body(response))
    checked = 0
    for url, body in bodies.items():
        body = _without_echo(url, body)
        for secret in flat_secrets:
            assert secret not in body, (url, secret)
            checked += 1
    assert checked > 10000
    if _search_base() != "\0":  # the search does index the published decisions (redacted)
        found = next(u for u in bodies if u.endswith(quote("语料主体03有限公司")))
        assert reverse("public-penalty", args=[published[2][0].public_id]) in bodies[found]
    # Neither the minors' decisions nor the withdrawn one are shown (the withdrawal notice names only the 文号).
    everything = "".join(bodies.values())
    for decision, _ in refused:
        assert _flat(decision.number) not in everything
        assert client.get(reverse("public-penalty", args=[decision.public_id])).status_code == 404
    with time_machine.travel(LOOK_AT, tick=False):
        notice = _body(client.get(reverse("public-penalty", args=[withdrawn.public_id])))
    assert "撤回公告" in notice and "经行政复议撤销" in notice and withdrawn.violation_type not in notice
    assert withdrawn not in selectors.public_decisions(day=LOOK_AT.date())


def test_an_expired_decision_is_on_no_public_surface(client, db):
    d = f.published(circulated_criticism=True, fine=None)  # 3 months from 2025-03-20
    after = dt.datetime(2025, 6, 21, 0, 0, 1, tzinfo=f.SHANGHAI)
    with time_machine.travel(after, tick=False):
        services.decisions_expire()
        urls = _public_urls([d]) + _search_urls([d.number, d.party_name])
        for url in urls:
            body = _without_echo(url, _flat(_body(client.get(url))))
            assert _flat(d.number) not in body, url
    d.refresh_from_db()
    assert d.state == State.EXPIRED


def test_a_decision_is_not_public_before_approval_and_publication(client, db):
    clerk, reviewer = f.reviewers()
    with time_machine.travel(dt.datetime(2025, 3, 20, 10, tzinfo=f.SHANGHAI), tick=False):
        d = f.draft(actor=clerk)
        for step in (None, "submit", "approve"):
            if step == "submit":
                d = services.decision_submit(actor=clerk, decision=d)
            elif step == "approve":
                d = services.decision_approve(actor=reviewer, decision=d)
            for url in _public_urls([d]):
                assert _flat(d.number) not in _flat(_body(client.get(url))), (step, url)
        assert Decision.objects.get(pk=d.pk).public_text and "钱红梅" in d.public_text  # not marked here
