"""The site's columns (栏目) and where each leads.

A column whose module is not built yet points at a "栏目建设中" page, never at a broken link:
``url_names`` lists the URL names tried in order (the module's own page first), and the placeholder
is used when none resolves. So when the penalties module adds ``public-penalties``, the navigation
links to it without a change here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class Link:
    label: str | Promise
    url_names: tuple[str, ...]
    placeholder: str = ""  # slug of the "栏目建设中" page
    query: str = ""
    description: str | Promise = ""

    @property
    def url(self) -> str:
        for name in self.url_names:
            try:
                return reverse(name) + self.query
            except NoReverseMatch:
                continue
        return reverse("portal-column", args=[self.placeholder])

    @property
    def built(self) -> bool:
        for name in self.url_names:
            try:
                reverse(name)
                return True
            except NoReverseMatch:
                continue
        return False


@dataclass(frozen=True)
class Column:
    slug: str
    label: str | Promise
    links: tuple[Link, ...]
    description: str | Promise = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "xxgk",
        _("信息公开"),
        (
            Link(
                _("政府信息公开指南"),
                ("public-disclosure-guide",),
                description=_("公开的范围、方式、程序和受理机构"),
            ),
            Link(_("公开目录"), ("public-catalogue",), description=_("按栏目和主题分类的全部主动公开信息")),
            Link(_("政策文件"), ("public-documents",), description=_("本局制发的规范性文件和政策性文件")),
            Link(_("政策解读"), ("public-interpretations",), description=_("文字解读、图解和新闻发布会")),
            Link(_("双随机一公开"), ("public-inspections",), description=_("抽查事项清单、计划、任务和结果")),
            Link(_("行政处罚公示"), ("public-penalties",), "penalties", description=_("行政处罚决定信息")),
            Link(
                _("开放数据"),
                ("opendata-index",),
                description=_("每日更新的数据文件下载、订阅源和邮件提醒"),
            ),
            Link(
                _("年度报告"),
                ("public-annual-reports",),
                "annual-report",
                description=_("政府信息公开工作年度报告"),
            ),
        ),
        _("依法主动公开的政府信息"),
    ),
    Column(
        "qybs",
        _("企业办事"),
        (
            Link(
                _("办事指南"),
                ("public-guides",),
                description=_("事项名称、依据、条件、材料、流程、时限、收费"),
            ),
            Link(_("表格下载"), ("public-forms",), description=_("办事所需空白表格")),
            Link(
                _("惠企政策（免申即享）"),
                ("public-benefits",),
                description=_("政策找人：符合条件的企业和人才无需申请，确认后即可兑现"),
            ),
            Link(
                _("我的政策"), ("account-login",), description=_("企业和人才登录，查看为您匹配的政策并确认")
            ),
        ),
        _("办事指南、表格下载和惠企政策"),
    ),
    Column(
        "xxcx",
        _("信息查询"),
        (
            Link(
                _("经营主体查询"),
                ("portal-entities",),
                description=_("按名称或统一社会信用代码查询登记信息和抽查结果"),
            ),
            Link(
                _("抽查结果查询"),
                ("public-inspections",),
                query="?tab=results",
                description=_("双随机抽查结果公告"),
            ),
            Link(
                _("处罚信息查询"),
                ("public-penalty-search", "public-penalties"),
                "penalty-search",
                description=_("公示期内的行政处罚信息"),
            ),
            Link(_("摇号验证"), ("portal-verify-draw",), description=_("自行验证每一次随机抽取是否公正")),
        ),
        _("经营主体、抽查结果、处罚信息和摇号验证"),
    ),
    Column(
        "hdjl",
        _("互动交流"),
        (
            Link(_("留言"), ("public-messages",), "messages", description=_("咨询、投诉、建议及答复")),
            Link(_("依申请公开"), ("public-foia",), "foia", description=_("申请公开政府信息")),
            Link(_("满意度"), ("public-satisfaction",), "satisfaction", description=_("对办理情况进行评价")),
        ),
        _("留言咨询、依申请公开和满意度评价"),
    ),
)

# Pages for columns whose module is not built yet; titles marked here, translated where shown.
PLACEHOLDERS: dict[str, str] = {
    "penalties": gettext_noop("行政处罚公示"),
    "penalty-search": gettext_noop("处罚信息查询"),
    "annual-report": gettext_noop("政府信息公开工作年度报告"),
    "messages": gettext_noop("留言"),
    "foia": gettext_noop("依申请公开"),
    "satisfaction": gettext_noop("满意度评价"),
}


def column(slug: str) -> Column | None:
    return next((c for c in COLUMNS if c.slug == slug), None)


def column_for_path(path: str) -> Column | None:
    """The column a page belongs to, for the second navigation row and aria-current."""
    for col in COLUMNS:
        if path.startswith(f"/column/{col.slug}/"):
            return col
        for link in col.links:
            target = link.url.split("?")[0]
            if target != "/" and path.startswith(target):
                return col
    return None
