from __future__ import annotations

import django_filters as df
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from towerwatch.core.filtersets import StyledFilterSet, YesNoFilter

from .models import Device


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
