"""The hazard loop's share of "my work" (core.work): rectify, assign, accept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from towerwatch.accounts.choices import Role
from towerwatch.accounts.scope import SEES_EVERYTHING, TERRITORIAL
from towerwatch.core.work import WorkItem, provider

from .choices import HazardState
from .models import Hazard

LIMIT = 50

ACTION = {
    HazardState.OPEN: _("assign for rectification"),
    HazardState.ASSIGNED: _("start rectification"),
    HazardState.RECTIFYING: _("rectify and submit evidence"),
    HazardState.SUBMITTED: _("check and accept or reject"),
}


def runs_the_loop(scope: Any) -> bool:
    """Public bodies that assign and accept: fire authorities, towns/platforms, grid officers."""
    if scope.role == Role.VIEWER:
        return False
    return (
        scope.is_superuser
        or scope.role == Role.GRID_OFFICER
        or (scope.kind in TERRITORIAL | SEES_EVERYTHING and scope.is_public_body)
    )


def todo_filter(scope: Any) -> Q:
    """The hazards whose next step is this organization's."""
    mine = Q(pk__in=[])
    if scope.organization_id and scope.role != Role.VIEWER:
        mine |= Q(
            responsible_org_id=scope.organization_id,
            state__in=[HazardState.ASSIGNED, HazardState.RECTIFYING],
        )
    if runs_the_loop(scope):
        mine |= Q(state__in=[HazardState.OPEN, HazardState.SUBMITTED])
    return mine


@provider("hazards", _("Hazards"))
def hazard_work(user: Any, scope: Any, today: dt.date) -> tuple[list[WorkItem], int, str]:
    qs = Hazard.objects.visible_to(user).filter(todo_filter(scope))
    total = qs.count()
    rows = qs.select_related("building").order_by("deadline", "pk")[:LIMIT]
    items = [
        WorkItem(
            title=f"{h.code} {h.title}",
            url=h.get_absolute_url(),
            action=str(ACTION.get(h.state, "")),
            due=h.deadline,
            overdue=h.deadline < today,
            place=h.building.name,
            badge=h.get_state_display(),
        )
        for h in rows
    ]
    return items, total, reverse("hazards:hazard_list") + "?is_open=true&sort=deadline"
