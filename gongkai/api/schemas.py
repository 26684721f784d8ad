"""Response shapes of the open-data API (Pydantic, via django-ninja): the OpenAPI document is
generated from them, and every response is validated against them.

A field is here only if the matching public page shows it; see docs/api.md for the privacy guard.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field


class Error(Schema):
    error: str = Field(
        description="stable code: not_found, invalid_parameter, invalid_cursor, rate_limited …"
    )
    message: str = Field(description="中文说明 / English explanation")
    detail: list[Any] = Field(default_factory=list)


class Coded(Schema):
    code: str
    name: str


class EntityRef(Schema):
    credit_code: str
    name: str
    url: str


class Link(Schema):
    id: str
    name: str
    url: str


class Page(Schema):
    limit: int = Field(description="page size used")
    next_cursor: str | None = Field(description="pass as ?cursor= for the next page; null on the last page")
    next: str | None = Field(description="URL of the next page (same filters), or null")


# --- entities --------------------------------------------------------------------------------


class Address(Schema):
    kind: str = Field(description="domicile (住所) or premises (经营场所, 一照多址)")
    kind_label: str
    full_text: str
    district: Coded


class Entity(Schema):
    credit_code: str = Field(description="统一社会信用代码")
    name: str
    entity_type: str
    entity_type_label: str
    legal_representative: str = Field(description="法定代表人/负责人; for 个体工商户 only the surname")
    registered_capital: str | None = Field(description="注册资本（万元）; not for 个体工商户")
    established_on: dt.date
    status: str
    status_label: str
    status_since: dt.date
    registration_authority: str
    industry_section: str
    industry_division: str
    industry_division_label: str
    district: Coded = Field(description="district of the 住所")
    is_cluster_host: bool
    cluster_host: EntityRef | None
    updated_at: dt.datetime
    url: str
    page_url: str
    results_url: str
    penalties_url: str


class EntityPage(Page):
    items: list[Entity]


class InspectionRecord(Schema):
    item_code: str
    item_name: str
    results: list[Coded]


class Result(Schema):
    id: str = Field(description="task id / credit code")
    task: Link
    plan_id: int
    department: Coded
    entity: EntityRef
    published_at: dt.datetime
    records: list[InspectionRecord]
    url: str
    penalties_url: str


class ResultPage(Page):
    items: list[Result]


class Penalty(Schema):
    id: str = Field(description="public id of the decision (公示编号)")
    number: str = Field(description="决定书文号")
    party: str
    party_kind: str
    credit_code: str | None
    entity_url: str | None
    violation_type: str
    violation_category: str
    violation_category_label: str
    legal_basis: str
    penalty: str = Field(description="处罚内容")
    fine: str | None = Field(description="罚款（元）")
    confiscated_gains: str | None
    authority: str
    decision_date: dt.date
    published_on: dt.date | None
    published_at: dt.datetime | None
    display_ends_on: dt.date | None = Field(description="last day of display; null when indefinite")
    display_indefinite: bool
    district: Coded
    url: str
    page_url: str


class PenaltyPage(Page):
    items: list[Penalty]


class Correction(Schema):
    at: dt.datetime
    reason: str
    requested_by_party: bool
    changes: list[dict[str, Any]]


class PenaltyDetail(Penalty):
    text: str = Field(
        description="the decision's text with personal data removed (as approved for publication)"
    )
    corrections: list[Correction]


class EntityDetail(Entity):
    addresses: list[Address]
    hosted_count: int = Field(description="for a cluster host: how many entities it hosts")
    results: list[Result] = Field(description="published inspection results, newest first")
    penalties: list[Penalty] = Field(description="penalty decisions in their display period")


class Withdrawal(Schema):
    decision_id: str
    number: str
    party: str
    authority: str
    ground: str
    ground_label: str
    grounds_date: dt.date
    reason: str
    withdrawn_at: dt.datetime
    notice_until: dt.date | None


class WithdrawalPage(Page):
    items: list[Withdrawal]


# --- inspections -------------------------------------------------------------------------------


class Item(Schema):
    code: str
    version: int
    category: str
    name: str
    target: str
    level: str
    level_label: str
    methods: str
    subject: str
    basis: str
    is_joint: bool
    lead_department: str
    partner_departments: str
    tier: str
    published_at: dt.datetime | None
    url: str


class ItemPage(Page):
    items: list[Item]


class Plan(Schema):
    id: int
    year: int
    name: str
    department: Coded
    content: str
    period: str
    ratio: str
    frequency: str
    quantity: str
    published_at: dt.datetime | None
    url: str
    tasks_url: str


class PlanPage(Page):
    items: list[Plan]


class TaskItem(Schema):
    code: str
    version: int
    name: str


class Task(Schema):
    id: str = Field(description="任务编号")
    name: str
    plan: Link
    department: Coded
    items: list[TaskItem]
    is_joint: bool
    period_start: dt.date
    period_end: dt.date
    state: str
    state_label: str
    announced_at: dt.datetime | None
    drawn_at: dt.datetime | None
    results_published_at: dt.datetime | None
    closed_at: dt.datetime | None
    url: str
    page_url: str
    draw_url: str
    results_url: str


class TaskPage(Page):
    items: list[Task]


class Stratum(Schema):
    name: str
    size: int
    quota: int
    selected: int | None = None
    cutoff: str | None = Field(None, description="last selected ticket; only when the full bundle is public")


class Drawn(Schema):
    credit_code: str
    name: str
    ticket: str


class ReplacementOut(Schema):
    sequence: int
    at: dt.datetime
    out: EntityRef
    replacement: EntityRef
    reason: str


class Draw(Schema):
    task: Link
    commitment: str
    seed_source: str
    seed_not_before: dt.datetime | None
    seed: str | None
    seed_evidence: str | None
    seed_entered_at: dt.datetime | None
    drawn_at: dt.datetime | None
    full_bundle_public: bool
    strata: list[Stratum]
    drawn: list[Drawn]
    replacements: list[ReplacementOut]
    frozen_url: str | None
    bundle_url: str | None
    verifier_url: str


# --- disclosure, Q&A, policies, statistics -----------------------------------------------------------


class DocumentRef(Schema):
    id: int
    title: str
    url: str


class Attachment(Schema):
    title: str
    kind: str
    file_type: str
    size: int
    sha256: str
    url: str


class ChangeNote(Schema):
    at: dt.datetime
    note: str


class Document(Schema):
    id: int
    index_no: str = Field(description="索引号")
    doc_number: str = Field(description="文号")
    title: str
    issuer: str
    written_on: dt.date
    topic: str
    topic_label: str
    validity: str
    validity_label: str
    valid_from: dt.date | None
    validity_changed_on: dt.date | None
    superseded_by: int | None
    state: str = Field(description="published, or withdrawn (with its notice)")
    published_at: dt.datetime | None
    updated_at: dt.datetime
    withdrawn_at: dt.datetime | None
    withdrawal_notice: str
    interpretation_count: int
    url: str
    page_url: str


class DocumentPage(Page):
    items: list[Document]


class InterpretationRef(Schema):
    id: int
    title: str
    kind: str
    url: str


class GuideRef(Schema):
    id: int
    name: str
    url: str


class DocumentDetail(Document):
    body_html: str
    interpretations: list[InterpretationRef]
    attachments: list[Attachment]
    change_notes: list[ChangeNote]
    supersedes: list[DocumentRef]
    guides: list[GuideRef]


class Interpretation(Schema):
    id: int
    document: DocumentRef
    kind: str
    kind_label: str
    title: str
    image_alt: str
    press_date: dt.date | None
    speakers: str
    state: str
    published_at: dt.datetime | None
    updated_at: dt.datetime
    withdrawal_notice: str
    url: str
    page_url: str


class InterpretationPage(Page):
    items: list[Interpretation]


class InterpretationDetail(Interpretation):
    body_html: str
    attachments: list[Attachment]
    change_notes: list[ChangeNote]


class Guide(Schema):
    id: int
    name: str
    department: str
    basis: str
    conditions: str
    materials: list[str]
    process: str
    time_limit: str
    fees: str
    place_hours: str
    phone: str = Field(description="the office's consultation number")
    online_url: str
    state: str
    published_at: dt.datetime | None
    updated_at: dt.datetime
    withdrawal_notice: str
    url: str
    page_url: str


class GuidePage(Page):
    items: list[Guide]


class GuideDetail(Guide):
    documents: list[DocumentRef]
    attachments: list[Attachment]
    change_notes: list[ChangeNote]


class Message(Schema):
    id: int
    category: str
    category_label: str
    subject: str
    question: str
    reply: str
    department: str | None
    received_on: dt.date
    replied_on: dt.date | None
    published_at: dt.datetime
    url: str
    page_url: str


class MessagePage(Page):
    items: list[Message]


class PolicyFigures(Schema):
    eligible: int
    notified: int
    paid_count: int
    paid_amount: int = Field(description="元, all beneficiaries together")


class Policy(Schema):
    code: str
    title: str
    department: str
    version: int
    valid_from: dt.date
    valid_to: dt.date | None
    mode: str
    beneficiary_kind: str
    figures: PolicyFigures
    url: str
    page_url: str


class PolicyPage(Page):
    items: list[Policy]


class DatasetRef(Schema):
    name: str
    title: str
    url: str
    csv_url: str


class DatasetRefPage(Page):
    items: list[DatasetRef]


class Dataset(DatasetRef):
    header: list[str]
    rows: list[list[Any]]
    note: str
    source: str
    refreshed_at: dt.datetime | None


class CodedList(Schema):
    items: list[Coded]
