"""Staff forms for 政务公开. They only turn input into cleaned data; services do the rest."""

from __future__ import annotations

from django import forms

from gongkai.disclosure.choices import AttachmentKind, InterpretationKind, Topic, Validity
from gongkai.disclosure.models import Document

DATE = forms.DateInput(attrs={"type": "date"})


class DocumentForm(forms.Form):
    title = forms.CharField(label="标题", max_length=300)
    doc_number = forms.CharField(
        label="文号", max_length=60, required=False, help_text="例如：聊市监发〔2026〕12号"
    )
    issuer = forms.CharField(label="发文机关", max_length=100, initial="聊城市市场监督管理局")
    written_on = forms.DateField(label="成文日期", widget=DATE)
    valid_from = forms.DateField(label="生效日期", widget=DATE, required=False)
    topic = forms.ChoiceField(label="主题分类", choices=Topic.choices)
    needs_interpretation = forms.BooleanField(label="需要配发解读", required=False, initial=True)
    body_html = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="可以粘贴带格式的文本；保存时自动清理不安全的内容",
    )


class InterpretationForm(forms.Form):
    kind = forms.ChoiceField(label="解读形式", choices=InterpretationKind.choices)
    title = forms.CharField(label="标题", max_length=300)
    body_html = forms.CharField(
        label="正文（文字解读、图解的文字说明或发布会实录）",
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
    )
    image_alt = forms.CharField(label="图片简短替代文字（图解必填）", max_length=200, required=False)
    press_date = forms.DateField(label="发布会日期", widget=DATE, required=False)
    speakers = forms.CharField(label="发布人", max_length=200, required=False)


class GuideForm(forms.Form):
    name = forms.CharField(label="事项名称", max_length=200)
    department = forms.CharField(label="实施机构", max_length=100, initial="聊城市市场监督管理局")
    basis = forms.CharField(label="设定依据", widget=forms.Textarea(attrs={"rows": 3}))
    conditions = forms.CharField(label="办理条件", widget=forms.Textarea(attrs={"rows": 3}))
    materials = forms.CharField(label="材料清单（每行一项）", widget=forms.Textarea(attrs={"rows": 5}))
    process = forms.CharField(label="办理流程", widget=forms.Textarea(attrs={"rows": 3}))
    time_limit = forms.CharField(label="办理时限", max_length=200)
    fees = forms.CharField(label="收费标准", max_length=200, initial="不收费")
    place_hours = forms.CharField(label="办理地点和时间", widget=forms.Textarea(attrs={"rows": 2}))
    phone = forms.CharField(label="咨询电话", max_length=60)
    online_url = forms.URLField(label="网上办理地址", required=False)
    documents = forms.ModelMultipleChoiceField(
        label="相关政策", queryset=Document.objects.filter(state="published"), required=False
    )


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}))


class ValidityForm(forms.Form):
    validity = forms.ChoiceField(label="有效性", choices=Validity.choices)
    changed_on = forms.DateField(label="失效（废止）日期", widget=DATE, required=False)
    superseded_by = forms.ModelChoiceField(
        label="替代文件", queryset=Document.objects.filter(state="published"), required=False
    )
    note = forms.CharField(label="公开说明（可留空自动生成）", required=False)


class AttachmentForm(forms.Form):
    title = forms.CharField(label="名称", max_length=200, required=False)
    kind = forms.ChoiceField(label="类别", choices=AttachmentKind.choices)
    file = forms.FileField(
        label="文件", help_text="PDF、Word、Excel、PowerPoint、PNG/JPEG/GIF 图片或 MP4 视频"
    )
