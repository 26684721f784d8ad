"""``{% feed_alternate %}``: the ``<link rel="alternate">`` of the page's Atom feed, if it has one."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html

from gongkai.opendata.feeds import feed_link_for
from gongkai.portal.templatetags.portal import bcp47

register = template.Library()


@register.simple_tag(takes_context=True)
def feed_alternate(context) -> str:
    request = context.get("request")
    if request is None or request.method != "GET":
        return ""
    found = feed_link_for(request.path, request.GET.urlencode())
    if found is None:
        return ""
    url, title = found
    if translation.get_language() != settings.LANGUAGE_CODE:
        # The title is in the page's language; the feed itself is always Chinese.
        return format_html(
            '<link rel="alternate" type="application/atom+xml" hreflang="{}" title="{}" href="{}">',
            bcp47(settings.LANGUAGE_CODE),
            title,
            url,
        )
    return format_html('<link rel="alternate" type="application/atom+xml" title="{}" href="{}">', title, url)
