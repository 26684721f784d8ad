from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from gongkai.portal import navigation
from gongkai.portal.language import bcp47, content_language, site_language_active

register = template.Library()


@register.inclusion_tag("portal/_menu.html", takes_context=True)
def portal_menu(context):
    """The main navigation: columns, and the current column's pages in a second row."""
    request = context.get("request")
    path = request.path if request else "/"
    current = navigation.column_for_path(path)
    return {"columns": navigation.COLUMNS, "current": current, "path": path, "request": request}


register.filter("bcp47", bcp47)


@register.simple_tag
def content_lang() -> SafeString:
    """`` lang="zh-Hans"`` for an element holding Chinese content (a title, a name) when the page is in
    another language, so that screen readers read it with a Chinese voice; nothing on a Chinese page."""
    if site_language_active():
        return mark_safe("")
    return mark_safe(f' lang="{content_language()}"')


@register.filter
def chinese_content(value):
    """``value`` (Chinese content, such as a name inside a translated sentence) wrapped in
    ``<span lang="zh-Hans">`` when the page is in another language; unchanged on a Chinese page."""
    lang = content_lang()
    return format_html("<span{}>{}</span>", lang, value) if lang else value
