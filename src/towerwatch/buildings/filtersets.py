"""One filter set for the building list page, the export and the API."""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from towerwatch.core.filtersets import StyledFilterSet, YesNoFilter
from towerwatch.core.widgets import organization_picker, region_picker
from towerwatch.organizations.choices import OrganizationKind, RegionKind
from towerwatch.organizations.models import Organization, Region

from .choices import BuildingUse, Category, FireClass, ResponsibilityRole, Stage
from .models import Building, Responsibility
from .search import search


def visible_towns(request: Any) -> QuerySet[Region]:
    return (
        Region.objects.visible_to(getattr(request, "user", None)).towns().order_by("kind", "code")
    )


def _grids(request: Any) -> QuerySet[Region]:
    return (
        Region.objects.visible_to(getattr(request, "user", None))
        .filter(kind=RegionKind.GRID)
        .order_by("code")
    )


MANAGER_KINDS = ",".join(
    [
        OrganizationKind.PROPERTY_COMPANY,
        OrganizationKind.OWNER_UNIT,
        OrganizationKind.TOWN_GOVERNMENT,
        OrganizationKind.PLATFORM_GOVERNMENT,
    ]
)


def _managers(request: Any) -> QuerySet[Organization]:
    return Organization.objects.visible_to(getattr(request, "user", None)).filter(
        kind__in=MANAGER_KINDS.split(",")
    )


COMPLETENESS_CHOICES = (
    ("complete", _("complete (100%)")),
    ("incomplete", _("incomplete (< 100%)")),
    ("poor", _("poor (< 50%)")),
)


class BuildingFilterSet(StyledFilterSet):
    q = df.CharFilter(
        label=_("Search"), method="search", help_text=_("Name, address or building code")
    )
    town = df.ModelChoiceFilter(
        label=_("Town / street / platform"), queryset=visible_towns, method="in_region"
    )
    grid = df.ModelChoiceFilter(
        label=_("Grid"), queryset=_grids, method="in_region", widget=region_picker("grid")
    )
    fire_class = df.ChoiceFilter(label=_("Class"), choices=FireClass.choices)
    category = df.ChoiceFilter(label=_("Category"), choices=Category.choices)
    use = df.MultipleChoiceFilter(label=_("Main use"), choices=BuildingUse.choices)
    height_min = df.NumberFilter(
        label=_("Height from (m)"), field_name="height_m", lookup_expr="gte"
    )
    height_max = df.NumberFilter(label=_("Height to (m)"), field_name="height_m", lookup_expr="lte")
    manager = df.ModelChoiceFilter(
        label=_("Managing company"),
        queryset=_managers,
        method="managed_by",
        widget=organization_picker(MANAGER_KINDS),
    )
    completeness = df.ChoiceFilter(
        label=_("Registration"), choices=COMPLETENESS_CHOICES, method="by_completeness"
    )
    is_old_residential = YesNoFilter(label=_("Old residential"))
    is_super_high_rise = YesNoFilter(label=_("Super high-rise"))
    stage = df.ChoiceFilter(label=_("Stage"), choices=Stage.choices)
    code = df.CharFilter(label=_("Building code"), lookup_expr="exact")

    class Meta:
        model = Building
        fields: list[str] = []

    def search(self, qs: QuerySet[Building], name: str, value: str) -> QuerySet[Building]:
        return search(qs, value)

    def in_region(
        self, qs: QuerySet[Building], name: str, value: Region | None
    ) -> QuerySet[Building]:
        return qs.filter(region__path__startswith=value.path) if value else qs

    def managed_by(
        self, qs: QuerySet[Building], name: str, value: Organization | None
    ) -> QuerySet[Building]:
        if not value:
            return qs
        return qs.filter(
            pk__in=Responsibility.objects.filter(
                role=ResponsibilityRole.MANAGER, organization=value
            ).values("building_id")
        )

    def by_completeness(self, qs: QuerySet[Building], name: str, value: str) -> QuerySet[Building]:
        return {
            "complete": qs.filter(completeness=100),
            "incomplete": qs.filter(completeness__lt=100),
            "poor": qs.filter(completeness__lt=50),
        }.get(value, qs)
