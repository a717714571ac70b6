from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from towerwatch.core.filtersets import StyledFilterSet
from towerwatch.core.widgets import region_picker

from .choices import OrganizationKind, RegionKind
from .models import Organization, Person, Region

NON_GRID = "district,street,town,platform,community,village"


def _regions(request: Any) -> QuerySet[Region]:
    return (
        Region.objects.visible_to(getattr(request, "user", None))
        .exclude(kind=RegionKind.GRID)
        .order_by("path")
    )


class OrganizationFilterSet(StyledFilterSet):
    q = df.CharFilter(label=_("Search"), method="search", help_text=_("Name or credit code"))
    kind = df.ChoiceFilter(label=_("Kind"), choices=OrganizationKind.choices)
    region = df.ModelChoiceFilter(
        label=_("Region"), queryset=_regions, method="in_region", widget=region_picker(NON_GRID)
    )

    class Meta:
        model = Organization
        fields: list[str] = []

    def search(self, qs: QuerySet[Organization], name: str, value: str) -> QuerySet[Organization]:
        return qs.filter(
            Q(name__icontains=value) | Q(short_name__icontains=value) | Q(credit_code__iexact=value)
        )

    def in_region(
        self, qs: QuerySet[Organization], name: str, value: Region | None
    ) -> QuerySet[Organization]:
        return qs.filter(region__path__startswith=value.path) if value else qs


class PersonFilterSet(StyledFilterSet):
    q = df.CharFilter(label=_("Search"), method="search", help_text=_("Name or post"))
    organization_kind = df.ChoiceFilter(
        label=_("Organization kind"),
        choices=OrganizationKind.choices,
        field_name="organization__kind",
    )

    class Meta:
        model = Person
        fields: list[str] = []

    def search(self, qs: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return qs.filter(Q(name__icontains=value) | Q(title__icontains=value))


class RegionFilterSet(StyledFilterSet):
    q = df.CharFilter(label=_("Search"), method="search")
    kind = df.ChoiceFilter(label=_("Kind"), choices=RegionKind.choices)
    parent = df.ModelChoiceFilter(
        label=_("Within"), queryset=_regions, method="within", widget=region_picker(NON_GRID)
    )

    class Meta:
        model = Region
        fields: list[str] = []

    def search(self, qs: QuerySet[Region], name: str, value: str) -> QuerySet[Region]:
        return qs.filter(Q(name__icontains=value) | Q(code__startswith=value))

    def within(self, qs: QuerySet[Region], name: str, value: Region | None) -> QuerySet[Region]:
        return qs.filter(path__startswith=value.path) if value else qs
