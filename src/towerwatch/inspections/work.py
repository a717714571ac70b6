"""Patrols, inspections, tests, assessments and drills in "my work" (core.work).

- the building's own parties (property company, owner or occupant unit; editors): each kind of
  work due today or overdue at the buildings they manage, own or occupy, linking to the page
  that starts it there;
- grid officers: the grid walks due or overdue in their grid;
- towns, platforms and the fire authority: one line per kind, "N buildings overdue for …",
  counted in one aggregate query (`compliance.overdue_counts`), linking to the compliance list.

Cost: a party's or grid's share runs `compliance.compute` over its own buildings only (three
queries plus one for the names of at most LIMIT rows); a public body's summary is one query
whatever the number of buildings, plus one for its region.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from towerwatch.accounts.choices import EDITING_ROLES, Role
from towerwatch.buildings.models import Building
from towerwatch.core.work import WorkItem, provider
from towerwatch.organizations.choices import OrganizationKind as K
from towerwatch.organizations.models import Region
from towerwatch.rules.ruleset import RuleSet

from .choices import SCHEDULED_KINDS, Due, WorkKind
from .compliance import Schedule, compute, overdue_counts

LIMIT = 50

#: Organizations whose own buildings' work this is (PARTY_ROLES: owner, occupant, manager).
PARTIES = {K.PROPERTY_COMPANY, K.OWNER_UNIT}
#: Public bodies that see a summary per kind.
SUMMARY_BODIES = {
    K.TOWN_GOVERNMENT,
    K.PLATFORM_GOVERNMENT,
    K.FIRE_DETACHMENT,
    K.FIRE_BRIGADE,
    K.FIRE_STATION,
}
LATE = (Due.OVERDUE, Due.NEVER)


def start_url(building_id: int, kind: str) -> str:
    """The building's inspections page with this kind chosen in its start form."""
    return reverse("inspections:building", args=[building_id]) + f"?kind={kind}#tw-start"


def _due_items(
    user: Any, kinds: tuple[str, ...], today: dt.date
) -> tuple[list[WorkItem], int, str]:
    visible = Building.objects.visible_to(user)
    schedule = Schedule.from_rules(RuleSet.current(today))
    statuses = compute(visible, schedule=schedule, kinds=kinds)
    cells = [
        (s.building_id, c)
        for s in statuses
        for c in s.cells.values()
        if c.state in LATE or c.due <= today
    ]
    cells.sort(key=lambda bc: (bc[1].state not in LATE, bc[1].due, bc[0]))
    shown = cells[:LIMIT]
    names = dict(Building.objects.filter(pk__in={b for b, _c in shown}).values_list("pk", "name"))
    items = [
        WorkItem(
            title=str(WorkKind(c.kind).label),
            url=start_url(b, c.kind),
            action=str(_("start")),
            due=c.due,
            overdue=c.state in LATE,
            place=names.get(b, ""),
            badge=str(Due(c.state).label),
        )
        for b, c in shown
    ]
    return items, len(cells), reverse("inspections:compliance")


def _summary(user: Any, scope: Any, today: dt.date) -> tuple[list[WorkItem], int, str]:
    counts = overdue_counts(
        Building.objects.visible_to(user), now=timezone.now(), kinds=SCHEDULED_KINDS
    )
    town = None
    if scope.region_path and scope.kind in {K.TOWN_GOVERNMENT, K.PLATFORM_GOVERNMENT}:
        town = Region.objects.filter(path=scope.region_path).first()
    overview = reverse("inspections:compliance")
    items = []
    for kind in SCHEDULED_KINDS:
        n = counts.get(kind) or 0
        if not n:
            continue
        if town is not None and town.is_town_level:
            url = reverse("inspections:compliance_list", args=["town", town.pk])
            url += f"?state=overdue&kind={kind}"
        else:
            url = overview
        text = ngettext(
            "%(n)d building overdue for %(kind)s",
            "%(n)d buildings overdue for %(kind)s",
            n,
        ) % {"n": n, "kind": WorkKind(kind).label}
        items.append(
            WorkItem(
                title=text,
                url=url,
                action=str(_("follow up")),
                overdue=True,
                badge=str(Due.OVERDUE.label),
            )
        )
    return items, len(items), overview


@provider("inspections", _("Patrols and inspections"))
def inspection_work(user: Any, scope: Any, today: dt.date) -> tuple[list[WorkItem], int, str]:
    if scope.role == Role.GRID_OFFICER:
        return _due_items(user, (WorkKind.GRID_WALK,), today)
    if scope.is_superuser or (scope.role in EDITING_ROLES and scope.kind in SUMMARY_BODIES):
        return _summary(user, scope, today)
    if scope.role in EDITING_ROLES and scope.kind in PARTIES:
        return _due_items(user, SCHEDULED_KINDS, today)
    return [], 0, ""
