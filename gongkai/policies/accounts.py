"""Enterprise and talent accounts: invitations, password logins, and the identity-provider interface.

Staff invite a beneficiary's registered contact by e-mail; the link (a random token whose SHA-256
alone is stored, valid for :data:`INVITATION_DAYS`) lets the contact set a password. Logins go
through Django's authentication with django-axes throttling (settings ``AXES_*``), on a login page of
their own: an account is never staff, and a staff login never opens the account area.

A provincial identity provider (电子营业执照, an OIDC provider) plugs in through
:class:`IdentityProvider`: it turns a verified assertion into (provider, subject, credit code or
人才编号), and :func:`login_external` links that identity to an account of that beneficiary — so
the provider decides *who* someone is, and Gongkai still decides *what they may see*.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from gongkai.core import audit
from gongkai.policies.models import Account, Beneficiary, ExternalIdentity, Invitation

INVITATION_DAYS = 14


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *,
    actor: Any,
    beneficiary: Beneficiary,
    email: str,
    contact_name: str = "",
    base_url: str = "",
    send: bool = True,
) -> tuple[Invitation, str]:
    """Invite the contact; returns the invitation and the token (sent by e-mail, never stored)."""
    email = email.strip().lower()
    if Account.objects.filter(user__username=email).exists():
        raise ValidationError({"email": "该电子邮箱已开通账户"})
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        beneficiary=beneficiary,
        email=email,
        contact_name=contact_name.strip()[:50],
        token_sha256=_digest(token),
        created_by=None if isinstance(actor, str) else actor,
        expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    audit.record(
        actor=actor,
        action="policies.account.invite",
        obj=invitation,
        after={"beneficiary": beneficiary.key, "email": email},
    )
    link = f"{base_url.rstrip('/')}/my/invitations/{token}/"
    if not send:
        return invitation, token
    transaction.on_commit(
        lambda: send_mail(
            f"{settings.GONGKAI_BUREAU_NAME}：开通政策兑现账户",
            f"{contact_name or '您好'}：\n\n请在{INVITATION_DAYS}天内打开下面的链接，为“{beneficiary}”设置密码，"
            f"即可查看为您比对出的扶持政策、确认兑现：\n{link}\n\n如非本人操作，请忽略本邮件。",
            None,
            [email],
        )
    )
    return invitation, token


def invitation_for(token: str) -> Invitation | None:
    """The open invitation of a token (None when unknown, used or expired)."""
    return (
        Invitation.objects.select_related("beneficiary__entity", "beneficiary__person")
        .filter(token_sha256=_digest(token), accepted_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> Account:
    """The contact sets a password: a non-staff user and its account are created."""
    invitation = Invitation.objects.select_for_update().filter(token_sha256=_digest(token)).first()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= timezone.now():
        raise ValidationError(_("邀请链接无效或已过期，请联系工作人员重新邀请"))
    users = get_user_model()
    if users.objects.filter(username=invitation.email).exists():
        raise ValidationError(_("该电子邮箱已开通账户"))
    user = users.objects.create_user(
        invitation.email, email=invitation.email, password=password, is_staff=False
    )
    account = Account.objects.create(user=user, beneficiary=invitation.beneficiary, email=invitation.email)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit.record(
        actor=user,
        action="policies.account.open",
        obj=account,
        after={"beneficiary": invitation.beneficiary.key},
    )
    return account


def account_of(user) -> Account | None:
    """The account of a logged-in user (None for staff and anyone else)."""
    if not user.is_authenticated or user.is_staff:
        return None
    return (
        Account.objects.select_related("beneficiary__entity", "beneficiary__person").filter(user=user).first()
    )


# --- outside identity providers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Assertion:
    """What a provider vouches for after its own login: who, and which beneficiary they act for."""

    provider: str
    subject: str
    beneficiary_key: str  # credit code (电子营业执照) or 人才编号
    email: str = ""


class IdentityProvider(Protocol):
    """A provincial identity provider. ``start`` redirects to it; ``finish`` verifies its answer."""

    slug: str
    label: str

    def start(self, request, next_url: str): ...

    def finish(self, request) -> Assertion | None: ...


def providers() -> dict[str, IdentityProvider]:
    paths = getattr(settings, "GONGKAI_IDENTITY_PROVIDERS", [])
    found = [import_string(path)() for path in paths]
    return {p.slug: p for p in found}


@transaction.atomic
def login_external(*, assertion: Assertion) -> Account:
    """The account for a verified outside identity: linked before, or created now for the beneficiary."""
    linked = (
        ExternalIdentity.objects.select_related("account__user")
        .filter(provider=assertion.provider, subject=assertion.subject)
        .first()
    )
    if linked is not None:
        if linked.account.beneficiary.key != assertion.beneficiary_key:
            raise ValidationError(_("该身份已关联其他主体"))
        return linked.account
    beneficiary = Beneficiary.objects.filter(key=assertion.beneficiary_key).first()
    if beneficiary is None:
        raise ValidationError(_("平台中没有该主体，请联系工作人员"))
    users = get_user_model()
    username = f"{assertion.provider}:{assertion.subject}"[:150]
    user = users.objects.create_user(username, email=assertion.email, is_staff=False)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    account = Account.objects.create(user=user, beneficiary=beneficiary, email=assertion.email)
    ExternalIdentity.objects.create(provider=assertion.provider, subject=assertion.subject, account=account)
    audit.record(
        actor=user,
        action="policies.account.link",
        obj=account,
        after={"provider": assertion.provider, "beneficiary": beneficiary.key},
    )
    return account
