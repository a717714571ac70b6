"""Who hears about a hazard: in-app notifications for the levels of its chain.

Through `notifications.actions.tell_users`, called from `transaction.on_commit` so a rolled-back
change tells no one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from towerwatch.accounts.choices import Role
from towerwatch.accounts.models import Membership
from towerwatch.buildings.choices import ResponsibilityRole as R
from towerwatch.notifications.actions import tell_users
from towerwatch.organizations.choices import OrganizationKind as K


def members(q: Q) -> set[int]:
    return set(
        Membership.objects.filter(is_active=True).filter(q).values_list("user_id", flat=True)
    )


def org_members(org_ids: Iterable[int | None]) -> set[int]:
    ids = [i for i in org_ids if i]
    return members(Q(organization_id__in=ids)) if ids else set()


def level_recipients(level: str, hazard: Any) -> set[int]:
    """The users of one escalation level (rule `hazards.escalation_chain`) for `hazard`."""
    building = hazard.building
    if level == "unit":
        return org_members([hazard.responsible_org_id])
    if level == "property_company":
        links = building.responsibilities.exclude(organization=None)
        managers = [r.organization_id for r in links if r.role == R.MANAGER]
        owners = [r.organization_id for r in links if r.role == R.OWNER]
        return org_members(managers or owners)
    if level == "grid":
        return members(Q(role=Role.GRID_OFFICER, grid_id=building.region_id))
    if level == "town":
        return members(
            Q(
                organization__kind__in=[K.TOWN_GOVERNMENT, K.PLATFORM_GOVERNMENT],
                organization__region_id=building.region.town_id,
            )
            & ~Q(role=Role.GRID_OFFICER)
        )
    if level == "department":
        sectors = building.sectors.values("code")
        referred = hazard.referrals.values("department_id")
        return members(
            Q(organization__kind=K.DEPARTMENT)
            & (Q(organization__sectors__in=sectors) | Q(organization_id__in=referred))
        )
    if level == "detachment":
        return members(Q(organization__kind=K.FIRE_DETACHMENT))
    return set()


def notify_level(level: str, hazard: Any, text: str) -> int:
    return tell_users(level_recipients(level, hazard), text, hazard.get_absolute_url())
