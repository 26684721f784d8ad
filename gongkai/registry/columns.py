"""The columns of the entity file (import and export), in order, with their Chinese headers.

The same layout is read by ``gongkai import-entities`` and the upload page and written by
``gongkai export-entities``, the demo generator and the benchmarks, so an exported file imports
back unchanged. Cell formats:

* dates ``YYYY-MM-DD``; money a plain decimal number (万元);
* 主体类型 and 登记状态 by their Chinese labels (see :mod:`gongkai.registry.choices`);
* 其他经营场所: one place per line (or separated by "；"), each ``区划代码 地址``, e.g.
  ``371581 山东省聊城市临清市新华路街道永青路12号``;
* 集群注册托管机构: 是 / 否.
"""

ENTITY_COLUMNS: list[tuple[str, str]] = [
    ("统一社会信用代码", "credit_code"),
    ("名称", "name"),
    ("主体类型", "entity_type"),
    ("法定代表人", "legal_representative"),
    ("注册资本（万元）", "registered_capital"),
    ("成立日期", "established_on"),
    ("登记状态", "status"),
    ("状态变更日期", "status_since"),
    ("行业门类", "industry_section"),
    ("行业大类", "industry_division"),
    ("登记机关", "registration_authority"),
    ("住所区划代码", "district_code"),
    ("住所", "domicile"),
    ("其他经营场所", "premises"),
    ("联络人", "contact_name"),
    ("联系电话", "contact_phone"),
    ("信用风险分类", "credit_risk_class"),
    ("分类日期", "credit_risk_date"),
    ("集群注册托管机构", "is_cluster_host"),
    ("托管机构统一社会信用代码", "cluster_host_code"),
]
ENTITY_HEADERS = [header for header, _ in ENTITY_COLUMNS]
# Columns a file must have; the others may be absent (treated as empty).
ENTITY_REQUIRED = {
    "统一社会信用代码",
    "名称",
    "主体类型",
    "法定代表人",
    "成立日期",
    "行业大类",
    "登记机关",
    "住所区划代码",
    "住所",
}
