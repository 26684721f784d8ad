"""Template filters of the policies pages (staff pages are Chinese; the public and account pages
follow the visitor's language, see :mod:`gongkai.policies.presentation`)."""

from django import template

from gongkai.policies import presentation

register = template.Library()


@register.filter
def yuan(value) -> str:
    """An amount in yuan as people read it: 200万元, 36000元 ("2,000,000 yuan"); "—" when unknown."""
    if value is None or value == "":
        return "—"
    return presentation.yuan(int(value))


@register.filter
def content(value):
    """Chinese content inside an English sentence, marked ``lang="zh-Hans"`` (the text alone in Chinese)."""
    return presentation.content(value)


@register.filter
def mode_label(mode: str):
    """免申即享 / 快申快享 / 评审类 in the page's language."""
    return presentation.mode_label(mode)


@register.filter
def period_label(period: str):
    """A case's period (一次性, 2026, 2026Q2, 2026-05) in the page's language."""
    return presentation.period_label(period)


@register.simple_tag
def worded(explanation):
    """``{% worded explanation as ex %}``: its summary and criteria sentences in the page's language."""
    return presentation.worded(explanation)
