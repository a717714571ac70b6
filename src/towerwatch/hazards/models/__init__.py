"""The hazard loop's models, one module per part (hazards, referrals, reports, campaigns)."""

from .assessment import MajorAssessment, Verdict
from .campaign import Campaign, Milestone
from .enforcement import EnforcementCase, EnforcementState, EnforcementStep, PartyKind
from .hazard import Hazard, HazardPhoto, HazardQuerySet, HazardStep
from .referral import Referral, ReferralQuerySet
from .report import PublicReport, PublicReportPhoto, ReportReward, ReportState, ReportThrottle

__all__ = [
    "Campaign",
    "EnforcementCase",
    "EnforcementState",
    "EnforcementStep",
    "Hazard",
    "HazardPhoto",
    "HazardQuerySet",
    "HazardStep",
    "MajorAssessment",
    "Milestone",
    "PartyKind",
    "PublicReport",
    "PublicReportPhoto",
    "Referral",
    "ReferralQuerySet",
    "ReportReward",
    "ReportState",
    "ReportThrottle",
    "Verdict",
]
