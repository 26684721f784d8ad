"""The outcomes of an 依申请公开 request. Pure: no Django imports.

Each outcome is one row of the annual report's 办理结果 table (国办公开办函〔2021〕30号 附件) and
names which of the seven answers of 政府信息公开条例第三十六条 its reply letter gives. Withdrawals
(第三十条 逾期不补正, 国办函〔2020〕109号 逾期不缴费, the applicant's own withdrawal) end under
"其他处理" without a reply letter.
"""

from __future__ import annotations

from dataclasses import dataclass


def gettext_noop(text: str) -> str:
    """Marks a label for the English catalogue (``make messages`` finds the name) and returns it
    unchanged: labels stay Chinese here, in letters and in exports; a public page translates them
    with ``gettext`` (ADR 0060). Defined here so that the module needs no Django."""
    return text


# The seven answers of 条例第三十六条, in its order; a reply letter template exists for each.
LETTER_TYPES: dict[str, str] = {
    "already_public": "已主动公开（告知获取方式和途径）",
    "disclosed": "予以公开",
    "refused": "不予公开（说明理由）",
    "not_exist": "政府信息不存在",
    "not_this_agency": "不属于本机关负责公开（告知负责机关）",
    "repeat": "重复申请，不予重复处理",
    "special_law": "依照有关法律、行政法规的规定办理",
}

# The annual report's groups, in its order.
GROUPS: dict[str, str] = {
    "disclosed": gettext_noop("（一）予以公开"),
    "partial": gettext_noop("（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    "refused": gettext_noop("（三）不予公开"),
    "unable": gettext_noop("（四）无法提供"),
    "not_handled": gettext_noop("（五）不予处理"),
    "other": gettext_noop("（六）其他处理"),
}


@dataclass(frozen=True)
class Outcome:
    code: str
    group: str
    label: str  # the row label of the annual report (without its number)
    letter_type: str | None  # None: no reply letter (the request was withdrawn)
    basis: str = ""  # the article the reply letter cites
    report_row: str = ""  # the annual report row it is counted in, when it shares one

    @property
    def row(self) -> str:
        return self.report_row or self.code


OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "already_public",
        "disclosed",
        gettext_noop("已主动公开，告知获取方式和途径"),
        "already_public",
        "条例第三十六条第一项",
    ),
    Outcome("disclosed", "disclosed", gettext_noop("予以公开"), "disclosed", "条例第三十六条第二项"),
    Outcome("partial", "partial", gettext_noop("部分公开"), "disclosed", "条例第三十七条"),
    Outcome("refused_secret", "refused", gettext_noop("属于国家秘密"), "refused", "条例第十四条"),
    Outcome("refused_law", "refused", gettext_noop("其他法律行政法规禁止公开"), "refused", "条例第十四条"),
    Outcome("refused_security", "refused", gettext_noop("危及“三安全一稳定”"), "refused", "条例第十四条"),
    Outcome("refused_third_party", "refused", gettext_noop("保护第三方合法权益"), "refused", "条例第十五条"),
    Outcome(
        "refused_internal", "refused", gettext_noop("属于三类内部事务信息"), "refused", "条例第十六条第一款"
    ),
    Outcome(
        "refused_process", "refused", gettext_noop("属于四类过程性信息"), "refused", "条例第十六条第二款"
    ),
    Outcome(
        "refused_enforcement", "refused", gettext_noop("属于行政执法案卷"), "refused", "条例第十六条第二款"
    ),
    Outcome(
        "special_law", "refused", gettext_noop("属于行政查询事项"), "special_law", "条例第三十六条第七项"
    ),
    Outcome(
        "not_exist", "unable", gettext_noop("本机关不掌握相关政府信息"), "not_exist", "条例第三十六条第四项"
    ),
    # Counted, as the format has it, in the row 本机关不掌握相关政府信息.
    Outcome(
        "not_this_agency",
        "unable",
        gettext_noop("本机关不掌握相关政府信息（不属于本机关负责公开）"),
        "not_this_agency",
        "条例第三十六条第五项",
        report_row="not_exist",
    ),
    Outcome(
        "needs_creation", "unable", gettext_noop("没有现成信息需要另行制作"), "not_exist", "条例第三十八条"
    ),
    Outcome("still_unclear", "unable", gettext_noop("补正后申请内容仍不明确"), "refused", "条例第三十条"),
    Outcome("petition", "not_handled", gettext_noop("信访举报投诉类申请"), "refused", "条例第三十九条第一款"),
    Outcome("repeat", "not_handled", gettext_noop("重复申请"), "repeat", "条例第三十六条第六项"),
    Outcome(
        "publication",
        "not_handled",
        gettext_noop("要求提供公开出版物"),
        "already_public",
        "条例第三十九条第二款",
    ),
    Outcome("excessive", "not_handled", gettext_noop("无正当理由大量反复申请"), "refused", "条例第三十五条"),
    Outcome(
        "confirmation",
        "not_handled",
        gettext_noop("要求行政机关确认或重新出具已获取信息"),
        "refused",
        "条例第三十九条第二款",
    ),
    Outcome(
        "lapsed_correction",
        "other",
        gettext_noop("申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
        None,
    ),
    Outcome(
        "lapsed_fee",
        "other",
        gettext_noop("申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
        None,
    ),
    Outcome("other", "other", gettext_noop("其他"), None),
)

BY_CODE: dict[str, Outcome] = {o.code: o for o in OUTCOMES}
# Outcomes a staff member chooses when answering (the rest come from withdrawals).
ANSWER_CODES: tuple[str, ...] = tuple(o.code for o in OUTCOMES if o.letter_type is not None)


def outcome(code: str) -> Outcome:
    try:
        return BY_CODE[code]
    except KeyError:
        raise ValueError(f"未知的办理结果：{code}") from None
