from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionKind(models.TextChoices):
    DISTRICT = "district", _("district")
    STREET = "street", _("street")
    TOWN = "town", _("town")
    PLATFORM = "platform", _("development platform")
    COMMUNITY = "community", _("community")
    VILLAGE = "village", _("village")
    GRID = "grid", _("grid")


#: Region kinds that act as the territorial unit (属地) between district and community.
TOWN_LEVEL = (RegionKind.STREET, RegionKind.TOWN, RegionKind.PLATFORM)
COMMUNITY_LEVEL = (RegionKind.COMMUNITY, RegionKind.VILLAGE)

#: Which kinds may sit under which (the region tree's grammar).
ALLOWED_PARENTS: dict[str, tuple[str, ...]] = {
    RegionKind.DISTRICT: (),
    RegionKind.STREET: (RegionKind.DISTRICT,),
    RegionKind.TOWN: (RegionKind.DISTRICT,),
    RegionKind.PLATFORM: (RegionKind.DISTRICT,),
    RegionKind.COMMUNITY: TOWN_LEVEL,
    RegionKind.VILLAGE: TOWN_LEVEL,
    RegionKind.GRID: COMMUNITY_LEVEL,
}


class OrganizationKind(models.TextChoices):
    FIRE_DETACHMENT = "fire_detachment", _("fire rescue detachment")
    FIRE_BRIGADE = "fire_brigade", _("fire rescue brigade")
    FIRE_STATION = "fire_station", _("fire rescue station")
    LEADERSHIP = "leadership", _("district leadership")
    DEPARTMENT = "department", _("industry department")
    TOWN_GOVERNMENT = "town_government", _("town/street government")
    PLATFORM_GOVERNMENT = "platform_government", _("development platform")
    PROPERTY_COMPANY = "property_company", _("property company")
    OWNER_UNIT = "owner_unit", _("owner or occupant unit")
    SERVICE_COMPANY = "service_company", _("fire service company")
    UTILITY = "utility", _("utility")


class ServiceKind(models.TextChoices):
    MAINTENANCE = "maintenance", _("maintenance")
    TESTING = "testing", _("testing")
    ASSESSMENT = "assessment", _("assessment")


class UtilityKind(models.TextChoices):
    WATER = "water", _("water")
    POWER = "power", _("power")
    GAS = "gas", _("gas")


class SectorCode(models.TextChoices):
    """Occupancy sectors: what a building is used for, and what a department supervises."""

    RESIDENTIAL = "residential", _("residential")
    COMMERCIAL = "commercial", _("commerce and trade")
    OFFICE = "office", _("offices")
    HOTEL = "hotel", _("hotels and apartments")
    MEDICAL = "medical", _("medical")
    EDUCATION = "education", _("education")
    ELDERLY_CARE = "elderly_care", _("elderly care")
    CULTURE_TOURISM = "culture_tourism", _("culture, sport and tourism")
    FINANCE = "finance", _("finance")
    TELECOM = "telecom", _("telecommunications and post")
    TRANSPORT = "transport", _("transport")
    CONSTRUCTION = "construction", _("construction sites")
    GOVERNMENT = "government", _("government offices")
    INDUSTRY = "industry", _("industry and warehousing")


class CertificateKind(models.TextChoices):
    OPERATOR = "fire_facility_operator", _("fire facility operator (消防设施操作员)")
    ENGINEER_1 = "fire_engineer_1", _("registered fire engineer, class 1")
    ENGINEER_2 = "fire_engineer_2", _("registered fire engineer, class 2")
    SAFETY_MANAGER = "safety_manager_training", _("fire safety manager training")
    ELECTRICIAN = "electrician", _("electrician")
    WELDER = "welder", _("welding and hot work")


class CertificateLevel(models.TextChoices):
    """消防设施操作员 levels (国家职业技能标准)."""

    NONE = "", _("—")
    L5 = "5", _("level 5 (初级)")
    L4 = "4", _("level 4 (中级)")
    L3 = "3", _("level 3 (高级)")
    L2 = "2", _("level 2 (技师)")
    L1 = "1", _("level 1 (高级技师)")
