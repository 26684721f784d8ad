from __future__ import annotations

from django import forms


class SubscribeForm(forms.Form):
    """E-mail alerts for a filtered list. ``website`` is a honeypot: hidden from people (and from
    screen readers), filled in only by robots."""

    email = forms.CharField(
        label="电子邮箱",
        max_length=254,
        error_messages={"required": "请填写电子邮箱"},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    url = forms.CharField(
        label="订阅的列表网址",
        max_length=500,
        help_text="本站列表或搜索结果页面的网址（含筛选条件），例如 /penalties/?district=371502",
        error_messages={"required": "请填写要订阅的列表网址"},
    )
    website = forms.CharField(
        label="请勿填写此项",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
