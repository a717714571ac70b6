"""What a user's organization may see (architecture §4.1), derived, never stored per object.

- fire rescue detachment, district leadership: everything (a brigade or station with a
  region: its region's subtree);
- town/street or platform government: buildings in its region subtree;
- grid officer (role): buildings in the grid;
- industry department: buildings of its sectors (later issues add what was referred to it);
- property company, owner or occupant unit: the buildings it manages, owns or occupies;
- fire service company: buildings with a live service contract;
- utility: buildings in the region it serves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone

from towerwatch.organizations.choices import OrganizationKind as K

from .choices import EDITING_ROLES, Role

SEES_EVERYTHING = {K.FIRE_DETACHMENT, K.LEADERSHIP}
TERRITORIAL = {K.TOWN_GOVERNMENT, K.PLATFORM_GOVERNMENT, K.UTILITY, K.FIRE_BRIGADE, K.FIRE_STATION}
PUBLIC_BODIES = {
    K.FIRE_DETACHMENT,
    K.FIRE_BRIGADE,
    K.FIRE_STATION,
    K.LEADERSHIP,
    K.DEPARTMENT,
    K.TOWN_GOVERNMENT,
    K.PLATFORM_GOVERNMENT,
}
#: Who may register new buildings (inside their scope).
REGISTRARS = {K.FIRE_DETACHMENT, K.FIRE_BRIGADE, K.TOWN_GOVERNMENT, K.PLATFORM_GOVERNMENT}


@dataclass(frozen=True)
class Scope:
    """One user's acting organization, role and the territory or sectors it reaches."""

    user_id: int
    organization_id: int | None
    organization_name: str
    kind: str
    role: str
    region_path: str | None = None
    sector_codes: tuple[str, ...] = ()
    is_superuser: bool = False

    @property
    def sees_everything(self) -> bool:
        if self.is_superuser:
            return True
        if self.role == Role.GRID_OFFICER:
            return False
        if self.kind in {K.FIRE_BRIGADE, K.FIRE_STATION} and not self.region_path:
            return True
        return self.kind in SEES_EVERYTHING

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role

    @property
    def is_public_body(self) -> bool:
        return self.is_superuser or self.kind in PUBLIC_BODIES

    @property
    def can_edit(self) -> bool:
        """May change registry objects that it can see."""
        return self.is_superuser or self.role in EDITING_ROLES

    @property
    def can_register_buildings(self) -> bool:
        return self.is_superuser or (self.role in EDITING_ROLES and self.kind in REGISTRARS)

    @property
    def can_delete(self) -> bool:
        return self.is_superuser or (self.role == Role.ADMIN and self.kind in REGISTRARS)

    @property
    def sees_phones(self) -> bool:
        """Unmasked phone numbers: public bodies' working roles (viewers see them masked)."""
        return self.is_superuser or (self.is_public_body and self.role != Role.VIEWER)

    def building_filter(self) -> Q:
        """A filter on Building selecting what this scope may see."""
        if self.sees_everything:
            return Q()
        if self.region_path and (self.role == Role.GRID_OFFICER or self.kind in TERRITORIAL):
            return Q(region__path__startswith=self.region_path)
        if self.kind == K.DEPARTMENT:
            through = apps.get_model("buildings", "Building").sectors.through
            return Q(
                pk__in=through.objects.filter(sector_id__in=self.sector_codes).values("building_id")
            )
        if self.kind in {K.PROPERTY_COMPANY, K.OWNER_UNIT}:
            resp = apps.get_model("buildings", "Responsibility")
            from towerwatch.buildings.choices import PARTY_ROLES

            return Q(
                pk__in=resp.objects.filter(
                    organization_id=self.organization_id, role__in=PARTY_ROLES
                ).values("building_id")
            )
        if self.kind == K.SERVICE_COMPANY:
            contract = apps.get_model("buildings", "ServiceContract")
            today = timezone.localdate()
            live = contract.objects.filter(
                company_id=self.organization_id, start_date__lte=today
            ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            return Q(pk__in=live.values("building_id"))
        return Q(pk__in=[])

    def buildings(self) -> QuerySet[Any]:
        """The visible buildings' ids, as a subquery."""
        building = apps.get_model("buildings", "Building")
        return building.objects.filter(self.building_filter()).values("pk")


def scope_for(user: Any) -> Scope | None:
    """The user's scope, cached on the user object for the request; None when it sees nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_towerwatch_scope", False)
    if cached is not False:
        return cached
    scope = _resolve(user)
    user._towerwatch_scope = scope
    return scope


def _resolve(user: Any) -> Scope | None:
    membership = user.active_membership
    if membership is None or not membership.is_active:
        membership = (
            user.memberships.filter(is_active=True)
            .select_related("organization__region", "grid")
            .first()
        )
    if membership is None:
        if user.is_superuser:
            return Scope(user.pk, None, "", "", Role.ADMIN, is_superuser=True)
        return None
    org = membership.organization
    region_path = None
    if membership.role == Role.GRID_OFFICER and membership.grid_id:
        region_path = membership.grid.path
    elif org.region_id and org.kind in TERRITORIAL:
        region_path = org.region.path
    sectors: tuple[str, ...] = ()
    if org.kind == K.DEPARTMENT:
        sectors = tuple(org.sectors.values_list("code", flat=True))
    return Scope(
        user_id=user.pk,
        organization_id=org.pk,
        organization_name=org.name,
        kind=org.kind,
        role=membership.role,
        region_path=region_path,
        sector_codes=sectors,
        is_superuser=user.is_superuser,
    )
