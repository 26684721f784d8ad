"""Importing the market-entity register: every kind of bad row, hosts, absent columns, re-imports."""

import datetime as dt
from decimal import Decimal

import pytest

from gongkai.core.models import AuditEvent
from gongkai.core.parameters import parameter_set
from gongkai.registry import creditcode, importing
from gongkai.registry.importing import import_entities
from gongkai.registry.models import Address, Entity, StatusChange
from gongkai.registry.tests.factories import make_code, make_entity
from gongkai.registry.tests.importfiles import (
    entity_row,
    problems_of,
    read_csv,
    report,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

TOMORROW = (dt.date.today() + dt.timedelta(days=1)).isoformat()
VALID = "91350100M000100Y43"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True, params=[False, True], ids=["here", "worker"])
def _worker(request, monkeypatch):
    """Every case both ways: rows read and checked in this process, and in a forked worker."""
    monkeypatch.setattr(importing, "fork_is_safe", lambda: request.param)


def run(tmp_path, rows, *, name="主体.csv", writer=write_csv, **kwargs):
    path = writer(tmp_path / name, rows, **kwargs)
    return import_entities(path, actor="test-import", report_dir=tmp_path / "out")


BAD_ROWS = [
    # (case, cells, column, words the message must contain)
    ("check character", {"统一社会信用代码": VALID[:17] + "4"}, "统一社会信用代码", "第18位校验码错误"),
    ("forbidden letter", {"统一社会信用代码": "91350100M0I0100Y43"}, "统一社会信用代码", "第11位字符“I”"),
    ("code length", {"统一社会信用代码": "9135010"}, "统一社会信用代码", "应为18位"),
    (
        "region not digits",
        {"统一社会信用代码": creditcode.complete("91A50100M000100Y4")},
        "统一社会信用代码",
        "第3位应为数字",
    ),
    ("impossible date", {"成立日期": "2023-02-30"}, "成立日期", "2023年没有2月30日"),
    ("text for a date", {"成立日期": "去年春天"}, "成立日期", "YYYY-MM-DD"),
    ("excel serial date", {"成立日期": "45000"}, "成立日期", "Excel的日期序号"),
    ("future establishment", {"成立日期": TOMORROW, "状态变更日期": ""}, "成立日期", "晚于今天"),
    ("money in words", {"注册资本（万元）": "一百万"}, "注册资本（万元）", "不是数字"),
    ("negative capital", {"注册资本（万元）": "-5"}, "注册资本（万元）", "不能为负数"),
    ("too many decimals", {"注册资本（万元）": "1.23456"}, "注册资本（万元）", "最多保留4位小数"),
    ("capital too large", {"注册资本（万元）": "1234567890123"}, "注册资本（万元）", "过大"),
    ("unknown type", {"主体类型": "公司"}, "主体类型", "未知的主体类型“公司”"),
    ("empty type", {"主体类型": ""}, "主体类型", "不能为空"),
    ("unknown status", {"登记状态": "营业中"}, "登记状态", "未知的登记状态“营业中”"),
    ("empty name", {"名称": "  "}, "名称", "名称不能为空"),
    ("name too long", {"名称": "长" * 201}, "名称", "名称过长"),
    ("empty representative", {"法定代表人": ""}, "法定代表人", "不能为空"),
    ("authority too long", {"登记机关": "局" * 101}, "登记机关", "过长"),
    ("unknown division", {"行业大类": "99", "行业门类": ""}, "行业大类", "不是GB/T 4754-2017的行业大类代码"),
    ("section mismatch", {"行业门类": "A"}, "行业门类", "属于门类F"),
    ("district outside city", {"住所区划代码": "110101"}, "住所区划代码", "不是本市的区划代码"),
    ("empty domicile", {"住所": ""}, "住所", "住所不能为空"),
    (
        "premises without code",
        {"其他经营场所": "山东省聊城市茌平区振兴路3号"},
        "其他经营场所",
        "缺少区划代码",
    ),
    (
        "premises outside city",
        {"其他经营场所": "110101 北京市东城区某路1号"},
        "其他经营场所",
        "不是本市的区划代码",
    ),
    (
        "premises repeats domicile",
        {"其他经营场所": "371502 山东省聊城市东昌府区古楼街道兴华路88号"},
        "其他经营场所",
        "同一地址重复登记",
    ),
    ("unknown risk class", {"信用风险分类": "E"}, "信用风险分类", "未知的信用风险分类“E”"),
    ("risk class without date", {"信用风险分类": "B"}, "分类日期", "必须填写分类日期"),
    ("future risk date", {"信用风险分类": "B", "分类日期": TOMORROW}, "分类日期", "晚于今天"),
    ("host flag not yes/no", {"集群注册托管机构": "也许"}, "集群注册托管机构", "应填“是”或“否”"),
    ("malformed host code", {"托管机构统一社会信用代码": "123"}, "托管机构统一社会信用代码", "应为18位"),
    (
        "unknown host",
        {"托管机构统一社会信用代码": VALID},
        "托管机构统一社会信用代码",
        "既不是名录库中的集群注册托管机构",
    ),
    (
        "host that is hosted",
        {"集群注册托管机构": "是", "托管机构统一社会信用代码": VALID},
        "托管机构统一社会信用代码",
        "托管机构",
    ),
    ("phone too long", {"联系电话": "1" * 31}, "联系电话", "过长"),
    (
        "cancelled without date",
        {"登记状态": "注销", "状态变更日期": ""},
        "状态变更日期",
        "须填写状态变更日期",
    ),
    ("status date before founding", {"状态变更日期": "2019-01-01"}, "状态变更日期", "不能早于成立日期"),
    ("future status date", {"状态变更日期": TOMORROW}, "状态变更日期", "晚于今天"),
]


@pytest.mark.parametrize(("case", "cells", "column", "words"), BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_a_bad_row_is_refused_with_its_column_and_reason_and_the_good_rows_still_apply(
    tmp_path, case, cells, column, words
):
    good, bad = entity_row(), entity_row(**cells)
    result = run(tmp_path, [good, bad])
    assert (result.created, result.rejected) == (1, 1)
    problems = problems_of(result, 3)
    assert any(c == column and words in m for c, m in problems), problems
    assert Entity.objects.filter(pk=good["统一社会信用代码"]).exists()
    assert Entity.objects.count() == 1


def test_duplicate_code_in_the_file_names_the_first_row(tmp_path):
    first = entity_row()
    again = entity_row(**{"统一社会信用代码": " " + first["统一社会信用代码"].lower(), "名称": "另一家"})
    result = run(tmp_path, [first, entity_row(), again])
    assert problems_of(result, 4) == [
        ("统一社会信用代码", "与第2行重复：同一统一社会信用代码在文件中只能出现一次")
    ]
    assert Entity.objects.get(pk=first["统一社会信用代码"]).name == first["名称"]


def test_every_problem_of_a_row_is_reported_at_once_in_column_order(tmp_path):
    bad = entity_row(
        **{"统一社会信用代码": VALID[:17] + "4", "成立日期": "2023-13-01", "行业大类": "99", "行业门类": ""}
    )
    result = run(tmp_path, [bad])
    assert [c for c, _ in problems_of(result, 2)] == ["统一社会信用代码", "成立日期", "行业大类"]


def test_premises_must_share_the_district_when_the_scope_is_district(tmp_path):
    parameter_set(
        actor="test",
        key="registry.multi_address_scope",
        value="district",
        valid_from=dt.date(2020, 1, 1),
        source="测试",
    )
    row = entity_row(**{"其他经营场所": "371503 山东省聊城市茌平区振兴路3号"})
    result = run(tmp_path, [row])
    assert any("同一县区" in m for _, m in problems_of(result, 2))


def test_premises_one_per_line_or_separated_by_full_width_semicolons(tmp_path):
    row = entity_row(
        **{
            "其他经营场所": "371503 山东省聊城市茌平区振兴路3号\n371581　山东省聊城市临清市永青路12号；371502山东省聊城市东昌府区柳园路1号"
        }
    )
    run(tmp_path, [row])
    places = list(
        Address.objects.filter(entity_id=row["统一社会信用代码"], kind="premises").values_list(
            "district_id", "full_text"
        )
    )
    assert places == [
        ("371503", "山东省聊城市茌平区振兴路3号"),
        ("371581", "山东省聊城市临清市永青路12号"),
        ("371502", "山东省聊城市东昌府区柳园路1号"),
    ]


# --- cluster hosts ---------------------------------------------------------------------------


def test_a_host_defined_later_in_the_file_counts(tmp_path):
    host = entity_row(**{"集群注册托管机构": "是", "名称": "聊城市众创托管有限公司"})
    hosted = entity_row(**{"托管机构统一社会信用代码": host["统一社会信用代码"], "住所": host["住所"]})
    result = run(tmp_path, [hosted, entity_row(), host])
    assert (result.created, result.rejected) == (3, 0)
    entity = Entity.objects.get(pk=hosted["统一社会信用代码"])
    assert entity.cluster_host_id == host["统一社会信用代码"]
    assert entity.addresses.get(kind="domicile").full_text.endswith("（集群注册）")


def test_a_host_already_in_the_register_counts(tmp_path):
    host = make_entity(is_cluster_host=True)
    result = run(tmp_path, [entity_row(**{"托管机构统一社会信用代码": host.pk})])
    assert (result.created, result.rejected) == (1, 0)


def test_rows_naming_a_refused_host_are_refused_and_point_at_its_row(tmp_path):
    host = entity_row(**{"集群注册托管机构": "是", "成立日期": "不知道"})
    hosted = entity_row(**{"托管机构统一社会信用代码": host["统一社会信用代码"]})
    result = run(tmp_path, [hosted, host])
    assert result.rejected == 2
    assert problems_of(result, 2) == [
        (
            "托管机构统一社会信用代码",
            f"托管机构“{host['统一社会信用代码']}”（第3行）本身未能导入，请先修正该行",
        )
    ]
    # The report lists rows in spreadsheet order although row 2 was judged last.
    assert [r["行号"] for r in report(result)] == ["2", "3"]


def test_a_host_cannot_lose_its_mark_while_entities_are_registered_under_it(tmp_path):
    host = make_entity(is_cluster_host=True)
    make_entity(cluster_host_code=host.pk)
    row = entity_row(**{"统一社会信用代码": host.pk, "集群注册托管机构": "否", "名称": host.name})
    result = run(tmp_path, [row])
    assert any("仍有1户主体登记在该托管机构名下" in m for _, m in problems_of(result, 2))
    assert Entity.objects.get(pk=host.pk).is_cluster_host


def test_a_host_cannot_lose_its_mark_in_the_file_that_registers_an_entity_under_it(tmp_path):
    host = make_entity(is_cluster_host=True)
    hosted = entity_row(**{"托管机构统一社会信用代码": host.pk})
    unmark = entity_row(**{"统一社会信用代码": host.pk, "集群注册托管机构": "否"})
    result = run(tmp_path, [hosted, unmark])
    assert any("本文件第2行的主体登记在该托管机构名下" in m for _, m in problems_of(result, 3))


def test_a_host_without_entities_may_lose_its_mark_and_then_hosts_nothing(tmp_path):
    host = make_entity(is_cluster_host=True)
    unmark = entity_row(**{"统一社会信用代码": host.pk, "集群注册托管机构": "否"})
    later = entity_row(**{"托管机构统一社会信用代码": host.pk})
    result = run(tmp_path, [unmark, later])
    assert (result.updated, result.rejected) == (1, 1)
    assert not Entity.objects.get(pk=host.pk).is_cluster_host


# --- what an import changes --------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing_and_writes_no_audit_event(tmp_path):
    host = entity_row(**{"集群注册托管机构": "是"})
    rows = [
        host,
        entity_row(**{"托管机构统一社会信用代码": host["统一社会信用代码"]}),
        entity_row(
            **{
                "其他经营场所": "371503 山东省聊城市茌平区振兴路3号",
                "信用风险分类": "C",
                "分类日期": "2024-06-30",
            }
        ),
        entity_row(**{"登记状态": "注销", "状态变更日期": "2023-01-05"}),
        entity_row(**{"注册资本（万元）": ""}),
        entity_row(**{"成立日期": "坏日期"}),
    ]
    first = run(tmp_path, rows)
    assert (first.created, first.rejected) == (5, 1)
    events = AuditEvent.objects.count()
    second = run(tmp_path, rows)
    assert (second.created, second.updated, second.unchanged, second.rejected) == (0, 0, 5, 1)
    assert AuditEvent.objects.count() == events


def test_a_changed_row_updates_and_is_audited_with_before_and_after(tmp_path):
    row = entity_row()
    run(tmp_path, [row])
    row["名称"] = "聊城市新名称有限公司"
    result = run(tmp_path, [row])
    assert result.updated == 1
    event = AuditEvent.objects.filter(object_id=row["统一社会信用代码"]).order_by("-seq").first()
    assert event.action == "registry.entity.update"
    assert event.before == {"name": "聊城市测试商贸有限公司"}
    assert event.after == {"name": "聊城市新名称有限公司"}
    assert event.actor_name == "test-import"


def test_a_status_change_needs_its_date_and_is_kept_in_history(tmp_path):
    row = entity_row()
    run(tmp_path, [row])
    row.update({"登记状态": "吊销", "状态变更日期": ""})
    refused = run(tmp_path, [row])
    assert any("由“存续（在营）”变为“吊销”" in m for _, m in problems_of(refused, 2))
    row["状态变更日期"] = "2024-02-01"
    assert run(tmp_path, [row]).updated == 1
    history = list(
        StatusChange.objects.filter(entity_id=row["统一社会信用代码"]).values_list(
            "to_status", "effective_on"
        )
    )
    assert history == [("active", dt.date(2020, 5, 1)), ("revoked", dt.date(2024, 2, 1))]


def test_an_empty_status_date_keeps_the_recorded_one_when_the_status_is_unchanged(tmp_path):
    row = entity_row(**{"登记状态": "歇业", "状态变更日期": "2022-03-01"})
    run(tmp_path, [row])
    row["状态变更日期"] = ""
    result = run(tmp_path, [row])
    assert result.unchanged == 1
    assert Entity.objects.get(pk=row["统一社会信用代码"]).status_since == dt.date(2022, 3, 1)


def test_absent_optional_columns_keep_existing_values_but_empty_cells_clear_them(tmp_path):
    entity = make_entity(credit_risk_class="D", credit_risk_date=dt.date(2025, 1, 1), contact_phone="0635-1")
    row = entity_row(
        **{"统一社会信用代码": entity.pk, "名称": entity.name, "注册资本（万元）": "100", "联系电话": ""}
    )
    row.pop("联络人")
    headers = [h for h in row if h not in {"信用风险分类", "分类日期", "联络人", "状态变更日期", "登记状态"}]
    result = run(tmp_path, [row], headers=headers)
    entity.refresh_from_db()
    assert result.updated == 1
    assert (entity.credit_risk_class, entity.credit_risk_date) == ("D", dt.date(2025, 1, 1))
    assert entity.contact_phone == ""


def test_absent_optional_columns_give_new_entities_the_defaults(tmp_path):
    from gongkai.registry.columns import ENTITY_REQUIRED

    row = entity_row()
    result = run(tmp_path, [row], headers=[h for h in row if h in ENTITY_REQUIRED])
    assert result.created == 1
    entity = Entity.objects.get(pk=row["统一社会信用代码"])
    assert (entity.status, entity.status_since, entity.registered_capital) == (
        "active",
        dt.date(2020, 5, 1),
        None,
    )
    assert entity.industry_section == "F"


def test_the_refused_rows_file_can_be_corrected_and_imported_again(tmp_path):
    good, bad = entity_row(), entity_row(**{"成立日期": "2020-02-30"})
    result = run(tmp_path, [good, bad])
    refused = read_csv(result.rejected_path)
    assert len(refused) == 1 and "2020年没有2月30日" in refused[0]["错误原因"]
    refused[0]["成立日期"] = "2020-02-28"
    fixed = write_csv(tmp_path / "改正.csv", refused, headers=list(refused[0]))
    again = import_entities(fixed, actor="test", report_dir=tmp_path / "again")
    assert (again.created, again.rejected, again.warnings) == (1, 0, [])


def test_the_refused_rows_of_an_xlsx_come_back_as_xlsx(tmp_path):
    from gongkai.registry.tests.importfiles import read_xlsx

    result = run(tmp_path, [entity_row(**{"主体类型": "公司"})], name="主体.xlsx", writer=write_xlsx)
    assert result.rejected_path.suffix == ".xlsx"
    assert read_xlsx(result.rejected_path)[0]["主体类型"] == "公司"


def test_a_file_with_only_valid_rows_has_no_refused_rows_file(tmp_path):
    result = run(tmp_path, [entity_row()])
    assert result.rejected_path is None and result.exit_code == 0
    assert report(result) == []


# --- tolerant reading ------------------------------------------------------------------------


def test_headers_in_any_order_with_spaces_and_full_width_characters(tmp_path):
    row = entity_row()
    cells = {
        "　注册资本(万元) ": row.pop("注册资本（万元）"),
        " 统一社会信用代码": "　" + row.pop("统一社会信用代码") + " ",
    }
    cells.update(row)
    headers = list(reversed(list(cells)))
    result = run(tmp_path, [cells], headers=headers)
    assert (result.created, result.rejected) == (1, 0)


def test_full_width_digits_and_letters_in_cells(tmp_path):
    code = make_code()
    wide = code.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"})
    row = entity_row(
        **{
            "统一社会信用代码": wide,
            "成立日期": "２０２０－０５－０１",
            "住所区划代码": "３７１５０２",
            "注册资本（万元）": "１,０００.５",
        }
    )
    run(tmp_path, [row])
    entity = Entity.objects.get(pk=code)
    assert entity.registered_capital == 1000.5 and entity.district_id == "371502"


def test_other_date_spellings_and_labels(tmp_path):
    row = entity_row(
        **{
            "成立日期": "2020年5月1日",
            "状态变更日期": "2020/5/1",
            "登记状态": "在营",
            "信用风险分类": "b",
            "分类日期": "20240102",
        }
    )
    result = run(tmp_path, [row])
    assert result.created == 1
    assert Entity.objects.get(pk=row["统一社会信用代码"]).credit_risk_class == "B"


def test_unknown_columns_are_ignored_with_a_warning(tmp_path):
    row = entity_row(备注="随便写点什么")
    result = run(tmp_path, [row], headers=list(row))
    assert result.created == 1
    assert result.warnings == ["列“备注”不是市场主体文件的列，已忽略"]
    assert report(result)[0]["处理结果"] == "该列已忽略"


def test_blank_rows_are_skipped_but_row_numbers_stay_those_of_the_sheet(tmp_path):
    rows = [entity_row(), {}, entity_row(**{"主体类型": "公司"})]
    result = run(tmp_path, rows, name="空行.xlsx", writer=write_xlsx)
    assert (result.created, result.rejected) == (1, 1)
    assert problems_of(result, 4)


def test_xlsx_cells_typed_as_numbers_and_dates_are_read_as_text(tmp_path):
    import openpyxl

    from gongkai.registry.columns import ENTITY_HEADERS

    row = entity_row(**{"行业大类": "1", "行业门类": "A"})
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(ENTITY_HEADERS)
    values = [row[h] for h in ENTITY_HEADERS]
    values[ENTITY_HEADERS.index("成立日期")] = dt.datetime(2020, 5, 1)
    values[ENTITY_HEADERS.index("状态变更日期")] = dt.date(2020, 5, 1)
    values[ENTITY_HEADERS.index("住所区划代码")] = 371502
    values[ENTITY_HEADERS.index("注册资本（万元）")] = 12.5
    values[ENTITY_HEADERS.index("行业大类")] = 1
    sheet.append(values)
    book.save(tmp_path / "typed.xlsx")
    result = import_entities(tmp_path / "typed.xlsx", actor="t", report_dir=tmp_path / "o")
    assert (result.created, result.rejected) == (1, 0)
    entity = Entity.objects.get(pk=row["统一社会信用代码"])
    assert (entity.industry_division, str(entity.registered_capital)) == ("01", "12.5000")


def test_repeated_cells_are_judged_alike_in_every_row(tmp_path):
    """Cells that repeat are parsed once per distinct text: a refused text stays refused, a
    valid one gives every row the same value."""
    odd = {
        "成立日期": "2020年5月1日",
        "注册资本（万元）": "１,000.5",
        "主体类型": " 个体工商户 ",
        "行业大类": "５２",
    }
    bad = {"成立日期": "2023-13-01", "注册资本（万元）": "很多"}
    rows = [entity_row(**odd), entity_row(**bad), entity_row(**odd), entity_row(**bad)]
    result = run(tmp_path, rows)
    assert (result.created, result.rejected) == (2, 2)
    assert problems_of(result, 3) == problems_of(result, 5)
    assert [c for c, _ in problems_of(result, 5)] == ["注册资本（万元）", "成立日期"]
    first, second = (Entity.objects.get(pk=rows[i]["统一社会信用代码"]) for i in (0, 2))
    for entity in (first, second):
        assert (entity.established_on, entity.registered_capital) == (dt.date(2020, 5, 1), Decimal("1000.5"))
        assert (entity.entity_type, entity.industry_division, entity.industry_section) == (
            "individual",
            "52",
            "F",
        )
