"""`{% building_monitoring building %}`: the monitoring part of a building's file."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Count

from towerwatch.accounts.scope import scope_for

register = template.Library()


@register.inclusion_tag("monitoring/partials/_building_tab.html", takes_context=True)
def building_monitoring(context: dict[str, Any], building: Any) -> dict[str, Any]:
    from .. import stats
    from ..models import Device
    from ..registry import may_register
    from ..views import may_bind

    request = context["request"]
    scope = scope_for(request.user)
    devices = (
        Device.objects.visible_to(request.user)
        .filter(building=building)
        .annotate(
            n_panels=Count("panels", distinct=True),
            n_thresholds=Count("thresholds", distinct=True),
        )
        .order_by("kind", "address")
    )
    return {
        "building": building,
        "devices": list(devices),
        "can_register": bool(scope and may_register(scope)),
        "can_bind": bool(scope and may_bind(scope)),
        "request": request,
        "false_alarms": stats.for_building(building),
        "duty": stats.duty_for_building(building),
        "duty_schedule": _schedule_of(building),
    }


def _schedule_of(building: Any) -> Any:
    """The duty-check schedule the building follows: its own, or the nearest region's."""
    from ..models import DutyCheckSchedule

    own = DutyCheckSchedule.objects.filter(building=building).first()
    if own is not None:
        return own
    ids = [int(p) for p in building.region.path.strip("/").split("/") if p]
    regional = {
        s.region_id: s
        for s in DutyCheckSchedule.objects.filter(region_id__in=ids).select_related("region")
    }
    return next((regional[i] for i in reversed(ids) if i in regional), None)
