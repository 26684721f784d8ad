"""Sanitising rich text and checking uploaded files (no database)."""

import io
import zipfile

import pytest

from gongkai.disclosure import filetypes
from gongkai.disclosure.demo import pdf_bytes, png_bytes
from gongkai.disclosure.sanitise import clean_html, plain_text


def test_scripts_handlers_styles_and_bad_links_are_removed():
    dirty = '<p onclick="x()">正文<script>alert(1)</script><img src=x onerror=y></p><a href="javascript:alert(1)">链接</a><style>p{}</style><h2>标题</h2>'
    clean = clean_html(dirty)
    assert "script" not in clean and "onclick" not in clean and "onerror" not in clean and "<img" not in clean
    assert "javascript" not in clean and "<style" not in clean
    assert "<h2>标题</h2>" in clean and "<p>正文</p>" in clean


def test_plain_text_becomes_paragraphs_and_back():
    html = clean_html("第一段\n第二段 <不是标签")
    assert html.startswith("<p>第一段</p>")
    assert plain_text(html) == "第一段\n第二段 <不是标签"


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in [("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>")]:
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "kind", "expected"),
    [
        ("a.pdf", pdf_bytes("x"), "default", "pdf"),
        ("图解.PNG", png_bytes(), "image", "png"),
        ("表格.docx", _docx(), "default", "docx"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "default", "doc"),
    ],
    ids=["pdf", "png", "docx", "doc"],  # the .docx bytes hold a timestamp: ids must not depend on them
)
def test_allowed_files_are_recognised_by_content(name, data, kind, expected):
    assert filetypes.check(name, data, kind=kind) == expected


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("fake.pdf", b"MZ\x90\x00 not a pdf", "内容与扩展名"),
        ("fake.docx", b"PK\x03\x04 broken zip", "内容与扩展名"),
        ("empty.pdf", b"", "空的"),
    ],
    ids=["exe", "fake-pdf", "fake-docx", "empty"],
)
def test_wrong_or_disguised_files_are_refused_with_a_clear_message(name, data, message):
    with pytest.raises(filetypes.FileTypeError, match=message):
        filetypes.check(name, data)


def test_size_limit():
    with pytest.raises(filetypes.FileTypeError, match="文件过大"):
        filetypes.check("big.pdf", b"%PDF-" + b"0" * (filetypes.MAX_BYTES["default"] + 1))
    with pytest.raises(filetypes.FileTypeError, match="解读图片"):
        filetypes.check("a.pdf", pdf_bytes("x"), kind="image")
