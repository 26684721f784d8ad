"""Rich text as the bureau may publish it: a safe subset of HTML (nh3, the Ammonia sanitiser).

Pure module. Scripts, styles, event handlers, images and frames are removed; links keep only
http(s), mailto and site-relative targets and open in the same window.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "b", "i", "u", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "a", "sub", "sup", "hr", "pre", "code",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}


_HTML_RE = re.compile(r"<(/?[a-zA-Z][a-zA-Z0-9]*|!--)")


def clean_html(value: str) -> str:
    """The sanitised HTML; plain text (no tags) becomes paragraphs."""
    value = (value or "").strip()
    if value and not _HTML_RE.search(value):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\r\n\s*\r\n|\n", value) if p.strip()]
        value = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


_TAG_RE = re.compile(r"<[^>]+>")
_BLOCK_RE = re.compile(r"</(p|h[2-4]|li|tr|blockquote|pre)>|<br\s*/?>", re.I)


def plain_text(value: str) -> str:
    """Text of sanitised HTML, block elements separated by new lines (for search and snippets)."""
    text = _BLOCK_RE.sub("\n", value or "")
    text = html.unescape(_TAG_RE.sub("", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())
