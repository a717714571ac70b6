"""The rectification loop as a table: allowed transitions, who may fire them, what they need.

open → assigned → rectifying → submitted → closed (accepted), or back to rectifying (rejected,
with a reason); any open state → void (duplicate or invalid, with a reason, public bodies only).

Public bodies (fire rescue, town/street and platform governments, their grid officers, and a
department for what was referred to it) assign, accept, reject and void; the responsible unit's
editors (and those of the building's property company and owner) start and submit. The state
changes by compare-and-swap in `actions.transition`, so of two people acting at once one wins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from towerwatch.accounts.choices import EDITING_ROLES, Role
from towerwatch.accounts.scope import scope_for
from towerwatch.buildings.choices import PARTY_ROLES
from towerwatch.organizations.choices import OrganizationKind as K

from .choices import HazardState as S
from .models import Hazard, Referral

#: Public bodies that own the loop for hazards in their territory (departments: only referred ones).
LOOP_OWNERS = {
    K.FIRE_DETACHMENT,
    K.FIRE_BRIGADE,
    K.FIRE_STATION,
    K.TOWN_GOVERNMENT,
    K.PLATFORM_GOVERNMENT,
}
#: Roles of a public body that act on hazards (viewers and control-room operators do not).
ACTING_ROLES = (*EDITING_ROLES, Role.GRID_OFFICER)


def _sees(user: Any, hazard: Hazard) -> bool:
    return Hazard.objects.visible_to(user).filter(pk=hazard.pk).exists()


def public_body(user: Any, hazard: Hazard) -> bool:
    """Fire rescue, the town/street or platform, its grid officers; a department it was referred to."""
    scope = scope_for(user)
    if scope is None:
        return False
    if scope.is_superuser:
        return True
    if scope.role not in ACTING_ROLES:
        return False
    if scope.kind == K.DEPARTMENT:
        return Referral.objects.filter(
            hazard_id=hazard.pk, department_id=scope.organization_id
        ).exists()
    return scope.kind in LOOP_OWNERS and _sees(user, hazard)


def responsible_unit(user: Any, hazard: Hazard) -> bool:
    """Editors of the responsible unit, or of the building's property company, owner or occupant."""
    scope = scope_for(user)
    if scope is None or scope.role not in EDITING_ROLES or scope.organization_id is None:
        return False
    if scope.organization_id == hazard.responsible_org_id:
        return True
    return hazard.building.responsibilities.filter(
        organization_id=scope.organization_id, role__in=PARTY_ROLES
    ).exists()


@dataclass(frozen=True)
class Transition:
    """One allowed move: who may fire it (`may`) and what it needs."""

    may: Callable[[Any, Hazard], bool]
    needs_note: bool = False
    needs_evidence: bool = False
    verb: Any = ""


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.OPEN, S.ASSIGNED): Transition(may=public_body, verb=_("assign")),
    (S.ASSIGNED, S.RECTIFYING): Transition(may=responsible_unit, verb=_("start rectification")),
    (S.RECTIFYING, S.SUBMITTED): Transition(
        may=responsible_unit, needs_evidence=True, verb=_("submit for acceptance")
    ),
    (S.SUBMITTED, S.CLOSED): Transition(may=public_body, verb=_("accept and close")),
    (S.SUBMITTED, S.RECTIFYING): Transition(
        may=public_body, needs_note=True, verb=_("reject (back to rectification)")
    ),
    (S.OPEN, S.VOID): Transition(may=public_body, needs_note=True, verb=_("void")),
    (S.ASSIGNED, S.VOID): Transition(may=public_body, needs_note=True, verb=_("void")),
    (S.RECTIFYING, S.VOID): Transition(may=public_body, needs_note=True, verb=_("void")),
    (S.SUBMITTED, S.VOID): Transition(may=public_body, needs_note=True, verb=_("void")),
}


def allowed_transitions(user: Any, hazard: Hazard) -> list[str]:
    """The states `user` may move `hazard` to now, in the table's order."""
    return [
        new
        for (old, new), rule in TRANSITIONS.items()
        if old == hazard.state and rule.may(user, hazard)
    ]


def may_manage(user: Any, hazard: Hazard) -> bool:
    """May change the deadline, refer, and open enforcement: the public bodies of the loop."""
    return public_body(user, hazard)
