"""The enterprise and talent account area (/my/): a beneficiary sees only its own matches.

Every view here resolves the beneficiary from the logged-in account — never from the address — so
one beneficiary cannot reach another's data by changing a number in a URL.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gongkai.policies import accounts, matching, notify, selectors, services, workflow
from gongkai.policies.choices import CaseState, DeterminationStatus
from gongkai.policies.forms import (
    AcceptInvitationForm,
    AccountLoginForm,
    ConfirmForm,
    DisputeForm,
    FactsForm,
    ReasonForm,
)
from gongkai.policies.models import Case, Fact, Policy


def _problems(messages_: list) -> SafeString:
    """Several problems as one message (some hold Chinese content marked up for an English page)."""
    separator = conditional_escape(pgettext("错误之间", "；"))
    return mark_safe(separator.join(conditional_escape(m) for m in messages_))


def account_required(view):
    """Logged in with an enterprise or talent account; otherwise to the account login."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        account = accounts.account_of(request.user)
        if account is None:
            return redirect(f"{reverse('account-login')}?next={request.path}")
        request.account = account  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


class AccountLogin(LoginView):
    template_name = "policies/account/login.html"
    authentication_form = AccountLoginForm
    redirect_authenticated_user = False

    def get_default_redirect_url(self) -> str:
        return reverse("account-home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["providers"] = list(accounts.providers().values())
        return context


@require_POST
def account_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("account-login")


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = accounts.invitation_for(token)
    if found is None:
        return render(request, "policies/account/invitation.html", {"invalid": True}, status=404)
    form = AcceptInvitationForm(request.POST or None, email=found.email)
    if request.method == "POST" and form.is_valid():
        try:
            account = accounts.invitation_accept(token=token, password=form.cleaned_data["password1"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("账户已开通"))
            return redirect("account-home")
    return render(request, "policies/account/invitation.html", {"invitation": found, "form": form})


def external_start(request: HttpRequest, name: str) -> HttpResponse:
    provider = accounts.providers().get(name)
    if provider is None:
        raise Http404
    return provider.start(request, reverse("account-external-finish", args=[name]))


def external_finish(request: HttpRequest, name: str) -> HttpResponse:
    provider = accounts.providers().get(name)
    if provider is None:
        raise Http404
    assertion = provider.finish(request)
    if assertion is None:
        messages.error(request, _("身份认证未通过"))
        return redirect("account-login")
    try:
        account = accounts.login_external(assertion=assertion)
    except ValidationError as exc:
        messages.error(request, _problems(exc.messages))
        return redirect("account-login")
    login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("account-home")


# --- the beneficiary's own pages ------------------------------------------------------------------------


@account_required
def home(request: HttpRequest) -> HttpResponse:
    beneficiary = request.account.beneficiary  # type: ignore[attr-defined]
    on = selectors.today()
    in_force = {v.pk for v in selectors.versions_in_force(on)}
    dets = [
        d
        for d in selectors.current_determinations(beneficiary)
        if d.version_id in in_force
        and d.status in (DeterminationStatus.ELIGIBLE, DeterminationStatus.UNDETERMINED)
    ]
    return render(
        request,
        "policies/account/home.html",
        {
            "beneficiary": beneficiary,
            "determinations": dets,
            "cases": selectors.cases(beneficiary=beneficiary),
            "unread": selectors.inbox(beneficiary).filter(read_at__isnull=True).count(),
        },
    )


def _own(request: HttpRequest, code: str):
    """The policy, its version in force, this beneficiary's determination and case (or 404)."""
    beneficiary = request.account.beneficiary  # type: ignore[attr-defined]
    policy = get_object_or_404(Policy, code=code)
    on = selectors.today()
    version = selectors.version_in_force(policy, on)
    if version is None or version.beneficiary_kind != beneficiary.kind:
        raise Http404
    det = selectors.current_determination(beneficiary, version)
    case = (
        Case.objects.filter(policy=policy, beneficiary=beneficiary)
        .exclude(state=CaseState.CANCELLED)
        .order_by("-created_at")
        .first()
    )
    return beneficiary, policy, version, det, case


@account_required
def policy_page(request: HttpRequest, code: str) -> HttpResponse:
    """Why the beneficiary qualifies (or not), criterion by criterion; confirm, supply, dispute."""
    beneficiary, policy, version, det, case = _own(request, code)
    stale: list[tuple[str, str]] = []
    if det is not None and det.status != DeterminationStatus.INELIGIBLE:
        explanation = matching.explanation_of(det)
        stale = matching.stale_facts(det.provenance)
    else:
        explanation = matching.explanation_now(beneficiary, version)
    rp = selectors.loaded_policy(version)
    missing = [f for f in Fact.objects.filter(name__in=explanation.missing) if not f.derivation]
    missing.sort(key=lambda f: explanation.missing.index(f.name))
    return render(
        request,
        "policies/account/policy.html",
        {
            "beneficiary": beneficiary,
            "policy": policy,
            "version": version,
            "explanation": explanation,
            "stale": stale,
            "case": case,
            "deadline": selectors.case_deadline(case) if case else None,
            "facts_form": FactsForm(facts=missing) if missing else None,
            "confirm_form": ConfirmForm(),
            "decline_form": ReasonForm(),
            "dispute_form": DisputeForm(facts=list(rp.facts_used)),
        },
    )


@account_required
@require_POST
def supply(request: HttpRequest, code: str) -> HttpResponse:
    """快申快享: the short form with exactly the missing facts."""
    beneficiary, policy, version, det, case = _own(request, code)
    explanation = (
        matching.explanation_of(det) if det is not None else matching.explanation_now(beneficiary, version)
    )
    facts = [f for f in Fact.objects.filter(name__in=explanation.missing) if not f.derivation]
    form = FactsForm(request.POST, facts=facts)
    if not facts or not form.is_valid():
        messages.error(request, _("请完整填写所缺的数据"))
        return redirect("account-policy", code)
    values = form.values()
    if form.errors:
        messages.error(request, _problems([e for errs in form.errors.values() for e in errs]))
        return redirect("account-policy", code)
    try:
        services.facts_declare(actor=request.user, beneficiary=beneficiary, values=values)
    except ValidationError as exc:
        messages.error(request, _problems(exc.messages))
    else:
        notify.deliver_pending()
        messages.success(request, _("已补充数据并重新比对"))
    return redirect("account-policy", code)


@account_required
@require_POST
def confirm(request: HttpRequest, code: str) -> HttpResponse:
    beneficiary, policy, version, det, case = _own(request, code)
    form = ConfirmForm(request.POST)
    if case is None or not form.is_valid():
        messages.error(request, _("请核对收款账户并勾选承诺"))
        return redirect("account-policy", code)
    try:
        workflow.case_confirm(actor=request.user, case=case, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _problems(exc.messages))
    else:
        messages.success(request, _("已确认，等待审核拨付"))
    return redirect("account-policy", code)


@account_required
@require_POST
def decline(request: HttpRequest, code: str) -> HttpResponse:
    beneficiary, policy, version, det, case = _own(request, code)
    if case is None:
        raise Http404
    form = ReasonForm(request.POST)
    try:
        workflow.case_decline(actor=request.user, case=case, reason=form.data.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, _problems(exc.messages))
    else:
        messages.success(request, _("已放弃该政策"))
    return redirect("account-policy", code)


@account_required
@require_POST
def dispute(request: HttpRequest, code: str) -> HttpResponse:
    beneficiary, policy, version, det, case = _own(request, code)
    rp = selectors.loaded_policy(version)
    form = DisputeForm(request.POST, facts=list(rp.facts_used))
    if not form.is_valid():
        messages.error(request, _("请选择数据项并填写正确值和理由"))
        return redirect("account-policy", code)
    try:
        workflow.dispute_open(
            actor=request.user,
            beneficiary=beneficiary,
            case=case if case is not None and case.state in workflow.TRANSITIONS["dispute"] else None,
            **form.cleaned_data,
        )
    except ValidationError as exc:
        messages.error(request, _problems(exc.messages))
    else:
        messages.success(request, _("异议已提交，工作人员核实后会重新比对"))
    return redirect("account-policy", code)


@account_required
def inbox(request: HttpRequest) -> HttpResponse:
    beneficiary = request.account.beneficiary  # type: ignore[attr-defined]
    items = list(selectors.inbox(beneficiary)[:100])
    from django.utils import timezone

    selectors.inbox(beneficiary).filter(read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "policies/account/inbox.html", {"items": items, "beneficiary": beneficiary})
