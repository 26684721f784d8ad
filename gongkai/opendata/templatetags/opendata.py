"""``{% feed_alternate %}``: the ``<link rel="alternate">`` of the page's Atom feed, if it has one."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from gongkai.opendata.feeds import feed_link_for

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
    return format_html('<link rel="alternate" type="application/atom+xml" title="{}" href="{}">', title, url)
