"""Letters and reports as documents: staff-editable templates, .docx (python-docx) and PDF (fpdf2).

A template is plain text with placeholders in braces (``{申请人}``); only the names in
:data:`PLACEHOLDERS` exist, so a template can show the applicant's data but never reach anything
else (unlike a Django template, which could walk object attributes). PDF output needs a CJK font:
Debian's ``fonts-noto-cjk`` (Noto Sans CJK SC) or the file named by ``GONGKAI_CJK_FONT``; without one
only the .docx is produced and the page says so (ADR 0041).
"""

from __future__ import annotations

import functools
import io
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PLACEHOLDERS: dict[str, str] = {
    "机关名称": "本机关名称",
    "申请人": "申请人姓名或名称",
    "受理编号": "申请的受理编号",
    "查询码": "申请人查询办理进度用的查询码",
    "申请内容": "申请公开的信息描述",
    "提交日期": "申请提交或寄达日期",
    "收到日期": "收到申请之日",
    "答复期限": "当前的答复期限",
    "补正事项": "需要补正的事项",
    "补正期限": "申请人补正的期限",
    "延期理由": "延长答复期限的理由",
    "延长后期限": "延长后的答复期限",
    "第三方": "被征求意见的第三方",
    "征求意见期限": "第三方提出意见的期限",
    "收费方式": "按件或按量",
    "收费金额": "信息处理费金额（元）",
    "缴费期限": "缴费期限",
    "办理结果": "办理结果",
    "答复要点": "答复内容",
    "法律依据": "答复所依据的条款",
    "负责机关": "负责公开该信息的机关",
    "日期": "文书日期",
}

_PLACEHOLDER = re.compile(r"\{([^{}\s]{1,20})\}")


class TemplateProblem(ValueError):
    pass


@dataclass(frozen=True)
class DefaultTemplate:
    key: str
    title: str
    body: str


_FOOTER = "\n\n{机关名称}\n{日期}"
DEFAULTS: dict[str, DefaultTemplate] = {
    t.key: t
    for t in [
        DefaultTemplate(
            "ack",
            "政府信息公开申请登记回执",
            "{申请人}：\n\n本机关于{收到日期}收到您提出的政府信息公开申请（受理编号：{受理编号}），申请内容为："
            "“{申请内容}”。\n\n根据《中华人民共和国政府信息公开条例》第三十三条，本机关将在收到申请之日起20个"
            "工作日内（即{答复期限}前）予以答复；需要延长答复期限的，将另行告知。您可凭查询码{查询码}在本局网站"
            "“依申请公开”栏目查询办理进度。" + _FOOTER,
        ),
        DefaultTemplate(
            "correction",
            "政府信息公开申请补正告知书",
            "{申请人}：\n\n本机关于{收到日期}收到您提出的政府信息公开申请（受理编号：{受理编号}）。经审查，您的申请"
            "内容不明确，根据《中华人民共和国政府信息公开条例》第三十条，请您对以下事项作出补正：\n\n{补正事项}\n\n"
            "请于{补正期限}前提交补正后的申请。答复期限自本机关收到补正的申请之日起计算。无正当理由逾期不补正的，"
            "视为放弃申请，本机关不再处理该政府信息公开申请。" + _FOOTER,
        ),
        DefaultTemplate(
            "consultation",
            "政府信息公开征求意见函",
            "{第三方}：\n\n本机关收到的政府信息公开申请（受理编号：{受理编号}）所申请公开的信息可能涉及贵方合法权益。"
            "根据《中华人民共和国政府信息公开条例》第三十二条，现书面征求贵方意见，请于{征求意见期限}前提出。逾期"
            "未提出意见的，由本机关依照条例规定决定是否公开。" + _FOOTER,
        ),
        DefaultTemplate(
            "extension",
            "延期答复告知书",
            "{申请人}：\n\n本机关于{收到日期}收到您提出的政府信息公开申请（受理编号：{受理编号}）。因{延期理由}，"
            "经本机关政府信息公开工作机构负责人同意，根据《中华人民共和国政府信息公开条例》第三十三条第二款，答复"
            "期限延长20个工作日，延长后的答复期限为{延长后期限}。" + _FOOTER,
        ),
        DefaultTemplate(
            "fee_notice",
            "政府信息公开信息处理费收费通知",
            "{申请人}：\n\n您提出的政府信息公开申请（受理编号：{受理编号}）超出了免费的数量范围。根据《政府信息公开"
            "信息处理费管理办法》（国办函〔2020〕109号），本机关{收费方式}收取信息处理费{收费金额}元。请于{缴费期限}"
            "前缴纳；逾期未缴纳的，视为放弃申请。自发出本通知至收到费用期间不计算在答复期限内。" + _FOOTER,
        ),
        DefaultTemplate(
            "answer_already_public",
            "政府信息公开申请答复书",
            "{申请人}：\n\n本机关于{收到日期}收到您提出的政府信息公开申请（受理编号：{受理编号}）。经审查，您申请"
            "获取的信息已经主动公开。根据《中华人民共和国政府信息公开条例》{法律依据}，现告知获取方式和途径："
            "\n\n{答复要点}" + _FOOTER,
        ),
        DefaultTemplate(
            "answer_disclosed",
            "政府信息公开申请答复书",
            "{申请人}：\n\n本机关于{收到日期}收到您提出的政府信息公开申请（受理编号：{受理编号}）。经审查，根据"
            "《中华人民共和国政府信息公开条例》{法律依据}，决定{办理结果}，具体如下：\n\n{答复要点}"
            + _FOOTER,
        ),
        DefaultTemplate(
            "answer_refused",
            "政府信息公开申请答复书",
            "{申请人}：\n\n本机关于{收到日期}收到您提出的政府信息公开申请（受理编号：{受理编号}）。经审查，您申请"
            "公开的信息{办理结果}，根据《中华人民共和国政府信息公开条例》{法律依据}，不予公开。理由如下：\n\n"
            "{答复要点}\n\n如对本答复不服，可以依法申请行政复议或者提起行政诉讼。" + _FOOTER,
        ),
        DefaultTemplate(
            "answer_not_exist",
            "政府信息公开申请答复书",
            "{申请人}：\n\n本机关于{收到日期}收到您提出的政府信息公开申请（受理编号：{受理编号}）。经检索，根据"
            "《中华人民共和国政府信息公开条例》{法律依据}，告知如下：{办理结果}。\n\n{答复要点}\n\n如对本答复"
            "不服，可以依法申请行政复议或者提起行政诉讼。" + _FOOTER,
        ),
        DefaultTemplate(
            "answer_not_this_agency",
            "政府信息公开申请答复书",
            "{申请人}：\n\n本机关于{收到日期}收到您提出的政府信息公开申请（受理编号：{受理编号}）。经审查，您申请"
            "的信息不属于本机关负责公开。根据《中华人民共和国政府信息公开条例》{法律依据}，告知您该信息由{负责机关}"
            "负责公开，请向其提出申请。\n\n{答复要点}" + _FOOTER,
        ),
        DefaultTemplate(
            "answer_repeat",
            "政府信息公开申请答复书",
            "{申请人}：\n\n本机关于{收到日期}收到您提出的政府信息公开申请（受理编号：{受理编号}）。您已就相同内容"
            "提出过申请，本机关已作出答复。根据《中华人民共和国政府信息公开条例》{法律依据}，不予重复处理。"
            "\n\n{答复要点}" + _FOOTER,
        ),
        DefaultTemplate(
            "answer_special_law",
            "政府信息公开申请答复书",
            "{申请人}：\n\n本机关于{收到日期}收到您提出的政府信息公开申请（受理编号：{受理编号}）。您申请获取的"
            "信息属于{办理结果}，有关法律、行政法规对信息的获取有特别规定。根据《中华人民共和国政府信息公开条例》"
            "{法律依据}，请依照有关规定办理：\n\n{答复要点}" + _FOOTER,
        ),
    ]
}


def placeholders_in(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def check_template(body: str) -> None:
    """Refuse a template naming a placeholder that does not exist (a typo would print braces)."""
    unknown = sorted({name for name in placeholders_in(body) if name not in PLACEHOLDERS})
    if unknown:
        raise TemplateProblem(
            "模板中有不存在的占位符："
            + "、".join(f"{{{n}}}" for n in unknown)
            + "。可用的占位符见页面下方说明。"
        )


def fill(body: str, values: Mapping[str, str]) -> str:
    """Replace each known placeholder; a known one without a value becomes “（无）”."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        return str(values.get(name) or "（无）")

    return _PLACEHOLDER.sub(replace, body)


# --- .docx --------------------------------------------------------------------------------------


def docx_bytes(title: str, text: str, *, subtitle: str = "", tables: Sequence[Table] = ()) -> bytes:
    """A simple official-looking letter: centred title, number line, paragraphs, tables."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(12)
    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(18)
    if subtitle:
        sub = doc.add_paragraph(subtitle)
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for block in _blocks(text, tables):
        if isinstance(block, Table):
            if block.caption:
                doc.add_paragraph(block.caption).runs[0].bold = True
            table = doc.add_table(rows=0, cols=len(block.header))
            table.style = "Table Grid"
            for row in [block.header, *block.rows]:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=False):
                    cell.text = str(value)
        else:
            doc.add_paragraph(block)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]
    anchor: str = ""  # a line of the text after which the table goes ("" = at the end)


def _blocks(text: str, tables: Sequence[Table]) -> list[str | Table]:
    blocks: list[str | Table] = []
    pending = [t for t in tables if not t.anchor]
    anchored = {t.anchor: t for t in tables if t.anchor}
    for line in text.split("\n"):
        blocks.append(line)
        if line.strip() in anchored:
            blocks.append(anchored.pop(line.strip()))
    blocks.extend(anchored.values())
    blocks.extend(pending)
    return blocks


# --- PDF ----------------------------------------------------------------------------------------

_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


@functools.cache
def cjk_font() -> tuple[str, int] | None:
    """(font file, face number of its Simplified Chinese face), or None when no CJK font is installed."""
    configured = os.environ.get("GONGKAI_CJK_FONT", "")
    for path in ([configured] if configured else []) + list(_FONT_CANDIDATES):
        if not path or not Path(path).exists():
            continue
        if not path.endswith(".ttc"):
            return path, 0
        try:
            from fontTools.ttLib import TTCollection

            faces = TTCollection(path, lazy=True).fonts
            names = [f["name"].getDebugName(1) or "" for f in faces]
        except Exception:  # an unreadable font is the same as none
            continue
        for index, name in enumerate(names):
            if name.endswith(" SC") or "Zen Hei" in name:
                return path, index
        return path, 0
    return None


def pdf_available() -> bool:
    return cjk_font() is not None


def pdf_bytes(title: str, text: str, *, subtitle: str = "", tables: Sequence[Table] = ()) -> bytes | None:
    """The same letter as PDF with the font embedded (subset), or None without a CJK font."""
    font = cjk_font()
    if font is None:
        return None
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos
    from fpdf.fonts import FontFace

    path, index = font
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(22, 22, 22)
    pdf.add_page()
    if path.endswith(".ttc"):
        pdf.add_font("cjk", fname=path, collection_font_number=index)
    else:
        pdf.add_font("cjk", fname=path)
    pdf.set_font("cjk", size=17)
    pdf.multi_cell(0, 11, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if subtitle:
        pdf.set_font("cjk", size=11)
        pdf.multi_cell(0, 8, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    for block in _blocks(text, tables):
        if isinstance(block, Table):
            pdf.set_font("cjk", size=10)
            if block.caption:
                pdf.multi_cell(0, 7, block.caption, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            first = max(40, int(pdf.epw * 0.42))
            rest = (pdf.epw - first) / max(1, len(block.header) - 1)
            widths = [first] + [rest] * (len(block.header) - 1)
            plain = FontFace(
                emphasis=None, fill_color=(235, 235, 235)
            )  # the CJK font has no bold face loaded
            with pdf.table(
                col_widths=widths, text_align="LEFT", line_height=6, headings_style=plain
            ) as table:
                for row in [block.header, *block.rows]:
                    r = table.row()
                    for value in row:
                        r.cell(str(value))
            pdf.ln(3)
        else:
            pdf.set_font("cjk", size=12)
            pdf.multi_cell(0, 8, block or " ", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
