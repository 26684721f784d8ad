"""Who may see what: staff district limits, and the decorators every staff view uses."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied


def staff_districts(user: User | AnonymousUser) -> list[str] | None:
    """The district codes a staff member is limited to, or None for the whole city."""
    profile = getattr(user, "staff_profile", None) if user.is_authenticated else None
    if profile is None:
        return None
    codes = list(profile.districts.values_list("code", flat=True))
    return codes or None


def staff_view(*perms: str) -> Callable:
    """Login required, must be staff, must hold every permission in ``perms`` (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        def check_staff(request, *args, **kwargs):
            if not request.user.is_staff:
                raise PermissionDenied("仅限工作人员")
            return view(request, *args, **kwargs)

        wrapped = check_staff
        if perms:
            wrapped = permission_required(list(perms), raise_exception=True)(wrapped)
        wrapped = login_required(wrapped)
        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        wrapped.staff_permissions = perms  # type: ignore[attr-defined]
        return wrapped

    return decorator
