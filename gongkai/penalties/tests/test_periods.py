"""Display periods as the rules say, on the exact day (pure: no database)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongkai.penalties import periods
from gongkai.penalties.periods import Content, Rules, Threshold, Tier

ORDER_45 = Rules(
    code="samr-45",
    short_name="总局令第45号",
    effective_from=dt.date(2021, 9, 1),
    classification="content",
    starts_from="publication",
    restriction_months_over=36,
    restriction_article="第十四条",
    tiers=(
        Tier("light", "仅受到通报批评或者较低数额罚款", "第十四条", 3),
        Tier("other", "其他行政处罚", "第十四条", 36, 6),
    ),
)
ORDER_107 = Rules(
    code="samr-107",
    short_name="总局令第107号",
    effective_from=dt.date(2025, 12, 25),
    classification="severity",
    starts_from="publication",
    restriction_months_over=36,
    restriction_article="第X条",
    tiers=(
        Tier("minor", "轻微失信行为", "第X条", 3),
        Tier("general", "一般失信行为", "第X条", 12, 3),
        Tier("serious", "严重失信行为", "第X条", 36, 12),
    ),
)
THRESHOLD = Threshold(Decimal(5000), Decimal(50000))
D = dt.date


PUBLISHED = D(2025, 3, 12)


def compute(content, published=PUBLISHED, rules=ORDER_45, person=False, severity="", threshold=THRESHOLD):
    return periods.compute(
        rules,
        content,
        decided_on=D(2025, 3, 1),
        published_on=published,
        threshold=threshold,
        natural_person=person,
        severity=severity,
    )


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (D(2025, 3, 12), 3, D(2025, 6, 12)),
        (D(2025, 11, 30), 3, D(2026, 2, 28)),  # no 30 February: the month's last day
        (D(2023, 11, 30), 3, D(2024, 2, 29)),  # leap year
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2025, 8, 31), 1, D(2025, 9, 30)),
        (D(2025, 12, 31), 36, D(2028, 12, 31)),
    ],
)
def test_months_end_on_the_corresponding_day_or_the_last_of_the_month(start, months, end):
    assert periods.add_months(start, months) == end


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)), st.integers(min_value=1, max_value=240))
def test_a_period_is_never_shorter_than_its_months_minus_a_month_end_and_never_longer(start, months):
    end = periods.add_months(start, months)
    assert end > start
    assert (end.year - start.year) * 12 + end.month - start.month == months
    assert end.day <= start.day


def test_a_fine_for_an_organisation_is_shown_three_years_from_the_day_of_publication():
    p = compute(Content(fine=Decimal(50000)))
    assert (p.starts_on, p.ends_on) == (D(2025, 3, 12), D(2028, 3, 12))
    assert p.shown_on(D(2028, 3, 12)) and not p.shown_on(D(2028, 3, 13))
    assert p.reason.startswith(
        "依据总局令第45号第十四条：其他行政处罚，公示期3年，自公示之日（2025年3月12日）起算，至2028年3月12日止（含当日）"
    )
    assert "罚款50,000元不属于较低数额罚款（法人和其他组织低于50,000元）" in p.reason


@pytest.mark.parametrize(
    ("fine", "person", "light"),
    [
        ("49999.99", False, True),
        ("50000", False, False),
        ("4999", True, True),
        ("5000", True, False),
    ],
)
def test_the_lower_amount_threshold_is_exclusive_unless_the_province_says_otherwise(fine, person, light):
    p = compute(Content(fine=Decimal(fine)), person=person)
    assert (p.tier.key == "light") is light
    assert p.ends_on == (D(2025, 6, 12) if light else D(2028, 3, 12))


def test_a_province_that_says_yixia_includes_the_threshold_itself():
    inclusive = Threshold(Decimal(5000), Decimal(50000), inclusive=True)
    assert compute(Content(fine=Decimal(50000)), threshold=inclusive).tier.key == "light"
    assert compute(Content(fine=Decimal("50000.01")), threshold=inclusive).tier.key == "other"


def test_criticism_alone_is_three_months_and_a_confiscation_makes_it_three_years():
    assert compute(Content(circulated_criticism=True)).ends_on == D(2025, 6, 12)
    assert compute(Content(circulated_criticism=True, warning=True)).ends_on == D(2025, 6, 12)
    assert compute(Content(fine=Decimal(100), confiscated_gains=Decimal(90))).ends_on == D(2028, 3, 12)


def test_a_restriction_longer_than_three_years_is_shown_for_its_actual_length():
    five = compute(Content(fine=Decimal(100000), restriction="practice", restriction_months=60))
    assert (
        five.ends_on == D(2030, 3, 12) and "限制从业5年，超过3年，公示期按照实际限制期限执行" in five.reason
    )
    two = compute(Content(fine=Decimal(100000), restriction="business", restriction_months=24))
    assert two.ends_on == D(2028, 3, 12)
    life = compute(Content(fine=Decimal(100000), restriction="practice", restriction_lifelong=True))
    assert life.ends_on is None and life.shown_on(D(2099, 1, 1))


def test_early_end_is_never_allowed_for_revocation_suspension_or_restriction():
    for content in [
        Content(licence_revoked=True),
        Content(production_suspended=True),
        Content(restriction="practice", restriction_months=12),
        Content(closure=True),
    ]:
        p = compute(content)
        assert not p.early_end_possible
        assert "不得通过信用修复提前停止公示" in p.early_end_refusal
    ordinary = compute(Content(fine=Decimal(80000)))
    assert ordinary.early_end_from == D(2025, 9, 13)  # 6 months full on 2025-09-12


def test_order_107_needs_a_severity_and_gives_three_tiers():
    with pytest.raises(periods.NeedsSeverity):
        compute(Content(fine=Decimal(80000)), rules=ORDER_107)
    general = compute(
        Content(fine=Decimal(80000)), rules=ORDER_107, severity="general", published=D(2026, 1, 5)
    )
    assert general.ends_on == D(2027, 1, 5) and general.early_end_from == D(2026, 4, 6)
    assert general.reason.startswith("依据总局令第107号第X条：一般失信行为，公示期1年")
    minor = compute(
        Content(circulated_criticism=True), rules=ORDER_107, severity="minor", published=D(2026, 1, 5)
    )
    assert minor.ends_on == D(2026, 4, 5) and not minor.early_end_possible
    serious = compute(
        Content(licence_revoked=True), rules=ORDER_107, severity="serious", published=D(2026, 1, 5)
    )
    assert serious.ends_on == D(2029, 1, 5) and not serious.early_end_possible


def test_the_rule_set_is_the_one_in_force_on_the_decision_date():
    rule_sets = [ORDER_45, ORDER_107]
    assert periods.rules_for(rule_sets, D(2025, 12, 24)) is ORDER_45
    assert periods.rules_for(rule_sets, D(2025, 12, 25)) is ORDER_107
    assert periods.rules_for(rule_sets, D(2021, 8, 31)) is None


def test_suggested_severity():
    assert (
        periods.suggested_severity(Content(licence_revoked=True), THRESHOLD, natural_person=False)
        == "serious"
    )
    assert periods.suggested_severity(Content(fine=Decimal(100)), THRESHOLD, natural_person=False) == "minor"
    assert (
        periods.suggested_severity(Content(fine=Decimal(100000)), THRESHOLD, natural_person=False)
        == "general"
    )


def test_what_is_never_published():
    codes = lambda **kw: [r.code for r in periods.publication_refusals(**kw)]  # noqa: E731
    assert codes(ordinary_procedure=True, content=Content(warning=True), party_is_minor=False) == [
        "warning_only"
    ]
    assert codes(ordinary_procedure=False, content=Content(fine=Decimal(1)), party_is_minor=False) == [
        "simple_procedure"
    ]
    assert codes(ordinary_procedure=True, content=Content(fine=Decimal(1)), party_is_minor=True) == ["minor"]
    assert (
        codes(ordinary_procedure=True, content=Content(warning=True, fine=Decimal(200)), party_is_minor=False)
        == []
    )


def test_the_summary_reads_like_a_decision():
    content = Content(
        warning=True,
        confiscated_gains=Decimal("90"),
        confiscated_property="卤猪头肉6公斤",
        fine=Decimal("1234567.5"),
        restriction="practice",
        restriction_months=60,
    )
    assert content.summary() == "警告；没收违法所得90元；没收卤猪头肉6公斤；罚款1,234,567.50元；限制从业5年"
