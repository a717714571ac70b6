"""The hazard loop's models, one module per part (hazards, referrals, reports, campaigns)."""

from .hazard import Hazard, HazardPhoto, HazardQuerySet, HazardStep

__all__ = ["Hazard", "HazardPhoto", "HazardQuerySet", "HazardStep"]
