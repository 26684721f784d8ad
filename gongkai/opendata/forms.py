from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SubscribeForm(forms.Form):
    """E-mail alerts for a filtered list. ``website`` is a honeypot: hidden from people (and from
    screen readers), filled in only by robots."""

    email = forms.CharField(
        label=_("电子邮箱"),
        max_length=254,
        error_messages={"required": _("请填写电子邮箱")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    url = forms.CharField(
        label=_("订阅的列表网址"),
        max_length=500,
        help_text=_("本站列表或搜索结果页面的网址（含筛选条件），例如 /penalties/?district=371502"),
        error_messages={"required": _("请填写要订阅的列表网址")},
    )
    website = forms.CharField(
        label=_("请勿填写此项"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
