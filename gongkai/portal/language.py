"""The page's language and Chinese content on pages in another language (ADR 0060): shared by the
template tags and by Python that builds translated sentences or form widgets."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

# Chinese characters and CJK/full-width punctuation: text holding any is Chinese content.
CHINESE_TEXT = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def bcp47(language_code: str) -> str:
    """Django's language code as an HTML ``lang`` value: ``zh-hans`` → ``zh-Hans``, ``en`` → ``en``."""
    return translation.to_locale(language_code or "").replace("_", "-")


def site_language_active() -> bool:
    """Whether the page is in the site's own language (Chinese)."""
    return translation.get_language() == settings.LANGUAGE_CODE


def content_language() -> str:
    """The ``lang`` value of Chinese content: ``zh-Hans``."""
    return bcp47(settings.LANGUAGE_CODE)


def sentence(message: str, **values: Any) -> SafeString:
    """A translated message with its ``%(name)s`` placeholders filled: the message escaped, each
    value escaped unless it is already HTML (a content span)."""
    return mark_safe(escape(message) % {k: conditional_escape(v) for k, v in values.items()})


class ContentSelect(forms.Select):
    """A select whose options, but an empty first one ("all"), are Chinese content (authorities,
    districts, facts' labels): marked ``lang="zh-Hans"`` on a page in another language, for screen
    readers."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value not in ("", None) and not site_language_active():
            option["attrs"]["lang"] = content_language()
        return option
