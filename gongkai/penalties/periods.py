"""Display periods of published penalty decisions, and whether a decision may be published at all.

Pure: no Django imports. The rules themselves are data (``penalties.RuleSet`` / ``DisplayTier``
rows, seeded by a migration with their legal sources); this module only applies them.

Counting (《民法典》第二百零一条、第二百零二条): the day the period starts from is not counted; a
period of N months ends on the day of the N-th month that has the same number as the start day
(对应日), or on the last day of that month when it has no such day. 公示 on 2025-03-12 for 3 months
is shown up to and including 2025-06-12; 公示 on 2025-11-30 for 3 months, up to 2026-02-28.
Holidays do **not** move the end of a display period: 第二百零三条's extension exists so that a
person who must *act* within a period is not cut short by a holiday, while a display period
burdens the party, and lengthening it would harm them. Working-day deadlines (20 working days to
publish, 3 to withdraw, 7 to decide a repair) are counted on the working-day calendar elsewhere.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

# Values of the choices in gongkai.penalties.choices (kept as plain strings here).
CONTENT = "content"
SEVERITY = "severity"
FROM_PUBLICATION = "publication"
FROM_DECISION = "decision"
LIGHT, OTHER, MINOR, GENERAL, SERIOUS = "light", "other", "minor", "general", "serious"


def add_months(start: dt.date, months: int) -> dt.date:
    """The 对应日 ``months`` months after ``start`` (the month's last day when it has none)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def months_label(months: int) -> str:
    """12 → "1年", 3 → "3个月", 18 → "1年6个月"."""
    years, rest = divmod(months, 12)
    if years and rest:
        return f"{years}年{rest}个月"
    return f"{years}年" if years else f"{rest}个月"


def date_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Tier:
    key: str
    label: str
    article: str
    max_months: int
    # Months after the start from which a credit-repair application may end the display early;
    # None when this tier never ends early by repair (it ends on its own at max_months).
    min_months: int | None = None


@dataclass(frozen=True)
class Rules:
    """One rule set (总局令第45号, 总局令第107号…) as data."""

    code: str
    short_name: str
    effective_from: dt.date
    classification: str
    starts_from: str
    tiers: tuple[Tier, ...]
    # 限制开展生产经营活动、限制从业超过N个月的，公示期按照实际限制期限执行 (None: no such rule).
    restriction_months_over: int | None = None
    restriction_article: str = ""
    no_early_end_article: str = ""

    def tier(self, key: str) -> Tier:
        for tier in self.tiers:
            if tier.key == key:
                return tier
        raise KeyError(f"规则“{self.short_name}”没有“{key}”档")


@dataclass(frozen=True)
class Threshold:
    """较低数额罚款 (provincial parameter): below these amounts a fine is a 较低数额 one."""

    natural_person: Decimal
    organisation: Decimal
    inclusive: bool = False  # True when the provincial text says “以下” (包括本数)
    source: str = ""

    def is_lower(self, fine: Decimal, *, natural_person: bool) -> bool:
        limit = self.natural_person if natural_person else self.organisation
        return fine <= limit if self.inclusive else fine < limit

    def describe(self, *, natural_person: bool) -> str:
        limit = self.natural_person if natural_person else self.organisation
        who = "自然人" if natural_person else "法人和其他组织"
        return f"{who}{'不超过' if self.inclusive else '低于'}{_money(limit)}元"


@dataclass(frozen=True)
class Content:
    """处罚内容 as structured facts (《行政处罚法》第九条)."""

    warning: bool = False
    circulated_criticism: bool = False
    fine: Decimal | None = None
    confiscated_gains: Decimal | None = None
    confiscated_property: str = ""
    licence_suspended: bool = False
    qualification_lowered: bool = False
    licence_revoked: bool = False
    production_suspended: bool = False
    closure: bool = False
    restriction: str = ""  # "", business, practice, both
    restriction_months: int | None = None
    restriction_lifelong: bool = False
    other: str = ""

    @property
    def has_fine(self) -> bool:
        return self.fine is not None and self.fine > 0

    @property
    def has_confiscation(self) -> bool:
        return bool(
            (self.confiscated_gains is not None and self.confiscated_gains > 0) or self.confiscated_property
        )

    @property
    def heavier_than_fine(self) -> list[str]:
        """The penalties of 第九条第（三）（四）项 this decision imposes (never ended early by repair)."""
        found = []
        if self.licence_suspended:
            found.append("暂扣许可证件")
        if self.qualification_lowered:
            found.append("降低资质等级")
        if self.licence_revoked:
            found.append("吊销许可证件")
        if self.production_suspended:
            found.append("责令停产停业")
        if self.closure:
            found.append("责令关闭")
        if self.restriction in ("business", "both"):
            found.append("限制开展生产经营活动")
        if self.restriction in ("practice", "both"):
            found.append("限制从业")
        return found

    @property
    def is_empty(self) -> bool:
        return not (
            self.warning
            or self.circulated_criticism
            or self.has_fine
            or self.has_confiscation
            or self.heavier_than_fine
            or self.other
        )

    @property
    def warning_only(self) -> bool:
        return self.warning and not (
            self.circulated_criticism
            or self.has_fine
            or self.has_confiscation
            or self.heavier_than_fine
            or self.other
        )

    def is_light(self, threshold: Threshold, *, natural_person: bool) -> bool:
        """仅受到通报批评或者较低数额罚款 (a warning alongside does not make it heavier)."""
        if self.has_confiscation or self.heavier_than_fine or self.other:
            return False
        if self.has_fine and not threshold.is_lower(self.fine, natural_person=natural_person):  # type: ignore[arg-type]
            return False
        return self.circulated_criticism or self.has_fine

    def summary(self) -> str:
        """处罚内容 as one line of Chinese, for the public summary."""
        parts = []
        if self.warning:
            parts.append("警告")
        if self.circulated_criticism:
            parts.append("通报批评")
        if self.has_confiscation:
            gains = self.confiscated_gains
            if gains is not None and gains > 0:
                parts.append(f"没收违法所得{_money(gains)}元")
            if self.confiscated_property:
                parts.append(f"没收{self.confiscated_property}")
        if self.has_fine:
            parts.append(f"罚款{_money(self.fine)}元")  # type: ignore[arg-type]
        for name in self.heavier_than_fine:
            if name.startswith("限制") and self.restriction_lifelong:
                parts.append(f"{name}（终身）")
            elif name.startswith("限制") and self.restriction_months:
                parts.append(f"{name}{months_label(self.restriction_months)}")
            else:
                parts.append(name)
        if self.other:
            parts.append(self.other)
        return "；".join(parts)


def _money(amount: Decimal) -> str:
    text = f"{amount:,.2f}"
    return text[:-3] if text.endswith(".00") else text


@dataclass(frozen=True)
class Period:
    """The display period of one decision, and why."""

    rules: Rules
    tier: Tier
    starts_on: dt.date
    ends_on: dt.date | None  # last day shown (inclusive); None: indefinite (终身限制)
    months: int | None
    reason: str
    early_end_from: dt.date | None = None  # a repair may end the display from this day on
    early_end_refusal: str = ""  # why a repair can never end it early
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def early_end_possible(self) -> bool:
        return self.early_end_from is not None and not self.early_end_refusal

    def shown_on(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class NeedsSeverity(ValueError):
    """A rule set that classifies by 失信程度 needs the severity to be set on the decision."""


def rules_for(rule_sets: list[Rules], decided_on: dt.date) -> Rules | None:
    """The rule set in force on the decision date (the latest one effective on or before it)."""
    eligible = [r for r in rule_sets if r.effective_from <= decided_on]
    return max(eligible, key=lambda r: r.effective_from) if eligible else None


def suggested_severity(content: Content, threshold: Threshold, *, natural_person: bool) -> str:
    """A starting point for staff: 严重 with 第九条第（三）（四）项 penalties, 轻微 for light ones."""
    if content.heavier_than_fine:
        return SERIOUS
    if content.is_light(threshold, natural_person=natural_person):
        return MINOR
    return GENERAL


def compute(
    rules: Rules,
    content: Content,
    *,
    decided_on: dt.date,
    published_on: dt.date,
    threshold: Threshold,
    natural_person: bool,
    severity: str = "",
) -> Period:
    """The display period of a decision published on ``published_on`` under ``rules``."""
    start = decided_on if rules.starts_from == FROM_DECISION else published_on
    start_label = "作出行政处罚决定之日" if rules.starts_from == FROM_DECISION else "公示之日"
    notes: list[str] = []
    if rules.classification == SEVERITY:
        if not severity:
            raise NeedsSeverity(
                f"{rules.short_name}按失信程度确定公示期：请先认定该决定的失信程度（轻微、一般或严重）"
            )
        tier = rules.tier(severity)
    else:
        light = content.is_light(threshold, natural_person=natural_person)
        tier = rules.tier(LIGHT if light else OTHER)
        if content.has_fine:
            verdict = "属于" if light else "不属于"
            notes.append(
                f"罚款{_money(content.fine)}元{verdict}较低数额罚款（{threshold.describe(natural_person=natural_person)}）"  # type: ignore[arg-type]
            )
    months: int | None = tier.max_months
    article = tier.article
    what = f"{tier.label}，公示期{months_label(tier.max_months)}"
    restricted = content.restriction in ("business", "practice", "both")
    if restricted and rules.restriction_months_over is not None:
        if content.restriction_lifelong:
            months = None
            article = rules.restriction_article or article
            what = f"{tier.label}；终身{_restriction_name(content)}，公示期按照实际限制期限执行（长期公示）"
        elif content.restriction_months and content.restriction_months > max(
            rules.restriction_months_over, tier.max_months
        ):
            months = content.restriction_months
            article = rules.restriction_article or article
            what = (
                f"{tier.label}；{_restriction_name(content)}{months_label(months)}，超过"
                f"{months_label(rules.restriction_months_over)}，公示期按照实际限制期限执行"
            )
    ends_on = add_months(start, months) if months is not None else None
    reason = f"依据{rules.short_name}{article}：{what}，自{start_label}（{date_label(start)}）起算"
    reason += f"，至{date_label(ends_on)}止（含当日）" if ends_on else ""
    heavier = content.heavier_than_fine
    early_from: dt.date | None = None
    refusal = ""
    if heavier:
        refusal = f"受到{'、'.join(heavier)}处罚的，不得通过信用修复提前停止公示" + (
            f"（{rules.short_name}{rules.no_early_end_article}）" if rules.no_early_end_article else ""
        )
    elif tier.min_months is None:
        refusal = f"{tier.label}的公示期届满自动停止公示，无需申请信用修复"
    else:
        early_from = add_months(start, tier.min_months) + dt.timedelta(days=1)
    if early_from is not None:
        reason += f"；公示满{months_label(tier.min_months)}后（{date_label(early_from)}起）可申请信用修复提前停止公示"  # type: ignore[arg-type]
    elif refusal:
        reason += f"；{refusal}"
    if notes:
        reason += "。" + "；".join(notes)
    return Period(rules, tier, start, ends_on, months, reason + "。", early_from, refusal, tuple(notes))


def _restriction_name(content: Content) -> str:
    return {
        "business": "限制开展生产经营活动",
        "practice": "限制从业",
        "both": "限制开展生产经营活动并限制从业",
    }[content.restriction]


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def publication_refusals(
    *, ordinary_procedure: bool, content: Content, party_is_minor: bool | None
) -> list[Refusal]:
    """Why this decision is never published (empty when it is publishable). Shown on the staff screen."""
    refusals = []
    if party_is_minor:
        refusals.append(
            Refusal(
                "minor",
                "当事人是未成年人：不公示任何信息（《中华人民共和国未成年人保护法》第四条：保护未成年人隐私权和个人信息）",
            )
        )
    if not ordinary_procedure:
        refusals.append(
            Refusal(
                "simple_procedure",
                "适用简易程序作出的行政处罚决定不予公示（总局令第45号第二条第一款：公示适用普通程序作出的行政处罚决定）",
            )
        )
    if content.warning_only:
        refusals.append(Refusal("warning_only", "仅受到警告行政处罚的不予公示（总局令第45号第二条第二款）"))
    if content.is_empty:
        refusals.append(Refusal("no_penalty", "未填写处罚内容：请填写警告、通报批评、罚款等处罚种类"))
    return refusals
