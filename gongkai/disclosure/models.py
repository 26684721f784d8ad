"""政务公开: policy documents with their interpretations, business guides, and their files.

Every published item follows the same workflow (:mod:`gongkai.disclosure.services`): written as a
draft, reviewed by a 信息公开审核员, published; afterwards it can only be corrected with a public
change note or withdrawn with a notice — never deleted. 政府信息公开条例 第二十六条: publish within
20 working days of creation or change (``due_on``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongkai.disclosure.choices import AttachmentKind, InterpretationKind, State, Topic, Validity


class Publishable(models.Model):
    """Workflow fields shared by documents, interpretations and guides."""

    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    submitted_at = models.DateTimeField(_("提交审核时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    return_reason = models.TextField(_("退回意见"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawal_notice = models.TextField(_("撤回说明"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_public(self) -> bool:
        return self.state in (State.PUBLISHED, State.WITHDRAWN)


class Document(Publishable):
    """A policy document (政策文件) with its 索引号, 文号, dates, topic and validity."""

    index_no = models.CharField(_("索引号"), max_length=60, unique=True)
    doc_number = models.CharField(_("文号"), max_length=60, blank=True)
    title = models.CharField(_("标题"), max_length=300)
    issuer = models.CharField(_("发文机关"), max_length=100)
    written_on = models.DateField(_("成文日期"))
    topic = models.CharField(_("主题分类"), max_length=20, choices=Topic.choices)
    validity = models.CharField(_("有效性"), max_length=10, choices=Validity.choices, default=Validity.VALID)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    validity_changed_on = models.DateField(_("失效（废止）日期"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("替代文件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
    )
    body_html = models.TextField(
        _("正文"), help_text=_("保存时自动清理，只保留段落、标题、列表、表格和链接等安全格式")
    )
    needs_interpretation = models.BooleanField(
        _("需要解读"), default=True, help_text=_("政策性文件应配发解读；纯事务性通知可取消")
    )

    class Meta:
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")
        ordering = ["-published_at", "-written_on", "-id"]
        permissions = [
            ("review_document", _("可审核发布政务公开内容")),
            # Kept here so the 信息公开审核员 role (disclosure.*) maintains the site search's synonyms.
            ("manage_search_synonyms", _("可维护站内检索同义词")),
        ]
        indexes = [models.Index(fields=["state", "published_at"], name="disc_doc_state_pub_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(validity="valid") | models.Q(validity_changed_on__isnull=False),
                name="disc_doc_invalid_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(superseded_by=models.F("id")), name="disc_doc_not_superseded_by_self"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.validity != Validity.VALID and not self.validity_changed_on:
            errors["validity_changed_on"] = _("文件失效或废止时必须填写失效（废止）日期")
        if self.superseded_by_id and self.superseded_by_id == self.pk:
            errors["superseded_by"] = _("文件不能被自己替代")
        if self.valid_from and self.written_on and self.valid_from < self.written_on:
            errors["valid_from"] = _("生效日期不能早于成文日期")
        if errors:
            raise ValidationError(errors)


class Interpretation(Publishable):
    """An interpretation (解读) of one document: text, 图解 (with a text alternative), or press conference."""

    document = models.ForeignKey(
        Document, verbose_name=_("所解读文件"), on_delete=models.PROTECT, related_name="interpretations"
    )
    kind = models.CharField(_("解读形式"), max_length=10, choices=InterpretationKind.choices)
    title = models.CharField(_("标题"), max_length=300)
    body_html = models.TextField(
        _("正文（文字稿、发布会实录）"), blank=True, help_text=_("图解必须填写与图片内容等同的文字说明")
    )
    image_alt = models.CharField(
        _("图片简短替代文字"),
        max_length=200,
        blank=True,
        help_text=_("读屏软件朗读的简短说明，如“一图读懂……”"),
    )
    press_date = models.DateField(_("发布会日期"), null=True, blank=True)
    speakers = models.CharField(_("发布人"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("政策解读")
        verbose_name_plural = _("政策解读")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["state", "published_at"], name="disc_interp_state_pub_idx")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from gongkai.disclosure.sanitise import plain_text

        errors = {}
        if self.kind == InterpretationKind.GRAPHIC:
            if not self.image_alt.strip():
                errors["image_alt"] = _("图解必须填写图片的简短替代文字")
            if len(plain_text(self.body_html)) < 20:
                errors["body_html"] = _(
                    "图解必须附有与图片内容等同的文字说明（至少20字），供读屏软件和检索使用"
                )
        elif self.kind == InterpretationKind.PRESS:
            if not self.press_date:
                errors["press_date"] = _("新闻发布会解读必须填写发布会日期")
        elif not plain_text(self.body_html):
            errors["body_html"] = _("文字解读必须填写正文")
        if errors:
            raise ValidationError(errors)


class Guide(Publishable):
    """A business guide (办事指南) with the elements every guide must have."""

    name = models.CharField(_("事项名称"), max_length=200)
    department = models.CharField(_("实施机构"), max_length=100)
    basis = models.TextField(_("设定依据"))
    conditions = models.TextField(_("办理条件"))
    materials = models.TextField(_("材料清单"), help_text=_("每行一项"))
    process = models.TextField(_("办理流程"))
    time_limit = models.CharField(_("办理时限"), max_length=200)
    fees = models.CharField(_("收费标准"), max_length=200, default="不收费")
    place_hours = models.TextField(_("办理地点和时间"))
    phone = models.CharField(_("咨询电话"), max_length=60)
    online_url = models.URLField(_("网上办理地址"), blank=True)
    documents = models.ManyToManyField(
        Document, verbose_name=_("相关政策"), blank=True, related_name="guides"
    )

    class Meta:
        verbose_name = _("办事指南")
        verbose_name_plural = _("办事指南")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def material_lines(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


class Attachment(models.Model):
    """A file of a document, interpretation or guide: type-checked and size-limited on upload."""

    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    interpretation = models.ForeignKey(
        Interpretation, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    guide = models.ForeignKey(
        Guide, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(
        _("类别"), max_length=12, choices=AttachmentKind.choices, default=AttachmentKind.ATTACHMENT
    )
    title = models.CharField(_("名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="disclosure/%Y/%m/")
    file_type = models.CharField(_("文件类型"), max_length=10)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(document__isnull=False, interpretation__isnull=True, guide__isnull=True)
                    | models.Q(document__isnull=True, interpretation__isnull=False, guide__isnull=True)
                    | models.Q(document__isnull=True, interpretation__isnull=True, guide__isnull=False)
                ),
                name="disc_attachment_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner(self) -> Publishable:
        return self.document or self.interpretation or self.guide  # type: ignore[return-value]


class ChangeNote(models.Model):
    """A public note of a correction made after publication (更正说明)."""

    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="change_notes"
    )
    interpretation = models.ForeignKey(
        Interpretation, null=True, blank=True, on_delete=models.PROTECT, related_name="change_notes"
    )
    guide = models.ForeignKey(
        Guide, null=True, blank=True, on_delete=models.PROTECT, related_name="change_notes"
    )
    at = models.DateTimeField(_("更正时间"), auto_now_add=True)
    note = models.TextField(_("更正说明"))

    class Meta:
        verbose_name = _("更正说明")
        verbose_name_plural = _("更正说明")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.note[:50]
