"""Which uploaded files may be published, decided by their content, not their name. Pure module.

PDF, Office (OOXML and the older OLE formats, WPS/OFD not yet), PNG/JPEG/GIF images and MP4 video.
An extension that disagrees with the content is refused: a renamed executable never reaches the
public site.
"""

from __future__ import annotations

import zipfile
from io import BytesIO

MAX_BYTES = {"image": 10 * 1024 * 1024, "video": 200 * 1024 * 1024, "default": 30 * 1024 * 1024}

_OOXML = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
_OLE = {"doc", "xls", "ppt"}
IMAGE_TYPES = {"png", "jpg", "gif"}
ALLOWED = {"pdf", *_OOXML, *_OLE, *IMAGE_TYPES, "mp4"}


class FileTypeError(ValueError):
    pass


def extension(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return "jpg" if ext == "jpeg" else ext


def sniff(head: bytes, data_for_zip: bytes | None = None) -> str | None:
    """The type the first bytes show (for OOXML, the ZIP's member names decide)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"PK\x03\x04") and data_for_zip is not None:
        try:
            names = zipfile.ZipFile(BytesIO(data_for_zip)).namelist()
        except zipfile.BadZipFile:
            return None
        for ext, prefix in _OOXML.items():
            if any(n.startswith(prefix) for n in names) and "[Content_Types].xml" in names:
                return ext
    return None


def check(name: str, data: bytes, *, kind: str = "default") -> str:
    """The file type of an upload, or :class:`FileTypeError` with a message for the uploader."""
    ext = extension(name)
    if ext not in ALLOWED:
        raise FileTypeError(
            f"不支持的文件类型“.{ext or '无扩展名'}”：只能上传 PDF、Word、Excel、PowerPoint、PNG/JPEG/GIF 图片或 MP4 视频"
        )
    limit = MAX_BYTES.get(kind, MAX_BYTES["default"])
    if len(data) > limit:
        raise FileTypeError(f"文件过大：{len(data) / 1048576:.1f} MB，上限为 {limit // 1048576} MB")
    if not data:
        raise FileTypeError("文件是空的")
    found = sniff(data[:16], data if ext in _OOXML else None)
    if found == "ole" and ext in _OLE:
        return ext
    if found != ext:
        raise FileTypeError(
            f"文件内容与扩展名“.{ext}”不符（内容看起来是 {found or '未知类型'}），请检查后重新上传"
        )
    if kind == "image" and ext not in IMAGE_TYPES:
        raise FileTypeError("解读图片只能是 PNG、JPEG 或 GIF")
    return ext
