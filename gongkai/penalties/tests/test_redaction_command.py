"""``gongkai redact FILE``: through call_command and as the installed console script."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gongkai.penalties.tests.test_redaction_textextract import make_docx, make_pdf

ID = "371502199001011234"
MOBILE = "13812345678"
CARD = "6222021610001234561"  # Luhn-valid
SECRET = "test-only-secret-key-not-for-production-0123456789"
GONGKAI = Path(sys.executable).parent / "gongkai"

DECISION = (
    "聊城市市场监督管理局\n行政处罚决定书\n\n"
    "当事人：王建国，身份证号码：371502 19900101 1234，\n"
    "联系电话：138-1234-5678，住聊城市东昌府区花园北路12号。\n"
    "统一社会信用代码：91371500MA3C8L2B0L，罚款人民币12345678.00元。\n"
    f"收款银行卡：{CARD}。\n"
)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("redact", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_text_file_is_printed_redacted_with_findings_on_stderr(tmp_path):
    path = tmp_path / "决定书.txt"
    path.write_text(DECISION, encoding="utf-8")
    out, err = run(str(path))
    assert out.splitlines()[3] == "当事人：王建国，身份证号码：[身份证号已隐去]，"
    assert "联系电话：[手机号码已隐去]" in out
    assert "[银行卡号已隐去]" in out
    assert "91371500MA3C8L2B0L" in out and "12345678.00元" in out
    assert "第4行第15列\t身份证号" in err
    assert "第5行" in err and "手机号码" in err
    assert "共隐去 3 处" in err


def test_stderr_never_repeats_a_whole_value(tmp_path):
    path = tmp_path / "决定书.txt"
    path.write_text(DECISION, encoding="utf-8")
    _out, err = run(str(path))
    squeezed = err.replace(" ", "").replace("-", "")
    for value in (ID, MOBILE, CARD, "371502", "12345678"):
        assert value not in squeezed


def test_names_and_addresses_given_on_the_command_line(tmp_path):
    path = tmp_path / "决定书.txt"
    path.write_text(DECISION, encoding="utf-8")
    out, err = run(str(path), "--name", "王建国", "--address", "聊城市东昌府区花园北路12号", "--name", "李四")
    assert "王建国" not in out and "王某某" in out
    assert "住[住址已隐去]。" in out
    assert "没有找到“李四”" in err


def test_docx_file(tmp_path):
    path = tmp_path / "决定书.docx"
    path.write_bytes(make_docx(["当事人：王建国", f"身份证号码：{ID}"], table=[["电话", MOBILE]]))
    out, _err = run(str(path))
    assert "身份证号码：[身份证号已隐去]" in out
    assert "电话\t[手机号码已隐去]" in out
    assert ID not in out and MOBILE not in out


def test_pdf_file_with_a_number_broken_across_lines(tmp_path):
    path = tmp_path / "决定书.pdf"
    path.write_bytes(
        make_pdf([["当事人：王建国，身份证号码：3715021990", "01011234，联系电话：138 1234 5678"]])
    )
    out, _err = run(str(path))
    assert ID[:10] not in out and "1234 5678" not in out
    assert out.count("已隐去") == 2


def test_unreadable_file_is_a_chinese_error_with_status_2(tmp_path):
    path = tmp_path / "决定书.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(CommandError, match="旧版 Word") as exc:
        run(str(path))
    assert exc.value.returncode == 2
    with pytest.raises(CommandError, match="找不到文件") as exc:
        run(str(tmp_path / "nope.txt"))
    assert exc.value.returncode == 2


def test_a_minor_party_prints_nothing_and_exits_3(tmp_path):
    path = tmp_path / "决定书.txt"
    path.write_text("当事人：郝某某，女，身份证号码：371502201001011238\n\n经查，……\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="未满十八周岁") as exc:
        call_command("redact", str(path), "--on-date", "2025-08-05", stdout=out, stderr=io.StringIO())
    assert exc.value.returncode == 3
    assert out.getvalue() == ""


# --- the installed console script -----------------------------------------------------------------


def gongkai(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {"SECRET_KEY": SECRET, "PATH": os.environ.get("PATH", "")}
    return subprocess.run(
        [str(GONGKAI), "redact", *args], input=stdin, capture_output=True, env=env, timeout=60, check=False
    )


def test_console_script_prints_the_redacted_text(tmp_path):
    path = tmp_path / "决定书.txt"
    path.write_text(DECISION, encoding="utf-8")
    result = gongkai(str(path))
    assert result.returncode == 0, result.stderr.decode()
    out, err = result.stdout.decode(), result.stderr.decode()
    assert "[身份证号已隐去]" in out and ID[:6] not in out.replace(" ", "")
    assert "身份证号" in err and MOBILE not in err


def test_console_script_reads_standard_input():
    result = gongkai("-", stdin=f"电话：{MOBILE}".encode())
    assert result.returncode == 0
    assert result.stdout.decode() == "电话：[手机号码已隐去]\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("坏.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n%%EOF", "已损坏"),
        ("坏.docx", b"PK\x03\x04garbage", "已损坏或不完整"),
        ("图.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PNG 图片"),
        ("gbk.txt", "当事人：王某".encode("gbk"), "不是 UTF-8"),
    ],
)
def test_console_script_refuses_bad_files_with_status_2_and_no_traceback(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = gongkai(str(path))
    err = result.stderr.decode()
    assert result.returncode == 2
    assert message in err
    assert "Traceback" not in err
    assert result.stdout == b""
