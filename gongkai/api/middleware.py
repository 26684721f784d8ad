"""HTTP behaviour of the open-data API (``/api/``): rate limit, CORS, conditional GET.

* **Rate limit** per client address (``REMOTE_ADDR``; behind a proxy, have it set the client's
  address): ``GONGKAI_API_RATE_LIMIT`` requests per ``GONGKAI_API_RATE_WINDOW`` seconds, counted in
  the default cache (Redis when ``REDIS_URL`` is set, so all workers share one count). Over the
  limit: 429 with ``Retry-After`` (seconds to the end of the window) and a JSON body in Chinese and
  English. Every answer carries ``X-RateLimit-Limit`` and ``X-RateLimit-Remaining``.
* **CORS**: the data is public, so any origin may read it (``Access-Control-Allow-Origin: *``,
  no credentials); preflight ``OPTIONS`` answers for GET with the conditional headers.
* **Conditional GET**: a strong ``ETag`` (SHA-256 of the body, 40 hex digits) on every 200, ``Last-Modified`` where
  the endpoint knows it; ``If-None-Match`` / ``If-Modified-Since`` give 304 with no body.
* **A short path for the JSON endpoints** (ADR 0052): the site's middleware after this one —
  sessions, language choice, CSRF, login, messages, django-axes — serves pages with logins
  and forms; an anonymous read-only JSON answer uses none of it, yet it cost a seventh of a list
  page's CPU. Requests for ``/api/v1/…`` (except the HTML page ``/api/v1/docs``) therefore go
  straight to Django's URL resolver and the view (:class:`_BareHandler`), always in the site's
  language (``LANGUAGE_CODE``): the API has one language, whatever the website's language cookie
  (ADR 0060) or ``Accept-Language`` say, so its answers need no ``Vary: Cookie`` and a shared cache
  keeps one copy. This middleware adds what the skipped ones would have put on such an answer:
  ``Content-Length`` and ``X-Frame-Options``. SecurityMiddleware and WhiteNoise run before this one and are unaffected.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch, URLResolver, include, path
from django.urls.resolvers import RegexPattern
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from gongkai.api.errors import ApiError

PREFIX = "/api/"
# JSON endpoints served without the site's inner middleware; the docs page (a template rendered
# with the site's context processors, which read request.user) keeps the full chain.
SHORT_PATH = "/api/v1/"
FULL_CHAIN = ("/api/v1/docs",)
CACHE_SECONDS = 60
ALLOW_HEADERS = "If-None-Match, If-Modified-Since, Accept"
EXPOSE_HEADERS = "ETag, Last-Modified, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining"


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _json(status: int, body: dict) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/json; charset=utf-8"
    )


def check_rate(request: HttpRequest) -> tuple[int, int, int]:
    """(limit, remaining, seconds to the end of the window); limit 0 means no limit."""
    limit = int(getattr(settings, "GONGKAI_API_RATE_LIMIT", 0))
    if limit <= 0:
        return 0, 0, 0
    window = max(1, int(getattr(settings, "GONGKAI_API_RATE_WINDOW", 60)))
    now = int(time.time())
    start = now - now % window
    key = f"gongkai-api-rate:{client_address(request)}:{start}"
    # Counting first and creating the key only on a window's first request is one cache operation
    # per request instead of two (with Redis, two round trips instead of three).
    try:
        used = cache.incr(key)
    except ValueError:  # the window's first request, or the key just expired (unless another
        # worker has created it in between)
        used = 1 if cache.add(key, 1, timeout=window + 1) else cache.incr(key)
    return limit, limit - used, start + window - now


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    return response


@functools.cache
def _api_resolver() -> URLResolver:
    return URLResolver(RegexPattern(r"^/"), [path(SHORT_PATH[1:], include("gongkai.api.urls"))])


class _BareHandler(BaseHandler):
    """Django's handler with no middleware: resolve the URL, call the view, turn an uncaught
    exception into the site's error response (as every middleware layer would)."""

    def __init__(self) -> None:
        super().__init__()
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        self._chain = cast(
            Callable[[HttpRequest], HttpResponse],
            convert_exception_to_response(self._get_response),  # type: ignore[attr-defined]
        )

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        """Resolve against the API's own URLs, not the site's: the site's list is tried in order and
        an ``/api/v1/`` path would first be tried against every app before it (40 µs of a page).
        Nothing before ``api/v1/`` in the site's URLs matches such a path, so the match is the same
        (a test compares them)."""
        match = _api_resolver().resolve(request.path_info)
        request.resolver_match = match
        return match

    def respond(self, request: HttpRequest) -> HttpResponse:
        with translation.override(settings.LANGUAGE_CODE):
            response = self._chain(request)
        if not response.streaming and not response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        if not response.has_header("X-Frame-Options"):
            response["X-Frame-Options"] = getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()
        return response


class OpenDataMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.bare = _BareHandler()

    def _inner(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(SHORT_PATH) and not path.startswith(FULL_CHAIN):
            return self.bare.respond(request)
        return self.get_response(request)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
            response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
            response["Access-Control-Max-Age"] = "86400"
            return _cors(response)
        limit, remaining, reset = check_rate(request)
        if limit and remaining < 0:
            error = ApiError(
                429,
                "rate_limited",
                f"请求过于频繁：每个地址每{settings.GONGKAI_API_RATE_WINDOW}秒最多{limit}次，请{reset}秒后再试",
                f"too many requests: at most {limit} per {settings.GONGKAI_API_RATE_WINDOW} s per "
                f"address; retry after {reset} s",
            )
            response = _json(429, error.body())
            response["Retry-After"] = str(max(reset, 1))
        else:
            response = self._inner(request)
            if request.method in ("GET", "HEAD") and response.status_code == 200:
                response = self._conditional(request, response)
        if limit:
            response["X-RateLimit-Limit"] = str(limit)
            response["X-RateLimit-Remaining"] = str(max(remaining, 0))
        return _cors(response)

    @staticmethod
    def _conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(response, "streaming", False):
            return response
        if not response.has_header("ETag"):
            response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:40]}"'
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        stamp = response.get("Last-Modified")
        last_modified = parse_http_date_safe(stamp) if stamp else None
        conditional = get_conditional_response(
            request, etag=response.get("ETag"), last_modified=last_modified, response=response
        )
        return conditional if conditional is not None else response
