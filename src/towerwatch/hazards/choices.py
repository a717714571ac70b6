from django.db import models
from django.utils.translation import gettext_lazy as _


class HazardSource(models.TextChoices):
    """Where a hazard was found (issue 4 §4)."""

    PATROL = "patrol", _("patrol")
    INSPECTION = "inspection", _("inspection")
    SUPERVISION = "supervision", _("supervision inspection")
    MONITORING = "monitoring", _("monitoring case")
    PUBLIC_REPORT = "public_report", _("public report")
    UTILITY_CHECK = "utility_check", _("utility check")
    OTHER = "other", _("other")


class HazardCategory(models.TextChoices):
    FIRE_LANE = "fire_lane", _("fire lane occupied")
    EXIT_BLOCKED = "exit_blocked", _("exit blocked")
    EBIKE = "ebike", _("e-bike parked or charging indoors")
    FIRE_SYSTEM = "fire_system", _("fire system fault")
    HYDRANT_NO_WATER = "hydrant_no_water", _("hydrant without water")
    ELECTRICAL = "electrical", _("electrical")
    GAS = "gas", _("gas")
    INSULATION = "insulation", _("external insulation")
    OTHER = "other", _("other")


class Severity(models.TextChoices):
    GENERAL = "general", _("general")
    MAJOR = "major", _("major")


class HazardState(models.TextChoices):
    """The rectification loop (issue 4 §5); transitions live in `workflow.py`."""

    OPEN = "open", _("open")
    ASSIGNED = "assigned", _("assigned")
    RECTIFYING = "rectifying", _("in rectification")
    SUBMITTED = "submitted", _("submitted")
    CLOSED = "closed", _("accepted and closed")
    VOID = "void", _("void")


#: States in which a hazard still needs work (it counts as open and can become overdue).
OPEN_STATES = (
    HazardState.OPEN,
    HazardState.ASSIGNED,
    HazardState.RECTIFYING,
    HazardState.SUBMITTED,
)


class StepKind(models.TextChoices):
    """What a timeline row records."""

    FOUND = "found", _("found")
    TRANSITION = "transition", _("state change")
    DEADLINE = "deadline", _("deadline changed")
    REMINDER = "reminder", _("reminder")
    ESCALATION = "escalation", _("escalation")
    REFERRAL = "referral", _("referral")
    COMMENT = "comment", _("comment")
    EVIDENCE = "evidence", _("evidence")
    ASSESSMENT = "assessment", _("major hazard assessment")
    ENFORCEMENT = "enforcement", _("enforcement")


class PhotoStage(models.TextChoices):
    FOUND = "found", _("as found")
    EVIDENCE = "evidence", _("rectification evidence")
