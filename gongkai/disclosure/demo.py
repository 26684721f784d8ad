"""Deterministic demo content for 政务公开: policy documents, interpretations (incl. a 图解), guides.

Written through the real services (so audited and indexed), for ``gongkai load-disclosure-demo``,
the tests and the browser tests. The texts are invented for the demo city; document numbers follow
the bureau's real pattern but do not refer to real documents.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib

from django.db import transaction

from gongkai.disclosure import services
from gongkai.disclosure.choices import AttachmentKind, InterpretationKind, State, Topic
from gongkai.disclosure.models import Document

ACTOR = "demo"
ISSUER = "聊城市市场监督管理局"

DOCUMENTS = [
    {
        "key": "food",
        "title": "聊城市市场监督管理局关于进一步加强校园食品安全监管工作的通知",
        "doc_number": "聊市监发〔2026〕3号",
        "topic": Topic.FOOD,
        "written_on": dt.date(2026, 2, 10),
        "body": (
            "各县（市、区）市场监督管理局，市局各科室：\n"
            "为深入贯彻《中华人民共和国食品安全法》及其实施条例，落实学校食品安全校长（园长）负责制，"
            "切实保障师生饮食安全，现就进一步加强校园食品安全监管工作通知如下。\n"
            "一、全面开展学校食堂风险排查。各地要对辖区内中小学、幼儿园食堂和校外供餐单位开展全覆盖检查，"
            "重点检查食品原料进货查验、贮存、加工制作、餐用具清洗消毒和留样等环节。\n"
            "二、严格落实食品安全主体责任。学校食堂应当配备食品安全管理人员，建立从业人员健康管理制度，"
            "推行“互联网+明厨亮灶”，接受家长和社会监督。\n"
            "三、依法查处违法违规行为。对使用超过保质期食品原料、未按规定留样等违法行为，依法从严处罚，"
            "罚款信息按规定公示。\n"
            "四、本通知自印发之日起施行。"
        ),
        "interpretations": [
            {
                "kind": InterpretationKind.TEXT,
                "title": "《关于进一步加强校园食品安全监管工作的通知》政策解读",
                "body_html": (
                    "一、出台背景：校园食品安全关系广大师生身体健康，社会关注度高。\n"
                    "二、主要内容：通知从风险排查、主体责任、违法查处三个方面提出要求。\n"
                    "三、学校需要做什么：配备食品安全管理人员，落实进货查验和留样制度，推行明厨亮灶。"
                ),
            },
            {
                "kind": InterpretationKind.GRAPHIC,
                "title": "一图读懂校园食品安全监管新要求",
                "image_alt": "一图读懂校园食品安全监管新要求：风险排查、主体责任、违法查处三项重点",
                "body_html": (
                    "图解文字版：校园食品安全监管有三项重点。第一，风险排查全覆盖，检查进货查验、贮存、加工、"
                    "清洗消毒和留样。第二，学校落实主体责任，配备食品安全管理人员，推行明厨亮灶。第三，"
                    "违法行为从严查处，处罚信息依法公示。"
                ),
                "image": True,
            },
        ],
    },
    {
        "key": "license",
        "title": "聊城市经营主体“一照多址”登记管理办法",
        "doc_number": "聊市监规〔2026〕1号",
        "topic": Topic.REGISTRATION,
        "written_on": dt.date(2026, 1, 20),
        "body": (
            "第一条 为优化营商环境，方便经营主体在本市范围内增设经营场所，根据《中华人民共和国市场主体登记管理条例》"
            "及其实施细则，制定本办法。\n"
            "第二条 经营主体在本市范围内增设经营场所，且经营场所与住所不在同一县（市、区）的，可以申请在营业执照上"
            "加载新设经营场所地址，无需办理分支机构登记。\n"
            "第三条 从事食品经营、药品经营等需要取得许可的经营活动的，应当依法为新增经营场所取得相应许可。\n"
            "第四条 本办法自2026年3月1日起施行，有效期五年。"
        ),
        "interpretations": [
            {
                "kind": InterpretationKind.PRESS,
                "title": "“一照多址”改革新闻发布会实录",
                "press_date": dt.date(2026, 2, 26),
                "speakers": "市市场监管局登记注册科负责人",
                "body_html": "主持人：各位记者朋友，今天我们介绍聊城市“一照多址”登记管理办法。\n负责人：办法施行后，企业在本市增设经营场所无需再办分支机构登记……",
            }
        ],
    },
    {
        "key": "elevator",
        "title": "聊城市电梯安全监督管理实施细则",
        "doc_number": "聊市监规〔2025〕4号",
        "topic": Topic.SPECIAL,
        "written_on": dt.date(2025, 9, 3),
        "body": (
            "第一条 为加强电梯安全监督管理，预防和减少电梯事故，根据《中华人民共和国特种设备安全法》和"
            "《特种设备安全监察条例》，结合本市实际，制定本细则。\n"
            "第二条 电梯使用单位应当对在用电梯进行经常性维护保养，维护保养单位应当每15日至少进行一次清洁、润滑、调整和检查。\n"
            "第三条 住宅小区电梯发生故障困人的，维护保养单位应当在30分钟内到达现场实施救援。"
        ),
        "interpretations": [],
    },
    {
        "key": "price",
        "title": "关于规范停车场收费明码标价的提醒告诫函",
        "doc_number": "聊市监价函〔2026〕2号",
        "topic": Topic.COMPETITION,
        "written_on": dt.date(2026, 3, 2),
        "body": "各停车场经营者：应当在收费场所显著位置公示收费标准、收费依据、计费方式和投诉电话12315，不得在标价之外加价收费。",
        "interpretations": [],
        "needs_interpretation": False,
    },
    {
        "key": "consumer",
        "title": "聊城市消费者权益保护工作要点（2026年）",
        "doc_number": "聊市监发〔2026〕8号",
        "topic": Topic.CONSUMER,
        "written_on": dt.date(2026, 3, 10),
        "body": "一、畅通12315投诉举报渠道，推进在线消费纠纷解决（ODR）企业建设。二、开展放心消费创建活动。三、加强预付式消费监管，防范健身房、美容美发等行业“卷款跑路”。",
        "interpretations": [],
    },
]

GUIDES = [
    {
        "name": "食品经营许可（新办）",
        "department": "聊城市市场监督管理局（各县市区市场监督管理局）",
        "basis": "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
        "conditions": "具有与经营的食品品种、数量相适应的经营场所和设施设备；有专职或者兼职的食品安全管理人员和规章制度。",
        "materials": "食品经营许可申请书\n营业执照复印件\n与食品经营相适应的主要设备设施布局、操作流程等文件\n食品安全自查、从业人员健康管理、进货查验记录等规章制度",
        "process": "申请 → 受理 → 审查（必要时现场核查）→ 决定 → 发证",
        "time_limit": "法定10个工作日，承诺5个工作日",
        "fees": "不收费",
        "place_hours": "聊城市政务服务中心市场监管窗口；工作日 9:00—12:00，13:30—17:00",
        "phone": "0635-12345",
        "documents": ["food"],
        "form": "食品经营许可申请书",
    },
    {
        "name": "营业执照增设经营场所（一照多址）",
        "department": "聊城市市场监督管理局",
        "basis": "《中华人民共和国市场主体登记管理条例》；《聊城市经营主体“一照多址”登记管理办法》",
        "conditions": "经营场所在本市范围内，且依法取得所需许可。",
        "materials": "登记（备案）申请书\n经营场所使用证明",
        "process": "网上申请 → 审核 → 换发营业执照",
        "time_limit": "即时办结",
        "fees": "不收费",
        "place_hours": "网上办理，或到各县（市、区）政务服务中心办理",
        "phone": "0635-12345",
        "documents": ["license"],
        "form": "经营场所登记（备案）申请书",
    },
]


def png_bytes(width: int = 4, height: int = 4, rgb: tuple[int, int, int] = (155, 28, 28)) -> bytes:
    """A tiny valid PNG (the demo's stand-in for a designed 图解 image)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pdf_bytes(title: str) -> bytes:
    """A minimal one-page PDF (the demo's blank form)."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n" + f"% {title}".encode()
    )


@transaction.atomic
def load(*, actor=ACTOR) -> dict[str, int]:
    """Load the demo content once (idempotent: skips when documents exist)."""
    if Document.objects.exists():
        return {"documents": 0, "interpretations": 0, "guides": 0}
    by_key: dict[str, Document] = {}
    n_interp = 0
    for spec in DOCUMENTS:
        doc = services.document_create(
            actor=actor,
            data={
                "title": spec["title"],
                "doc_number": spec["doc_number"],
                "issuer": ISSUER,
                "written_on": spec["written_on"],
                "topic": spec["topic"],
                "body_html": spec["body"],
                "needs_interpretation": spec.get("needs_interpretation", True),
            },
        )
        services.item_submit(actor=actor, item=doc)
        services.item_publish(actor=actor, item=doc)
        by_key[spec["key"]] = doc
        for ispec in spec["interpretations"]:
            data = {k: v for k, v in ispec.items() if k != "image"}
            item = services.interpretation_create(actor=actor, document=doc, data=data)
            if ispec.get("image"):
                services.attachment_add(
                    actor=actor,
                    owner=item,
                    name="tujie.png",
                    data=png_bytes(),
                    title=ispec["title"],
                    kind=AttachmentKind.IMAGE,
                )
            services.item_submit(actor=actor, item=item)
            services.item_publish(actor=actor, item=item)
            n_interp += 1
    for gspec in GUIDES:
        data = {k: v for k, v in gspec.items() if k not in {"documents", "form"}}
        guide = services.guide_create(
            actor=actor, data=data, documents=[by_key[k] for k in gspec["documents"]]
        )
        services.attachment_add(
            actor=actor,
            owner=guide,
            name="form.pdf",
            data=pdf_bytes(gspec["form"]),
            title=gspec["form"],
            kind=AttachmentKind.FORM,
        )
        services.item_submit(actor=actor, item=guide)
        services.item_publish(actor=actor, item=guide)
    # One superseded document, to show 有效性 and the superseding link.
    old = services.document_create(
        actor=actor,
        data={
            "title": "聊城市电梯维护保养管理暂行规定",
            "doc_number": "聊市监规〔2019〕2号",
            "issuer": ISSUER,
            "written_on": dt.date(2019, 5, 6),
            "topic": Topic.SPECIAL,
            "body_html": "第一条 电梯维护保养单位应当每15日至少进行一次维护保养。",
            "needs_interpretation": False,
        },
    )
    services.item_submit(actor=actor, item=old)
    services.item_publish(actor=actor, item=old)
    services.document_set_validity(
        actor=actor,
        document=old,
        validity="repealed",
        changed_on=dt.date(2025, 9, 3),
        superseded_by=by_key["elevator"],
    )
    return {"documents": len(DOCUMENTS) + 1, "interpretations": n_interp, "guides": len(GUIDES)}


__all__ = ["State", "load", "pdf_bytes", "png_bytes"]
