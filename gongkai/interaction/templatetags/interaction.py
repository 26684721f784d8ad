"""Template helpers of 互动交流's public pages."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from gongkai.portal.templatetags.portal import content_lang

register = template.Library()


@register.filter
def zh_content(value) -> SafeString:
    """Chinese content inside a translated sentence or label (a department's name, a letter's
    title): ``<span lang="zh-Hans">…</span>`` on an English page, so that screen readers switch
    voice, and the bare (escaped) text on the Chinese page, which stays as it was (ADR 0060)."""
    lang = content_lang()
    text = conditional_escape(value)
    return mark_safe(f"<span{lang}>{text}</span>") if lang else text
