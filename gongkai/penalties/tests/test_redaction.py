"""Unit tests of the redaction detector, one detector at a time, and of the reviewer's operations."""

import itertools
from datetime import date

import pytest

from gongkai.penalties import redaction
from gongkai.penalties.redaction import Confidence, Finding, Kind, Span, detect, redact
from gongkai.penalties.tests.corpus.build import id_check, luhn_check_digit, regno_check_digit
from gongkai.registry import creditcode

TODAY = date(2026, 1, 1)


def make_id(first17: str) -> str:
    return first17 + id_check(first17)


def make_card(body: str) -> str:
    return body + luhn_check_digit(body)


ID = make_id("37150219900101123")  # 371502199001011234
ID_X = make_id("37152419850315006")  # ends in X
CARD19 = make_card("622202161000123456")
CARD16 = make_card("622588012345678")


def found(text: str, **kwargs: object) -> list[tuple[Kind, str]]:
    return [(f.kind, f.original) for f in detect(text, today=TODAY, **kwargs)]  # type: ignore[arg-type]


def kinds(text: str) -> list[Kind]:
    return [kind for kind, _ in found(text)]


def test_fixtures_are_what_they_claim():
    assert ID == "371502199001011234"
    assert ID_X.endswith("X")
    assert redaction.luhn_valid(CARD19) and redaction.luhn_valid(CARD16)


# --- 身份证号 ----------------------------------------------------------------------------------------


def test_labelled_id_is_found_with_high_confidence():
    [f] = detect(f"身份证号码：{ID}，", today=TODAY)
    assert (f.kind, f.value, f.confidence) == (Kind.ID_NUMBER, ID, Confidence.HIGH)
    assert "身份证号码" in f.reason


@pytest.mark.parametrize(
    "written",
    [
        "371502 19900101 1234",
        "371502-19900101-1234",
        "3715 0219 9001 0112 34",
        "３７１５０２１９９００１０１１２３４",
        "3715０2199００10112３4",
        "3715021990\n01011234",
        "3715021990\r\n01011234",
        "371502199001\n    011234",
        "371502　19900101　1234",
    ],
)
def test_id_written_with_separators_full_width_digits_or_line_breaks(written):
    [f] = detect(f"当事人身份证号码{written}住聊城市", today=TODAY)
    assert f.kind is Kind.ID_NUMBER
    assert f.original == written
    assert f.value == ID


@pytest.mark.parametrize("check", ["X", "x", "Ｘ", "ｘ"])
def test_id_with_check_character_x_in_any_width_or_case(check):
    written = ID_X[:17] + check
    [f] = detect(f"身份证号：{written}。", today=TODAY)
    assert (f.kind, f.value, f.original) == (Kind.ID_NUMBER, ID_X, written)


def test_unlabelled_valid_id_next_to_chinese_text_is_found():
    [f] = detect(f"经核查，号码{ID}对应的居民身份证已挂失", today=TODAY)
    assert f.kind is Kind.ID_NUMBER


def test_check_character_x_after_a_space_belongs_to_the_id():
    [f] = detect(f"身份证号 {ID_X[:6]} {ID_X[6:14]} {ID_X[14:17]} X。", today=TODAY)
    assert (f.kind, f.value) == (Kind.ID_NUMBER, ID_X)


def test_a_trap_label_only_speaks_for_the_number_right_after_it():
    assert kinds(f"罚款5000元，当事人{ID}") == [Kind.ID_NUMBER]
    assert kinds(f"人民币，wang@163.com，{ID}") == [Kind.EMAIL, Kind.ID_NUMBER]


def test_a_label_does_not_reach_past_other_numbers_and_words():
    assert kinds(f"身份证号码：{ID}，订单202501011234567890") == [Kind.ID_NUMBER]
    assert kinds("电话：0635-8123456，共销售8123456元") == [Kind.LANDLINE]
    assert found("电话：0635-8123456、8123457") == [
        (Kind.LANDLINE, "0635-8123456"),
        (Kind.LANDLINE, "8123457"),
    ]


def test_id_with_wrong_check_digit_is_not_taken_for_an_id_without_a_label():
    wrong = ID[:17] + ("5" if ID[17] != "5" else "6")
    assert kinds(f"追溯码{wrong}无法查询") == []


def test_labelled_id_with_wrong_check_digit_is_still_hidden_with_low_confidence():
    wrong = ID[:17] + ("5" if ID[17] != "5" else "6")
    [f] = detect(f"身份证号码：{wrong}", today=TODAY)
    assert (f.kind, f.confidence) == (Kind.ID_NUMBER, Confidence.LOW)


@pytest.mark.parametrize(
    "first17",
    [
        "37150219901301123",  # month 13
        "37150218990101123",  # born 1899
        "37150220270101123",  # born after "today"
        "99150219900101123",  # no province 99
    ],
)
def test_18_digits_with_a_valid_check_but_an_impossible_birth_date_or_province_are_no_id(first17):
    assert Kind.ID_NUMBER not in kinds(f"编码{make_id(first17)}。")


def test_old_15_digit_id_labelled_and_unlabelled():
    old = "371502" + "750316" + "123"
    assert regno_check_digit(old[:14]) != old[14]  # not a 注册号 by accident
    assert kinds(f"原身份证号码：{old}") == [Kind.ID_NUMBER]
    assert kinds(f"当事人{old}于") == [Kind.ID_NUMBER]


def test_15_digit_registration_number_is_not_an_id():
    first14 = "37150220001234"
    regno = first14 + regno_check_digit(first14)
    assert kinds(f"注册号：{regno}") == []
    dated = "37150275031612"  # looks like born 1975-03-16, but its 注册号 check digit is right
    dated_regno = dated + regno_check_digit(dated)
    assert kinds(f"（{dated_regno}）") == []


def test_credit_codes_are_not_ids_even_when_all_digits():
    assert kinds(f"统一社会信用代码：{creditcode.complete('91371500MA3C8L2B0')}") == []
    numeric = creditcode.complete("91371502613123456")
    if numeric.isdigit():
        assert kinds(f"统一社会信用代码：{numeric}") == []


def test_a_valid_id_labelled_as_something_else_is_left_alone():
    assert kinds(f"订单号：{ID}") == []
    assert kinds(f"统一社会信用代码：{ID}") == []


@pytest.mark.parametrize(
    "text",
    [
        "聊市监处罚〔2025〕123号",
        "罚款12345678.00元",
        "罚款人民币12,345,678.00元",
        "生产日期20250101",
        "于2025-01-01检查",
        "2025年1月1日",
        "订单号202501011234567890",
        "案件编号：3715002025000123",
        "商品条码6901234567892",
        "食品经营许可证号JY13715020012345",
        "邮编252000",
        "设备注册代码31103715022019080123",
        "标准GB 13735-2017",
    ],
)
def test_precision_traps_are_not_redacted(text):
    assert found(text) == []


def test_boxed_digits_from_a_form_are_one_number():
    boxed = " ".join(ID)
    [f] = detect(f"公民身份号码 {boxed}", today=TODAY)
    assert (f.kind, f.value) == (Kind.ID_NUMBER, ID)


def test_a_list_of_small_numbers_is_not_a_phone_number():
    assert found("第2026-07号公开摇号：07 13 21 28 33 05 91") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("护照号码：E12345678，", "E12345678"),
        ("港澳居民来往内地通行证号码：H12345678", "H12345678"),
        ("台湾居民来往大陆通行证号码 12345678", "12345678"),
        ("证件号码：A123456(7)", "A1234567"),
    ],
)
def test_other_identity_documents_when_labelled(text, value):
    [f] = detect(text, today=TODAY)
    assert (f.kind, f.value) == (Kind.DOCUMENT_NUMBER, value)


# --- mobile numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "+86-13812345678",
        "0086 13812345678",
        "0086-138-1234-5678",
        "(+86)13812345678",
        "１３８１２３４５６７８",
        "13812\n345678",
        "138.1234.5678",
        "138－1234－5678",
    ],
)
def test_mobile_in_its_usual_forms(written):
    [f] = detect(f"联系电话：{written}。", today=TODAY)
    assert (f.kind, f.value, f.original) == (Kind.MOBILE, "13812345678", written)


def test_mobile_glued_to_chinese_without_a_label():
    [f] = detect("顾客拨打13812345678预约", today=TODAY)
    assert (f.kind, f.confidence) == (Kind.MOBILE, Confidence.MEDIUM)


@pytest.mark.parametrize("joiner", ["、", "/", "，", " ", "；", " 或 "])
def test_two_numbers_side_by_side_are_two_findings(joiner):
    assert found(f"电话：13812345678{joiner}13987654321") == [
        (Kind.MOBILE, "13812345678"),
        (Kind.MOBILE, "13987654321"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "销售数量13512345678件",
        "营业收入13615284097元",
        "进口总量为13860452100克",
        "￥13812345678",
        "罚款13800000000",
        "金额：13812345678",
        "12812345678",  # no 12x mobiles
        "138123456789",  # twelve digits
        "8613812345678",  # 86 without "+" is not a country code
        "第13812345678号",
    ],
)
def test_phone_like_amounts_quantities_and_wrong_lengths_are_not_mobiles(text):
    assert Kind.MOBILE not in kinds(text)


# --- landlines -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("0635-8123456", "0635-8123456"),
        ("0635 8123456", "0635-8123456"),
        ("06358123456", "0635-8123456"),
        ("(0635)8123456", "0635-8123456"),
        ("（0635）8123456", "0635-8123456"),
        ("（0635） 81234567", "0635-81234567"),
        ("010-62345678", "010-62345678"),
        ("02162345678", "021-62345678"),
        ("０６３５－８１２３４５６", "0635-8123456"),
        ("0635—8123456", "0635-8123456"),
        ("0635-8123456-801", "0635-8123456-801"),
    ],
)
def test_landline_forms(written, value):
    [f] = detect(f"联系电话：{written}，", today=TODAY)
    assert (f.kind, f.value, f.original) == (Kind.LANDLINE, value, written)


def test_landline_extension_written_in_chinese_is_hidden_with_the_number():
    [f] = detect("电话：0635-8123456转801。", today=TODAY)
    assert f.original == "0635-8123456转801"


def test_local_number_needs_a_phone_label():
    assert kinds("电话：8123456") == [Kind.LANDLINE]
    assert kinds("共8123456元") == []
    assert kinds("编号8123456") == []


def test_service_numbers_and_dates_are_not_landlines():
    assert kinds("服务热线400-123-4567，投诉电话12315") == []
    assert kinds("2025-01-01") == []


# --- bank cards and accounts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        CARD19,
        " ".join([CARD19[:4], CARD19[4:8], CARD19[8:12], CARD19[12:16], CARD19[16:]]),
        "-".join([CARD19[:4], CARD19[4:8], CARD19[8:12], CARD19[12:16], CARD19[16:]]),
        CARD19[:8] + "\n" + CARD19[8:],
        CARD19.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}),
    ],
)
def test_luhn_valid_card_in_any_grouping_is_found_without_a_label(written):
    [f] = detect(f"货款由其名下银行卡{written}转出", today=TODAY)
    assert (f.kind, f.value) == (Kind.BANK_CARD, CARD19)


def test_labelled_card_is_high_confidence():
    [f] = detect(f"银行卡号：{CARD16}", today=TODAY)
    assert (f.kind, f.confidence) == (Kind.BANK_CARD, Confidence.HIGH)


def test_luhn_invalid_16_digits_without_bank_context_are_not_a_card():
    bad = CARD16[:15] + str((int(CARD16[15]) + 1) % 10)
    assert kinds(f"交易凭证号{bad}") == []


def test_luhn_valid_number_with_an_order_number_prefix_is_not_a_card():
    order = make_card("202503151234567")
    assert kinds(f"记录{order}显示") == []


@pytest.mark.parametrize(
    "text",
    [
        "开户银行：中国工商银行聊城分行，账号：1610001209001234566",
        "开户行：中国农业银行聊城分行营业部 账户 15-361101040000124",
        "银行账户：3705 0183 6100 0000 0123",
        "开户银行：中国建设银行股份有限公司茌平支行，37050183610000000123",
    ],
)
def test_labelled_company_account_is_found_even_when_luhn_fails(text):
    findings = detect(text, today=TODAY)
    assert [f.kind for f in findings] in ([Kind.BANK_ACCOUNT], [Kind.BANK_CARD])
    assert findings[0].end == len(text)


def test_the_bureaus_collection_account_is_public():
    assert kinds("缴至国库（开户银行：中国农业银行聊城分行，缴款账号：15-361101040000123）") == []
    assert kinds("缴款码：37123456789012345678") == []


# --- e-mail and IM accounts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("wangjianguo@163.com", "wangjianguo@163.com"),
        ("Li.Na_1990+shop@mail.sdu.edu.cn", "li.na_1990+shop@mail.sdu.edu.cn"),
        ("ZHAOMIN88@QQ.COM", "zhaomin88@qq.com"),
        ("zhaomin＠126.com", "zhaomin@126.com"),
        ("13812345678@139.com", "13812345678@139.com"),
    ],
)
def test_email_addresses(written, value):
    [f] = detect(f"电子邮箱{written}。联系", today=TODAY)
    assert (f.kind, f.value, f.original) == (Kind.EMAIL, value, written)


def test_qq_and_wechat_accounts_when_labelled():
    assert found("QQ号：12345678，微信号：wxid_abc123。") == [
        (Kind.IM_ACCOUNT, "12345678"),
        (Kind.IM_ACCOUNT, "wxid_abc123"),
    ]


def test_a_mobile_used_as_wechat_id_is_a_mobile():
    assert kinds("微信：13812345678") == [Kind.MOBILE]


# --- staff marks and the reviewer's operations -----------------------------------------------------

DECISION = (
    "当事人：王建国，身份证号码：371502199001011234，住聊城市东昌府区花园北路12号院。\n"
    "经查，王建国于2025年2月销售过期食品。联系电话：13812345678。"
)


def test_a_marked_name_is_hidden_everywhere_with_the_surname_kept():
    start = DECISION.index("王建国")
    findings = detect(DECISION, marked=[Span(start, start + 3, Kind.NAME)], today=TODAY)
    names = [f for f in findings if f.kind is Kind.NAME]
    assert len(names) == 2 and all(f.source == redaction.STAFF for f in names)
    published = redact(DECISION, findings)
    assert "王建国" not in published
    assert published.count("王某某") == 2


def test_a_marked_address_is_masked():
    address = "聊城市东昌府区花园北路12号院"
    findings = detect(DECISION, marked=redaction.mark_all(DECISION, address, Kind.ADDRESS), today=TODAY)
    assert "[住址已隐去]" in redact(DECISION, findings)


def test_redact_replaces_each_finding_with_its_mask():
    published = redact(DECISION, detect(DECISION, today=TODAY))
    assert "371502199001011234" not in published and "13812345678" not in published
    assert "[身份证号已隐去]" in published and "[手机号码已隐去]" in published


def test_reviewer_removes_a_finding_by_key_or_object():
    findings = detect(DECISION, today=TODAY)
    phone = next(f for f in findings if f.kind is Kind.MOBILE)
    assert "13812345678" in redact(DECISION, findings, removed={phone.key})
    assert "13812345678" in redact(DECISION, findings, removed={phone})
    assert "371502199001011234" not in redact(DECISION, findings, removed={phone.key})


def test_reviewer_adds_a_span():
    findings = detect(DECISION, today=TODAY)
    start = DECISION.index("花园北路")
    published = redact(DECISION, findings, added=[Span(start, start + 4, Kind.ADDRESS)])
    assert "花园北路" not in published and "[住址已隐去]" in published


def test_overlapping_regions_are_merged_so_nothing_leaks():
    text = "电话13812345678"
    findings = detect(text, today=TODAY)
    published = redact(text, findings, added=[Span(0, 6, Kind.OTHER)])
    assert published == redaction.MIXED_MASK
    [region] = redaction.plan(text, findings, added=[Span(0, 6, Kind.OTHER)])
    assert (region.start, region.end) == (0, len(text))


def test_findings_from_another_version_of_the_text_are_refused():
    findings = detect(DECISION, today=TODAY)
    with pytest.raises(ValueError, match="does not match"):
        redact("前言。" + DECISION, findings)
    with pytest.raises(ValueError, match="outside"):
        redact(DECISION, [], added=[Span(0, len(DECISION) + 1)])


def test_finding_survives_a_round_trip_through_json_data():
    for f in detect(DECISION, today=TODAY):
        assert Finding.from_dict(f.to_dict()) == f


def test_findings_are_sorted_and_never_overlap():
    findings = detect(DECISION + "\n" + DECISION, today=TODAY)
    assert findings == sorted(findings, key=lambda f: f.start)
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))


def test_redacted_text_has_nothing_left_to_find():
    published = redact(DECISION, detect(DECISION, today=TODAY))
    assert detect(published, today=TODAY) == []


def test_log_masks_and_report_never_show_the_whole_value():
    findings = detect(DECISION + " 邮箱wangjianguo@163.com", today=TODAY)
    for f in findings:
        assert f.value not in redaction.mask_for_log(f)
    report = "\n".join(redaction.report_lines(DECISION, detect(DECISION, today=TODAY)))
    assert "371502199001011234" not in report and "13812345678" not in report
    assert "第1行第15列" in report and "第2行" in report


# --- minors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "minor"),
    [
        ("20070315", date(2025, 3, 14), True),
        ("20070315", date(2025, 3, 15), True),  # the 18th birthday itself still counts as a minor
        ("20070315", date(2025, 3, 16), False),
        ("20080229", date(2026, 2, 28), True),
        ("20080229", date(2026, 3, 1), True),
        ("20080229", date(2026, 3, 2), False),
        ("19900101", date(2025, 1, 1), False),
    ],
)
def test_is_minor_counts_full_years_conservatively(born, on, minor):
    assert redaction.is_minor(make_id("371502" + born + "123"), on) is minor


def test_is_minor_ignores_a_wrong_check_digit_but_needs_a_date():
    young = make_id("37150220100101123")
    wrong = young[:17] + ("0" if young[17] != "0" else "1")
    assert redaction.is_minor(wrong, date(2025, 1, 1))
    assert not redaction.is_minor("371502750316123", date(2025, 1, 1))  # 15 digits: born 1975
    with pytest.raises(ValueError):
        redaction.is_minor("371502201013321234", date(2025, 1, 1))


def test_party_id_is_the_natural_person_not_the_legal_representative():
    young = make_id("37150220100101123")
    person = f"当事人：郝某某，女，身份证号码：{young}，住聊城市。\n\n经查，……"
    assert redaction.find_party_id(person).value == young  # type: ignore[union-attr]
    assert redaction.party_is_minor(person, on_date=date(2025, 8, 5)) is True

    company = f"当事人：聊城市某某有限公司\n统一社会信用代码：91371500MA3C8L2B0L\n法定代表人：张某，身份证号码：{young}\n\n经查"
    assert redaction.find_party_id(company) is None
    assert redaction.party_is_minor(company, on_date=date(2025, 8, 5)) is None


def test_party_birth_date_stated_without_id():
    text = "当事人：路某某，女，汉族，2009年5月6日出生，住阳谷县。\n经查，……"
    assert redaction.party_birth_date(text) == date(2009, 5, 6)
    assert redaction.party_is_minor(text, on_date=date(2025, 10, 16)) is True
    assert redaction.party_is_minor(text, on_date=date(2027, 5, 7)) is False


def test_an_adult_party_is_not_a_minor():
    assert (
        redaction.party_is_minor(f"当事人：王某，身份证号码：{ID}\n经查", on_date=date(2025, 1, 1)) is False
    )


def test_fold_keeps_offsets():
    text = "（０６３５）８１２３４５６　Ｘ＠—"
    assert len(redaction.fold(text)) == len(text)
    assert redaction.fold(text) == "(0635)8123456 X@-"
