"""Forms of 互动交流: they turn input into values or field errors, nothing more."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from gongkai.inspectors.models import Department
from gongkai.interaction import outcomes
from gongkai.interaction.choices import ApplicantType, Channel, FeeMethod, MessageCategory, Satisfaction
from gongkai.interaction.models import InfoRequest

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CONTACT = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|[^@\s]+@[^@\s]+\.[A-Za-z]{2,})$")


# A text area as wide as the page allows, also on a phone (the site stylesheet leaves text areas alone).
FULL_WIDTH = "width: 100%; max-width: 40em; box-sizing: border-box"

# Shown to a robot that filled the hidden field; a person never sees the field at all.
HONEYPOT_MESSAGE = _("提交未成功，请刷新页面后重试。")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class MessageForm(forms.Form):
    category = forms.ChoiceField(
        label=_("留言类别"), choices=MessageCategory.choices, widget=forms.RadioSelect
    )
    # Context "message": the apps whose catalogues are read first translate a bare 标题 as a
    # document's title and 内容 as its content.
    subject = forms.CharField(label=pgettext_lazy("message", "标题"), max_length=100)
    body = forms.CharField(
        label=pgettext_lazy("message", "内容"),
        widget=forms.Textarea(attrs={"rows": 8, "style": FULL_WIDTH}),
        min_length=10,
        max_length=5000,
    )
    name = forms.CharField(label=_("姓名（可不填）"), max_length=50, required=False)
    contact = forms.CharField(
        label=_("联系方式（手机、固定电话或电子邮箱）"),
        max_length=100,
        help_text=_("仅用于工作人员联系您，不会公开"),
    )
    attachments = MultipleFileField(
        label=_("附件（可选，最多3个，JPEG、PNG或PDF，每个不超过5 MB）"), required=False
    )
    consent_publish = forms.BooleanField(label=_("同意在隐去个人信息后公开本留言及答复"), required=False)
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by form-filling robots.
    website = forms.CharField(label=_("请勿填写此项"), required=False)

    def clean(self):
        data = super().clean() or {}
        if data.get("website"):
            raise forms.ValidationError(HONEYPOT_MESSAGE)
        return data

    def clean_contact(self):
        value = re.sub(r"[\s（）()]", "", self.cleaned_data["contact"])
        if not CONTACT.match(value):
            raise forms.ValidationError(_("请填写有效的手机号码、固定电话（如0635-1234567）或电子邮箱"))
        return value


class TrackForm(forms.Form):
    code = forms.CharField(label=_("查询码"), max_length=30)


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("您对本次答复的评价"), choices=Satisfaction.choices, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("意见（可不填）"), max_length=300, required=False)


class RouteForm(forms.Form):
    department = forms.ModelChoiceField(label=_("承办部门"), queryset=Department.objects.all())
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class TransferForm(forms.Form):
    department = forms.ModelChoiceField(label=_("转至部门"), queryset=Department.objects.all())
    reason = forms.CharField(label=_("转办理由"), max_length=300)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("承办人"),
        queryset=get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username"),
    )


class NoteForm(forms.Form):
    text = forms.CharField(label=_("内部备注（仅工作人员可见）"), widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 6}))


class CloseForm(forms.Form):
    note = forms.CharField(label=_("办结说明"), required=False, max_length=300)


class InvalidForm(forms.Form):
    reason = forms.CharField(label=_("不予答复的理由（会显示在办理进度页面）"), max_length=300)


class PublishForm(forms.Form):
    public_subject = forms.CharField(label=_("公开标题"), max_length=100)
    public_body = forms.CharField(label=_("公开的留言内容"), widget=forms.Textarea(attrs={"rows": 6}))
    public_reply = forms.CharField(label=_("公开的答复内容"), widget=forms.Textarea(attrs={"rows": 6}))


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            ("open", "未办结"),
            ("", "全部"),
            ("new", "待分办"),
            ("assigned", "办理中"),
            ("replied", "已答复"),
            ("closed", "已办结"),
            ("invalid", "无效留言"),
        ],
    )
    category = forms.ChoiceField(
        label=_("类别"), required=False, choices=[("", "全部"), *MessageCategory.choices]
    )
    department = forms.ModelChoiceField(label=_("部门"), required=False, queryset=Department.objects.all())
    due = forms.ChoiceField(
        label=_("期限"), required=False, choices=[("", "全部"), ("soon", "即将到期"), ("overdue", "已逾期")]
    )
    mine = forms.BooleanField(label=_("只看我承办的"), required=False)


# --- 依申请公开 ----------------------------------------------------------------------------------

REQUEST_FORM_FIELDS = [
    "applicant_type",
    "applicant_name",
    "id_document",
    "org_code",
    "legal_representative",
    "contact_person",
    "phone",
    "email",
    "address",
    "postcode",
    "description",
    "desired_form",
]


class RequestForm(forms.ModelForm):
    """The online application form (条例第二十九条)."""

    website = forms.CharField(label=_("请勿填写此项"), required=False)

    class Meta:
        model = InfoRequest
        fields = REQUEST_FORM_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 5, "style": FULL_WIDTH})}

    def __init__(self, *args, **kwargs):
        suggested = "desired_form" in (kwargs.get("initial") or {})
        super().__init__(*args, **kwargs)
        # The model's default (电子邮件) is a suggestion the applicant may change: in their language.
        if not suggested and self.instance.pk is None:
            self.initial["desired_form"] = gettext("电子邮件")

    def clean(self):
        data = super().clean() or {}
        if data.get("website"):
            raise forms.ValidationError(HONEYPOT_MESSAGE)
        if data.get("applicant_type") == ApplicantType.PERSON and not data.get("id_document"):
            self.add_error("id_document", _("自然人申请须提供身份证件名称及号码"))
        if (
            data.get("applicant_type")
            and data["applicant_type"] != ApplicantType.PERSON
            and not data.get("org_code")
        ):
            self.add_error("org_code", _("法人或其他组织申请须提供统一社会信用代码"))
        return data


class StaffRequestForm(RequestForm):
    """A request that arrived by letter, in person, by e-mail or fax, entered by staff."""

    channel = forms.ChoiceField(label=_("申请渠道"), choices=Channel.choices)
    submitted_on = forms.DateField(label=_("提交或寄达日期"), widget=DATE)
    confirmed_on = forms.DateField(
        label=_("签收或双方确认之日"),
        widget=DATE,
        required=False,
        help_text=_("邮寄：签收之日；平常信函、电子邮件、传真：双方确认之日（条例第三十一条）"),
    )
    department = forms.ModelChoiceField(
        label=_("承办部门"), queryset=Department.objects.all(), required=False
    )

    class Meta(RequestForm.Meta):
        pass


def _day(label: str = "日期") -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, initial=timezone.localdate)


class StepForm(forms.Form):
    on = _day()
    text = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CorrectionForm(forms.Form):
    on = _day("告知日期")
    items = forms.CharField(label=_("需要补正的事项"), widget=forms.Textarea(attrs={"rows": 3}))
    until = forms.DateField(label=_("补正期限（留空按默认工作日数）"), widget=DATE, required=False)


class ConsultForm(forms.Form):
    on = _day("发出征求意见日期")
    third_party = forms.CharField(label=_("第三方"), max_length=200)


class ExtendForm(forms.Form):
    on = _day("延期日期")
    reason = forms.CharField(label=_("延期理由"), max_length=300)
    approver = forms.ModelChoiceField(
        label=_("批准人（政府信息公开工作机构负责人）"),
        queryset=get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username"),
    )


class FeeForm(forms.Form):
    on = _day("通知日期")
    method = forms.ChoiceField(label=_("收费方式"), choices=[c for c in FeeMethod.choices if c[0] != "none"])
    pages = forms.IntegerField(label=_("页数（按量计收）"), required=False, min_value=1)


class AnswerForm(forms.Form):
    on = _day("答复日期")
    outcome = forms.ChoiceField(
        label=_("办理结果"),
        choices=[
            (o.code, f"{outcomes.GROUPS[o.group][3:]}：{o.label}") for o in outcomes.OUTCOMES if o.letter_type
        ],
    )
    summary = forms.CharField(label=_("答复要点"), widget=forms.Textarea(attrs={"rows": 5}))
    other_agency = forms.CharField(
        label=_("负责公开的机关（不属于本机关时必填）"), required=False, max_length=100
    )


class TemplateForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 14}))


class ReplyDaysForm(forms.Form):
    """A new set of message reply periods from a date (a new row of the parameter, with its source)."""

    consult = forms.IntegerField(label=_("咨询（工作日）"), min_value=1, max_value=60)
    complaint = forms.IntegerField(label=_("投诉（工作日）"), min_value=1, max_value=60)
    suggestion = forms.IntegerField(label=_("建议（工作日）"), min_value=1, max_value=60)
    valid_from = forms.DateField(label=_("生效日期"), widget=DATE)
    source = forms.CharField(label=_("依据（文件名称和文号）"), max_length=300)


class NumberParameterForm(forms.Form):
    key = forms.ChoiceField(label=_("参数"), choices=())
    value = forms.IntegerField(label=_("取值"), min_value=0, max_value=365)
    valid_from = forms.DateField(label=_("生效日期"), widget=DATE)
    source = forms.CharField(label=_("依据"), max_length=300)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        key = self.fields["key"]
        assert isinstance(key, forms.ChoiceField)
        key.choices = choices
