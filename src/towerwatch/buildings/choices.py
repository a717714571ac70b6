from django.db import models
from django.utils.translation import gettext_lazy as _


class BuildingUse(models.TextChoices):
    """Main use, as GB 50016 Table 5.1.1 distinguishes buildings."""

    RESIDENTIAL = "residential", _("residential")
    RESIDENTIAL_WITH_OUTLETS = (
        "residential_outlets",
        _("residential with shop units (商业服务网点)"),
    )
    DORMITORY = "dormitory", _("dormitory or apartment")
    OFFICE = "office", _("office")
    COMMERCIAL = "commercial", _("shop / mall")
    EXHIBITION = "exhibition", _("exhibition")
    TELECOM = "telecom", _("telecommunications")
    POSTAL = "postal", _("postal")
    FINANCE = "finance", _("finance and trade")
    MIXED = "mixed", _("multi-function complex")
    HOTEL = "hotel", _("hotel")
    MEDICAL = "medical", _("medical")
    ELDERLY_CARE = "elderly_care", _("stand-alone elderly care facility")
    EDUCATION = "education", _("education / research")
    CULTURE = "culture", _("culture and sport")
    LIBRARY = "library", _("library / book store")
    BROADCAST_DISPATCH = (
        "broadcast_dispatch",
        _("provincial broadcasting, disaster or power dispatch"),
    )
    TRANSPORT = "transport", _("transport")
    OTHER_PUBLIC = "other_public", _("other public building")


RESIDENTIAL_USES = (BuildingUse.RESIDENTIAL, BuildingUse.RESIDENTIAL_WITH_OUTLETS)


class Category(models.TextChoices):
    RESIDENTIAL = "residential", _("residential")
    PUBLIC = "public", _("public")


class FireClass(models.TextChoices):
    """High-rise class under GB 50016 Table 5.1.1; NONE for single/multi-storey buildings."""

    CLASS_1 = "class1", _("class 1 high-rise")
    CLASS_2 = "class2", _("class 2 high-rise")
    NONE = "none", _("not high-rise")


class Stage(models.TextChoices):
    DESIGN = "design", _("design")
    CONSTRUCTION = "construction", _("under construction")
    IN_USE = "in_use", _("in use")


class ManagingArrangement(models.TextChoices):
    """Who runs the building day to day (高层规定 Arts. 4–5; the plan's task 4)."""

    PROPERTY_COMPANY = "property_company", _("property company")
    UNIFIED_MANAGER = "unified_manager", _("unified manager named by the owners")
    ASSIGNED_UNIT = "assigned_unit", _("unit assigned by the town (no property service)")
    SELF_MANAGED = "self_managed", _("managed by the owner itself")
    NONE = "none", _("not arranged")


class ResponsibilityRole(models.TextChoices):
    """Links of the responsibility chain (户籍化管理)."""

    OWNER = "owner", _("owner")
    OCCUPANT = "occupant", _("occupant")
    MANAGER = "manager", _("property company / unified manager")
    RESPONSIBLE_PERSON = "responsible_person", _("fire safety responsible person")
    SAFETY_MANAGER = "safety_manager", _("fire safety manager")
    TOWN_LEADER = "town_leader", _("town/platform leader in charge")
    GRID_OFFICER = "grid_officer", _("grid officer")
    DEPARTMENT = "department", _("industry department")
    DEPARTMENT_OFFICIAL = "department_official", _("department official in charge")


R = ResponsibilityRole
#: Roles filled by an organization; the rest are filled by a person.
ORGANIZATION_ROLES = (R.OWNER, R.OCCUPANT, R.MANAGER, R.DEPARTMENT)
#: Roles through which a company or owner unit sees a building.
PARTY_ROLES = (R.OWNER, R.OCCUPANT, R.MANAGER)
#: The links every building's file must have (registration completeness; the plan's task 4).
REQUIRED_ROLES = (
    R.OWNER,
    R.MANAGER,
    R.RESPONSIBLE_PERSON,
    R.SAFETY_MANAGER,
    R.TOWN_LEADER,
    R.GRID_OFFICER,
    R.DEPARTMENT,
    R.DEPARTMENT_OFFICIAL,
)


class FireSystemKind(models.TextChoices):
    ALARM = "alarm", _("automatic fire alarm system")
    SPRINKLER = "sprinkler", _("automatic sprinkler system")
    INDOOR_HYDRANT = "indoor_hydrant", _("indoor hydrants")
    SMOKE_CONTROL = "smoke_control", _("smoke control and exhaust")
    EMERGENCY_LIGHTING = "emergency_lighting", _("emergency lighting and exit signs")
    FIRE_LIFT = "fire_lift", _("fire lift")
    CONTROL_ROOM = "control_room", _("fire control room")
    GAS_SUPPRESSION = "gas_suppression", _("gas suppression")
    ELECTRICAL_MONITORING = "electrical_monitoring", _("electrical fire monitoring")


class FireSystemState(models.TextChoices):
    NORMAL = "normal", _("working")
    PARTIAL = "partial", _("partly working")
    FAULT = "fault", _("fault")
    DISABLED = "disabled", _("out of service")
    UNKNOWN = "unknown", _("not verified")
