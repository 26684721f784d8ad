"""The columns of the inspector file (import and export), in order, with their Chinese headers.

* 执法资格: 是 / 否 (辅助人员 are 否 and have no 执法证号);
* 部门: the department's code or name (see :class:`gongkai.inspectors.models.Department`);
* 可检查事项: inspection item codes separated by "；", "," or new lines;
* 状态: 在岗 / 离岗.
"""

OFFICER_COLUMNS: list[tuple[str, str]] = [
    ("人员编号", "code"),
    ("姓名", "name"),
    ("执法资格", "is_law_enforcement"),
    ("执法证号", "certificate_no"),
    ("执法证有效期至", "certificate_expires"),
    ("部门", "department"),
    ("单位", "unit"),
    ("所在区划代码", "district_code"),
    ("可检查事项", "qualified_items"),
    ("状态", "status"),
]
OFFICER_HEADERS = [header for header, _ in OFFICER_COLUMNS]
OFFICER_REQUIRED = {"人员编号", "姓名", "执法资格", "部门", "单位", "所在区划代码"}
