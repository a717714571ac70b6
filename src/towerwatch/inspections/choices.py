from django.db import models
from django.utils.translation import gettext_lazy as _

from towerwatch.buildings.choices import BuildingUse
from towerwatch.hazards.choices import HazardSource


class WorkKind(models.TextChoices):
    """Kinds of work a checklist is for (issue 4 §1)."""

    PATROL = "patrol", _("daily fire patrol")
    INSPECTION = "inspection", _("fire inspection")
    FULL_TEST = "full_test", _("annual full test of fire systems")
    ASSESSMENT = "assessment", _("annual whole-building assessment")
    DRILL = "drill", _("whole-building drill")
    SUPERVISION = "supervision", _("supervision inspection by the fire authority")
    GRID_WALK = "grid_walk", _("grid officer walk")
    UTILITY_CHECK = "utility_check", _("utility check (power, gas)")


#: Kinds with a period in the rule set (the others are done when needed).
SCHEDULED_KINDS = (
    WorkKind.PATROL,
    WorkKind.INSPECTION,
    WorkKind.FULL_TEST,
    WorkKind.ASSESSMENT,
    WorkKind.DRILL,
)

#: The hazard source a failed item of each kind opens.
HAZARD_SOURCE = {
    WorkKind.PATROL: HazardSource.PATROL,
    WorkKind.GRID_WALK: HazardSource.PATROL,
    WorkKind.INSPECTION: HazardSource.INSPECTION,
    WorkKind.FULL_TEST: HazardSource.INSPECTION,
    WorkKind.ASSESSMENT: HazardSource.INSPECTION,
    WorkKind.DRILL: HazardSource.INSPECTION,
    WorkKind.SUPERVISION: HazardSource.SUPERVISION,
    WorkKind.UTILITY_CHECK: HazardSource.UTILITY_CHECK,
}


class BuildingType(models.TextChoices):
    """Which buildings a checklist fits; the most specific one wins."""

    CARE = "care", _("hospital, school or elderly care")
    SUPER_HIGH_RISE = "super_high_rise", _("super high-rise (over 100 m)")
    PUBLIC = "public", _("public")
    RESIDENTIAL = "residential", _("residential")
    ANY = "any", _("any building")


#: Uses whose patrols run day and night (高层规定 Art. 34: hospitals, elderly care, boarding
#: schools and kindergartens; the building file does not tell boarding schools apart).
CARE_USES = (BuildingUse.MEDICAL, BuildingUse.ELDERLY_CARE, BuildingUse.EDUCATION)


class RecordState(models.TextChoices):
    OPEN = "open", _("in progress")
    SIGNED = "signed", _("signed off")


class Result(models.TextChoices):
    PASS = "pass", _("pass")
    FAIL = "fail", _("fail")
    NA = "na", _("not applicable")


class Due(models.TextChoices):
    """Where a building stands for one kind of work."""

    OK = "ok", _("done")
    DUE_SOON = "due_soon", _("due soon")
    OVERDUE = "overdue", _("overdue")
    NEVER = "never", _("never done")
