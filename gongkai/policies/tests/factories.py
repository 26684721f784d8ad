"""Policy test data built through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
import textwrap

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from gongkai.policies import services
from gongkai.policies.models import Policy, PolicyVersion
from gongkai.registry.tests.factories import make_entity

_serial = itertools.count(1)

LITTLE_GIANT = textwrap.dedent(
    """\
    rules: gongkai-rules/1
    policy: {code}
    version: {version}
    title: {title}
    source: {{document: 聊政办发〔2026〕12号, article: 第十二条, authority: 聊城市人民政府办公室}}
    mode: 免申即享
    beneficiary: entity
    valid_from: {valid_from}
    criteria:
      - id: c1
        label: 认定为国家级专精特新"小巨人"企业
        when: recognitions has "国家级专精特新小巨人"
      - id: c2
        label: 近一年未受行政处罚
        when: penalties_last_year == 0
      - id: c3
        label: 纳税信用等级为A级或B级
        when: tax_credit_rating in ["A", "B"]
    amount: {amount}
    tests:
      - name: 小巨人且无处罚
        on: 2027-06-30
        facts: {{recognitions: [国家级专精特新小巨人], penalties_last_year: 0, tax_credit_rating: A}}
        expect: {{status: eligible}}
    """
)

RD_SUBSIDY = textwrap.dedent(
    """\
    rules: gongkai-rules/1
    policy: {code}
    version: {version}
    title: 企业研发投入后补助
    source: {{document: 示例〔2026〕7号, article: 第四条, authority: 示例市科学技术局}}
    mode: 快申快享
    beneficiary: entity
    valid_from: {valid_from}
    criteria:
      - id: ratio
        label: 上年度研发费用占营业收入比例不低于5%
        when: rd_expense_ratio >= 500
      - id: size
        label: 上年度营业收入不低于2000万元或为科技型中小企业
        when: revenue_last_year >= 20000000 or recognitions has "科技型中小企业"
      - id: credit
        label: 纳税信用等级为A级或B级
        when: tax_credit_rating in ["A", "B"]
      - id: age
        label: 成立满1年
        when: years_between(established_on, today) >= 1
    amount: min(rd_expense_last_year // 10, 500000)
    """
)

TALENT = textwrap.dedent(
    """\
    rules: gongkai-rules/1
    policy: {code}
    version: {version}
    title: 青年人才来聊生活补贴
    source: {{document: 示例〔2026〕9号, authority: 示例市人才工作领导小组办公室}}
    mode: 免申即享
    beneficiary: person
    valid_from: {valid_from}
    criteria:
      - id: age
        label: 未满35周岁
        when: years_between(birth_date, today) < 35
      - id: degree
        label: 硕士研究生及以上学历
        when: education in ["硕士研究生", "博士研究生"]
      - id: insurance
        label: 在本地缴纳社保满6个月
        when: social_insurance_months >= 6
    amount: 36000
    """
)


def user(username: str, *perms: str, staff: bool = True):
    u = get_user_model().objects.create_user(username, password="correct-horse-battery", is_staff=staff)
    for perm in perms:
        app, code = perm.split(".")
        u.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=code))
    return get_user_model().objects.get(pk=u.pk)  # fresh permission cache


def _with_role(username: str, role: str):
    from django.contrib.auth.models import Group

    from gongkai.core import roles

    roles.sync_roles()
    u = get_user_model().objects.create_user(username, password="correct-horse-battery", is_staff=True)
    u.groups.set([Group.objects.get(name=role)])
    return u


def officer():
    """A 政策兑现专员 with exactly that role's permissions (gongkai.core.roles)."""
    from gongkai.core import roles

    return _with_role(f"officer{next(_serial)}", roles.POLICY_OFFICER)


def reviewer():
    """A 政策规则审核员 with exactly that role's permissions."""
    from gongkai.core import roles

    return _with_role(f"reviewer{next(_serial)}", roles.POLICY_REVIEWER)


def published(
    text: str, *, author=None, approver=None, on: dt.date | None = None, **settings
) -> PolicyVersion:
    author = author or officer()
    approver = approver or reviewer()
    version = services.version_save(actor=author, text=text)
    if settings:
        services.policy_settings_save(actor=author, policy=version.policy, values=settings)
    services.version_submit(actor=author, version=version)
    return services.version_approve(actor=approver, version=version, on=on)


def little_giant(
    code: str = "little-giant",
    *,
    version: int = 1,
    amount: int = 2000000,
    valid_from="2026-01-01",
    title='国家级专精特新"小巨人"企业一次性奖励',
) -> str:
    return LITTLE_GIANT.format(code=code, version=version, amount=amount, valid_from=valid_from, title=title)


def rd_subsidy(code: str = "rd-subsidy", *, version: int = 1, valid_from="2026-01-01") -> str:
    return RD_SUBSIDY.format(code=code, version=version, valid_from=valid_from)


def talent(code: str = "talent-allowance", *, version: int = 1, valid_from="2026-01-01") -> str:
    return TALENT.format(code=code, version=version, valid_from=valid_from)


def policy(code: str) -> Policy:
    return Policy.objects.get(code=code)


def id_number(birth: str = "19950315", serial: int | None = None) -> str:
    """A valid 18-digit ID number (check character computed) born on ``birth``."""
    from gongkai.penalties.redaction import id_check_character

    n = next(_serial) if serial is None else serial
    body = f"371502{birth}{n % 1000:03d}"
    return body + id_check_character(body)


__all__ = ["make_entity"]
