from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import to_locale

from gongkai.portal import navigation

register = template.Library()


@register.inclusion_tag("portal/_menu.html", takes_context=True)
def portal_menu(context):
    """The main navigation: columns, and the current column's pages in a second row."""
    request = context.get("request")
    path = request.path if request else "/"
    current = navigation.column_for_path(path)
    return {"columns": navigation.COLUMNS, "current": current, "path": path, "request": request}


@register.filter
def bcp47(language_code: str) -> str:
    """Django's language code as an HTML ``lang`` value: ``zh-hans`` → ``zh-Hans``, ``en`` → ``en``."""
    return to_locale(language_code or "").replace("_", "-")


@register.simple_tag
def content_lang() -> SafeString:
    """`` lang="zh-Hans"`` for an element holding Chinese content (a title, a name) when the page is in
    another language, so that screen readers read it with a Chinese voice; nothing on a Chinese page."""
    if translation.get_language() == settings.LANGUAGE_CODE:
        return mark_safe("")
    return mark_safe(f' lang="{bcp47(settings.LANGUAGE_CODE)}"')


@register.filter
def chinese_content(value):
    """``value`` (Chinese content, such as a name inside a translated sentence) wrapped in
    ``<span lang="zh-Hans">`` when the page is in another language; unchanged on a Chinese page."""
    lang = content_lang()
    return format_html("<span{}>{}</span>", lang, value) if lang else value
