"""Writes of 行政处罚信息公示. Every function is one transaction and writes audit events.

The state machine (docs/penalties.md)::

    草稿 ──submit──▶ 待审核 ──approve──▶ 已审核待公示 ──publish──▶ 已公示 ──┬─ expire ──▶ 已届满
      ▲                │                      │                          ├─ repair ──▶ 信用修复提前终止
      └────return──────┴──────────────────────┘                          └─ withdraw ─▶ 已撤回

(``withdraw`` is also possible before publication: a revoked decision is then never published.)

Audit events never carry the personal data of a decision: the full text, the ID number and the
redaction findings are represented by hashes and counts (the audit log is read by more roles than
the decisions are).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gongkai.core import audit
from gongkai.core import calendar as workcal
from gongkai.core.roles import DISCLOSURE_REVIEWER
from gongkai.penalties import periods, redaction, search_index, selectors
from gongkai.penalties.choices import PartyKind, RepairState, Severity, State
from gongkai.penalties.models import (
    Correction,
    Decision,
    RepairApplication,
    RepairEvidence,
    RuleSet,
    Withdrawal,
)

# Fields an import or the edit form sets on a draft.
EDITABLE = [
    "number",
    "party_kind",
    "entity",
    "party_name",
    "party_id_type",
    "party_id_number",
    "party_birth_date",
    "violation_type",
    "violation_category",
    "legal_basis",
    "warning",
    "circulated_criticism",
    "fine",
    "confiscated_gains",
    "confiscated_property",
    "licence_suspended",
    "qualification_lowered",
    "licence_revoked",
    "production_suspended",
    "closure",
    "restriction",
    "restriction_months",
    "restriction_lifelong",
    "other_penalty",
    "severity",
    "procedure",
    "authority",
    "decision_date",
    "service_date",
    "district",
]
# Fields a correction of a published decision may change (all are shown publicly).
CORRECTABLE = [
    "party_name",
    "violation_type",
    "violation_category",
    "legal_basis",
    "warning",
    "circulated_criticism",
    "fine",
    "confiscated_gains",
    "confiscated_property",
    "licence_suspended",
    "qualification_lowered",
    "licence_revoked",
    "production_suspended",
    "closure",
    "restriction",
    "restriction_months",
    "restriction_lifelong",
    "other_penalty",
    "severity",
    "authority",
    "decision_date",
    "district",
]
PRIVATE = {
    "full_text",
    "public_text",
    "review_findings",
    "review_marks",
    "review_removed",
    "party_id_number",
    "party_birth_date",
}
CENT = Decimal("0.01")
MARK_KINDS = {redaction.Kind.NAME, redaction.Kind.ADDRESS, redaction.Kind.OTHER}


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _snapshot(decision: Decision, names: Iterable[str] | None = None) -> dict[str, Any]:
    """What the audit log keeps of a decision: no personal data (see the module docstring)."""
    names = list(names or [f.attname for f in Decision._meta.concrete_fields])
    data = audit.snapshot(
        decision, [n for n in names if n not in PRIVATE and n.removesuffix("_id") not in PRIVATE]
    )
    if "party_id_number" in names:
        data["party_id_number"] = "已填写" if decision.party_id_number else ""
    if "party_birth_date" in names:
        data["party_birth_date"] = "已填写" if decision.party_birth_date else ""
    return data


def _attnames(names: Iterable[str]) -> list[str]:
    return [Decision._meta.get_field(n).attname for n in names]


def _locked(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().get(pk=decision.pk)


def _require_state(decision: Decision, *states: State, doing: str) -> None:
    if decision.state not in states:
        allowed = "、".join(str(s.label) for s in states)
        raise ValidationError(
            f"决定{decision.number}当前状态为“{decision.get_state_display()}”，不能{doing}（只有{allowed}状态可以）"
        )


def _now(now: dt.datetime | None) -> dt.datetime:
    """The time of a write: the clock, or an earlier time given by a loader of past records (the demo)."""
    clock = timezone.now()
    if now is None:
        return clock
    if now > clock:
        raise ValidationError("不能以将来的时间记录操作")
    return now


def _refresh_search(decision: Decision) -> None:
    search_index.refresh([decision.public_id])


# --- creating and editing drafts ---------------------------------------------------------------


def _apply_values(decision: Decision, values: dict[str, Any], allowed: list[str]) -> None:
    allowed_names = set(allowed) | {Decision._meta.get_field(n).attname for n in allowed}
    unknown = set(values) - allowed_names
    if unknown:
        raise ValueError(f"不能修改的字段：{'、'.join(sorted(unknown))}")
    for name, value in values.items():
        if name in ("fine", "confiscated_gains") and value is not None:
            value = Decimal(value).quantize(CENT)  # 50000 and 50000.00 are the same amount
        setattr(decision, name, value)
    if decision.party_kind == PartyKind.ENTITY and decision.entity is not None and not decision.party_name:
        decision.party_name = decision.entity.name
    if decision.party_id_number:
        decision.party_id_number = redaction.fold(decision.party_id_number).strip().upper()
    if "decision_date" in values:
        _judge_minor(decision)


def _judge_minor(decision: Decision) -> None:
    """Read the party's age from the text once (the dashboard and every check use the stored answer)."""
    if not decision.full_text or decision.decision_date is None:
        decision.text_says_minor = None
        return
    findings = [redaction.Finding.from_dict(f) for f in decision.review_findings] or None
    ids = [f for f in findings or [] if f.kind is redaction.Kind.ID_NUMBER]
    # Stored findings hold every detected ID number unless a reviewer's mark swallowed one: then detect again.
    if findings is not None and not ids:
        findings = None
    decision.text_says_minor = redaction.party_is_minor(
        decision.full_text, on_date=decision.decision_date, findings=findings
    )


@transaction.atomic
def decision_create(
    *, actor: Any, values: dict[str, Any], text: str = "", text_file_name: str = "", note: str = ""
) -> Decision:
    """Record a decision as a draft (from the form or an import row)."""
    decision = Decision(state=State.DRAFT)
    if not isinstance(actor, str) and actor is not None:
        decision.created_by = actor
    _apply_values(decision, values, EDITABLE)
    if text:
        _set_text(decision, text, text_file_name)
    decision.full_clean()
    decision.save()
    audit.record(
        actor=actor, action="penalties.decision.create", obj=decision, after=_snapshot(decision), note=note
    )
    return decision


@transaction.atomic
def decision_update(*, actor: Any, decision: Decision, values: dict[str, Any], note: str = "") -> Decision:
    """Edit a draft. Returns the decision unchanged (and writes nothing) when nothing differs."""
    decision = _locked(decision)
    _require_state(decision, State.DRAFT, doing="修改")
    names = _attnames(values)
    before = _snapshot(decision, names)
    _apply_values(decision, values, EDITABLE)
    decision.full_clean()
    b, a = audit.diff(before, _snapshot(decision, names))
    if not a and not b:
        return decision
    decision.save()
    audit.record(actor=actor, action="penalties.decision.update", obj=decision, before=b, after=a, note=note)
    return decision


def _set_text(decision: Decision, text: str, file_name: str) -> None:
    """Replace the full text and restart the redaction review on it.

    The reviewer's marks (names, addresses) are carried over wherever the same string still occurs;
    removals are not (they named positions in the old text), so the new text starts fully redacted.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ValidationError({"full_text": "决定书全文是空的"})
    decision.full_text = text
    decision.text_file_name = file_name[:200]
    decision.text_sha256 = sha256(text)
    marks = [m for m in decision.review_marks if m.get("text") and m["text"] in text]
    decision.review_marks = marks
    decision.review_removed = []
    decision.review_findings = [f.to_dict() for f in _detect(decision)]
    _judge_minor(decision)


def _spans(decision: Decision) -> list[redaction.Span]:
    spans: list[redaction.Span] = []
    for mark in decision.review_marks:
        spans += redaction.mark_all(decision.full_text, mark["text"], redaction.Kind(mark["kind"]))
    return spans


def _detect(decision: Decision) -> list[redaction.Finding]:
    return redaction.detect(decision.full_text, marked=_spans(decision), today=decision.decision_date)


@transaction.atomic
def decision_set_text(*, actor: Any, decision: Decision, text: str, file_name: str = "") -> Decision:
    """Upload (or replace) the full text of a draft or a decision under review."""
    decision = _locked(decision)
    _require_state(decision, State.DRAFT, State.SUBMITTED, doing="更换决定书全文")
    before = {"text_sha256": decision.text_sha256, "text_file_name": decision.text_file_name}
    _set_text(decision, text, file_name)
    decision.save()
    audit.record(
        actor=actor,
        action="penalties.decision.set_text",
        obj=decision,
        before=before,
        after={
            "text_sha256": decision.text_sha256,
            "text_file_name": decision.text_file_name,
            "characters": len(text),
            "findings": len(decision.review_findings),
        },
    )
    return decision


# --- the redaction review ---------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    """The review as the side-by-side screen shows it."""

    findings: list[redaction.Finding]
    removed: set[str]
    regions: list[redaction.Redaction]
    redacted: str
    marks: list[dict]


def review_of(decision: Decision) -> Review:
    """The current review: stored findings (checked against the text), removals, and the result."""
    findings = [redaction.Finding.from_dict(f) for f in decision.review_findings]
    removed = set(decision.review_removed)
    regions = redaction.plan(decision.full_text, findings, removed=removed)
    redacted = redaction.redact(decision.full_text, findings, removed=removed)
    return Review(findings, removed, regions, redacted, list(decision.review_marks))


def _review_editable(decision: Decision) -> None:
    _require_state(decision, State.DRAFT, State.SUBMITTED, doing="修改隐去项")
    if not decision.full_text:
        raise ValidationError("还没有上传决定书全文")


def _record_review(actor: Any, decision: Decision, action: str, after: dict[str, Any]) -> None:
    decision.save(update_fields=["review_findings", "review_marks", "review_removed"])
    audit.record(actor=actor, action=f"penalties.redaction.{action}", obj=decision, after=after)


@transaction.atomic
def redaction_mark(*, actor: Any, decision: Decision, fragment: str, kind: str) -> Decision:
    """Hide every occurrence of ``fragment`` (a name, a home address…) in the published text."""
    decision = _locked(decision)
    _review_editable(decision)
    kind = redaction.Kind(kind)
    if kind not in MARK_KINDS:
        raise ValidationError("只能添加姓名、住址或其他个人信息")
    fragment = fragment.strip()
    if len(fragment) < 2:
        raise ValidationError("要隐去的文字至少2个字")
    count = decision.full_text.count(fragment)
    if not count:
        raise ValidationError(f"全文中没有“{fragment}”：请从左侧原文中复制要隐去的文字")
    if any(m["text"] == fragment for m in decision.review_marks):
        return decision
    decision.review_marks = [*decision.review_marks, {"text": fragment, "kind": kind.value}]
    findings = _detect(decision)
    decision.review_findings = [f.to_dict() for f in findings]
    keys = {f.key for f in findings}
    decision.review_removed = [k for k in decision.review_removed if k in keys]
    _record_review(
        actor, decision, "mark", {"kind": kind.value, "occurrences": count, "length": len(fragment)}
    )
    return decision


@transaction.atomic
def redaction_unmark(*, actor: Any, decision: Decision, fragment: str) -> Decision:
    decision = _locked(decision)
    _review_editable(decision)
    marks = [m for m in decision.review_marks if m["text"] != fragment]
    if len(marks) == len(decision.review_marks):
        return decision
    decision.review_marks = marks
    findings = _detect(decision)
    decision.review_findings = [f.to_dict() for f in findings]
    keys = {f.key for f in findings}
    decision.review_removed = [k for k in decision.review_removed if k in keys]
    _record_review(actor, decision, "unmark", {"length": len(fragment)})
    return decision


@transaction.atomic
def redaction_remove(*, actor: Any, decision: Decision, key: str, reason: str = "") -> Decision:
    """The reviewer says a detected item is not personal data (e.g. the bureau's own phone number)."""
    decision = _locked(decision)
    _review_editable(decision)
    findings = {f["kind"] + "@" + f"{f['start']}-{f['end']}": f for f in decision.review_findings}
    finding = findings.get(key)
    if finding is None:
        raise ValidationError("没有这一隐去项（全文可能已更换，请刷新页面）")
    if finding.get("source") == redaction.STAFF:
        raise ValidationError("这是审核人员添加的隐去项，请在“已添加的隐去项”中取消")
    if key not in decision.review_removed:
        decision.review_removed = [*decision.review_removed, key]
        _record_review(
            actor,
            decision,
            "remove",
            {"key": key, "kind": finding["kind"], "confidence": finding["confidence"], "reason": reason},
        )
    return decision


@transaction.atomic
def redaction_restore(*, actor: Any, decision: Decision, key: str) -> Decision:
    decision = _locked(decision)
    _review_editable(decision)
    if key in decision.review_removed:
        decision.review_removed = [k for k in decision.review_removed if k != key]
        _record_review(actor, decision, "restore", {"key": key})
    return decision


# --- the workflow -------------------------------------------------------------------------------


def publication_problems(decision: Decision) -> list[str]:
    """Everything that stops this decision from going forward, in Chinese (empty: it may)."""
    problems = [r.message for r in selectors.publication_refusals(decision)]
    if not decision.full_text:
        problems.append("还没有上传决定书全文")
    elif decision.text_sha256 != sha256(decision.full_text):
        problems.append("决定书全文与其校验值不符，请重新上传")
    period = selectors.display_period(decision)
    if isinstance(period, str):
        problems.append(period)
    return problems


@transaction.atomic
def decision_submit(*, actor: Any, decision: Decision, now: dt.datetime | None = None) -> Decision:
    """草稿 → 待审核: the decision, its text and its redaction go to a 信息公开审核员."""
    decision = _locked(decision)
    _require_state(decision, State.DRAFT, doing="提交审核")
    problems = publication_problems(decision)
    if problems:
        raise ValidationError(problems)
    review_of(decision)  # refuses findings that no longer match the text
    decision.state = State.SUBMITTED
    decision.submitted_at = _now(now)
    decision.submitted_by = actor if not isinstance(actor, str) else None
    decision.save(update_fields=["state", "submitted_at", "submitted_by"])
    audit.record(
        actor=actor, action="penalties.decision.submit", obj=decision, after={"state": decision.state}
    )
    return decision


@transaction.atomic
def decision_return(*, actor: Any, decision: Decision, reason: str) -> Decision:
    """待审核 or 已审核待公示 → 草稿, with the reviewer's reason."""
    decision = _locked(decision)
    _require_state(decision, State.SUBMITTED, State.APPROVED, doing="退回")
    if not reason.strip():
        raise ValidationError("请填写退回理由")
    before = decision.state
    decision.state = State.DRAFT
    decision.approved_at = decision.approved_by = None  # type: ignore[assignment]
    decision.public_text = decision.public_text_sha256 = ""
    decision.save(update_fields=["state", "approved_at", "approved_by", "public_text", "public_text_sha256"])
    audit.record(
        actor=actor,
        action="penalties.decision.return",
        obj=decision,
        before={"state": before},
        after={"state": decision.state},
        note=reason,
    )
    return decision


def is_reviewer(user: Any) -> bool:
    """A 信息公开审核员: in that role's group and holding the approval permission."""
    if user is None or isinstance(user, str) or not user.is_active:
        return False
    return user.groups.filter(name=DISCLOSURE_REVIEWER).exists() and user.has_perm(
        "penalties.approve_decision"
    )


@transaction.atomic
def decision_approve(
    *, actor: Any, decision: Decision, note: str = "", now: dt.datetime | None = None
) -> Decision:
    """待审核 → 已审核待公示: a 信息公开审核员 approves the summary and the redacted text.

    The approved redacted text is fixed here; it is what the public will see. The reviewer must not
    be the person who submitted the decision (a second pair of eyes on every publication).
    """
    if not is_reviewer(actor):
        raise ValidationError("只有信息公开审核员可以审核批准公示")
    decision = _locked(decision)
    _require_state(decision, State.SUBMITTED, doing="审核批准")
    if decision.submitted_by_id is not None and decision.submitted_by_id == actor.pk:
        raise ValidationError("提交人不能审核自己提交的决定，请由另一名信息公开审核员审核")
    problems = publication_problems(decision)
    if problems:
        raise ValidationError(problems)
    review = review_of(decision)
    decision.public_text = review.redacted
    decision.public_text_sha256 = sha256(review.redacted)
    decision.state = State.APPROVED
    decision.approved_at = _now(now)
    decision.approved_by = actor
    decision.save(update_fields=["state", "approved_at", "approved_by", "public_text", "public_text_sha256"])
    counts: dict[str, int] = {}
    for region in review.regions:
        for f in region.findings:
            counts[f.kind.value] = counts.get(f.kind.value, 0) + 1
    audit.record(
        actor=actor,
        action="penalties.decision.approve",
        obj=decision,
        after={
            "state": decision.state,
            "text_sha256": decision.text_sha256,
            "public_text_sha256": decision.public_text_sha256,
            "redactions": counts,
            "removed_by_reviewer": len(review.removed),
            "marked_by_reviewer": len(review.marks),
        },
        note=note,
    )
    return decision


def _apply_period(decision: Decision, period: periods.Period, rule_set: RuleSet | None) -> None:
    decision.rule_set = rule_set
    decision.tier_key = period.tier.key
    decision.display_starts_on = period.starts_on
    decision.display_ends_on = period.ends_on
    decision.display_indefinite = period.ends_on is None
    decision.display_reason = period.reason
    decision.early_end_from = period.early_end_from
    decision.early_end_refusal = period.early_end_refusal[:300]


PERIOD_FIELDS = [
    "rule_set",
    "tier_key",
    "display_starts_on",
    "display_ends_on",
    "display_indefinite",
    "display_reason",
    "early_end_from",
    "early_end_refusal",
]


def _period_now(decision: Decision) -> tuple[periods.Period, RuleSet]:
    period = selectors.display_period(decision)
    if isinstance(period, str):
        raise ValidationError(period)
    return period, RuleSet.objects.get(code=period.rules.code)


@transaction.atomic
def decision_publish(*, actor: Any, decision: Decision, now: dt.datetime | None = None) -> Decision:
    """已审核待公示 → 已公示: the summary and the approved redacted text go public today."""
    decision = _locked(decision)
    _require_state(decision, State.APPROVED, doing="公示")
    problems = publication_problems(decision)
    if problems:
        raise ValidationError(problems)
    if not decision.public_text or decision.public_text_sha256 != sha256(decision.public_text):
        raise ValidationError("没有经审核的公示文本，请退回后重新审核")
    now = _now(now)
    decision.published_at, decision.published_on = now, timezone.localdate(now)
    period, rule_set = _period_now(decision)
    if period.ends_on is not None and period.ends_on < decision.published_on:
        raise ValidationError(f"该决定的公示期已于{period.ends_on}届满，不能再公示")
    _apply_period(decision, period, rule_set)
    decision.state = State.PUBLISHED
    decision.full_clean()
    decision.save()
    due = selectors.publication_deadline(decision, day=decision.published_on)
    audit.record(
        actor=actor,
        action="penalties.decision.publish",
        obj=decision,
        after={
            "state": decision.state,
            **_snapshot(decision, ["published_on", *PERIOD_FIELDS]),
            "publication_due": audit.jsonable(due.due),
            "on_time": not due.overdue,
        },
    )
    _refresh_search(decision)
    return decision


# --- after publication -------------------------------------------------------------------------


@transaction.atomic
def decision_correct(
    *,
    actor: Any,
    decision: Decision,
    values: dict[str, Any],
    reason: str,
    requested_by_party: bool = False,
    evidence: str = "",
    text: str | None = None,
    text_file_name: str = "",
) -> Correction:
    """Correct published information; the correction and what changed are shown with the decision.

    A new full text is redacted with the reviewer's earlier marks and every detected item (earlier
    removals are not carried over) and becomes the public text at once, so only a 信息公开审核员 may
    correct. The display period is recomputed from the corrected facts (the publication date stays).
    """
    if not is_reviewer(actor):
        raise ValidationError("只有信息公开审核员可以更正公示信息")
    decision = _locked(decision)
    _require_state(decision, State.PUBLISHED, doing="更正")
    if not reason.strip():
        raise ValidationError("请填写更正理由（将与更正记录一起公示）")
    names = _attnames(values)
    before = _snapshot(decision, names)
    labels = {n: str(Decision._meta.get_field(n).verbose_name) for n in values}
    old_public = {n: _public_value(decision, n) for n in values}
    _apply_values(decision, values, CORRECTABLE)
    changes = []
    for n in values:
        new = _public_value(decision, n)
        if new != old_public[n]:
            changes.append({"field": n, "label": labels[n], "before": old_public[n], "after": new})
    if text is not None:
        old_sha = decision.text_sha256
        _set_text(decision, text, text_file_name)
        if decision.text_sha256 != old_sha:
            if decision.is_minor:
                raise ValidationError("更正后的全文显示当事人是未成年人：请撤回该公示，不能更正")
            decision.public_text = review_of(decision).redacted
            decision.public_text_sha256 = sha256(decision.public_text)
            changes.append({"field": "public_text", "label": "决定书全文", "before": "", "after": ""})
    if not changes:
        raise ValidationError("没有需要更正的内容")
    decision.full_clean()
    period, rule_set = _period_now(decision)
    _apply_period(decision, period, rule_set)
    decision.save()
    correction = Correction(
        decision=decision,
        sequence=decision.corrections.count() + 1,
        corrected_at=timezone.now(),
        corrected_by=actor,
        reason=reason.strip(),
        requested_by_party=requested_by_party,
        evidence=evidence,
        changes=changes,
    )
    correction.full_clean()
    correction.save()
    b, a = audit.diff(before, _snapshot(decision, names))
    audit.record(
        actor=actor,
        action="penalties.decision.correct",
        obj=decision,
        before=b,
        after={
            **a,
            "correction": correction.sequence,
            "fields": [c["field"] for c in changes],
            **_snapshot(decision, PERIOD_FIELDS),
        },
        note=reason,
    )
    _refresh_search(decision)
    return correction


def _public_value(decision: Decision, name: str) -> str:
    """A field as the public summary shows it (choices by their label, amounts as text)."""
    value = getattr(decision, name)
    field_ = Decision._meta.get_field(name)
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value or ""))
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "district":
        return value.name if value else ""
    if name == "entity":
        return value.name if value else ""
    return "" if value is None else str(value)


@transaction.atomic
def decision_withdraw(
    *, actor: Any, decision: Decision, ground: str, grounds_date: dt.date, reason: str
) -> Withdrawal:
    """Withdraw a decision's publication because it was changed, revoked, or held unlawful or void.

    总局令第45号: within 3 working days, with the reason made public. The notice stays up no longer
    than the decision itself would have been shown. A decision not yet published is simply never
    published (no public notice).
    """
    decision = _locked(decision)
    _require_state(decision, State.DRAFT, State.SUBMITTED, State.APPROVED, State.PUBLISHED, doing="撤回")
    if not reason.strip():
        raise ValidationError("请填写撤回说明（将公开）")
    today = selectors.today()
    if grounds_date > today:
        raise ValidationError("事由发生日期不能晚于今天")
    if grounds_date < decision.decision_date:
        raise ValidationError("事由发生日期不能早于作出行政处罚决定的日期")
    try:
        due = workcal.add_working_days(grounds_date, selectors.WITHDRAW_WITHIN_WORKING_DAYS)
    except workcal.CalendarNotCovered as exc:
        raise ValidationError(str(exc)) from None
    was_published = decision.state == State.PUBLISHED
    before = decision.state
    withdrawal = Withdrawal(
        decision=decision,
        ground=ground,
        grounds_date=grounds_date,
        reason=reason.strip(),
        due_on=due,
        withdrawn_at=timezone.now(),
        withdrawn_by=actor,
        was_published=was_published,
        notice_until=decision.display_ends_on if was_published else None,
    )
    withdrawal.full_clean(exclude=["decision"])
    decision.state = State.WITHDRAWN
    decision.ended_at = withdrawal.withdrawn_at
    decision.save(update_fields=["state", "ended_at"])
    withdrawal.save()
    audit.record(
        actor=actor,
        action="penalties.decision.withdraw",
        obj=decision,
        before={"state": before},
        after={
            "state": decision.state,
            "ground": ground,
            "grounds_date": grounds_date.isoformat(),
            "due_on": due.isoformat(),
            "on_time": today <= due,
            "public_notice": was_published,
        },
        note=reason,
    )
    _refresh_search(decision)
    return withdrawal


# --- credit repair ------------------------------------------------------------------------------


@dataclass
class EvidenceFile:
    name: str
    content: bytes


MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


@transaction.atomic
def repair_receive(
    *,
    actor: Any,
    decision: Decision,
    received_on: dt.date,
    applicant: str,
    statement: str,
    contact: str = "",
    obligations_fulfilled: bool = False,
    harm_removed: bool = False,
    commitment_signed: bool = False,
    files: Iterable[EvidenceFile] = (),
) -> RepairApplication:
    """Register a credit-repair application; it must be decided within 7 working days."""
    from django.core.files.base import ContentFile

    decision = _locked(decision)
    _require_state(decision, State.PUBLISHED, doing="受理信用修复申请")
    if received_on > selectors.today():
        raise ValidationError("受理日期不能晚于今天")
    if RepairApplication.objects.filter(decision=decision, state=RepairState.RECEIVED).exists():
        raise ValidationError("该决定已有一份正在办理的信用修复申请")
    try:
        due = workcal.add_working_days(received_on, selectors.REPAIR_WITHIN_WORKING_DAYS)
    except workcal.CalendarNotCovered as exc:
        raise ValidationError(str(exc)) from None
    application = RepairApplication(
        decision=decision,
        received_on=received_on,
        applicant=applicant.strip(),
        contact=contact.strip(),
        statement=statement.strip(),
        obligations_fulfilled=obligations_fulfilled,
        harm_removed=harm_removed,
        commitment_signed=commitment_signed,
        due_on=due,
        created_by=actor,
    )
    application.full_clean()
    application.save()
    stored = []
    for f in files:
        if len(f.content) > MAX_EVIDENCE_BYTES:
            raise ValidationError(f"证据文件“{f.name}”超过20 MB")
        evidence = RepairEvidence(
            application=application,
            original_name=f.name[:200],
            size=len(f.content),
            sha256=hashlib.sha256(f.content).hexdigest(),
        )
        evidence.file.save(f.name, ContentFile(f.content), save=False)
        evidence.save()
        stored.append({"name": f.name[:200], "sha256": evidence.sha256, "size": evidence.size})
    audit.record(
        actor=actor,
        action="penalties.repair.receive",
        obj=application,
        after={
            **audit.snapshot(
                application,
                [
                    "decision_id",
                    "received_on",
                    "due_on",
                    "obligations_fulfilled",
                    "harm_removed",
                    "commitment_signed",
                ],
            ),
            "evidence": stored,
        },
    )
    return application


def repair_refusals(application: RepairApplication, *, day: dt.date | None = None) -> list[str]:
    """Why this application cannot end the display early today (empty: it can)."""
    decision = application.decision
    day = day or selectors.today()
    problems = []
    if decision.state != State.PUBLISHED:
        problems.append(f"该决定当前状态为“{decision.get_state_display()}”，不在公示中")
    if decision.early_end_refusal:
        problems.append(decision.early_end_refusal)
    elif decision.early_end_from is None:
        problems.append("该决定适用的公示期规则不允许提前停止公示")
    elif day < decision.early_end_from:
        problems.append(f"公示未满最短公示期：{decision.early_end_from}起才可以提前停止公示")
    if not application.obligations_fulfilled:
        problems.append("未确认当事人已履行行政处罚决定规定的义务")
    if not application.harm_removed:
        problems.append("未确认当事人已主动消除危害后果和不良影响")
    if not application.commitment_signed:
        problems.append("当事人尚未作出信用承诺")
    return problems


@transaction.atomic
def repair_decide(
    *, actor: Any, application: RepairApplication, approve: bool, note: str
) -> RepairApplication:
    """Decide an application: approval ends the display today (信用修复提前终止); refusal keeps it."""
    application = (
        RepairApplication.objects.select_for_update().select_related("decision").get(pk=application.pk)
    )
    if application.state != RepairState.RECEIVED:
        raise ValidationError("该申请已办结")
    if not note.strip():
        raise ValidationError("请填写办理意见")
    decision = _locked(application.decision)
    application.decision = decision
    if approve:
        problems = repair_refusals(application)
        if problems:
            raise ValidationError(problems)
    now = timezone.now()
    application.state = RepairState.APPROVED if approve else RepairState.REJECTED
    application.decided_at, application.decided_by, application.decision_note = now, actor, note.strip()
    application.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    on_time = timezone.localdate(now) <= application.due_on
    audit.record(
        actor=actor,
        action="penalties.repair.decide",
        obj=application,
        after={"state": application.state, "on_time": on_time},
        note=note,
    )
    if approve:
        decision.state = State.ENDED_BY_REPAIR
        decision.ended_at = now
        decision.save(update_fields=["state", "ended_at"])
        audit.record(
            actor=actor,
            action="penalties.decision.end_by_repair",
            obj=decision,
            before={"state": State.PUBLISHED},
            after={"state": decision.state, "repair": application.pk},
        )
        _refresh_search(decision)
    return application


# --- the scheduled command ----------------------------------------------------------------------


@dataclass
class ExpiryReport:
    day: dt.date
    expired: list[str] = field(default_factory=list)
    recomputed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def decisions_expire(*, actor: Any = "system:expire-penalties", day: dt.date | None = None) -> ExpiryReport:
    """End the display of every decision whose period is over (已公示 → 已届满). Idempotent.

    Safe to run twice (a decision already 已届满 is not touched) and late (the selectors already hide
    a decision from the first day after its period; this records the end and clears the search index).
    Each published decision's period is recomputed first, so a rule or parameter corrected since its
    publication takes effect here. Each decision is its own transaction.
    """
    day = day or selectors.today()
    report = ExpiryReport(day)
    for pk in Decision.objects.filter(state=State.PUBLISHED).order_by("pk").values_list("pk", flat=True):
        try:
            with transaction.atomic():
                decision = Decision.objects.select_for_update().get(pk=pk)
                if decision.state != State.PUBLISHED:
                    continue
                _recompute(actor, decision, report)
                if not decision.display_indefinite and decision.display_ends_on < day:
                    decision.state = State.EXPIRED
                    decision.ended_at = timezone.now()
                    decision.save(update_fields=["state", "ended_at"])
                    audit.record(
                        actor=actor,
                        action="penalties.decision.expire",
                        obj=decision,
                        before={"state": State.PUBLISHED},
                        after={
                            "state": decision.state,
                            "display_ends_on": decision.display_ends_on.isoformat(),
                            "run_on": day.isoformat(),
                        },
                    )
                    report.expired.append(decision.number)
                    _refresh_search(decision)
        except ValidationError as exc:
            report.problems.append(f"{pk}: {'；'.join(exc.messages)}")
    return report


def _recompute(actor: Any, decision: Decision, report: ExpiryReport) -> None:
    period = selectors.display_period(decision)
    if isinstance(period, str):
        report.problems.append(f"{decision.number}：{period}")
        return
    rule_set = RuleSet.objects.get(code=period.rules.code)
    before = _snapshot(decision, PERIOD_FIELDS)
    _apply_period(decision, period, rule_set)
    b, a = audit.diff(before, _snapshot(decision, PERIOD_FIELDS))
    if not a:
        return
    decision.save(update_fields=PERIOD_FIELDS)
    audit.record(actor=actor, action="penalties.decision.recompute_period", obj=decision, before=b, after=a)
    report.recomputed.append(decision.number)


__all__ = [
    "Severity",
    "decision_approve",
    "decision_correct",
    "decision_create",
    "decision_publish",
    "decision_return",
    "decision_set_text",
    "decision_submit",
    "decision_update",
    "decision_withdraw",
    "decisions_expire",
    "redaction_mark",
    "redaction_remove",
    "redaction_restore",
    "redaction_unmark",
    "repair_decide",
    "repair_receive",
]
