"""The hazard loop's share of "my work" (core.work): rectify, assign, accept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from towerwatch.accounts.choices import EDITING_ROLES
from towerwatch.core.work import WorkItem, provider

from .choices import HazardState
from .models import Hazard, Referral
from .workflow import ACTING_ROLES, LOOP_OWNERS

LIMIT = 50

ACTION = {
    HazardState.OPEN: _("assign for rectification"),
    HazardState.ASSIGNED: _("start rectification"),
    HazardState.RECTIFYING: _("rectify and submit evidence"),
    HazardState.SUBMITTED: _("check and accept or reject"),
}


def runs_the_loop(scope: Any) -> bool:
    """Public bodies that assign and accept (workflow.public_body, departments aside)."""
    return scope.is_superuser or (scope.role in ACTING_ROLES and scope.kind in LOOP_OWNERS)


def todo_filters(scope: Any) -> list[Q]:
    """The hazards whose next step is this organization's, as disjoint filters (by state), so
    that each is one indexed query rather than an OR the planner cannot serve."""
    parts = []
    if scope.organization_id and scope.role in EDITING_ROLES:
        parts.append(
            Q(
                responsible_org_id=scope.organization_id,
                state__in=[HazardState.ASSIGNED, HazardState.RECTIFYING],
            )
        )
    if runs_the_loop(scope):
        parts.append(Q(state__in=[HazardState.OPEN, HazardState.SUBMITTED]))
    return parts


@provider("hazards", _("Hazards"))
def hazard_work(user: Any, scope: Any, today: dt.date) -> tuple[list[WorkItem], int, str]:
    visible = Hazard.objects.visible_to(user)
    total, found = 0, []
    for part in todo_filters(scope):
        qs = visible.filter(part)
        total += qs.count()
        found += list(qs.select_related("building").order_by("deadline", "pk")[:LIMIT])
    rows = sorted(found, key=lambda h: (h.deadline, h.pk))[:LIMIT]
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


@provider("referrals", _("Referrals to answer"))
def referral_work(user: Any, scope: Any, today: dt.date) -> tuple[list[WorkItem], int, str]:
    """A department's unanswered referrals (抄告), the oldest reply date first."""
    if not scope.organization_id or scope.role not in ACTING_ROLES:
        return [], 0, ""
    qs = Referral.objects.filter(department_id=scope.organization_id, answered_at=None)
    total = qs.count()
    rows = qs.select_related("hazard", "hazard__building").order_by("reply_by", "pk")[:LIMIT]
    items = [
        WorkItem(
            title=f"{r.hazard.code} {r.hazard.title}",
            url=r.hazard.get_absolute_url(),
            action=str(_("answer the referral")),
            due=r.reply_by,
            overdue=r.reply_by < today,
            place=r.hazard.building.name,
            badge=str(_("referral")),
        )
        for r in rows
    ]
    return items, total, ""
