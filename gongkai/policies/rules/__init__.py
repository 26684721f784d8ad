"""The policy rules engine (``gongkai-rules/1``): pure Python and numpy, no Django.

Load a file with :func:`load_policy` (validated against the fact catalogue, every problem reported with
its place), evaluate one beneficiary with :func:`evaluate_policy` (the reference interpreter), explain
it in Chinese with :func:`explain`, or match many policies over many beneficiaries with
:func:`match_all` on a :class:`Frame` (the vectorised matcher, identical results). The format and the
language are described for policy officers in ``docs/policy-rules.md``.
"""

from __future__ import annotations

from .errors import (
    EvaluationError,
    ExpressionSyntaxError,
    FactsError,
    PolicyFileError,
    RulesError,
    RulesTypeError,
)
from .evaluate import PolicyResult, evaluate_policy
from .explain import Explanation, explain, explain_all
from .loader import load_policy, load_policy_text, policy_from_data
from .policy import Policy
from .types import Catalogue, default_catalogue
from .vector import Frame, PolicyMatch, match_all, match_policy

# Stored with every determination, so that a result can be replayed by the same engine.
ENGINE_VERSION = "gongkai-rules/1 engine 1"

__all__ = [
    "ENGINE_VERSION",
    "Catalogue",
    "EvaluationError",
    "Explanation",
    "ExpressionSyntaxError",
    "FactsError",
    "Frame",
    "Policy",
    "PolicyFileError",
    "PolicyMatch",
    "PolicyResult",
    "RulesError",
    "RulesTypeError",
    "default_catalogue",
    "evaluate_policy",
    "explain",
    "explain_all",
    "load_policy",
    "load_policy_text",
    "match_all",
    "match_policy",
    "policy_from_data",
]
