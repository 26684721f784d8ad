"""The text of an uploaded decision: UTF-8 text, ``.docx`` or ``.pdf``. Pure: no Django imports.

The format is decided by the file's content, not its name (a ``.txt`` that is really a PDF is read as
a PDF); the name only makes the error message more precise. Anything else — an old ``.doc``, an
encrypted or corrupt file, a scanned PDF with no text layer, GBK text — is refused with a
:class:`ExtractionError` whose message, in Chinese, says what is wrong and what to do.

What is extracted is what gets published (after redaction), so nothing is silently dropped from
the body: Word paragraphs and tables (nested ones too) are kept in document order. Headers,
footers, comments and text boxes are not part of the decision text and are not read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["MAX_BYTES", "ExtractionError", "extract_bytes", "extract_text"]

MAX_BYTES = 50 * 1024 * 1024  # a decision is a few pages; anything larger is not one
_MAX_UNZIPPED = 200 * 1024 * 1024  # refuse zip bombs before python-docx inflates them

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


class ExtractionError(ValueError):
    """The file cannot be turned into text; the message is for the person who supplied it."""


def extract_text(path: str | Path) -> str:
    """The text of the file at ``path``."""
    p = Path(path)
    try:
        if p.is_dir():
            raise ExtractionError(f"“{p}”是一个文件夹，不是文件。")
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ExtractionError(
                f"文件“{p.name}”有 {size // (1024 * 1024)} MB，超过 {MAX_BYTES // (1024 * 1024)} MB 的上限，不像是一份决定书。"
            )
        data = p.read_bytes()
    except FileNotFoundError:
        raise ExtractionError(f"找不到文件“{p}”，请检查路径。") from None
    except PermissionError:
        raise ExtractionError(f"没有读取文件“{p}”的权限。") from None
    except OSError as exc:
        raise ExtractionError(f"无法读取文件“{p}”：{exc.strerror or exc}。") from None
    return extract_bytes(data, filename=p.name)


def extract_bytes(data: bytes, *, filename: str = "") -> str:
    """The text of an uploaded file's content. Line endings are normalised to ``\\n``."""
    name = filename or "上传的文件"
    suffix = Path(filename).suffix.lower()
    if len(data) > MAX_BYTES:
        raise ExtractionError(f"文件“{name}”超过 {MAX_BYTES // (1024 * 1024)} MB 的上限，不像是一份决定书。")
    if not data:
        raise ExtractionError(f"文件“{name}”是空的。")

    if b"%PDF-" in data[:1024]:  # readers accept a little junk before the header
        text = _pdf_text(data, name)
    elif data.startswith(b"PK\x03\x04"):
        text = _docx_text(data, name)
    elif data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            raise ExtractionError(
                f"文件“{name}”设置了打开密码（已加密），无法读取；请取消密码后另存为 .docx 再上传。"
            )
        raise ExtractionError(
            f"文件“{name}”是旧版 Word（.doc）或其他旧版 Office 格式，无法读取；请在 Word 或 WPS 中另存为 .docx 后再上传。"
        )
    else:
        _refuse_known_binary(data, name, suffix)
        text = _plain_text(data, name)

    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ExtractionError(f"文件“{name}”中没有文字内容。")
    return text


def _refuse_known_binary(data: bytes, name: str, suffix: str) -> None:
    images = {
        b"\x89PNG": "PNG",
        b"\xff\xd8\xff": "JPEG",
        b"GIF8": "GIF",
        b"II*\x00": "TIFF",
        b"MM\x00*": "TIFF",
    }
    for magic, kind in images.items():
        if data.startswith(magic):
            raise ExtractionError(
                f"文件“{name}”是 {kind} 图片，没有可提取的文字；请提供文字版决定书（.docx、.pdf 或文本文件）。"
            )
    if data.startswith(b"{\\rtf"):
        raise ExtractionError(f"文件“{name}”是 RTF 格式，无法读取；请另存为 .docx 后再上传。")
    if suffix == ".pdf":
        raise ExtractionError(f"文件“{name}”的扩展名是 .pdf，但内容不是 PDF（文件可能已损坏或不完整）。")
    if suffix == ".docx":
        raise ExtractionError(
            f"文件“{name}”的扩展名是 .docx，但内容不是 Word 文档（文件可能已损坏或不完整）。"
        )


def _plain_text(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ExtractionError(
                f"文件“{name}”声明为 UTF-16 编码，但内容无法解码（文件可能已损坏）。"
            ) from None
    if b"\x00" in data[:8192]:
        raise ExtractionError(f"无法识别文件“{name}”的格式：它不是文本、.docx 或 .pdf 文件。")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            hint = ""
        else:
            hint = "看起来是 GBK/GB18030 编码，"
        raise ExtractionError(
            f"文件“{name}”不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节处无法解码），{hint}"
            "请用记事本或 WPS 另存为 UTF-8 编码后再上传。"
        ) from None


# --- .docx -----------------------------------------------------------------------------------------


def _docx_text(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise ExtractionError(f"文件“{name}”已损坏或不完整，无法作为 Word 文档（.docx）打开。") from None
    if "word/document.xml" not in names:
        if any(n.startswith("xl/") for n in names):
            raise ExtractionError(
                f"文件“{name}”是 Excel 表格，不是决定书；请上传决定书的 .docx、.pdf 或文本文件。"
            )
        if any(n.startswith("ppt/") for n in names):
            raise ExtractionError(f"文件“{name}”是 PowerPoint 演示文稿，不是决定书。")
        raise ExtractionError(f"文件“{name}”是一个压缩包，不是 Word 文档（.docx）。")
    if unzipped > _MAX_UNZIPPED:
        raise ExtractionError(f"文件“{name}”解压后过大，不像是一份决定书。")

    from docx import Document

    try:
        document = Document(io.BytesIO(data))
        return "\n".join(_docx_blocks(document))
    except Exception as exc:  # untrusted input: any parser failure means a damaged file
        raise ExtractionError(f"文件“{name}”已损坏，无法读取其中的文字（{type(exc).__name__}）。") from None


def _docx_blocks(container: object) -> Iterator[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in container.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            for row in block.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell repeats across the columns it spans
                        continue
                    seen.add(id(cell._tc))
                    cells.append("\n".join(_docx_blocks(cell)))
                yield "\t".join(cells)


# --- .pdf ------------------------------------------------------------------------------------------


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))  # a PDF with only an owner password opens without one
            except (DependencyError, NotImplementedError):  # AES needs the absent cryptography package
                raise ExtractionError(
                    f"PDF 文件“{name}”已加密（AES），无法读取；请在 PDF 软件中取消加密后另存，再上传。"
                ) from None
            if not opened:
                raise ExtractionError(
                    f"PDF 文件“{name}”设置了打开密码（已加密），无法读取；请提供未加密的文件。"
                )
        pages = [page.extract_text() or "" for page in reader.pages]
    except ExtractionError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError):
        raise ExtractionError(f"PDF 文件“{name}”已损坏或不完整，无法读取其中的文字。") from None
    text = "\n".join(pages)
    if not text.strip():
        raise ExtractionError(
            f"PDF 文件“{name}”中没有可提取的文字（可能是扫描件或图片）；请提供文字版 PDF 或 .docx，或先进行文字识别。"
        )
    return text
