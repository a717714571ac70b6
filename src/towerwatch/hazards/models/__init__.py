"""The hazard loop's models, one module per part (hazards, referrals, reports, campaigns)."""

from .campaign import Campaign, Milestone
from .hazard import Hazard, HazardPhoto, HazardQuerySet, HazardStep
from .report import PublicReport, PublicReportPhoto, ReportReward, ReportState, ReportThrottle

__all__ = [
    "Campaign",
    "Hazard",
    "HazardPhoto",
    "HazardQuerySet",
    "HazardStep",
    "Milestone",
    "PublicReport",
    "PublicReportPhoto",
    "ReportReward",
    "ReportState",
    "ReportThrottle",
]
