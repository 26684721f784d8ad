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
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from gongkai.api.errors import ApiError

PREFIX = "/api/"
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
    if cache.add(key, 1, timeout=window + 1):
        used = 1
    else:
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            cache.add(key, 1, timeout=window + 1)
            used = 1
    return limit, limit - used, start + window - now


def _cors(response: HttpResponse) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    return response


class OpenDataMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

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
            response = self.get_response(request)
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
