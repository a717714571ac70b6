from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from towerwatch.buildings.filtersets import visible_towns
from towerwatch.buildings.models import Building
from towerwatch.core.filtersets import StyledFilterSet, YesNoFilter
from towerwatch.organizations.models import Region

from .choices import DutyCheckState
from .models import Device, DutyCheck


class DeviceFilterSet(StyledFilterSet):
    q = df.CharFilter(
        label=_("Search"), method="search", help_text=_("Address, name or building code")
    )
    unbound = YesNoFilter(
        label=_("Not yet bound to a building"), field_name="building", lookup_expr="isnull"
    )

    class Meta:
        model = Device
        fields: list[str] = []

    def search(self, qs: QuerySet[Device], name: str, value: str) -> QuerySet[Device]:
        value = value.strip()
        return qs.filter(
            Q(address__icontains=value.lower()) | Q(name__icontains=value) | Q(building__code=value)
        )


class FalseAlarmFilterSet(StyledFilterSet):
    town = df.ModelChoiceFilter(
        label=_("Town / street / platform"), queryset=visible_towns, method="in_town"
    )
    #: How the aggregated rows reach their building.
    building_path = "building"
    days = df.NumberFilter(
        label=_("Window (days)"), method="window", help_text=_("Default: 90 days")
    )

    class Meta:
        model = Building
        fields: list[str] = []

    def window(self, qs: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return qs  # applied by the view (the window is part of the aggregate)

    def in_town(self, qs: QuerySet[Any], name: str, value: Region) -> QuerySet[Any]:
        # A semi-join on the town's buildings: the case index is used per building, instead of
        # joining every case of the window to its building and region.
        town_buildings = Building.objects.filter(region__town=value).values("pk")
        return qs.filter(**{f"{self.building_path}__in": town_buildings})


class DutyRateFilterSet(FalseAlarmFilterSet):
    building_path = "device__building"


class DutyCheckFilterSet(StyledFilterSet):
    town = df.ModelChoiceFilter(
        label=_("Town / street / platform"),
        queryset=visible_towns,
        field_name="device__building__region__town",
    )
    state = df.ChoiceFilter(label=_("state"), choices=DutyCheckState.choices)
    q = df.CharFilter(label=_("Search"), method="search", help_text=_("Building code or name"))

    class Meta:
        model = DutyCheck
        fields: list[str] = []

    def search(self, qs: QuerySet[DutyCheck], name: str, value: str) -> QuerySet[DutyCheck]:
        value = value.strip()
        return qs.filter(
            Q(device__building__code=value) | Q(device__building__name__icontains=value)
        )
