"""Who hears about what."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from towerwatch.accounts.models import Membership
from towerwatch.organizations.choices import OrganizationKind

from .models import Notification


def notify_building_chain(building: Any, text: str, url: str = "") -> int:
    """In-app notifications for every active member of the building's responsibility chain:
    the organizations linked to it and the government of its town, street or platform."""
    linked = building.responsibilities.exclude(organization=None).values("organization_id")
    town_government = Q(
        organization__kind__in=[
            OrganizationKind.TOWN_GOVERNMENT,
            OrganizationKind.PLATFORM_GOVERNMENT,
        ],
        organization__region_id=building.region.town_id,
    )
    user_ids = set(
        Membership.objects.filter(is_active=True)
        .filter(Q(organization__in=linked) | town_government)
        .values_list("user_id", flat=True)
    )
    Notification.objects.bulk_create(
        [Notification(user_id=u, text=text[:300], url=url) for u in user_ids]
    )
    return len(user_ids)


def notify_level(level: str, case: Any) -> int:
    """Tell one escalation level about an unhandled alarm case."""
    from django.utils.translation import gettext as _

    building = case.building
    text = _("Unhandled fire alarm at %(building)s: %(point)s") % {
        "building": building.name if building else _("an unbound device"),
        "point": case.description or case.component_address,
    }
    url = case.get_absolute_url()
    if level == "building" and building is not None:
        return notify_building_chain(building, text, url)
    if level == "town" and building is not None:
        members = Membership.objects.filter(
            is_active=True,
            organization__kind__in=[
                OrganizationKind.TOWN_GOVERNMENT,
                OrganizationKind.PLATFORM_GOVERNMENT,
            ],
            organization__region_id=building.region.town_id,
        )
    elif level == "detachment":
        members = Membership.objects.filter(
            is_active=True, organization__kind=OrganizationKind.FIRE_DETACHMENT
        )
    else:
        return 0
    user_ids = set(members.values_list("user_id", flat=True))
    Notification.objects.bulk_create(
        [Notification(user_id=u, text=text[:300], url=url) for u in user_ids]
    )
    return len(user_ids)
