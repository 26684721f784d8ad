"""Plain Django views of the API that live outside django-ninja's routers."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse


def unknown(request: HttpRequest, *args: object) -> HttpResponse:
    body = {
        "error": "not_found",
        "message": "没有该接口，请查看 /api/v1/docs / no such endpoint; see /api/v1/docs",
        "detail": [],
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=404, content_type="application/json")
