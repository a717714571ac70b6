"""The alarm case's allowed transitions, who may fire them, and the compare-and-swap that does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from towerwatch.accounts.choices import EDITING_ROLES, Role
from towerwatch.accounts.scope import scope_for

from .choices import CaseState as S
from .models import AlarmCase, AlarmFlip


def centre(user: Any, case: AlarmCase) -> bool:
    """The monitoring centre: operators and editors of organizations that see everything."""
    scope = scope_for(user)
    return bool(
        scope
        and scope.sees_everything
        and (scope.role == Role.OPERATOR or scope.role in EDITING_ROLES)
    )


def centre_or_building(user: Any, case: AlarmCase) -> bool:
    """The centre, or an editor who sees the building (its control room answers through the app)."""
    scope = scope_for(user)
    if scope is None:
        return False
    if centre(user, case):
        return True
    return (
        scope.role in EDITING_ROLES
        and AlarmCase.objects.visible_to(user).filter(pk=case.pk).exists()
    )


@dataclass(frozen=True)
class Transition:
    may: Any
    needs_note: bool = False


TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.OPEN, S.CONFIRMED_FIRE): Transition(may=centre_or_building),
    (S.OPEN, S.FALSE_ALARM): Transition(may=centre_or_building),
    (S.OPEN, S.TEST): Transition(may=centre_or_building),
    (S.OPEN, S.FAULT): Transition(may=centre_or_building),
    (S.OPEN, S.RESOLVED): Transition(may=centre, needs_note=True),
}


@transaction.atomic
def transition(case: AlarmCase, new_state: str, *, acting_user: Any, note: str = "") -> AlarmCase:
    """Move `case` to `new_state` if allowed; the update count decides who won a race."""
    rule = TRANSITIONS.get((case.state, new_state))
    if rule is None:
        raise ValidationError(
            _("A case in state %(old)s cannot become %(new)s.")
            % {"old": S(case.state).label, "new": S(new_state).label}
        )
    if acting_user is not None and not rule.may(acting_user, case):
        raise PermissionDenied(_("Your role may not handle this alarm case."))
    if rule.needs_note and not note.strip():
        raise ValidationError({"note": _("Say why the case is closed.")})
    now = timezone.now()
    won = AlarmCase.objects.filter(pk=case.pk, state=case.state).update(
        state=new_state, closed_at=now
    )
    if won != 1:
        raise ValidationError(_("Someone else handled this case first."))
    AlarmFlip.objects.create(
        case=case, at=now, old_state=case.state, new_state=new_state, actor=acting_user, note=note
    )
    case.state, case.closed_at = new_state, now
    from . import stream

    transaction.on_commit(stream.publish)  # this process's consoles at once; others by NOTIFY
    if new_state == S.CONFIRMED_FIRE:
        forward_confirmed_fire(case, acting_user=acting_user, at=now)
    return case


def forward_confirmed_fire(case: AlarmCase, *, acting_user: Any, at: Any) -> None:
    """Queue the 119 forward and tell the whole responsibility chain, in the same transaction.

    GB 50440-2007 §3.0.2-3 (rule `monitoring.confirmed_alarm_to_119_s`): a confirmed alarm reaches
    the 119 centre within 3 s; the worker delivers the outbox every second.
    """
    from towerwatch.notifications.actions import notify_building_chain
    from towerwatch.notifications.outbox import enqueue_webhook

    building = case.building
    payload = {
        "event": "confirmed_fire",
        "case": case.pk,
        "confirmed_at": at.isoformat(),
        "confirmed_by": str(acting_user) if acting_user else None,
        "point": case.component_address,
        "description": case.description,
        "building": None
        if building is None
        else {
            "code": building.code,
            "name": building.name,
            "address": building.address,
            "lon": float(building.lon) if building.lon is not None else None,
            "lat": float(building.lat) if building.lat is not None else None,
            "height_m": float(building.height_m),
            "storeys": building.storeys_above,
            "class": building.fire_class,
        },
    }
    if settings.TOWERWATCH_FIRE_WEBHOOK_URL:
        enqueue_webhook("confirmed_fire", settings.TOWERWATCH_FIRE_WEBHOOK_URL, payload)
    if building is not None:
        notify_building_chain(
            building,
            _("Confirmed fire at %(building)s: %(point)s")
            % {"building": building.name, "point": case.description or case.component_address},
            url=case.get_absolute_url(),
            case=case,
            kind="confirmed_fire",
            urgent=True,
        )
