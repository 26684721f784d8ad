"""Staff roles as Django groups with permissions.

Each role lists permission patterns (``app_label.codename`` or ``app_label.*``); patterns whose
app is not installed yet are skipped, so a module added later only has to extend this table.
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
    MESSAGE_HANDLER: ["interaction.*"],
}

ROLES = list(ROLE_PERMISSIONS)


def permissions_for(patterns: list[str]) -> list[Permission]:
    perms = Permission.objects.select_related("content_type")
    chosen = []
    for perm in perms:
        name = f"{perm.content_type.app_label}.{perm.codename}"
        if any(fnmatchcase(name, pattern) for pattern in patterns):
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
