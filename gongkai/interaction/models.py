"""互动交流: messages (留言), 依申请公开 requests, their letters, and the annual report.

Personal data of senders and applicants (name, contact, identity document, address) lives only on
these rows and reaches staff pages alone; the public sees the tracking page (to whoever holds the
unguessable code) and the published Q&A with the identity removed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongkai.inspectors.models import Department
from gongkai.interaction.choices import (
    ApplicantType,
    Channel,
    FeeMethod,
    MessageCategory,
    MessageState,
    NoteKind,
    ReportState,
    RequestState,
    Satisfaction,
    StepKind,
)


class Message(models.Model):
    """A 咨询/投诉/建议 left on the website. The reply deadline is computed, never stored."""

    tracking_code = models.CharField(_("查询码"), max_length=24, unique=True)
    category = models.CharField(_("类别"), max_length=12, choices=MessageCategory.choices)
    subject = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("内容"))
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    contact = models.CharField(_("联系方式"), max_length=100)
    consent_publish = models.BooleanField(_("同意公开（隐去个人信息）"), default=False)
    received_at = models.DateTimeField(_("提交时间"), db_index=True)
    received_on = models.DateField(_("收到日期"), help_text=_("北京时间；答复期限由此起算"))
    address_digest = models.CharField(_("来源地址摘要"), max_length=64, db_index=True)
    contact_digest = models.CharField(_("联系方式摘要"), max_length=64, db_index=True, default="")
    content_digest = models.CharField(_("内容摘要"), max_length=64, db_index=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=MessageState.choices, default=MessageState.NEW, db_index=True
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("承办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reply = models.TextField(_("答复内容"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_on = models.DateField(_("答复日期"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    close_reason = models.CharField(_("办结说明"), max_length=300, blank=True)
    # The published Q&A: texts reviewed by staff with personal data removed.
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True, db_index=True)
    public_subject = models.CharField(_("公开标题"), max_length=100, blank=True)
    public_body = models.TextField(_("公开的留言内容"), blank=True)
    public_reply = models.TextField(_("公开的答复内容"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("满意度"), null=True, blank=True, choices=Satisfaction.choices
    )
    rating_comment = models.CharField(_("评价意见"), max_length=300, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("留言")
        verbose_name_plural = _("留言")
        ordering = ["-received_at"]
        permissions = [
            ("handle_message", _("可办理留言（分办、答复、办结）")),
            ("publish_message", _("可公开留言及答复")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state__in=["replied", "closed"])
                | models.Q(replied_at__isnull=False)
                | models.Q(state="closed", replied_at__isnull=True, close_reason__gt=""),
                name="message_replied_has_reply",
            ),
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True) | models.Q(consent_publish=True),
                name="message_published_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.subject}"


class MessageNote(models.Model):
    """An internal note, routing, assignment or transfer on a message (staff only)."""

    message = models.ForeignKey(
        Message, verbose_name=_("留言"), on_delete=models.CASCADE, related_name="notes"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=NoteKind.choices)
    text = models.TextField(_("内容"))
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["message", "at", "id"]

    def __str__(self) -> str:
        return f"{self.message_id} {self.kind}"


class MessageAttachment(models.Model):
    """A file sent with a message, typed by its content, stored outside the web root."""

    message = models.ForeignKey(
        Message, verbose_name=_("留言"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to="interaction/messages/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("留言附件")
        verbose_name_plural = _("留言附件")

    def __str__(self) -> str:
        return self.original_name


class InfoRequest(models.Model):
    """An application for government information (依申请公开), 政府信息公开条例第二十七条起.

    Dates of the statutory clock are replayed from ``steps`` on the calendar in force
    (:mod:`gongkai.interaction.clock`); only facts are stored.
    """

    tracking_code = models.CharField(_("查询码"), max_length=24, unique=True)
    number = models.CharField(_("受理编号"), max_length=30, unique=True)
    applicant_type = models.CharField(_("申请人类型"), max_length=12, choices=ApplicantType.choices)
    applicant_name = models.CharField(_("申请人姓名或名称"), max_length=100)
    id_document = models.CharField(
        _("身份证件名称及号码"), max_length=60, blank=True, help_text=_("自然人填写")
    )
    org_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    legal_representative = models.CharField(_("法定代表人或负责人"), max_length=50, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("通信地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮政编码"), max_length=6, blank=True)
    description = models.TextField(_("所需政府信息的名称、文号或者便于查询的其他特征性描述"))
    desired_form = models.CharField(_("获取信息的方式"), max_length=100, default="电子邮件")
    channel = models.CharField(_("申请渠道"), max_length=10, choices=Channel.choices)
    submitted_on = models.DateField(_("提交或寄达日期"))
    received_on = models.DateField(_("收到申请之日"), help_text=_("按条例第三十一条确定，答复期限由此起算"))
    receipt_note = models.CharField(_("收到日期的确定依据"), max_length=300)
    address_digest = models.CharField(
        _("来源地址摘要"), max_length=64, blank=True, default="", db_index=True, help_text=_("网上申请")
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=RequestState.choices, default=RequestState.RECEIVED, db_index=True
    )
    outcome = models.CharField(_("办理结果"), max_length=24, blank=True)
    answer_summary = models.TextField(_("答复要点"), blank=True)
    other_agency = models.CharField(_("负责公开的机关"), max_length=100, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True, db_index=True)
    fee_method = models.CharField(
        _("收费方式"), max_length=8, choices=FeeMethod.choices, default=FeeMethod.NONE
    )
    fee_pages = models.PositiveIntegerField(_("页数"), null=True, blank=True)
    fee_amount = models.DecimalField(_("信息处理费（元）"), max_digits=10, decimal_places=2, default=0)
    fee_paid_on = models.DateField(_("缴费日期"), null=True, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("承办部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("政府信息公开申请")
        verbose_name_plural = _("政府信息公开申请")
        ordering = ["-received_on", "-id"]
        permissions = [
            ("handle_inforequest", _("可办理依申请公开")),
            ("approve_extension", _("可批准延长答复期限（政府信息公开工作机构负责人）")),
            ("edit_lettertemplate", _("可修改文书模板")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(received_on__gte=models.F("submitted_on")),
                name="request_received_not_before_submitted",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(outcome__gt=""),
                name="request_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.applicant_name}"


class RequestStep(models.Model):
    """One step of a request's course, on the day it takes effect (the clock replays them)."""

    request = models.ForeignKey(
        InfoRequest, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="steps"
    )
    kind = models.CharField(_("步骤"), max_length=24, choices=StepKind.choices)
    on = models.DateField(_("日期"))
    until = models.DateField(_("给予申请人的期限"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("记录时间"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("办理步骤")
        verbose_name_plural = _("办理步骤")
        ordering = ["request", "on", "id"]

    def __str__(self) -> str:
        return f"{self.request_id} {self.kind} {self.on}"


class LetterTemplate(models.Model):
    """A staff-edited template of a letter; without a row, the default text in code is used."""

    key = models.CharField(_("文书"), max_length=40, primary_key=True)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(
        _("正文"), help_text=_("可用占位符如 {申请人}、{收到日期}、{答复期限}，见页面说明")
    )
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("文书模板")
        verbose_name_plural = _("文书模板")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title


class Letter(models.Model):
    """A letter issued to an applicant: its text and .docx kept exactly as generated.

    The PDF is rendered from the stored text when downloaded (0.5 s of font subsetting is not worth
    paying for every letter at issue time, and the text it renders is the immutable one).
    """

    request = models.ForeignKey(
        InfoRequest, verbose_name=_("申请"), on_delete=models.PROTECT, related_name="letters"
    )
    key = models.CharField(_("文书"), max_length=40)
    title = models.CharField(_("标题"), max_length=100)
    text = models.TextField(_("正文"))
    docx = models.FileField(_(".docx 文件"), upload_to="interaction/letters/%Y/")
    sha256 = models.CharField(_("SHA-256（.docx）"), max_length=64)
    issued_on = models.DateField(_("日期"))
    issued_at = models.DateTimeField(_("生成时间"))

    class Meta:
        verbose_name = _("告知书")
        verbose_name_plural = _("告知书")
        ordering = ["request", "issued_at", "id"]

    def __str__(self) -> str:
        return self.title


class AnnualReport(models.Model):
    """政府信息公开工作年度报告 of one year, in the six-part format of 国办公开办函〔2021〕30号.

    The tables are computed from the data while the report is a draft and frozen into ``tables``
    when it is published; the text parts and the 行政复议/行政诉讼 figures are entered by staff.
    """

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    state = models.CharField(_("状态"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT)
    overview = models.TextField(_("一、总体情况"), blank=True)
    active_notes = models.TextField(_("二、主动公开情况说明"), blank=True)
    problems = models.TextField(_("五、存在的主要问题及改进情况"), blank=True)
    other = models.TextField(_("六、其他需要报告的事项"), blank=True)
    review_litigation = models.JSONField(_("四、行政复议、行政诉讼情况"), default=dict, blank=True)
    active_extra = models.JSONField(_("主动公开表中手工填报的数字"), default=dict, blank=True)
    tables = models.JSONField(_("发布时的表格"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    docx = models.FileField(_(".docx 文件"), upload_to="interaction/reports/", blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to="interaction/reports/", blank=True)

    class Meta:
        verbose_name = _("政府信息公开工作年度报告")
        verbose_name_plural = _("政府信息公开工作年度报告")
        ordering = ["-year"]
        permissions = [("publish_annualreport", _("可发布年度报告"))]

    def __str__(self) -> str:
        return f"{self.year}年度报告"
