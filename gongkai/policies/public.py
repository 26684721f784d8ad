"""What the public sees of 政策找人、免申即享: one page per policy, with counts and amounts.

Never a name, unless the policy requires 公示 (then the names of the beneficiaries on the list, and
nothing else about them); never an ID number, a fact value, or an amount per beneficiary.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gongkai.policies import selectors
from gongkai.policies.models import Policy


def index(request: HttpRequest) -> HttpResponse:
    rows = [
        (policy, version, selectors.public_figures(policy)) for policy, version in selectors.public_policies()
    ]
    return render(request, "policies/public/index.html", {"rows": rows})


def policy_page(request: HttpRequest, code: str) -> HttpResponse:
    published = {p.code: (p, v) for p, v in selectors.public_policies()}
    if code not in published:
        raise Http404
    policy, version = published[code]
    policy = Policy.objects.select_related("document").get(pk=policy.pk)
    rp = selectors.loaded_policy(version)
    context = {
        "policy": policy,
        "version": version,
        "source": rp.source,
        "criteria": [c.label for c in rp.criteria],
        "figures": selectors.public_figures(policy),
        "in_force": selectors.version_in_force(policy, selectors.today()),
        "publicity": selectors.publicity_list(policy) if policy.requires_publicity else None,
    }
    return render(request, "policies/public/policy.html", context)
