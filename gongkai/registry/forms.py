from django import forms
from django.utils.translation import gettext_lazy as _

from gongkai.core.models import District
from gongkai.registry.choices import EntityStatus, EntityType


class EntitySearchForm(forms.Form):
    q = forms.CharField(label=_("名称或统一社会信用代码"), required=False, max_length=200)
    district = forms.ModelChoiceField(
        label=_("区划（任一地址）"),
        required=False,
        queryset=District.objects.filter(level="county"),
        empty_label=_("全部"),
    )
    entity_type = forms.ChoiceField(
        label=_("主体类型"), required=False, choices=[("", _("全部")), *EntityType.choices]
    )
    status = forms.ChoiceField(
        label=_("登记状态"), required=False, choices=[("", _("全部")), *EntityStatus.choices]
    )


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("新状态"), choices=EntityStatus.choices)
    effective_on = forms.DateField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("说明"), required=False, max_length=200)
