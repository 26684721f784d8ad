"""Template filters of the policies pages."""

from django import template

from gongkai.policies.rules.explain import format_yuan

register = template.Library()


@register.filter
def yuan(value) -> str:
    """An amount in yuan as people read it: 200万元, 36000元; "—" when unknown."""
    if value is None or value == "":
        return "—"
    return format_yuan(int(value))
