"""How the public and account pages of 政策找人、免申即享 word things in the visitor's language (ADR 0060).

Chinese is the source language: on a Chinese page everything here gives exactly the Chinese text the
engine and the models give. On an English page the words are English and the Chinese *content* (a
policy's title, a fact's label, a department, a name — data from rule files and the database) is
kept and marked ``lang="zh-Hans"``, so that screen readers switch voice.

The per-criterion explanations are built by the rules engine in Chinese (:mod:`.rules.explain`, no
Django); :func:`worded` returns them as they are on a Chinese page and words them again, from the
same data, through the catalogue on an English page. Each message id below is the Chinese sentence
the engine builds (``tests/test_presentation.py`` checks that both give the same Chinese text).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from gongkai.portal.language import CHINESE_TEXT, content_language, sentence, site_language_active

from .rules.evaluate import years_between
from .rules.explain import (
    _COUNT_UNITS,
    ICONS,
    TODAY,
    CriterionExplanation,
    Explanation,
    _prepared,
    format_yuan,
)
from .rules.types import Catalogue, FactSpec

# The page's language and content spans, under the names this module's callers use.
chinese = site_language_active
fmt = sentence


MODES = {
    "免申即享": gettext_lazy("免申即享"),
    "快申快享": gettext_lazy("快申快享"),
    "评审类": gettext_lazy("评审类"),
}


def content(text: Any) -> SafeString:
    """Chinese content (a title, a label, a name) as HTML: marked ``lang="zh-Hans"`` on a page in
    another language when it holds Chinese, the text alone on a Chinese page."""
    text = "" if text is None else str(text)
    if chinese() or not CHINESE_TEXT.search(text):
        return escape(text)
    return format_html('<span lang="{}">{}</span>', content_language(), text)


def _join(items: Iterable[Any], separator: str) -> SafeString:
    return mark_safe(conditional_escape(separator).join(conditional_escape(i) for i in items))


def _list(items: Iterable[Any]) -> SafeString:
    """Items of a list as in a sentence: 甲、乙 in Chinese, "A, B" in English."""
    return _join(items, pgettext("列举", "、"))


def yuan(value: int) -> str:
    """An amount in yuan: 200万元 or 36000元 in Chinese, "2,000,000 yuan" in English."""
    if chinese():
        return format_yuan(value)
    return _("%(amount)s元") % {"amount": f"{value:,}"}


def mode_label(mode: str) -> Any:
    """How a policy is delivered (a rule file's ``mode``): 免申即享, 快申快享 or 评审类."""
    label = MODES.get(mode)
    return label if label is not None else content(mode)


def unit_name(unit: str) -> Any:
    """A fact's unit on its own, as after a form field's label: 元, %, 人, 个月 …"""
    names = {
        "元": pgettext("单位", "元"),
        "人": pgettext("单位", "人"),
        "个月": pgettext("单位", "个月"),
        "次": pgettext("单位", "次"),
        "件": pgettext("单位", "件"),
        "项": pgettext("单位", "项"),
        "家": pgettext("单位", "家"),
        "个": pgettext("单位", "个"),
        "年": pgettext("单位", "年"),
    }
    return names[unit] if unit in names else content(unit)


def period_label(period: str) -> Any:
    """A payment period as stored on a case: 一次性, 2026, 2026Q2 or 2026-05."""
    return _("一次性") if period == "一次性" else period


# --- values -------------------------------------------------------------------------------------


def _number_with_unit(text: str, count: int, unit: str) -> Any:
    if unit == "%":
        return f"{text}%"
    if unit == "元":
        return _("%(amount)s元") % {"amount": text}
    if unit == "人":
        return ngettext("%(n)s人", "%(n)s人", count) % {"n": text}
    if unit == "个月":
        return ngettext("%(n)s个月", "%(n)s个月", count) % {"n": text}
    if unit == "次":
        return ngettext("%(n)s次", "%(n)s次", count) % {"n": text}
    if unit == "件":
        return ngettext("%(n)s件", "%(n)s件", count) % {"n": text}
    if unit == "项":
        return ngettext("%(n)s项", "%(n)s项", count) % {"n": text}
    if unit == "个":
        return ngettext("%(n)s个", "%(n)s个", count) % {"n": text}
    if unit == "家":
        return ngettext("%(n)s家", "%(n)s家", count) % {"n": text}
    if unit == "年":
        return ngettext("%(n)s年", "%(n)s年", count) % {"n": text}
    if not unit:
        return text
    if chinese():
        return f"{text}{unit}"
    return format_html("{} {}", text, content(unit))


def value_text(spec: FactSpec | None, value: Any) -> Any:
    """A fact value as shown to a beneficiary, with its unit (``rules.explain.format_value``)."""
    if value is None:
        return _("暂无数据")
    if isinstance(value, bool):
        return pgettext("数据值", "是") if value else pgettext("数据值", "否")
    if isinstance(value, list):
        return _list(content(v) for v in value) if value else pgettext("数据值", "无")
    if isinstance(value, int):
        unit = spec.unit if spec else ""
        scale = spec.scale if spec else 1
        if unit == "元" and scale == 1:
            return yuan(value)
        if scale != 1:
            number = Decimal(value) / Decimal(scale)
            integral = number == number.to_integral()
            text = str(int(number)) if integral else format(number.normalize(), "f")
            return _number_with_unit(text, int(number) if integral else 2, unit)
        return _number_with_unit(str(value), value, unit)
    return content(value)


def _constant(value: Any, spec: FactSpec | None, kind: str) -> Any:
    """A constant of a requirement (``rules.explain._show_constant``)."""
    if value is TODAY:
        return _("今天")
    if kind in ("string", "date") and isinstance(value, str):
        return value if kind == "date" else format_html("“{}”", content(value))
    return value_text(spec, value)


# --- requirements ---------------------------------------------------------------------------------


def _compare(kind: str, op: str, value: Any) -> SafeString:
    if op == "==":
        return fmt(_("为%(value)s"), value=value)
    if op == "!=":
        return fmt(_("不为%(value)s"), value=value)
    if kind == "date":
        words = {
            ">=": _("不早于%(value)s"),
            ">": _("晚于%(value)s"),
            "<=": _("不晚于%(value)s"),
            "<": _("早于%(value)s"),
        }
    elif kind == "count":
        words = {
            ">=": _("不少于%(value)s"),
            ">": _("多于%(value)s"),
            "<=": _("不多于%(value)s"),
            "<": _("少于%(value)s"),
        }
    else:
        words = {
            ">=": _("不低于%(value)s"),
            ">": _("高于%(value)s"),
            "<=": _("不高于%(value)s"),
            "<": _("低于%(value)s"),
        }
    return fmt(words[op], value=value)


def _years(op: str, k: int) -> str:
    if op == "<":
        return ngettext("不满%(k)s年", "不满%(k)s年", k) % {"k": k}
    if op == "<=":
        return ngettext("不超过%(k)s年", "不超过%(k)s年", k) % {"k": k}
    if op == ">":
        return ngettext("超过%(k)s年", "超过%(k)s年", k) % {"k": k}
    if op == ">=":
        return ngettext("满%(k)s年", "满%(k)s年", k) % {"k": k}
    if op == "==":
        return ngettext("为%(k)s年", "为%(k)s年", k) % {"k": k}
    return ngettext("不为%(k)s年", "不为%(k)s年", k) % {"k": k}


def _items(op: str, n: int) -> str:
    if op == ">=":
        return ngettext("不少于%(n)s项", "不少于%(n)s项", n) % {"n": n}
    if op == ">":
        return ngettext("多于%(n)s项", "多于%(n)s项", n) % {"n": n}
    if op == "<=":
        return ngettext("不多于%(n)s项", "不多于%(n)s项", n) % {"n": n}
    if op == "<":
        return ngettext("少于%(n)s项", "少于%(n)s项", n) % {"n": n}
    if op == "==":
        return ngettext("为%(n)s项", "为%(n)s项", n) % {"n": n}
    return ngettext("不为%(n)s项", "不为%(n)s项", n) % {"n": n}


def _requirement(part: Any, catalogue: Catalogue) -> Any:
    """One part of a requirement (``rules.explain._Part.phrase``), worded again from its data."""
    spec = catalogue[part.fact]
    if part.test == "bool":
        return pgettext("要求", "为是") if part.value else pgettext("要求", "为否")
    if part.test == "compare":
        kind = spec.type
        if kind == "integer" and spec.unit in _COUNT_UNITS:
            kind = "count"
        return _compare(kind, part.op, _constant(part.value, spec, spec.type))
    if part.test == "years":
        return _years(part.op, part.value)
    if part.test == "len":
        return _items(part.op, part.value)
    if part.test == "has":
        value = _("今天") if part.value is TODAY else content(part.value)
        if part.op == "notin":
            return fmt(_("不包含“%(value)s”"), value=value)
        return fmt(_("包含“%(value)s”"), value=value)
    # "in": the fact is one of the constants
    negated = part.op == "notin"
    shown = _list(_constant(v, spec, spec.type) for v in part.value)
    if len(part.value) == 1:
        return fmt(_("不为%(value)s") if negated else _("为%(value)s"), value=shown)
    if negated:
        return fmt(_("不为%(values)s中的任何一个"), values=shown)
    return fmt(_("为%(values)s之一"), values=shown)


# --- explanations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Worded:
    """An explanation in the page's language: the summary and one sentence per criterion."""

    summary: Any
    criteria: list[Any]


def worded(explanation: Explanation) -> Worded:
    """The explanation as the engine wrote it on a Chinese page, worded again on an English one."""
    if chinese():
        return Worded(explanation.summary, [c.text for c in explanation.criteria])
    return Worded(summary_html(explanation), [criterion_html(explanation, c) for c in explanation.criteria])


def _source_note(
    names: Iterable[str],
    catalogue: Catalogue,
    as_of: Mapping[str, Any] | None,
    sources: Mapping[str, str] | None,
) -> Any:
    notes: dict[str, Any] = {}
    for name in names:
        spec = catalogue.get(name)
        source = (sources.get(name) if sources else None) or (spec.source if spec else "")
        date = as_of.get(name) if as_of else None
        if source and date:
            key = f"{source}\0{date.isoformat()}"
            notes.setdefault(
                key, fmt(_("%(source)s，截至%(date)s"), source=content(source), date=date.isoformat())
            )
        elif source:
            notes.setdefault(source, content(source))
    if not notes:
        return ""
    return fmt(_("（来源：%(sources)s）"), sources=_join(notes.values(), pgettext("来源之间", "；")))


def _icon(status: str) -> str:
    if status == "unknown":
        return pgettext("条件状态", "？")
    return ICONS[status]


def criterion_html(explanation: Explanation, c: CriterionExplanation) -> SafeString:
    """One criterion's sentence (``rules.explain.explain_criterion``) in the page's language."""
    catalogue = explanation.policy.catalogue
    assert c.criterion is not None
    prepared = _prepared(c.criterion, catalogue)
    icon, label = _icon(c.status), content(c.label)
    as_of, sources = explanation.as_of, explanation.sources
    if c.status == "unknown":
        note = _source_note(c.missing, catalogue, as_of, sources)
        if not c.missing:
            return fmt(
                _("%(icon)s %(label)s：缺少所需数据数据，请补充%(note)s"), icon=icon, label=label, note=note
            )
        facts = _list(format_html("“{}”", content(catalogue[name].label)) for name in c.missing)
        return fmt(
            _("%(icon)s %(label)s：缺少%(facts)s数据，请补充%(note)s"),
            icon=icon,
            label=label,
            facts=facts,
            note=note,
        )
    note = _source_note(prepared.names, catalogue, as_of, sources)
    shape = prepared.shape
    if shape is None:
        shown = [
            fmt(
                _("%(label)s：%(value)s"),
                label=content(catalogue[name].label),
                value=value_text(catalogue[name], v),
            )
            for name, v in c.facts.items()
        ]
        detail = fmt(_("（%(values)s）"), values=_join(shown, pgettext("数据之间", "；"))) if shown else ""
        return format_html("{} {}{}{}", icon, label, detail, note)
    values = []
    for fact, spec, years_to in prepared.shown:
        value = c.facts[fact]
        if value is None:
            values.append(fmt(_("%(label)s暂无数据"), label=content(spec.label)))
            continue
        shown = value_text(spec, value)
        if years_to is not None:
            to = explanation.on.isoformat() if years_to == "today" else years_to
            years = years_between(value, to)
            if years is not None and years >= 0:
                until = ngettext("（至%(to)s满%(years)s年）", "（至%(to)s满%(years)s年）", years)
                shown = format_html("{}{}", shown, fmt(until, to=to, years=years))
        values.append(fmt(_("%(label)s为%(value)s"), label=content(spec.label), value=shown))
    if len(shape.parts) == 1:
        requirement = _requirement(shape.parts[0], catalogue)
    else:
        joiner = pgettext("条件之间", "且") if shape.joiner == "且" else pgettext("条件之间", "或")
        requirement = _join(
            (
                fmt(
                    _("%(label)s%(requirement)s"),
                    label=content(catalogue[p.fact].label),
                    requirement=_requirement(p, catalogue),
                )
                for p in shape.parts
            ),
            joiner,
        )
    return fmt(
        _("%(icon)s %(label)s：您的%(values)s，要求%(requirement)s%(note)s"),
        icon=icon,
        label=label,
        values=_join(values, pgettext("数据之间", "，")),
        requirement=requirement,
        note=note,
    )


def summary_html(explanation: Explanation) -> SafeString:
    """The explanation's first line (``rules.explain.explain``) in the page's language."""
    policy = explanation.policy
    title = content(policy.title)
    status = explanation.status
    if status == "not_in_force":
        start = policy.valid_from.isoformat()
        if policy.valid_to:
            return fmt(
                _("%(title)s：政策不在有效期内（%(start)s至%(end)s）"),
                title=title,
                start=start,
                end=policy.valid_to.isoformat(),
            )
        return fmt(_("%(title)s：政策不在有效期内（%(start)s起长期有效）"), title=title, start=start)
    if status == "eligible":
        if not explanation.has_amount:
            return fmt(_("%(title)s：符合条件"), title=title)
        if explanation.amount is None:
            return fmt(_("%(title)s：符合条件，金额待补充数据后核定"), title=title)
        return fmt(_("%(title)s：符合条件，金额%(amount)s"), title=title, amount=yuan(explanation.amount))
    if status == "ineligible":
        failed = sum(1 for c in explanation.criteria if c.status == "fail")
        message = ngettext(
            "%(title)s：不符合条件（%(failed)s项条件未满足）",
            "%(title)s：不符合条件（%(failed)s项条件未满足）",
            failed,
        )
        return fmt(message, title=title, failed=failed)
    facts = _list(content(policy.catalogue[name].label) for name in explanation.missing)
    return fmt(_("%(title)s：尚缺数据，暂无法判断，请补充：%(facts)s"), title=title, facts=facts)
