"""The open datasets: what each one contains, its data dictionary, and its rows.

Every dataset is read ONLY through the public selector of the module that owns the data, the same
selector the public pages use, so the privacy guard those selectors implement (no credit-risk
class, no drafts, no unredacted text, no contact data, no expired penalty, no unpublished result,
no complainant) is the guard of the files too. Where a page shows a value in a particular way (a
natural person's name masked to the surname on an 个体工商户's record) the rows do the same;
``tests/test_datasets.py`` compares the entity rows with :func:`portal.selectors.public_entity_fields`.

Rows are generated lazily, chunk by chunk (``.iterator(chunk_size=…)``), so a dataset of any size
is written in constant memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

# Marked for the English open-data page, which translates them; the files keep the Chinese (the
# marker returns its argument unchanged).
from django.utils.translation import gettext_noop as _

CHUNK_SIZE = 2000

# Field types of the data dictionary (also how JSON Lines writes a value).
STRING, INTEGER, DECIMAL, DATE, DATETIME, BOOLEAN = (
    "string",
    "integer",
    "decimal",
    "date",
    "datetime",
    "boolean",
)
TYPE_LABELS = {
    STRING: "文本",
    INTEGER: "整数",
    DECIMAL: "数值",
    DATE: "日期（YYYY-MM-DD）",
    DATETIME: "日期时间（ISO 8601，北京时间）",
    BOOLEAN: "布尔（是/否）",
}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str
    meaning: str


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    source: str  # the public selector it is read from
    fields: tuple[Field, ...]
    rows: Callable[[dt.date], Iterator[list[Any]]]

    def dictionary(self) -> list[dict[str, str]]:
        return [{"field": f.name, "name": f.label, "type": f.type, "meaning": f.meaning} for f in self.fields]


def absolute(path: str) -> str:
    return settings.GONGKAI_SITE_URL.rstrip("/") + path


def link_maker(url_name: str) -> Callable[[Any], str]:
    """``absolute(reverse(url_name, args=[key]))`` without a reverse per row (it dominated the time)."""
    marker = "0PLACEHOLDER0"
    template = absolute(reverse(url_name, args=[marker]))
    before, _, after = template.partition(marker)
    return lambda key: f"{before}{key}{after}"


def local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value).replace(microsecond=0) if value else None


def label_of(choices: Iterable[tuple[Any, Any]]) -> Callable[[Any], str]:
    labels = {k: str(v) for k, v in choices}
    return lambda value: labels.get(value, value or "")


# --- 经营主体 ------------------------------------------------------------------------------------


def _entity_rows(day: dt.date) -> Iterator[list[Any]]:
    from gongkai.portal import selectors as portal
    from gongkai.registry import industries
    from gongkai.registry.choices import AddressKind, EntityStatus, EntityType
    from gongkai.registry.models import Address

    type_label = label_of(EntityType.choices)
    status_label = label_of(EntityStatus.choices)
    division_label = label_of(industries.DIVISION_CHOICES)
    entity_url = link_maker("portal-entity")
    # The public selector's queryset: only the public fields exist on it (portal.PUBLIC_FIELDS).
    rows = (
        portal._public_qs()
        .order_by("credit_code")
        .values_list(
            "credit_code",
            "name",
            "entity_type",
            "legal_representative",
            "registered_capital",
            "established_on",
            "status",
            "registration_authority",
            "industry_division",
            "district__name",
            "is_cluster_host",
            "cluster_host__name",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    )

    def emit(batch: list[tuple]) -> Iterator[list[Any]]:
        # Every address of the batch in one query (一照多址: one 住所, any number of 经营场所).
        domicile: dict[str, str] = {}
        premises: dict[str, list[str]] = {}
        for code, kind, text in (
            Address.objects.filter(entity_id__in=[r[0] for r in batch])
            .order_by("entity_id", "position")
            .values_list("entity_id", "kind", "full_text")
        ):
            if kind == AddressKind.DOMICILE and code not in domicile:
                domicile[code] = text
            else:
                premises.setdefault(code, []).append(text)
        for (
            code,
            name,
            etype,
            person,
            capital,
            est,
            status,
            authority,
            div,
            district,
            host,
            host_name,
        ) in batch:
            individual = etype == EntityType.INDIVIDUAL
            yield [
                code,
                name,
                type_label(etype),
                portal.mask_person(person) if individual else person,
                None if individual or capital is None else capital,
                est,
                status_label(status),
                authority,
                division_label(div),
                district or "",
                domicile.get(code, ""),
                "；".join(premises.get(code, [])),
                host_name or "",
                bool(host),
                entity_url(code),
            ]

    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK_SIZE:
            yield from emit(batch)
            batch = []
    if batch:
        yield from emit(batch)


ENTITIES = Dataset(
    "entities",
    _("经营主体登记信息"),
    _(
        "登记在册的经营主体在“经营主体查询”中公开的登记事项，每户一行。个体工商户经营者姓名只显示姓氏，"
        "不含注册资本；不含信用风险分类、联络人和联系电话。"
    ),
    "gongkai.portal.selectors（经营主体公开信息）",
    (
        Field("credit_code", "统一社会信用代码", STRING, _("18位统一社会信用代码，主体的唯一标识")),
        Field("name", "名称", STRING, _("登记的名称")),
        Field("entity_type", "主体类型", STRING, _("企业、分支机构、个体工商户、农民专业合作社等")),
        Field(
            "legal_representative", "法定代表人（负责人、经营者）", STRING, _("个体工商户只显示经营者姓氏")
        ),
        Field("registered_capital", "注册资本（万元）", DECIMAL, _("个体工商户和未登记注册资本的为空")),
        Field("established_on", "成立日期", DATE, _("营业执照的成立日期")),
        Field("status", "登记状态", STRING, _("存续（在营）、歇业、吊销、注销、迁出、撤销登记")),
        Field("registration_authority", "登记机关", STRING, _("作出登记的机关")),
        Field("industry", "所属行业", STRING, _("国民经济行业分类大类（代码 名称）")),
        Field("district", "所属区划", STRING, _("住所所在县（市、区）")),
        Field("domicile", "住所", STRING, _("营业执照上的住所")),
        Field("premises", "经营场所", STRING, _("一照多址登记的其他经营场所，多个以“；”分隔")),
        Field("cluster_host", "集群注册托管机构", STRING, _("集群注册的主体的托管机构名称")),
        Field("is_cluster_host", "是否集群注册托管机构", BOOLEAN, _("本主体是否为集群注册托管机构")),
        Field("url", "网址", STRING, _("本站经营主体查询页面")),
    ),
    _entity_rows,
)


# --- 双随机、一公开 ------------------------------------------------------------------------------


def _item_rows(day: dt.date) -> Iterator[list[Any]]:
    from gongkai.inspections import selectors
    from gongkai.inspections.choices import ItemLevel

    level = label_of(ItemLevel.choices)
    for i in selectors.published_items().iterator(chunk_size=CHUNK_SIZE):
        yield [
            i.code,
            i.version,
            i.category,
            i.name,
            i.target,
            level(i.level),
            i.methods,
            i.subject,
            i.basis,
            i.is_joint,
            i.lead_department,
            i.partner_departments,
            i.tier,
            local(i.published_at),
        ]


ITEMS = Dataset(
    "inspection-items",
    _("随机抽查事项清单"),
    _("已公布的随机抽查事项（抽查事项清单）。"),
    "gongkai.inspections.selectors.published_items",
    (
        Field("code", "事项编码", STRING, _("抽查事项的编码")),
        Field("version", "版本", INTEGER, _("事项的版本号，修改后递增")),
        Field("category", "抽查类别", STRING, _("抽查类别")),
        Field("name", "抽查事项", STRING, _("抽查事项名称")),
        Field("target", "检查对象", STRING, _("检查对象")),
        Field("level", "事项类别", STRING, _("一般检查事项或重点检查事项")),
        Field("methods", "检查方式", STRING, _("现场检查、书面检查、网络监测等")),
        Field("subject", "检查主体", STRING, _("实施检查的部门")),
        Field("basis", "检查依据", STRING, _("法律法规依据（到条款）")),
        Field("is_joint", "部门联合抽查事项", BOOLEAN, _("是否为部门联合抽查事项")),
        Field("lead_department", "发起部门", STRING, _("联合抽查的发起部门")),
        Field("partner_departments", "配合部门", STRING, _("联合抽查的配合部门")),
        Field("tier", "抽查层级", STRING, _("联合抽查的抽查层级")),
        Field("published_at", "发布时间", DATETIME, _("事项公布的时间")),
    ),
    _item_rows,
)


def _plan_rows(day: dt.date) -> Iterator[list[Any]]:
    from gongkai.inspections import selectors

    for p in selectors.public_plans().order_by("-year", "id").iterator(chunk_size=CHUNK_SIZE):
        yield [
            p.pk,
            p.year,
            p.name,
            p.department.name,
            p.content,
            p.period,
            p.ratio,
            p.frequency,
            p.quantity,
            local(p.published_at),
        ]


PLANS = Dataset(
    "inspection-plans",
    _("抽查计划公告"),
    _("已公布的年度抽查计划。"),
    "gongkai.inspections.selectors.public_plans",
    (
        Field("id", "计划标识", INTEGER, _("本站的计划编号，任务数据集的 plan_id 引用它")),
        Field("year", "年度", INTEGER, _("计划年度")),
        Field("name", "计划名称", STRING, _("计划名称")),
        Field("department", "检查主体", STRING, _("制定计划的部门")),
        Field("content", "检查内容", STRING, _("检查内容")),
        Field("period", "开展时间", STRING, _("计划开展时间")),
        Field("ratio", "抽查比例", STRING, _("计划抽查比例")),
        Field("frequency", "抽查频次", STRING, _("计划抽查频次")),
        Field("quantity", "抽查数量", STRING, _("计划抽查数量")),
        Field("published_at", "公布时间", DATETIME, _("计划公布的时间")),
    ),
    _plan_rows,
)


def _task_rows(day: dt.date) -> Iterator[list[Any]]:
    from gongkai.inspections import selectors
    from gongkai.inspections.choices import TaskState

    state = label_of(TaskState.choices)
    for t in selectors.public_tasks().order_by("announced_at", "id").iterator(chunk_size=CHUNK_SIZE):
        yield [
            t.public_id,
            t.name,
            t.plan_id,
            t.plan.name,
            t.plan.department.name,
            "；".join(f"{i.code} {i.name}" for i in t.items.all()),
            t.is_joint,
            state(t.state),
            t.period_start,
            t.period_end,
            local(t.announced_at),
            t.commitment,
            t.seed,
            local(t.drawn_at),
            absolute(reverse("public-task", args=[t.public_id])),
        ]


TASKS = Dataset(
    "inspection-tasks",
    _("抽查任务公告"),
    _("已公告的抽查任务及其摇号承诺值和随机种子；摇号数据可在任务页面下载并自行验证。"),
    "gongkai.inspections.selectors.public_tasks",
    (
        Field("public_id", "任务编号", STRING, _("任务的公开编号，结果数据集的 task_id 引用它")),
        Field("name", "任务名称", STRING, _("任务名称")),
        Field("plan_id", "所属计划标识", INTEGER, _("抽查计划公告数据集的 id")),
        Field("plan", "所属计划", STRING, _("计划名称")),
        Field("department", "检查主体", STRING, _("发起任务的部门")),
        Field("items", "抽查事项", STRING, _("事项编码和名称，多个以“；”分隔")),
        Field("is_joint", "部门联合抽查", BOOLEAN, _("是否为部门联合抽查")),
        Field("state", "状态", STRING, _("已公告、已摇号、检查中、结果已公示、已完结等")),
        Field("period_start", "检查开始日期", DATE, _("检查时间段的开始")),
        Field("period_end", "检查结束日期", DATE, _("检查时间段的结束")),
        Field("announced_at", "公告时间", DATETIME, _("任务公告（承诺值公布）的时间")),
        Field("commitment", "承诺值", STRING, _("冻结文件的 SHA-256，摇号前公布")),
        Field("seed", "随机种子", STRING, _("摇号使用的随机种子（规范化后），未摇号的为空")),
        Field("drawn_at", "摇号时间", DATETIME, _("摇号的时间")),
        Field("url", "网址", STRING, _("本站任务页面（含摇号数据和验证方法）")),
    ),
    _task_rows,
)


def _result_rows(day: dt.date) -> Iterator[list[Any]]:
    from gongkai.inspections import selectors

    for t in (
        selectors.published_results().order_by("results_published_at", "id").iterator(chunk_size=CHUNK_SIZE)
    ):
        for r in t.records.all():
            yield [
                t.entity_id,
                t.entity.name,
                t.task.public_id,
                t.task.name,
                r.item.code,
                r.item.name,
                "；".join(c.label for c in r.categories.all()),
                local(t.results_published_at),
                absolute(reverse("public-task", args=[t.task.public_id])),
            ]


RESULTS = Dataset(
    "inspection-results",
    _("抽查结果公告"),
    _("已公示的双随机抽查结果，每个被检查主体的每个抽查事项一行。"),
    "gongkai.inspections.selectors.published_results",
    (
        Field("credit_code", "统一社会信用代码", STRING, _("被检查主体，经营主体数据集的 credit_code")),
        Field("entity_name", "主体名称", STRING, _("被检查主体名称")),
        Field("task_id", "任务编号", STRING, _("抽查任务公告数据集的 public_id")),
        Field("task", "任务名称", STRING, _("抽查任务名称")),
        Field("item_code", "事项编码", STRING, _("抽查事项编码")),
        Field("item", "抽查事项", STRING, _("抽查事项名称")),
        Field("result", "检查结果", STRING, _("检查结果类别，多个以“；”分隔")),
        Field("published_at", "公示时间", DATETIME, _("结果公示的时间")),
        Field("url", "网址", STRING, _("本站任务页面")),
    ),
    _result_rows,
)


# --- 行政处罚 -------------------------------------------------------------------------------------


def _penalty_rows(day: dt.date) -> Iterator[list[Any]]:
    from gongkai.penalties import selectors
    from gongkai.penalties.public import summary

    for d in selectors.public_decisions(day=day).order_by("decision_date", "id").iterator(chunk_size=500):
        s = summary(d)
        yield [
            s["id"],
            s["number"],
            s["party"],
            s["credit_code"],
            s["violation_type"],
            s["violation_category"],
            s["legal_basis"],
            s["penalty"],
            Decimal(s["fine"]) if s["fine"] is not None else None,
            s["authority"],
            d.decision_date,
            d.published_on,
            d.display_ends_on,
            s["district"],
            d.public_text,
            absolute(s["url"]),
        ]


PENALTIES = Dataset(
    "penalties",
    _("行政处罚信息（公示期内）"),
    _(
        "当日处于公示期内的行政处罚决定：摘要和经审核隐去个人信息的决定书全文。公示期届满、撤回的决定"
        "自次日的文件中消失。"
    ),
    "gongkai.penalties.selectors.public_decisions",
    (
        Field("id", "公示编号", STRING, _("本站公示编号")),
        Field("number", "决定书文号", STRING, _("行政处罚决定书文号")),
        Field("party", "当事人名称", STRING, _("当事人名称（自然人已按规定处理）")),
        Field("credit_code", "统一社会信用代码", STRING, _("当事人为经营主体的，其统一社会信用代码")),
        Field("violation_type", "违法行为类型", STRING, _("违法行为类型")),
        Field("violation_category", "违法行为类别", STRING, _("本站的违法行为分类")),
        Field("legal_basis", "处罚依据", STRING, _("处罚依据")),
        Field("penalty", "处罚内容", STRING, _("处罚种类和内容")),
        Field("fine", "罚款金额（元）", DECIMAL, _("罚款金额，没有罚款的为空")),
        Field("authority", "作出决定机关", STRING, _("作出行政处罚决定的机关")),
        Field("decision_date", "作出决定日期", DATE, _("行政处罚决定日期")),
        Field("published_on", "公示日期", DATE, _("开始公示的日期")),
        Field("display_ends_on", "公示截止日期", DATE, _("公示期最后一天；为空表示长期公示")),
        Field("district", "区划", STRING, _("作出决定机关所在区划")),
        Field("text", "决定书全文（已处理）", STRING, _("经信息公开审核的决定书全文，已隐去个人信息")),
        Field("url", "网址", STRING, _("本站公示页面")),
    ),
    _penalty_rows,
)


# --- 政务公开 -------------------------------------------------------------------------------------


def _document_rows(day: dt.date) -> Iterator[list[Any]]:
    from gongkai.disclosure import selectors
    from gongkai.disclosure.choices import State, Topic, Validity

    topic, validity, state = label_of(Topic.choices), label_of(Validity.choices), label_of(State.choices)
    for d in selectors.public_documents().iterator(chunk_size=CHUNK_SIZE):
        yield [
            d.pk,
            d.index_no,
            d.doc_number,
            d.title,
            d.issuer,
            d.written_on,
            topic(d.topic),
            validity(d.validity),
            d.valid_from,
            d.validity_changed_on,
            state(d.state),
            local(d.published_at),
            getattr(d, "n_interpretations", 0),  # annotated by the selector
            absolute(reverse("public-document", args=[d.pk])),
        ]


DOCUMENTS = Dataset(
    "policy-documents",
    _("政策文件"),
    _("主动公开的政策文件（含已撤回并说明理由的）。正文见网址。"),
    "gongkai.disclosure.selectors.public_documents",
    (
        Field("id", "标识", INTEGER, _("本站文件编号，解读数据集的 document_id 引用它")),
        Field("index_no", "索引号", STRING, _("政府信息索引号")),
        Field("doc_number", "文号", STRING, _("发文字号")),
        Field("title", "标题", STRING, _("文件标题")),
        Field("issuer", "发文机关", STRING, _("发文机关")),
        Field("written_on", "成文日期", DATE, _("成文日期")),
        Field("topic", "主题分类", STRING, _("主题分类")),
        Field("validity", "有效性", STRING, _("有效、失效、废止等")),
        Field("valid_from", "生效日期", DATE, _("生效日期")),
        Field("validity_changed_on", "失效（废止）日期", DATE, _("失效或废止的日期")),
        Field("state", "状态", STRING, _("已发布或已撤回")),
        Field("published_at", "发布时间", DATETIME, _("发布时间")),
        Field("interpretations", "解读数", INTEGER, _("已发布的解读数量")),
        Field("url", "网址", STRING, _("本站文件页面")),
    ),
    _document_rows,
)


def _interpretation_rows(day: dt.date) -> Iterator[list[Any]]:
    from gongkai.disclosure import selectors
    from gongkai.disclosure.choices import InterpretationKind, State

    kind, state = label_of(InterpretationKind.choices), label_of(State.choices)
    for i in selectors.public_interpretations().iterator(chunk_size=CHUNK_SIZE):
        yield [
            i.pk,
            i.title,
            kind(i.kind),
            i.document_id,
            i.document.title,
            i.press_date,
            i.speakers,
            state(i.state),
            local(i.published_at),
            absolute(reverse("public-interpretation", args=[i.pk])),
        ]


INTERPRETATIONS = Dataset(
    "interpretations",
    _("政策解读"),
    _("已发布的政策解读（文字、图解、发布会等）。"),
    "gongkai.disclosure.selectors.public_interpretations",
    (
        Field("id", "标识", INTEGER, _("本站解读编号")),
        Field("title", "标题", STRING, _("解读标题")),
        Field("kind", "解读形式", STRING, _("文字解读、图解、音视频、新闻发布会等")),
        Field("document_id", "所解读文件标识", INTEGER, _("政策文件数据集的 id")),
        Field("document", "所解读文件", STRING, _("政策文件标题")),
        Field("press_date", "发布会日期", DATE, _("新闻发布会的日期")),
        Field("speakers", "发布人", STRING, _("发布会发布人")),
        Field("state", "状态", STRING, _("已发布或已撤回")),
        Field("published_at", "发布时间", DATETIME, _("发布时间")),
        Field("url", "网址", STRING, _("本站解读页面")),
    ),
    _interpretation_rows,
)


def _guide_rows(day: dt.date) -> Iterator[list[Any]]:
    from gongkai.disclosure import selectors
    from gongkai.disclosure.choices import State

    state = label_of(State.choices)
    for g in selectors.public_guides().iterator(chunk_size=CHUNK_SIZE):
        yield [
            g.pk,
            g.name,
            g.department,
            g.basis,
            g.conditions,
            g.materials,
            g.process,
            g.time_limit,
            g.fees,
            g.place_hours,
            g.phone,
            g.online_url,
            state(g.state),
            local(g.published_at),
            absolute(reverse("public-guide", args=[g.pk])),
        ]


GUIDES = Dataset(
    "guides",
    _("办事指南"),
    _("已发布的办事指南。"),
    "gongkai.disclosure.selectors.public_guides",
    (
        Field("id", "标识", INTEGER, _("本站指南编号")),
        Field("name", "事项名称", STRING, _("办理事项名称")),
        Field("department", "实施机构", STRING, _("实施机构")),
        Field("basis", "设定依据", STRING, _("设定依据")),
        Field("conditions", "办理条件", STRING, _("办理条件")),
        Field("materials", "材料清单", STRING, _("申请材料，每行一项")),
        Field("process", "办理流程", STRING, _("办理流程")),
        Field("time_limit", "办理时限", STRING, _("办理时限")),
        Field("fees", "收费标准", STRING, _("收费标准")),
        Field("place_hours", "办理地点和时间", STRING, _("办理地点和时间")),
        Field("phone", "咨询电话", STRING, _("实施机构的咨询电话")),
        Field("online_url", "网上办理地址", STRING, _("网上办理地址")),
        Field("state", "状态", STRING, _("已发布或已撤回")),
        Field("published_at", "发布时间", DATETIME, _("发布时间")),
        Field("url", "网址", STRING, _("本站指南页面")),
    ),
    _guide_rows,
)


# --- 互动交流 -------------------------------------------------------------------------------------


def _message_rows(day: dt.date) -> Iterator[list[Any]]:
    from gongkai.interaction import selectors
    from gongkai.interaction.choices import MessageCategory

    category = label_of(MessageCategory.choices)
    for m in selectors.published_messages().iterator(chunk_size=CHUNK_SIZE):
        yield [
            m.pk,
            category(m.category),
            m.public_subject,
            m.public_body,
            m.public_reply,
            m.department.name if m.department else "",
            m.received_on,
            m.replied_on,
            local(m.published_at),
            absolute(reverse("public-message", args=[m.pk])),
        ]


MESSAGES = Dataset(
    "messages",
    _("留言答复（已公开）"),
    _("经审核公开的留言和答复（公开文本已隐去留言人的姓名、联系方式等个人信息）。"),
    "gongkai.interaction.selectors.published_messages",
    (
        Field("id", "标识", INTEGER, _("本站留言编号")),
        Field("category", "类别", STRING, _("咨询、投诉、建议等")),
        Field("subject", "标题", STRING, _("经审核的公开标题")),
        Field("body", "留言内容", STRING, _("经审核的公开内容")),
        Field("reply", "答复内容", STRING, _("经审核的公开答复")),
        Field("department", "答复部门", STRING, _("答复部门")),
        Field("received_on", "留言日期", DATE, _("收到留言的日期")),
        Field("replied_on", "答复日期", DATE, _("答复的日期")),
        Field("published_at", "公开时间", DATETIME, _("公开的时间")),
        Field("url", "网址", STRING, _("本站留言页面")),
    ),
    _message_rows,
)


# --- 惠企政策 -------------------------------------------------------------------------------------


def _policy_rows(day: dt.date) -> Iterator[list[Any]]:
    from gongkai.policies import selectors

    for policy, version in selectors.public_policies():
        figures = selectors.public_figures(policy)
        yield [
            policy.code,
            policy.title,
            policy.department,
            version.number,
            version.mode,
            version.get_beneficiary_kind_display(),
            version.valid_from,
            version.valid_to,
            figures.eligible,
            figures.notified,
            figures.paid_count,
            figures.paid_amount,
            absolute(reverse("public-benefit", args=[policy.code])),
        ]


POLICIES = Dataset(
    "support-policies",
    _("惠企政策（政策找人、免申即享）"),
    _("已发布的惠企政策及其汇总数字（符合条件数、已告知数、已兑现户数和金额），不含任何对象名单或个人金额。"),
    "gongkai.policies.selectors.public_policies / public_figures",
    (
        Field("code", "政策标识", STRING, _("本站政策标识")),
        Field("title", "政策名称", STRING, _("政策名称")),
        Field("department", "主管部门", STRING, _("主管部门")),
        Field("version", "版本", INTEGER, _("现行公布的规则版本")),
        Field("mode", "兑现方式", STRING, _("免申即享、快申快享或评审")),
        Field("beneficiary_kind", "对象", STRING, _("企业或人才")),
        Field("valid_from", "生效日期", DATE, _("生效日期")),
        Field("valid_to", "截止日期", DATE, _("截止日期；为空表示长期")),
        Field("eligible", "符合条件数", INTEGER, _("当前比对为符合条件的对象数")),
        Field("notified", "已告知数", INTEGER, _("已告知（进入办理）的对象数")),
        Field("paid_count", "已兑现户数", INTEGER, _("已拨付的件数")),
        Field("paid_amount", "已兑现金额（元）", INTEGER, _("已拨付的总金额")),
        Field("url", "网址", STRING, _("本站政策页面")),
    ),
    _policy_rows,
)


# --- 统计 -----------------------------------------------------------------------------------------


def _stats_rows(day: dt.date) -> Iterator[list[Any]]:
    from gongkai.stats import selectors

    for name in selectors.DATASETS:
        table = selectors.dataset(name, day=day)
        if table is None:
            continue
        for index, row in enumerate(table.rows, start=1):
            for column, value in zip(table.header[1:], row[1:], strict=False):
                yield [name, table.title, index, str(row[0]), column, str(value)]


STATISTICS = Dataset(
    "statistics",
    _("统计数据"),
    _("“数据统计”栏目的全部统计表，长表格式：每个单元格一行。"),
    "gongkai.stats.selectors.DATASETS",
    (
        Field("table", "统计表标识", STRING, _("统计表的标识（与本站统计 CSV 的文件名相同）")),
        Field("table_title", "统计表", STRING, _("统计表名称")),
        Field("row", "行序号", INTEGER, _("表内行的序号")),
        Field("row_label", "行", STRING, _("行的标签（月份、年份、区划、类型等）")),
        Field("column", "列", STRING, _("列名（指标）")),
        Field("value", "值", STRING, _("单元格的值，与页面显示相同")),
    ),
    _stats_rows,
)


DATASETS: dict[str, Dataset] = {
    d.slug: d
    for d in (
        ENTITIES,
        ITEMS,
        PLANS,
        TASKS,
        RESULTS,
        PENALTIES,
        DOCUMENTS,
        INTERPRETATIONS,
        GUIDES,
        MESSAGES,
        POLICIES,
        STATISTICS,
    )
}
