"""Forms of 双随机、一公开: they turn staff input into values or field errors, nothing more."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongkai.core.models import District
from gongkai.inspections.choices import FollowUp, ItemStatus, StrataMode
from gongkai.inspections.models import InspectionItem, Plan, ResultCategory
from gongkai.inspectors.models import Department
from gongkai.registry import industries
from gongkai.registry.choices import CreditRiskClass, EntityType

DATE = forms.DateInput(attrs={"type": "date"})


class ItemForm(forms.ModelForm):
    class Meta:
        model = InspectionItem
        fields = [
            "category",
            "name",
            "target",
            "level",
            "methods",
            "subject",
            "basis",
            "is_joint",
            "lead_department",
            "partner_departments",
            "tier",
        ]
        widgets = {"basis": forms.Textarea(attrs={"rows": 3})}


class ItemCreateForm(ItemForm):
    code = forms.RegexField(
        label=_("事项编码"),
        regex=r"^[A-Za-z0-9-]{2,40}$",
        max_length=40,
        error_messages={"invalid": _("事项编码只能包含字母、数字和连字符")},
    )

    class Meta(ItemForm.Meta):
        fields = ["code", *ItemForm.Meta.fields]


class ItemImportForm(forms.Form):
    file = forms.FileField(label=_("事项清单文件（.xlsx）"))


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["department", "year", "name", "content", "period", "ratio", "frequency", "quantity"]
        widgets = {"content": forms.Textarea(attrs={"rows": 3})}


def _ratio_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        max_digits=5,
    )


class TaskForm(forms.Form):
    name = forms.CharField(label=_("任务名称"), max_length=200)
    items = forms.ModelMultipleChoiceField(
        label=_("抽查事项（仅限已发布）"),
        queryset=InspectionItem.objects.filter(status=ItemStatus.PUBLISHED),
        widget=forms.CheckboxSelectMultiple,
    )
    is_joint = forms.BooleanField(label=_("部门联合抽查"), required=False)
    required_departments = forms.ModelMultipleChoiceField(
        label=_("每组必须包含的部门"),
        queryset=Department.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    districts = forms.ModelMultipleChoiceField(
        label=_("区划（任一登记地址在内即可）"),
        queryset=District.objects.filter(level="county"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示全市"),
    )
    entity_types = forms.MultipleChoiceField(
        label=_("主体类型"), choices=EntityType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    industry_sections = forms.MultipleChoiceField(
        label=_("行业门类"), choices=industries.SECTION_CHOICES, required=False
    )
    industry_divisions = forms.CharField(
        label=_("行业大类代码"), required=False, max_length=300, help_text=_("多个用逗号分隔，如 61,62")
    )
    cluster_host = forms.CharField(
        label=_("仅限某托管机构名下（统一社会信用代码）"), required=False, max_length=18
    )
    strata_mode = forms.ChoiceField(label=_("分层方式"), choices=StrataMode.choices)
    ratio_all = _ratio_field(_("抽查比例（%）：不分层，或各层未单独设置时"))
    ratio_A = _ratio_field(CreditRiskClass.A.label)
    ratio_B = _ratio_field(CreditRiskClass.B.label)
    ratio_C = _ratio_field(CreditRiskClass.C.label)
    ratio_D = _ratio_field(CreditRiskClass.D.label)
    ratio_unclassified = _ratio_field(_("未分类"))
    ratio_lines = forms.CharField(
        label=_("按区划/行业分层的比例"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行“代码=比例”，如 371502=5"),
    )
    min_count = forms.IntegerField(label=_("每层最少抽取户数"), min_value=0, initial=0)
    shared_address_threshold = forms.IntegerField(
        label=_("同一地址登记户数达到"), min_value=2, required=False
    )
    shared_address_ratio = _ratio_field(_("集中登记地址抽查比例（%）"))
    exclude_same_item_this_year = forms.BooleanField(
        label=_("排除本年度已因同一事项被抽中的主体"), required=False, initial=True
    )
    apply_yearly_cap = forms.BooleanField(label=_("执行每户每年抽查次数上限"), required=False, initial=True)
    team_size = forms.IntegerField(label=_("每组检查人员数"), min_value=2, initial=2)
    cross_unit = forms.BooleanField(label=_("所所交叉（检查人员不检查本单位辖区的主体）"), required=False)
    max_load = forms.IntegerField(label=_("每人最多检查户数（0为不限）"), min_value=0, initial=0)
    period_start = forms.DateField(label=_("检查开始日期"), widget=DATE)
    period_end = forms.DateField(label=_("检查结束日期"), widget=DATE)
    seed_source = forms.CharField(
        label=_("随机种子来源"),
        max_length=300,
        required=False,
        help_text=_("例如：drand 第 N 轮随机数；或某时某地公开摇骰仪式（见证人）"),
    )
    seed_not_before = forms.DateTimeField(
        label=_("种子最早录入时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def clean_industry_divisions(self) -> list[str]:
        raw = self.cleaned_data["industry_divisions"].replace("，", ",")
        codes = [c.strip() for c in raw.split(",") if c.strip()]
        unknown = [c for c in codes if c not in industries.DIVISIONS]
        if unknown:
            raise forms.ValidationError(f"不是行业大类代码：{'、'.join(unknown)}")
        return codes

    def clean_ratio_lines(self) -> dict[str, str]:
        ratios: dict[str, str] = {}
        for number, line in enumerate(self.cleaned_data["ratio_lines"].splitlines(), start=1):
            line = line.strip().replace("＝", "=")
            if not line:
                continue
            if "=" not in line:
                raise forms.ValidationError(f"第{number}行应为“代码=比例”")
            key, value = (p.strip() for p in line.split("=", 1))
            try:
                ratio = Decimal(value)
            except InvalidOperation as exc:
                raise forms.ValidationError(f"第{number}行的比例“{value}”不是数字") from exc
            if not Decimal(0) <= ratio <= Decimal(100):
                raise forms.ValidationError(f"第{number}行的比例应在0–100之间")
            ratios[key] = str(ratio)
        return ratios

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", "检查结束日期不能早于开始日期")
        if data.get("seed_not_before") and data["seed_not_before"] <= timezone.now():
            self.add_error("seed_not_before", "种子最早录入时间必须在将来，公告须在种子产生之前发布")
        if data.get("shared_address_threshold") and data.get("shared_address_ratio") is None:
            self.add_error("shared_address_ratio", "设置了户数门槛时必须填写比例")
        depts = data.get("required_departments") or []
        if data.get("team_size") and len(depts) > data["team_size"]:
            self.add_error("required_departments", "要求的部门数不能多于每组人数")
        return data

    def ratios(self) -> dict[str, str]:
        data = self.cleaned_data
        ratios = dict(data.get("ratio_lines") or {})
        if data.get("ratio_all") is not None:
            ratios["*"] = str(data["ratio_all"])
        for key, name in [
            ("A", "ratio_A"),
            ("B", "ratio_B"),
            ("C", "ratio_C"),
            ("D", "ratio_D"),
            ("_", "ratio_unclassified"),
        ]:
            if data.get(name) is not None:
                ratios[key] = str(data[name])
        return ratios


class SeedForm(forms.Form):
    seed = forms.CharField(
        label=_("随机种子"),
        max_length=500,
        help_text=_("例如 drand 轮次的 64 位十六进制随机数，或不少于20位的公开摇骰结果"),
    )
    evidence = forms.CharField(
        label=_("种子证据"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("轮次号与签名、仪式记录、视频链接等"),
    )


class ReplacementForm(forms.Form):
    credit_code = forms.CharField(label=_("被替换主体的统一社会信用代码"), max_length=18)
    reason = forms.CharField(label=_("原因"), max_length=300, help_text=_("如：已于某日注销；已迁出本市"))


class RecordForm(forms.Form):
    categories = forms.ModelMultipleChoiceField(
        label=_("检查结果"),
        queryset=ResultCategory.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    findings = forms.CharField(label=_("检查情况"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    follow_up = forms.ChoiceField(label=_("后续处置"), choices=FollowUp.choices)
    follow_up_note = forms.CharField(label=_("后续处置说明"), required=False, max_length=300)
    follow_up_done_on = forms.DateField(label=_("处置完结日期"), required=False, widget=DATE)
    inspected_on = forms.DateField(label=_("检查日期"), widget=DATE)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        cats = data.get("categories") or []
        if any(c.code == "no_problem" for c in cats) and any(c.problem_found for c in cats):
            self.add_error("categories", "“未发现问题”不能与发现问题的结果同时选择")
        if data.get("inspected_on") and data["inspected_on"] > timezone.localdate():
            self.add_error("inspected_on", "检查日期不能晚于今天")
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("照片或扫描件（JPEG、PNG、PDF，不超过10 MB）"))
