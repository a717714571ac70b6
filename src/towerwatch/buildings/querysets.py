"""Scoped querysets for buildings and the records that hang off them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from towerwatch.core.querysets import ScopedQuerySet

if TYPE_CHECKING:
    from towerwatch.accounts.scope import Scope


class BuildingQuerySet(ScopedQuerySet):
    """Buildings: the scope's own filter applies directly."""

    def restrict(self, scope: Scope) -> BuildingQuerySet:
        return self.filter(scope.building_filter())

    def with_region_path(self) -> BuildingQuerySet:
        return self.select_related("region", "region__town", "region__community")


class BuildingRelatedQuerySet(ScopedQuerySet):
    """Fire systems, responsibilities, contracts: visible with their building."""

    scope_path = "building"
