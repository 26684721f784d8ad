"""Staff roles as Django groups with permissions.

Each role lists permission patterns (``app_label.codename`` or ``app_label.*``); a pattern starting
with ``!`` takes matching permissions away again, so "everything in the app except approving" reads
as two lines. Patterns whose app is not installed yet are skipped, so a module added later only has
to extend this table.
Groups are synchronised after every ``migrate``; editing a group's permissions by hand is
overwritten, which is the point: the table below is the reviewed source of truth.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from django.contrib.auth.models import Group, Permission

SYSTEM_ADMIN = "系统管理员"
REGISTRY_ADMIN = "名录库管理员"
PLANNER = "抽查计划员"
INSPECTOR = "执法检查人员"
DISCLOSURE_REVIEWER = "信息公开审核员"
MESSAGE_HANDLER = "留言办理员"
OPEN_GOV_HEAD = "政府信息公开工作机构负责人"
CASE_OFFICER = "案件承办人"
POLICY_OFFICER = "政策兑现专员"
POLICY_REVIEWER = "政策规则审核员"
TALENT_SERVICE = "人才服务专员"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    SYSTEM_ADMIN: ["core.*", "auth.view_user", "auth.add_user", "auth.change_user", "auth.view_group"],
    REGISTRY_ADMIN: [
        "registry.*",
        "inspectors.*",
        "core.view_auditevent",
        "core.view_district",
    ],
    PLANNER: [
        "registry.view_*",
        "inspectors.view_*",
        "inspections.*",
        "core.view_auditevent",
    ],
    INSPECTOR: ["inspections.view_*", "inspections.record_result", "inspections.sign_result"],
    DISCLOSURE_REVIEWER: [
        "disclosure.*",
        "penalties.*",
        "inspections.view_*",
        "inspections.publish_result",
        "core.view_auditevent",
    ],
    # Messages and 依申请公开 requests day to day; an extension and the annual report need the head.
    MESSAGE_HANDLER: [
        "interaction.*",
        "!interaction.approve_extension",
        "!interaction.publish_annualreport",
        "!interaction.delete_*",
    ],
    OPEN_GOV_HEAD: [
        "interaction.view_*",
        "interaction.approve_extension",
        "interaction.add_annualreport",
        "interaction.change_annualreport",
        "interaction.publish_annualreport",
        "core.view_auditevent",
    ],
    # Enters and imports decisions and submits them; approval and publication are the reviewer's.
    CASE_OFFICER: [
        "penalties.view_*",
        "penalties.add_decision",
        "penalties.change_decision",
        "penalties.import_decision",
        "registry.view_entity",
    ],
    # 政策找人: writes rules, imports facts, runs matching and pays; approving a rule is someone else's.
    POLICY_OFFICER: [
        "policies.*",
        "!policies.approve_policyversion",
        "!policies.delete_*",
        "registry.view_*",
        "core.view_auditevent",
    ],
    POLICY_REVIEWER: ["policies.view_*", "policies.approve_policyversion", "core.view_auditevent"],
    TALENT_SERVICE: ["policies.view_policy", "policies.view_case", "policies.view_person"],
}

ROLES = list(ROLE_PERMISSIONS)


def permissions_for(patterns: list[str]) -> list[Permission]:
    grant = [p for p in patterns if not p.startswith("!")]
    deny = [p[1:] for p in patterns if p.startswith("!")]
    perms = Permission.objects.select_related("content_type")
    chosen = []
    for perm in perms:
        name = f"{perm.content_type.app_label}.{perm.codename}"
        if any(fnmatchcase(name, p) for p in grant) and not any(fnmatchcase(name, p) for p in deny):
            chosen.append(perm)
    return chosen


def sync_roles() -> None:
    """Create every role's group and set exactly its permissions. Idempotent."""
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions_for(patterns))


def sync_roles_after_migrate(sender, **kwargs) -> None:
    if kwargs.get("plan") is not None and not kwargs.get("plan"):
        return
    sync_roles()
