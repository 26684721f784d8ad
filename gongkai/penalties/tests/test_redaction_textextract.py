"""Text extraction from uploaded decisions: UTF-8 text, .docx, .pdf, and clear refusals otherwise.

The PDF fixtures are written by ``make_pdf`` below with the standard library only: a Type0 font with
Identity-H encoding and a ToUnicode CMap, which is how real CJK PDFs let their text be copied. No
glyphs are embedded (the font is the standard STSong-Light), so a viewer draws them from its own
fonts while pypdf reads the characters from the CMap: enough for extraction, which is what we test.
"""

import io
import zlib
from datetime import date

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from gongkai.penalties import redaction, textextract
from gongkai.penalties.textextract import ExtractionError, extract_bytes, extract_text

ID = "371502199001011234"


def make_pdf(pages: list[list[str]], *, compress: bool = True) -> bytes:
    """A valid PDF whose pages show the given lines, Chinese included."""
    chars = sorted({ch for page in pages for line in page for ch in line})
    code = {ch: i + 1 for i, ch in enumerate(chars)}
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def stream(data: bytes, extra: bytes = b"") -> bytes:
        if compress:
            data = zlib.compress(data)
            extra += b" /Filter /FlateDecode"
        return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"

    catalog = add(b"")  # filled in below, once the page tree's number is known
    pages_ref = add(b"")
    cmap_entries = "".join(f"<{code[ch]:04X}> <{ord(ch):04X}>\n" for ch in chars)
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{len(chars)} beginbfchar\n{cmap_entries}endbfchar\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode()
    to_unicode = add(stream(cmap))
    descriptor = add(
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880]"
        b" /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
    )
    cid_font = add(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light"
        b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
        b" /FontDescriptor %d 0 R /DW 1000 >>" % descriptor
    )
    font = add(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H"
        b" /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (cid_font, to_unicode)
    )
    kids = []
    for lines in pages:
        ops = [b"BT /F1 12 Tf 16 TL 50 800 Td"]
        for line in lines:
            ops.append(b"<" + "".join(f"{code[ch]:04X}" for ch in line).encode() + b"> Tj T*")
        ops.append(b"ET")
        content = add(stream(b"\n".join(ops)))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842]"
                b" /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (pages_ref, font, content)
            )
        )
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_ref
    objects[pages_ref - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )

    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, xref)
    )
    return out.getvalue()


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None, nested: bool = False) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
        if nested:
            inner = grid.cell(0, 0).add_table(rows=1, cols=1)
            inner.cell(0, 0).text = "开户银行账号：1610001209001234567"
    document.add_paragraph("（完）")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def normalise(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


# --- plain text -------------------------------------------------------------------------------------


def test_utf8_text_with_bom_and_windows_line_endings():
    data = "\ufeff当事人：王某\r\n身份证号码：371502199001011234\r\n".encode()
    assert extract_bytes(data, filename="a.txt") == "当事人：王某\n身份证号码：371502199001011234\n"


def test_utf16_text_from_notepad():
    assert extract_bytes("当事人：王某".encode("utf-16"), filename="a.txt") == "当事人：王某"


def test_gbk_text_is_refused_with_advice():
    with pytest.raises(ExtractionError, match=r"不是 UTF-8.*GBK.*另存为 UTF-8"):
        extract_bytes("当事人：王某，联系电话".encode("gbk"), filename="决定书.txt")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "是空的"),
        (b"   \n\n  ", "没有文字内容"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "PNG 图片"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "JPEG 图片"),
        (b"{\\rtf1\\ansi hello}", "RTF"),
        (b"\x00\x01\x02binary\x00", "无法识别"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200, r"旧版 Word（\.doc）"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le"),
            "已加密",
        ),
    ],
)
def test_unreadable_content_is_refused_in_chinese(data, message):
    with pytest.raises(ExtractionError, match=message):
        extract_bytes(data, filename="x")


def test_missing_file_directory_and_size_limit(tmp_path, monkeypatch):
    with pytest.raises(ExtractionError, match="找不到文件"):
        extract_text(tmp_path / "nope.pdf")
    with pytest.raises(ExtractionError, match="文件夹"):
        extract_text(tmp_path)
    big = tmp_path / "big.txt"
    big.write_text("当事人" * 100, encoding="utf-8")
    monkeypatch.setattr(textextract, "MAX_BYTES", 100)
    with pytest.raises(ExtractionError, match="上限"):
        extract_text(big)


@pytest.mark.parametrize(("suffix", "kind"), [(".pdf", "PDF"), (".docx", "Word")])
def test_a_name_that_promises_another_format_is_called_out(suffix, kind):
    with pytest.raises(ExtractionError, match=f"扩展名是 \\{suffix}.*不是 {kind}"):
        extract_bytes(b"\x01\x02garbage\x00", filename="决定书" + suffix)


# --- .docx ------------------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_document_order():
    data = make_docx(
        ["聊城市市场监督管理局", "行政处罚决定书", "当事人：王某，身份证号码：" + ID],
        table=[["联系电话", "138 1234 5678"], ["住所", "聊城市东昌府区"]],
    )
    text = extract_text_of(data, "决定书.docx")
    assert text.splitlines() == [
        "聊城市市场监督管理局",
        "行政处罚决定书",
        "当事人：王某，身份证号码：" + ID,
        "联系电话\t138 1234 5678",
        "住所\t聊城市东昌府区",
        "（完）",
    ]


def extract_text_of(data: bytes, name: str) -> str:
    return extract_bytes(data, filename=name)


def test_docx_nested_table_and_merged_cells_are_read_once():
    data = make_docx(["正文"], table=[["a", "b"], ["c", "d"]], nested=True)
    document = docx.Document(io.BytesIO(data))
    document.tables[0].cell(1, 0).merge(document.tables[0].cell(1, 1))
    out = io.BytesIO()
    document.save(out)
    text = extract_bytes(out.getvalue(), filename="x.docx")
    assert "开户银行账号：1610001209001234567" in text
    assert text.count("c") == 1


def test_docx_is_recognised_by_content_not_name():
    assert "王某" in extract_bytes(make_docx(["当事人：王某"]), filename="决定书.txt")


def test_truncated_docx_is_refused():
    data = make_docx(["当事人：王某"])
    with pytest.raises(ExtractionError, match="已损坏或不完整"):
        extract_bytes(data[: len(data) // 2], filename="决定书.docx")


def test_docx_with_a_broken_document_part_is_refused():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><w:body>unclosed")
    with pytest.raises(ExtractionError, match="已损坏"):
        extract_bytes(out.getvalue(), filename="决定书.docx")


def test_other_zip_files_are_named():
    import zipfile

    for member, message in (
        ("xl/workbook.xml", "Excel"),
        ("ppt/presentation.xml", "PowerPoint"),
        ("a.txt", "压缩包"),
    ):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr(member, "x")
        with pytest.raises(ExtractionError, match=message):
            extract_bytes(out.getvalue(), filename="f")


# --- .pdf -------------------------------------------------------------------------------------------

PDF_LINES = [
    "聊城市市场监督管理局行政处罚决定书",
    f"当事人：王某，身份证号码：{ID}",
    "联系电话：138 1234 5678，住所：聊城市东昌府区",
]


def test_the_hand_written_pdf_is_valid_and_pypdf_reads_the_chinese():
    reader = PdfReader(io.BytesIO(make_pdf([PDF_LINES])))
    assert len(reader.pages) == 1
    assert normalise(reader.pages[0].extract_text()) == "\n".join(PDF_LINES)


def test_pdf_text_of_every_page():
    text = extract_bytes(make_pdf([PDF_LINES, ["第二页：罚款人民币50000元。"]]), filename="决定书.pdf")
    assert normalise(text) == "\n".join([*PDF_LINES, "第二页：罚款人民币50000元。"])


def test_pdf_number_broken_across_lines_is_still_found():
    text = extract_bytes(make_pdf([[f"身份证号码：{ID[:10]}", f"{ID[10:]}，住聊城市"]]), filename="a.pdf")
    [finding] = redaction.detect(text, today=date(2026, 1, 1))
    assert (finding.kind, finding.value) == (redaction.Kind.ID_NUMBER, ID)


def test_pdf_with_junk_before_the_header_is_still_a_pdf():
    assert "王某" in extract_bytes(b"\r\n" + make_pdf([PDF_LINES], compress=False), filename="a")


def test_pdf_without_text_is_called_a_scan():
    with pytest.raises(ExtractionError, match="扫描件"):
        extract_bytes(make_pdf([[]]), filename="扫描.pdf")


def test_corrupt_pdf_is_refused():
    with pytest.raises(ExtractionError, match="已损坏"):
        extract_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n%%EOF", filename="坏.pdf")
    with pytest.raises(ExtractionError, match=r"已损坏|没有可提取的文字"):
        extract_bytes(make_pdf([PDF_LINES])[:300], filename="截断.pdf")


def encrypted(data: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_with_an_open_password_is_refused():
    with pytest.raises(ExtractionError, match="打开密码"):
        extract_bytes(encrypted(make_pdf([PDF_LINES]), "open-sesame"), filename="加密.pdf")


def test_pdf_with_only_an_owner_password_is_read():
    text = extract_bytes(encrypted(make_pdf([PDF_LINES]), ""), filename="限制编辑.pdf")
    assert normalise(text) == "\n".join(PDF_LINES)
