"""The hazard loop's models, one module per part (hazards, referrals, reports, campaigns)."""

from .assessment import MajorAssessment, Verdict
from .enforcement import EnforcementCase, EnforcementState, EnforcementStep, PartyKind
from .hazard import Hazard, HazardPhoto, HazardQuerySet, HazardStep
from .referral import Referral, ReferralQuerySet

__all__ = [
    "EnforcementCase",
    "EnforcementState",
    "EnforcementStep",
    "Hazard",
    "HazardPhoto",
    "HazardQuerySet",
    "HazardStep",
    "MajorAssessment",
    "PartyKind",
    "Referral",
    "ReferralQuerySet",
    "Verdict",
]
