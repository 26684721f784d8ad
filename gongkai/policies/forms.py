"""Forms of 政策找人、免申即享: they turn input into values or field errors, and nothing else."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongkai.core.models import District
from gongkai.core.tabular import CellError
from gongkai.policies.choices import FactType
from gongkai.policies.models import Fact, Policy
from gongkai.policies.presentation import content, fmt, unit_name
from gongkai.portal.language import ContentSelect
from gongkai.registry import creditcode
from gongkai.registry.models import Entity

MAX_RULE_FILE = 256 * 1024
DEPARTMENTS = ["税务", "人社/社保", "工信", "科技", "统计", "商务", "知识产权", "信用监管", "人才办", "其他"]


class VersionForm(forms.Form):
    """A rule file: typed (or pasted) into the text area, or uploaded."""

    text = forms.CharField(
        label="规则文件（gongkai-rules/1）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 28, "cols": 100, "spellcheck": "false", "class": "code"}),
    )
    file = forms.FileField(label="或上传文件（.yaml / .json）", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_RULE_FILE:
                raise ValidationError("规则文件过大（最多256KB）")
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError("规则文件应为UTF-8编码的文本") from None
        if not (data.get("text") or "").strip():
            raise ValidationError("请填写或上传规则文件")
        data["text"] = data["text"].replace("\r\n", "\n")
        return data


class PolicySettingsForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = [
            "title",
            "department",
            "benefit_kind",
            "service_items",
            "service_officer",
            "period_kind",
            "stacking_group",
            "budget_per_period",
            "requires_publicity",
            "publicity_days",
            "confirm_days",
            "pay_days",
            "document",
            "summary",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_officer"].queryset = get_user_model().objects.filter(
            is_staff=True, is_active=True
        )
        self.fields["service_officer"].label_from_instance = lambda u: (
            getattr(getattr(u, "staff_profile", None), "display_name", "") or u.get_username()
        )


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回意见", widget=forms.Textarea(attrs={"rows": 3}))


class FactImportForm(forms.Form):
    file = forms.FileField(label="数据文件（.xlsx 或 .csv）")
    source = forms.ChoiceField(label="数据来源部门", choices=[(d, d) for d in DEPARTMENTS])
    as_of = forms.DateField(label="数据截至日期", widget=forms.DateInput(attrs={"type": "date"}))
    complete = forms.BooleanField(
        label="全量名单（认定名单、失信名单：未列入本文件的对象视为不在名单上）", required=False
    )

    def clean_as_of(self) -> dt.date:
        from django.utils import timezone

        day = self.cleaned_data["as_of"]
        if day > timezone.localdate():
            raise ValidationError("数据截至日期不能晚于今天")
        return day


class FactForm(forms.ModelForm):
    class Meta:
        model = Fact
        fields = [
            "name",
            "label",
            "type",
            "unit",
            "scale",
            "source",
            "refresh",
            "max_age_days",
            "for_entities",
            "for_persons",
        ]


class PersonForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(
        label="公民身份号码", max_length=18, required=False, help_text="仅登记时填写，此后任何页面都不再显示"
    )
    employer_code = forms.CharField(label="工作单位统一社会信用代码", max_length=18, required=False)
    district = forms.ModelChoiceField(label="所在区县", queryset=District.objects.all(), required=False)
    professional_title = forms.CharField(label="职称", max_length=50, required=False)
    talent_level = forms.CharField(label="人才层次", max_length=20, required=False)
    talent_programmes = forms.CharField(label="入选人才工程（用顿号分隔）", required=False)
    education = forms.CharField(label="最高学历", max_length=20, required=False)
    arrival_date = forms.DateField(
        label="来聊工作日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    email = forms.EmailField(label="电子邮箱", required=False)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["id_number"]
        else:
            self.fields["id_number"].required = True

    def clean_employer_code(self) -> Entity | None:
        code = creditcode.normalise(self.cleaned_data.get("employer_code") or "")
        if not code:
            return None
        entity = Entity.objects.filter(pk=code).first()
        if entity is None:
            raise ValidationError("名录库中没有该统一社会信用代码")
        return entity

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        programmes = [
            p.strip() for p in (data.get("talent_programmes") or "").replace("，", "、").split("、")
        ]
        return {
            "name": data["name"],
            "employer": data.get("employer_code"),
            "district": data.get("district"),
            "professional_title": data.get("professional_title", ""),
            "talent_level": data.get("talent_level", ""),
            "talent_programmes": [p for p in programmes if p],
            "education": data.get("education", ""),
            "arrival_date": data.get("arrival_date"),
            "email": data.get("email", ""),
            "phone": data.get("phone", ""),
        }


class PayForm(forms.Form):
    paid_on = forms.DateField(label="拨付日期", widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label="支付凭证号", max_length=60)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300)


class ServiceDoneForm(forms.Form):
    note = forms.CharField(label="服务记录", widget=forms.Textarea(attrs={"rows": 3}))


class InviteForm(forms.Form):
    email = forms.EmailField(label="联系人电子邮箱")
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)


def fact_label(fact: Fact) -> SafeString:
    """A fact's label (Chinese content) with its unit, in the page's language."""
    label = content(fact.label)
    if fact.unit:
        label = fmt(gettext("%(label)s（%(unit)s）"), label=label, unit=unit_name(fact.unit))
    return label


def fact_field(fact: Fact, *, required: bool = True) -> forms.Field:
    """A form field for one fact's value, by its type (快申快享 and staff corrections)."""
    label = fact_label(fact)
    if fact.type == FactType.INTEGER:
        if fact.scale != 1:
            return forms.DecimalField(label=label, required=required, decimal_places=len(str(fact.scale)) - 1)
        return forms.IntegerField(label=label, required=required)
    if fact.type == FactType.BOOLEAN:
        return forms.TypedChoiceField(
            label=label,
            required=required,
            choices=[("", gettext("请选择")), ("1", gettext("是")), ("0", gettext("否"))],
            coerce=lambda v: v == "1",
        )
    if fact.type == FactType.DATE:
        return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))
    if fact.type == FactType.LIST:
        return forms.CharField(
            label=fmt(gettext("%(label)s（多项用顿号分隔，没有请填“无”）"), label=label), required=required
        )
    return forms.CharField(label=label, required=required, max_length=200)


def fact_value(fact: Fact, value: Any) -> Any:
    """The cleaned form value as the fact's JSON value."""
    if value is None or value == "":
        return None
    if fact.type == FactType.INTEGER:
        number = Decimal(value) * fact.scale
        if number != number.to_integral_value():
            raise ValidationError(fmt(gettext("%(label)s的精度超出范围"), label=content(fact.label)))
        return int(number)
    if fact.type == FactType.DATE:
        return value.isoformat()
    if fact.type == FactType.LIST:
        from gongkai.policies.importing import parse_cell

        try:
            return parse_cell(fact, str(value))
        except CellError as exc:
            raise ValidationError(str(exc)) from None
    return value


class FactsForm(forms.Form):
    """One field per fact: the 快申快享 short form asks for exactly the missing facts."""

    def __init__(self, *args, facts: list[Fact], **kwargs):
        super().__init__(*args, **kwargs)
        self.facts = facts
        for fact in facts:
            self.fields[fact.name] = fact_field(fact)

    def values(self) -> dict[str, Any]:
        out = {}
        for fact in self.facts:
            try:
                value = fact_value(fact, self.cleaned_data.get(fact.name))
            except ValidationError as exc:
                self.add_error(fact.name, exc)
                continue
            if value is not None:
                out[fact.name] = value
        return out


class CorrectForm(forms.Form):
    fact = forms.ModelChoiceField(label="数据项", queryset=Fact.objects.filter(derivation=""))
    value = forms.CharField(label="正确值", max_length=200)
    note = forms.CharField(label="更正依据", max_length=300)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        fact, text = data.get("fact"), data.get("value")
        if fact is not None and text:
            from gongkai.policies.importing import parse_cell

            try:
                data["parsed"] = parse_cell(fact, text)
            except CellError as exc:
                self.add_error("value", str(exc))
        return data


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label="处理结果",
        choices=[("corrected", "数据有误，予以更正并重新比对"), ("rejected", "数据无误，维持原数据")],
    )
    value = forms.CharField(label="更正后的值（登记注册等自动取得的数据请先在名录库中更正）", required=False)
    note = forms.CharField(label="处理意见", widget=forms.Textarea(attrs={"rows": 3}))


# --- the account area ---------------------------------------------------------------------------------


class AccountLoginForm(AuthenticationForm):
    """Login of enterprises and talents: staff accounts use the staff login, never this one."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if user.is_staff or not hasattr(user, "policy_account"):
            raise ValidationError(gettext("该账号不是企业或人才账户，请使用相应入口登录"), code="not_account")


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(label=_("设置密码"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", gettext("两次输入的密码不一致"))
        elif p1:
            user = get_user_model()(username=self.email, email=self.email)
            try:
                password_validation.validate_password(p1, user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ConfirmForm(forms.Form):
    bank_account_name = forms.CharField(label=_("收款账户名"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("收款账号"), max_length=40, required=False)
    bank_name = forms.CharField(label=_("开户银行"), max_length=100, required=False)
    pledge = forms.BooleanField(
        label=_("本单位（本人）承诺：所提供和确认的信息真实、准确；如有虚假，愿退回所获资金并承担相应责任。"),
        required=True,
    )


class DisputeForm(forms.Form):
    fact = forms.ModelChoiceField(label=_("有误的数据项"), queryset=Fact.objects.none(), widget=ContentSelect)
    claimed = forms.CharField(label=_("您认为的正确值"), max_length=200)
    reason = forms.CharField(label=_("理由及证明材料说明"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, facts: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fact"].queryset = Fact.objects.filter(name__in=facts)
