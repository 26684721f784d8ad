"""The language of a response: Chinese unless the visitor chose English with the switch (ADR 0060).

Django's ``LocaleMiddleware`` would also follow the browser's ``Accept-Language``; this site does not.
The staff area (``/staff/``, ``/admin/``) is always Chinese: its users are the bureau's staff, and a
half-translated work screen helps nobody (ADR 0060).
Many people in China use a browser or system set to English, only the site's shell is translated,
and the content (documents, decisions, register entries) stays Chinese. So a visitor sees English
only after choosing it, and a visitor who never chose sees exactly the Chinese page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

STAFF_PREFIXES = ("/staff/", "/admin/")


def chosen_language(request: HttpRequest) -> str:
    """The language named by the language cookie when it is one of ``LANGUAGES``, else the default.

    Staff pages are always in the default language (Chinese), whatever the cookie says.
    """
    if request.path_info.startswith(STAFF_PREFIXES):
        return settings.LANGUAGE_CODE
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Activates the chosen language for the request; replaces ``django.middleware.locale.LocaleMiddleware``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # Back to the default, so that whatever this thread runs next (a test's own code after a
            # request, stored texts) does not inherit a visitor's English.
            translation.deactivate()
        # The same URL answers in either language, so a shared cache must key on the cookie.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
