from django import forms
from django.utils.translation import gettext_lazy as _


class CalendarOverrideForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("类型"),
        choices=[("0", _("休息日（节假日）")), ("1", _("工作日（调休上班）"))],
        coerce=lambda v: v == "1",
    )
    name = forms.CharField(
        label=_("名称"), max_length=50, required=False, help_text=_("例如：春节、国庆节调休")
    )


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    source = forms.CharField(
        label=_("依据"), max_length=200, help_text=_("国务院办公厅关于某年部分节假日安排的通知（文号）")
    )


class WorkdayQueryForm(forms.Form):
    start = forms.DateField(label=_("起算日期"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("工作日数"), min_value=0, max_value=1000)


class AuditFilterForm(forms.Form):
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=64)
    object_id = forms.CharField(label=_("对象标识"), required=False, max_length=64)
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
