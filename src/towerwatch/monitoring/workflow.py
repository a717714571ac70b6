"""The alarm case's allowed transitions, who may fire them, and the compare-and-swap that does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    return case
