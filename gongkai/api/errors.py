"""Errors the API answers with: one JSON shape, a Chinese and an English sentence.

Every error body is ``{"error": code, "message": "中文 / English", "detail": [...]}``; the code is
stable for programs, the message is for the developer reading it.
"""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error with its HTTP status, a stable code and a bilingual message."""

    def __init__(self, status: int, code: str, zh: str, en: str, detail: list[Any] | None = None):
        super().__init__(en)
        self.status = status
        self.code = code
        self.message = f"{zh} / {en}"
        self.detail = detail or []

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "detail": self.detail}


def not_found(what_zh: str, what_en: str, key: str) -> ApiError:
    return ApiError(404, "not_found", f"没有该{what_zh}：{key}", f"no {what_en} {key!r}")


def bad_cursor() -> ApiError:
    return ApiError(
        400,
        "invalid_cursor",
        "游标（cursor）无效或已被修改，请使用上一页响应中的 next_cursor，且不要改变排序方式",
        "the cursor is invalid or was altered; pass next_cursor from the previous page unchanged, "
        "with the same sort",
    )


# Chinese sentences for pydantic's error types (the parameter's name is put in front).
_ZH = {
    "less_than_equal": "不能大于{le}",
    "greater_than_equal": "不能小于{ge}",
    "int_parsing": "必须是整数",
    "int_type": "必须是整数",
    "date_parsing": "必须是日期，格式 YYYY-MM-DD",
    "date_from_datetime_parsing": "必须是日期，格式 YYYY-MM-DD",
    "date_type": "必须是日期，格式 YYYY-MM-DD",
    "datetime_parsing": "必须是日期时间，格式 YYYY-MM-DDTHH:MM:SS+08:00（或只写日期）",
    "datetime_from_date_parsing": "必须是日期时间，格式 YYYY-MM-DDTHH:MM:SS+08:00（或只写日期）",
    "datetime_type": "必须是日期时间，格式 YYYY-MM-DDTHH:MM:SS+08:00（或只写日期）",
    "literal_error": "取值无效，可选：{expected}",
    "enum": "取值无效，可选：{expected}",
    "string_too_long": "不能超过{max_length}个字符",
    "string_too_short": "至少{min_length}个字符",
    "string_pattern_mismatch": "格式不正确",
    "missing": "必须填写",
}


def validation_error(errors: list[dict[str, Any]]) -> ApiError:
    """422 for bad parameters, one sentence per parameter in both languages."""
    zh_parts, en_parts, detail = [], [], []
    for err in errors:
        loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "filters")]
        name = ".".join(loc) or "?"
        ctx = {k: str(v) for k, v in (err.get("ctx") or {}).items()}
        template = _ZH.get(err.get("type", ""))
        try:
            zh = template.format(**ctx) if template else "取值无效"
        except (KeyError, IndexError):
            zh = "取值无效"
        msg = str(err.get("msg", "invalid value"))
        zh_parts.append(f"参数 {name} {zh}")
        en_parts.append(f"parameter {name}: {msg}")
        detail.append({"parameter": name, "type": err.get("type", ""), "message": f"{zh} / {msg}"})
    return ApiError(422, "invalid_parameter", "；".join(zh_parts), "; ".join(en_parts), detail)
