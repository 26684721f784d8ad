from django import forms
from django.utils.translation import gettext_lazy as _

from gongkai.inspectors.choices import OfficerStatus
from gongkai.inspectors.models import Department


class OfficerSearchForm(forms.Form):
    q = forms.CharField(label=_("姓名、人员编号或执法证号"), required=False, max_length=50)
    department = forms.ModelChoiceField(
        label=_("部门"), required=False, queryset=Department.objects.all(), empty_label=_("全部")
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *OfficerStatus.choices]
    )


class ConflictForm(forms.Form):
    credit_code = forms.CharField(label=_("市场主体统一社会信用代码"), max_length=18)
    reason = forms.CharField(label=_("回避理由"), max_length=200)
    declared_on = forms.DateField(label=_("申报日期"), widget=forms.DateInput(attrs={"type": "date"}))
    declared_by = forms.CharField(label=_("申报人"), max_length=50, help_text=_("本人、当事企业或负责人"))
