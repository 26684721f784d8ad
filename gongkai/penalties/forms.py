"""Forms of 行政处罚信息公示: they turn staff input into values or field errors, nothing more."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongkai.penalties import redaction, textextract
from gongkai.penalties.choices import PartyKind, WithdrawalGround
from gongkai.penalties.models import Decision
from gongkai.penalties.services import CORRECTABLE, EDITABLE
from gongkai.registry import creditcode
from gongkai.registry.models import Entity

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT_HELP = _(
    "UTF-8 文本（.txt）、Word（.docx）或 PDF（含文字层，非扫描件）；提取的文字会自动检出个人信息，供审核时隐去。"
)


class TextFileField(forms.FileField):
    """An uploaded decision file turned into its text (or a field error saying why it cannot be read)."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        if upload.size > textextract.MAX_BYTES:
            raise forms.ValidationError(f"文件过大（{upload.size // 1048576} MB），不像是一份决定书")
        try:
            text = textextract.extract_bytes(upload.read(), filename=upload.name)
        except textextract.ExtractionError as exc:
            raise forms.ValidationError(str(exc)) from None
        return (upload.name, text)


class DecisionForm(forms.ModelForm):
    """A decision's facts (create and edit a draft)."""

    entity_code = forms.CharField(
        label=_("统一社会信用代码"),
        required=False,
        max_length=18,
        help_text=_("当事人是经营主体时填写，须在名录库中"),
    )

    class Meta:
        model = Decision
        fields = [f for f in EDITABLE if f != "entity"]
        widgets = {
            "decision_date": DATE,
            "service_date": DATE,
            "party_birth_date": DATE,
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "party_kind": forms.RadioSelect,
        }
        help_texts = {"party_name": _("经营主体可留空，自动使用名录库中的名称")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party_name"].required = False
        if self.instance.pk and self.instance.entity_id:
            self.fields["entity_code"].initial = self.instance.entity_id

    def clean(self):
        data = super().clean()
        code = creditcode.normalise(data.get("entity_code") or "")
        if data.get("party_kind") == PartyKind.ENTITY:
            if not code:
                self.add_error("entity_code", "当事人是经营主体时必须填写统一社会信用代码")
            else:
                entity = Entity.objects.filter(pk=code).first()
                if entity is None:
                    self.add_error("entity_code", f"“{code}”不在市场主体名录库中")
                data["entity"] = self.instance.entity = entity
                if entity is not None and not data.get("party_name"):
                    data["party_name"] = entity.name
        else:
            if code:
                self.add_error("entity_code", "当事人是自然人时不填写统一社会信用代码")
            data["entity"] = self.instance.entity = None
            if not data.get("party_name"):
                self.add_error("party_name", "请填写当事人姓名")
        return data

    def _update_errors(self, errors):
        # The model names the entity; this form asks for its credit code.
        if hasattr(errors, "error_dict") and "entity" in errors.error_dict:
            errors.error_dict["entity_code"] = errors.error_dict.pop("entity")
        super()._update_errors(errors)

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in EDITABLE}


class DecisionCreateForm(DecisionForm):
    text_file = TextFileField(label=_("决定书文件"), required=False, help_text=TEXT_HELP)


class TextForm(forms.Form):
    text_file = TextFileField(label=_("决定书文件"), required=False, help_text=TEXT_HELP)
    text = forms.CharField(label=_("或粘贴全文"), required=False, widget=forms.Textarea(attrs={"rows": 12}))

    def clean(self):
        data = super().clean()
        if data.get("text_file"):
            data["name"], data["content"] = data["text_file"]
        elif data.get("text", "").strip():
            data["name"], data["content"] = "粘贴的文本", data["text"]
        else:
            raise forms.ValidationError("请上传决定书文件或粘贴全文")
        return data


MARK_CHOICES = [
    (k.value, k.label) for k in (redaction.Kind.NAME, redaction.Kind.ADDRESS, redaction.Kind.OTHER)
]


class MarkForm(forms.Form):
    fragment = forms.CharField(
        label=_("要隐去的文字"),
        max_length=300,
        help_text=_("在左侧原文中选中文字会自动填入；全文中相同的文字都会隐去"),
    )
    kind = forms.ChoiceField(label=_("类别"), choices=MARK_CHOICES)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(forms.ModelForm):
    reason = forms.CharField(label=_("更正理由（公开）"), max_length=500)
    requested_by_party = forms.BooleanField(label=_("依当事人申请更正"), required=False)
    evidence = forms.CharField(
        label=_("证据说明（不公开）"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    text_file = TextFileField(
        label=_("更正后的决定书全文（如需更正全文）"), required=False, help_text=TEXT_HELP
    )

    class Meta:
        model = Decision
        fields = [f for f in CORRECTABLE if f not in ("severity",)] + ["severity"]
        widgets = {"decision_date": DATE, "legal_basis": forms.Textarea(attrs={"rows": 2})}

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name in CORRECTABLE}


class WithdrawForm(forms.Form):
    ground = forms.ChoiceField(label=_("撤回事由"), choices=WithdrawalGround.choices)
    grounds_date = forms.DateField(
        label=_("事由发生日期"),
        widget=DATE,
        help_text=_("变更、撤销或确认违法、无效的决定（判决）作出或送达本局之日；应在其后3个工作日内撤回"),
    )
    reason = forms.CharField(
        label=_("撤回说明（公开）"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class RepairForm(forms.Form):
    received_on = forms.DateField(label=_("受理日期"), widget=DATE)
    applicant = forms.CharField(label=_("申请人"), max_length=200)
    contact = forms.CharField(label=_("联系方式（不公开）"), max_length=100, required=False)
    statement = forms.CharField(label=_("申请理由及履行情况"), widget=forms.Textarea(attrs={"rows": 4}))
    obligations_fulfilled = forms.BooleanField(
        label=_("已履行行政处罚决定规定的义务（已核实缴款凭证等）"), required=False
    )
    harm_removed = forms.BooleanField(label=_("已主动消除危害后果和不良影响"), required=False)
    commitment_signed = forms.BooleanField(label=_("已作出信用承诺"), required=False)
    evidence = MultipleFileField(label=_("证据材料"), required=False)


class RepairDecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("办理结果"),
        choices=[("approve", "准予修复，提前停止公示"), ("reject", "不予修复")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("办理意见"), widget=forms.Textarea(attrs={"rows": 3}))
