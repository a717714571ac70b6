"""Scoped querysets for the territory, organizations and people."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Q

from towerwatch.core.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from towerwatch.accounts.scope import Scope


def _ids_in_paths(paths: Any) -> set[int]:
    return {int(part) for path in paths for part in path.strip("/").split("/") if part}


class RegionQuerySet(ScopedQuerySet):
    """A territorial scope sees its subtree and its ancestors; others the regions of their buildings."""

    def restrict(self, scope: Scope) -> RegionQuerySet:
        from towerwatch.accounts.choices import Role
        from towerwatch.accounts.scope import TERRITORIAL

        if scope.region_path and (scope.role == Role.GRID_OFFICER or scope.kind in TERRITORIAL):
            return self.filter(
                Q(path__startswith=scope.region_path) | Q(pk__in=_ids_in_paths([scope.region_path]))
            )
        building = apps.get_model("buildings", "Building")
        paths = (
            self.model.objects.filter(
                pk__in=building.objects.filter(scope.building_filter()).values("region_id")
            )
            .values_list("path", flat=True)
            .distinct()
        )
        return self.filter(pk__in=_ids_in_paths(paths))

    def towns(self) -> RegionQuerySet:
        from .choices import TOWN_LEVEL

        return self.filter(kind__in=TOWN_LEVEL)

    def subtree(self, region: Any) -> RegionQuerySet:
        return self.filter(path__startswith=region.path)


class OrganizationQuerySet(ScopedQuerySet):
    """Public bodies are visible to every member; companies and owners only with their buildings."""

    def restrict(self, scope: Scope) -> OrganizationQuerySet:
        from towerwatch.accounts.scope import PUBLIC_BODIES

        responsibility = apps.get_model("buildings", "Responsibility")
        contract = apps.get_model("buildings", "ServiceContract")
        buildings = scope.buildings()
        return self.filter(
            Q(pk=scope.organization_id)
            | Q(registered_by=scope.organization_id)
            | Q(kind__in=PUBLIC_BODIES)
            | Q(
                pk__in=responsibility.objects.filter(building__in=buildings).values(
                    "organization_id"
                )
            )
            | Q(pk__in=contract.objects.filter(building__in=buildings).values("company_id"))
        )


class PersonQuerySet(ScopedQuerySet):
    """People of visible organizations, and people named on visible buildings."""

    def restrict(self, scope: Scope) -> PersonQuerySet:
        organization = apps.get_model("organizations", "Organization")
        responsibility = apps.get_model("buildings", "Responsibility")
        visible_orgs = organization.objects.restrict(scope).values("pk")
        return self.filter(
            Q(organization__in=visible_orgs)
            | Q(registered_by=scope.organization_id)
            | Q(
                pk__in=responsibility.objects.filter(building__in=scope.buildings()).values(
                    "person_id"
                )
            )
        )
