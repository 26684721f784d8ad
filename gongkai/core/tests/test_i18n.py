"""The shared pagination of the public lists in English (ADR 0060); the staff pages stay Chinese."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import translation


def _pagination(rf, language: str) -> str:
    page = Paginator(range(100), 30).get_page(2)
    with translation.override(language):
        return render_to_string(
            "core/_pagination.html", {"page": page}, rf.get("/inspections/?tab=results&q=x")
        )


def test_the_pagination_in_english(rf):
    html = _pagination(rf, "en")
    assert '<nav class="pagination" aria-label="Pages">' in html
    assert '">Previous page</a>' in html and '">Next page</a>' in html and "<span>Page 2 of 4</span>" in html
    assert 'href="?tab=results&amp;q=x&amp;page=3"' in html


def test_the_pagination_in_chinese_is_unchanged(rf):
    html = _pagination(rf, "zh-hans")
    assert '<nav class="pagination" aria-label="分页">' in html
    assert '">上一页</a>' in html and '">下一页</a>' in html and "<span>第 2 / 4 页</span>" in html
