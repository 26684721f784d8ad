"""Requests that no page can answer meaningfully, refused before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"
PAGE = """<!doctype html>
<html lang="zh-Hans"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>请求无效 - 聊城市市场监督管理局</title></head><body><main>
<h1>请求无效</h1>
<p>网址中含有不允许的控制字符（NUL，%00），请检查后重新输入，或返回<a href="/">首页</a>。</p>
</main></body></html>
"""


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    if "%00" not in request.META.get("QUERY_STRING", ""):  # a NUL can only arrive percent-encoded
        return False
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists())


class RejectNulMiddleware:
    """Refuse a NUL character in the path or in a query parameter.

    It is never meaningful, and PostgreSQL refuses it in any text value ("cannot contain NUL"),
    which would turn a typo or a probe into a server error deep inside a view. Forms already refuse
    it (Django's ``ProhibitNullCharactersValidator``); this covers everything that reads the URL.
    The API gets its own JSON error (422, a documented status of every operation); pages get 400.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _has_nul(request):
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            return JsonResponse(
                {
                    "error": "invalid_characters",
                    "message": "请求中含有不允许的控制字符（NUL，%00） / the request contains a NUL character (%00)",
                    "detail": [],
                },
                status=422,
                json_dumps_params={"ensure_ascii": False},
            )
        return HttpResponse(PAGE, status=400, content_type="text/html; charset=utf-8")
