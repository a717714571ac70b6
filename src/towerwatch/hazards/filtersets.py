"""One filter set for the hazard list page, its ledger export, the map and the dashboards."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import django_filters as df
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from towerwatch.buildings.filtersets import visible_towns
from towerwatch.buildings.models import Building
from towerwatch.buildings.search import search
from towerwatch.core.filtersets import StyledFilterSet, YesNoFilter
from towerwatch.core.widgets import organization_picker
from towerwatch.organizations.models import Organization, Region

from .choices import OPEN_STATES, HazardCategory, HazardSource, HazardState, Severity
from .models import Hazard

CODE_RE = re.compile(r"^YH\d{4}-\d+$", re.IGNORECASE)
BUILDING_CODE_RE = re.compile(r"^\d{6}-\d{6}$")


def _units(request: Any) -> QuerySet[Organization]:
    return Organization.objects.visible_to(getattr(request, "user", None))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class DateInput(forms.DateInput):
    input_type = "date"


class HazardFilterSet(StyledFilterSet):
    q = df.CharFilter(
        label=_("Search"), method="search", help_text=_("Hazard number, title or building")
    )
    town = df.ModelChoiceFilter(
        label=_("Town / street / platform"), queryset=visible_towns, method="in_region"
    )
    building = df.CharFilter(
        label=_("Building code"), method="by_building", help_text="500116-000123"
    )
    category = df.MultipleChoiceFilter(label=_("hazard category"), choices=HazardCategory.choices)
    severity = df.ChoiceFilter(label=_("Severity"), choices=Severity.choices)
    state = df.MultipleChoiceFilter(label=_("workflow state"), choices=HazardState.choices)
    is_open = YesNoFilter(label=_("Open"), method="by_open")
    overdue = YesNoFilter(label=_("Overdue"), method="by_overdue")
    source = df.ChoiceFilter(label=_("Source"), choices=HazardSource.choices)
    unit = df.ModelChoiceFilter(
        label=_("Responsible unit"),
        queryset=_units,
        field_name="responsible_org",
        widget=organization_picker(),
    )
    found_from = df.DateFilter(label=_("Found from"), method="found_since", widget=DateInput)
    found_to = df.DateFilter(label=_("Found until"), method="found_until", widget=DateInput)

    class Meta:
        model = Hazard
        fields: list[str] = []

    def search(self, qs: QuerySet[Hazard], name: str, value: str) -> QuerySet[Hazard]:
        value = value.strip()
        if not value:
            return qs
        if CODE_RE.match(value):
            return qs.filter(code=value.upper())
        if BUILDING_CODE_RE.match(value):
            return qs.filter(building__code=value)
        # Buildings by their bigram index (buildings.search); titles and locations by substring.
        buildings = search(Building.objects.all(), value).values("pk")
        return qs.filter(
            Q(title__icontains=value) | Q(location__icontains=value) | Q(building__in=buildings)
        )

    def in_region(self, qs: QuerySet[Hazard], name: str, value: Region | None) -> QuerySet[Hazard]:
        if not value:
            return qs
        # A subquery, not a join: SQLite otherwise walks every hazard in date order to test
        # each one's region (4 s for a town's ledger at 500,000 hazards).
        return qs.filter(building__in=Building.objects.filter(region__path__startswith=value.path))

    def by_building(self, qs: QuerySet[Hazard], name: str, value: str) -> QuerySet[Hazard]:
        value = value.strip()
        if not value:
            return qs
        if value.isdigit():
            return qs.filter(building_id=int(value))
        return qs.filter(building__code=value)

    def by_open(self, qs: QuerySet[Hazard], name: str, value: bool | None) -> QuerySet[Hazard]:
        if value is None:
            return qs
        return qs.filter(state__in=OPEN_STATES) if value else qs.exclude(state__in=OPEN_STATES)

    def by_overdue(self, qs: QuerySet[Hazard], name: str, value: bool | None) -> QuerySet[Hazard]:
        if value is None:
            return qs
        overdue = Q(state__in=OPEN_STATES, deadline__lt=timezone.localdate())
        return qs.filter(overdue) if value else qs.exclude(overdue)

    def found_since(self, qs: QuerySet[Hazard], name: str, value: dt.date) -> QuerySet[Hazard]:
        # Bounds on the indexed timestamp itself, not on its date (which no index serves).
        return qs.filter(found_at__gte=_day_start(value)) if value else qs

    def found_until(self, qs: QuerySet[Hazard], name: str, value: dt.date) -> QuerySet[Hazard]:
        if not value:
            return qs
        return qs.filter(found_at__lt=_day_start(value + dt.timedelta(days=1)))
